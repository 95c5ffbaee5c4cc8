"""Request and response bodies for segments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SegmentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    rule: dict[str, Any] = Field(
        description="A rule tree: {all|any: [...]}, {not: ...} or a condition "
        "{field, op, value, key?, days?}; see GET /segments/fields.",
        examples=[
            {
                "all": [
                    {"field": "type", "op": "eq", "value": "business"},
                    {"field": "holding_model", "op": "eq", "value": "Smartphone Modell X"},
                    {"field": "complaints", "op": "gte", "value": 1, "days": 30},
                ]
            }
        ],
    )


class SegmentUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    rule: dict[str, Any] | None = None


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    rule: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    count: int | None = None


class RuleIn(BaseModel):
    rule: dict[str, Any]


class CountOut(BaseModel):
    count: int
    at: datetime


class MemberOut(BaseModel):
    id: uuid.UUID
    display_name: str
    type: str
    region: str | None
    language: str


class PreviewOut(BaseModel):
    count: int
    at: datetime
    rule: dict[str, Any]
    sample: list[MemberOut]


class FieldOut(BaseModel):
    field: str
    kind: str
    ops: list[str]
    choices: list[str]
    needs_key: bool
    needs_days: bool
    label_de: str
    label_en: str
