"""Request and response shapes for unsolicited feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cxm.customers.schemas import IdentityIn
from cxm.feedback.domain import FeedbackSource


class FeedbackCreate(BaseModel):
    source: FeedbackSource
    text: str = Field(min_length=1, max_length=100_000)
    occurred_at: AwareDatetime
    customer_id: uuid.UUID | None = None
    identities: list[IdentityIn] = Field(default_factory=list)
    touchpoint: str | None = None
    rating: int | None = Field(default=None, ge=1, le=10)
    rating_scale: int | None = Field(default=None, ge=2, le=10)
    language: str | None = Field(default=None, max_length=8)
    product_model: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(default=None, max_length=128)
    properties: dict[str, Any] = Field(default_factory=dict)


class FeedbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    external_id: str | None
    source: FeedbackSource
    customer_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    occurred_at: datetime
    received_at: datetime
    text: str
    rating: int | None
    rating_scale: int | None
    language: str | None
    product_model: str | None
    properties: dict[str, Any]
