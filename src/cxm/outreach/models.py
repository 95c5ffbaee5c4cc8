"""Outbound messages (one row per logical message: the idempotency unit), templates, notices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxm.consent.domain import ContactChannel, Purpose
from cxm.db import Base, JsonDict, ValueEnum, new_id
from cxm.outreach.domain import MessageKind, MessageStatus


class MessageTemplate(Base):
    """A company's own wording for a message kind in one language (overrides the default)."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("kind", "language", name="uq_message_template"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[MessageKind] = mapped_column(ValueEnum(MessageKind, 32))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_due", "status", "next_attempt_at"),
        Index("ix_outbound_customer", "customer_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # One logical message (e.g. "ack:<case>", "notice:<notice>:<customer>") is stored once.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    notice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notices.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(ValueEnum(MessageKind, 32))
    purpose: Mapped[Purpose] = mapped_column(ValueEnum(Purpose, 16))
    channel: Mapped[ContactChannel | None] = mapped_column(ValueEnum(ContactChannel, 16))
    to_address: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2))
    # Rendered when first sent (the survey link needs the server's secret); kept for the record.
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(ValueEnum(MessageStatus, 16))
    refused_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    sent_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"))


class Notice(Base):
    """A proactive notice (e.g. a software fix) to every holder of a product model, to the
    members of a saved segment, or to the members of a segment who hold the model."""

    __tablename__ = "notices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    product_model: Mapped[str | None] = mapped_column(String(200), index=True)
    segment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("segments.id"), index=True)
    # The segment's name and rule as the notice was first sent: editing the segment later does
    # not rewrite whom a sent notice was meant for (re-sends use this rule too).
    segment_name: Mapped[str | None] = mapped_column(String(200))
    segment_rule: Mapped[dict[str, Any] | None] = mapped_column(JsonDict)
    title_de: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body_de: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    update_link: Mapped[str | None] = mapped_column(String(500))
    root_cause: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
