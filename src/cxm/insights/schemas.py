"""Response bodies for the insights routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class DriverOut(BaseModel):
    key: str
    kind: str
    ref: str
    name_de: str
    name_en: str
    weight: float  # raw relative weight (R² units)
    share: float  # % of R²
    share_low: float
    share_high: float
    r: float
    n: int
    performance: float | None
    quadrant: str | None


class DroppedOut(BaseModel):
    key: str
    reason: str


class MomentOut(BaseModel):
    touchpoint: str
    name_de: str
    name_en: str
    rank: int
    score: float
    share: float
    share_low: float
    share_high: float
    r: float
    n: int
    performance: float
    quadrant: str


class DriversOut(BaseModel):
    outcome: str
    start: datetime
    end: datetime
    n: int
    r2: float
    r2_low: float
    r2_high: float
    missing: str
    bootstrap: int
    confidence: float
    seed: int
    notes: list[str]
    drivers: list[DriverOut]
    dropped: list[DroppedOut]
    moments_of_truth: list[MomentOut]


class MomentsOut(BaseModel):
    outcome: str
    touchpoints: list[str] | None
    moments_of_truth: list[MomentOut]


class ScoredOut(BaseModel):
    id: uuid.UUID
    display_name: str
    clv: float | None
    value_tier: str | None
    churn_risk: float | None
    experience: str | None
    category: str | None


class ClvOut(BaseModel):
    computed_at: datetime | None
    summary: dict[str, Any] | None
    grid: dict[str, dict[str, int]]
    top: list[ScoredOut]


class ChurnOut(BaseModel):
    computed_at: datetime | None
    summary: dict[str, Any] | None
    top: list[ScoredOut]


class RefreshOut(BaseModel):
    computed_at: datetime
    customers: int
    clv: dict[str, Any] | None
    churn: dict[str, Any] | None
