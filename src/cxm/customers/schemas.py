"""Request and response shapes for customers, identities, holdings and merges."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxm.customers.domain import CustomerType, IdentityKind, Language, Salutation


class IdentityIn(BaseModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)


class IdentityCreate(IdentityIn):
    verified: bool = False
    source: str | None = Field(default=None, max_length=64)


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: IdentityKind
    value: str
    verified: bool
    source: str | None
    created_at: datetime


class HoldingCreate(BaseModel):
    external_id: str | None = Field(default=None, max_length=128)
    kind: Literal["product", "contract"] = "product"
    product_code: str = Field(min_length=1, max_length=64)
    product_name: str = Field(min_length=1, max_length=300)
    model: str | None = Field(default=None, max_length=200)
    tariff: str | None = Field(default=None, max_length=200)
    serial: str | None = Field(default=None, max_length=200)
    started_on: date | None = None
    ended_on: date | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _end_after_start(self) -> HoldingCreate:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValueError("ended_on must not be before started_on")
        return self


class HoldingUpdate(BaseModel):
    product_name: str | None = Field(default=None, min_length=1, max_length=300)
    model: str | None = None
    tariff: str | None = None
    serial: str | None = None
    started_on: date | None = None
    ended_on: date | None = None
    attributes: dict[str, Any] | None = None


class HoldingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    customer_id: uuid.UUID
    external_id: str | None
    kind: str
    product_code: str
    product_name: str
    model: str | None
    tariff: str | None
    serial: str | None
    started_on: date | None
    ended_on: date | None
    attributes: dict[str, Any]


class CustomerCreate(BaseModel):
    salutation: Salutation = Salutation.NONE
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    company_name: str | None = Field(default=None, max_length=300)
    display_name: str | None = Field(default=None, max_length=300)
    language: Language = Language.DE
    type: CustomerType = CustomerType.PRIVATE
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    attributes: dict[str, Any] = Field(default_factory=dict)
    identities: list[IdentityCreate] = Field(default_factory=list)


class CustomerUpdate(BaseModel):
    salutation: Salutation | None = None
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    company_name: str | None = Field(default=None, max_length=300)
    display_name: str | None = Field(default=None, max_length=300)
    language: Language | None = None
    type: CustomerType | None = None
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    attributes: dict[str, Any] | None = None


class CustomerSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    display_name: str
    type: CustomerType
    language: Language
    region: str | None
    postal_code: str | None


class CustomerOut(CustomerSummary):
    salutation: Salutation
    first_name: str | None
    last_name: str | None
    company_name: str | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    identities: list[IdentityOut]
    holdings: list[HoldingOut]


class MergeRequest(BaseModel):
    survivor_id: uuid.UUID
    merged_id: uuid.UUID


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    merged_at: datetime
    merged_by: uuid.UUID | None
    moved: dict[str, Any]
