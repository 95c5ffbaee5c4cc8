"""Request and response shapes for interactions and the timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from cxm.customers.schemas import IdentityIn
from cxm.interactions.domain import Direction
from cxm.touchpoints.domain import Channel


class InteractionCreate(BaseModel):
    event_id: str | None = Field(
        default=None,
        max_length=128,
        description="Client-chosen id; sending the same event id again stores nothing new.",
    )
    customer_id: uuid.UUID | None = None
    identities: list[IdentityIn] = Field(
        default_factory=list,
        description="Identities to resolve the customer by (and to attach to them).",
    )
    touchpoint: str | None = Field(default=None, max_length=64, description="Touchpoint key.")
    channel: Channel | None = Field(default=None, description="Defaults to the touchpoint's.")
    direction: Direction = Direction.IN
    type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["call", "complaint"])
    occurred_at: AwareDatetime
    employee_id: uuid.UUID | None = None
    text: str | None = Field(default=None, max_length=100_000)
    properties: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _who_and_where(self) -> InteractionCreate:
        if self.customer_id is None and not self.identities:
            raise ValueError("give customer_id or at least one identity")
        if self.touchpoint is None and self.channel is None:
            raise ValueError("give a touchpoint or a channel")
        return self


class InteractionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    event_id: str | None
    customer_id: uuid.UUID
    touchpoint: str | None = None
    channel: Channel
    direction: Direction
    type: str
    occurred_at: datetime
    received_at: datetime
    employee_id: uuid.UUID | None
    text: str | None
    properties: dict[str, Any]


class BatchItemResult(BaseModel):
    index: int
    id: uuid.UUID
    customer_id: uuid.UUID
    status: str = Field(description="'created' or 'duplicate'")


class BatchOut(BaseModel):
    created: int
    duplicates: int
    results: list[BatchItemResult]
