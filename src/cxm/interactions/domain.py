"""Interaction vocabulary and the normalised form of one incoming event (pure)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cxm.customers.domain import IdentityKey
from cxm.touchpoints.domain import Channel


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


# The usual types; any lower-case slug is accepted so integrations can add their own.
KNOWN_TYPES = (
    "page_view",
    "search",
    "call",
    "email",
    "chat_message",
    "purchase",
    "order",
    "complaint",
    "visit",
    "letter",
    "social_post",
    "app_event",
    "technician_visit",
    "invoice",
    "contract_change",
    "cancellation",
    "survey_invitation",
    "survey_response",
)

TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(slots=True)
class NewInteraction:
    """One event as it will be stored, before its customer is resolved."""

    type: str
    occurred_at: datetime
    direction: Direction = Direction.IN
    event_id: str | None = None
    customer_id: uuid.UUID | None = None
    identities: list[IdentityKey] = field(default_factory=list)
    touchpoint: str | None = None
    channel: Channel | None = None
    employee_id: uuid.UUID | None = None
    text: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemError:
    index: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    index: int
    id: uuid.UUID
    customer_id: uuid.UUID
    created: bool
