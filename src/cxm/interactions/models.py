"""The append-only interaction log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, ValueEnum, new_id
from cxm.interactions.domain import Direction
from cxm.shared.clock import utcnow
from cxm.touchpoints.domain import Channel


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_timeline", "customer_id", "occurred_at", "id"),)
    # Ids are UUIDv7: time-ordered, so inserts append to the key index and `id > watermark`
    # reads what arrived since. Reports by touchpoint or period run on the analytical store,
    # so the operational log carries no other index (each one slows every insert).
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)

    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    channel: Mapped[Channel] = mapped_column(ValueEnum(Channel, 20))
    direction: Mapped[Direction] = mapped_column(ValueEnum(Direction, 3))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    employee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
