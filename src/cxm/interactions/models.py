"""The append-only interaction log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, UUIDKey
from cxm.interactions.domain import Direction
from cxm.shared.clock import utcnow
from cxm.touchpoints.domain import Channel


class Interaction(UUIDKey, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_timeline", "customer_id", "occurred_at", "id"),
        Index("ix_interactions_touchpoint_time", "touchpoint_id", "occurred_at"),
        Index("ix_interactions_occurred_at", "occurred_at"),
    )

    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    channel: Mapped[Channel] = mapped_column(String(20))
    direction: Mapped[Direction] = mapped_column(String(3))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    employee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
