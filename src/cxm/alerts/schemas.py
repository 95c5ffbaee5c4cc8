"""Request and response shapes for alert rules and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxm.alerts.domain import AlertKind, AlertStatus


class AlertRuleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: AlertKind
    touchpoint: str | None = None
    department: str | None = None
    threshold: float | None = Field(default=None, gt=0, le=200)
    min_n: int = Field(default=30, ge=1, le=100_000)


class AlertRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: AlertKind
    touchpoint_id: uuid.UUID | None
    department_id: uuid.UUID | None
    threshold: float | None
    min_n: int
    active: bool


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    rule_id: uuid.UUID
    kind: AlertKind
    department_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    response_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    title: str
    body: str
    details: dict[str, Any]
    status: AlertStatus
    created_at: datetime
    emailed_to: list[str] | None
    acknowledged_at: datetime | None
