"""The consent ledger and preferred channels: every decision is kept with its source and time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cxm.consent.domain import ContactChannel, Purpose
from cxm.db import Base, UUIDKey, ValueEnum
from cxm.shared.clock import utcnow


class ConsentEntry(UUIDKey, Base):
    __tablename__ = "consent_ledger"
    __table_args__ = (Index("ix_consent_ledger_customer", "customer_id", "purpose", "channel"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[Purpose] = mapped_column(ValueEnum(Purpose, 20))
    channel: Mapped[ContactChannel] = mapped_column(ValueEnum(ContactChannel, 20))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ChannelPreference(UUIDKey, Base):
    """The customer's preferred contact channels, in order (rank 0 first)."""

    __tablename__ = "channel_preferences"
    __table_args__ = (Index("ix_channel_preferences_customer", "customer_id", "rank"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[ContactChannel] = mapped_column(ValueEnum(ContactChannel, 20))
    rank: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
