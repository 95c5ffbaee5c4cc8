"""Unsolicited feedback items (complaints, reviews, posts, agent notes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, ValueEnum, new_id
from cxm.feedback.domain import FeedbackSource
from cxm.shared.clock import utcnow


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_customer", "customer_id", "occurred_at"),
        Index("ix_feedback_source_time", "source", "occurred_at"),
        Index("ix_feedback_time", "occurred_at", "id"),  # the explorer: newest first, keyset
        Index("ix_feedback_product", "product_model"),  # the explorer's product choices
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    source: Mapped[FeedbackSource] = mapped_column(ValueEnum(FeedbackSource, 20))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None]  # on a 1..rating_scale scale (e.g. review stars)
    rating_scale: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(8))
    product_model: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
