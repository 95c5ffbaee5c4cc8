"""Saved segments, and the per-customer value and risk scores their rules can use."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, JsonDict, Timestamps, UUIDKey


class Segment(UUIDKey, Timestamps, Base):
    """A named rule (the JSON tree of cxm.segments.domain); members are computed when asked."""

    __tablename__ = "segments"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    rule: Mapped[dict[str, Any]] = mapped_column(JsonDict)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class CustomerScore(Base):
    """A customer's lifetime value and churn risk as last computed (cxm.insights refreshes
    them); segment rules on value tier, churn risk and value × experience read these."""

    __tablename__ = "customer_scores"
    __table_args__ = (Index("ix_customer_scores_category", "category", "clv"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    clv: Mapped[float | None]
    value_tier: Mapped[str | None] = mapped_column(String(8))
    expected_purchases: Mapped[float | None]
    probability_alive: Mapped[float | None]
    churn_risk: Mapped[float | None]
    experience: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(16))
    computed_at: Mapped[datetime]


class ScoreRun(UUIDKey, Base):
    """One refresh of the scores: the fitted models and their evaluation, for the pages."""

    __tablename__ = "score_runs"

    kind: Mapped[str] = mapped_column(String(16), index=True)  # clv | churn
    computed_at: Mapped[datetime]
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDict)
