"""Request and response bodies for outreach: messages, templates, notices, reply checks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxm.consent.domain import ContactChannel, Purpose
from cxm.outreach.domain import MessageKind, MessageStatus


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    notice_id: uuid.UUID | None
    kind: MessageKind
    purpose: Purpose
    channel: ContactChannel | None
    to_address: str | None
    language: str
    subject: str | None
    body: str | None
    status: MessageStatus
    refused_reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class TemplateIn(BaseModel):
    subject: str | None = Field(default=None, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)


class TemplateOut(BaseModel):
    kind: MessageKind
    language: str
    subject: str | None
    body: str
    custom: bool


class NoticeCreate(BaseModel):
    product_model: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Holders of this model; with segment_id only the segment's members "
        "among them. At least one of the two is needed.",
    )
    segment_id: uuid.UUID | None = Field(
        default=None, description="A saved segment whose members (now) receive the notice."
    )
    title_de: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    body_de: str = Field(min_length=1, max_length=10_000)
    body_en: str = Field(min_length=1, max_length=10_000)
    update_link: str | None = Field(default=None, max_length=500)
    root_cause: str | None = Field(default=None, max_length=64)
    case_id: uuid.UUID | None = None


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    product_model: str | None
    segment_id: uuid.UUID | None
    segment_name: str | None
    segment_rule: dict[str, Any] | None = Field(
        description="The segment's rule as the notice was first sent (null before)."
    )
    title_de: str
    title_en: str
    body_de: str
    body_en: str
    update_link: str | None
    root_cause: str | None
    case_id: uuid.UUID | None
    created_at: datetime
    sent_at: datetime | None
    counts: dict[str, Any]


class ReplyIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    idempotency_key: str | None = Field(default=None, max_length=64)


class ReplyCheckIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    case_id: uuid.UUID | None = Field(
        default=None, description="Checks against the case's request and customer."
    )
    customer_id: uuid.UUID | None = None
    request: str | None = Field(default=None, max_length=20_000)
    language: str | None = Field(default=None, pattern="^(de|en)$")


class ReceiptIn(BaseModel):
    message_id: uuid.UUID | None = None
    provider_id: str | None = Field(default=None, max_length=200)
    status: MessageStatus
    reason: str | None = Field(default=None, max_length=500)
