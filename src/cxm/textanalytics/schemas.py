"""Response and request shapes of the text analytics API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxm.textanalytics.domain import Sentiment


class AnalysisOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    subject_type: str
    subject_id: uuid.UUID
    source: str
    customer_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    product_model: str | None
    occurred_at: datetime
    language: str
    masked_text: str
    sentiment: str
    sentiment_score: float
    topics: list[dict[str, Any]]
    flags: list[str]
    products: list[str]
    urgent: bool
    model_version: str
    corrected: bool


class CorrectionIn(BaseModel):
    sentiment: Sentiment | None = None
    topics: list[str] | None = Field(default=None, max_length=20)
    taxonomy: str = "customer_service"


class AnalyseIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
