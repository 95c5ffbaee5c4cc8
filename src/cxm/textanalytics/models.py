"""Stored analyses of customer texts (masked text only), their topics, and agents' corrections."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, JsonDict, new_id
from cxm.shared.clock import utcnow


class TextAnalysis(Base):
    """What cxm read from one stored text. The raw text stays only in its operational record."""

    __tablename__ = "text_analyses"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", name="uq_text_analyses_subject"),
        Index("ix_text_analyses_time", "occurred_at"),
        Index("ix_text_analyses_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject_type: Mapped[str] = mapped_column(String(20))  # feedback | interaction | survey_answer
    subject_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(30))  # feedback source or interaction type
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    product_model: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    language: Mapped[str] = mapped_column(String(8))
    masked_text: Mapped[str] = mapped_column(Text)
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float]
    topics: Mapped[list[dict[str, Any]]] = mapped_column(JsonDict)
    flags: Mapped[list[str]] = mapped_column(JsonDict)
    products: Mapped[list[str]] = mapped_column(JsonDict)
    urgent: Mapped[bool]
    model_version: Mapped[str] = mapped_column(String(100))
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrected: Mapped[bool] = mapped_column(default=False)


class TextTopic(Base):
    """One topic of one analysis: the row that topic filters and complaint rates count."""

    __tablename__ = "text_topics"
    __table_args__ = (
        Index("ix_text_topics_topic_time", "taxonomy", "topic", "occurred_at"),
        # Covers the dashboard's topics × sentiment count over a period without the table.
        Index("ix_text_topics_time_sentiment", "taxonomy", "occurred_at", "topic", "sentiment"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    analysis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("text_analyses.id"), index=True)
    taxonomy: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64))
    sentiment: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float]
    occurred_at: Mapped[datetime]


class LabelCorrection(Base):
    """An agent's correction of an analysis; kept for the next training."""

    __tablename__ = "text_label_corrections"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    analysis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("text_analyses.id"), index=True)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    topics: Mapped[list[str] | None] = mapped_column(JsonDict)
    corrected_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaxonomyRecord(Base):
    """A taxonomy as users edited it (JSON as `Taxonomy.to_dict` writes it)."""

    __tablename__ = "text_taxonomies"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonDict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
