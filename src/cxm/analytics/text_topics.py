"""Connects the text analysis to the analytical store: the customer-service topics that the
text pipeline found in feedback become a topic source for complaint rates (`topics=text`), and
every analysis (of feedback, interactions and survey comments) is copied with its masked text,
language, sentiment and urgency (`text_analyses`) for analytics over verbatims at scale.

Only masked text is copied (the pipeline's PII masking has run on it); the raw text stays in
its operational record. Registered on import; `cxm.features` imports this module.
"""

from __future__ import annotations

from datetime import datetime

import ibis  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, select

from cxm.analytics import kpi, sync
from cxm.textanalytics.models import LabelCorrection, TextAnalysis, TextTopic

TABLE = "feedback_topics"
ANALYSES = "text_analyses"


def _query() -> sync.AnySelect:
    return (
        select(TextAnalysis.subject_id.label("feedback_id"), TextTopic.taxonomy, TextTopic.topic)
        .join(TextAnalysis, TextAnalysis.id == TextTopic.analysis_id)
        .where(TextAnalysis.subject_type == "feedback", TextTopic.taxonomy == "customer_service")
    )


sync.register(
    sync.TableSpec(
        TABLE,
        ibis.schema({"feedback_id": "uuid", "taxonomy": "string", "topic": "string"}),
        sync.Mode.REFRESH,
        _query,
    )
)
kpi.register_topic_source("text", kpi.TableTopic(TABLE))


def _analyses() -> sync.AnySelect:
    a = TextAnalysis
    return select(
        a.id, a.subject_type, a.subject_id, a.source, a.customer_id, a.touchpoint_id,
        a.product_model, a.occurred_at, a.language, a.masked_text, a.sentiment,
        a.sentiment_score, a.urgent, a.corrected, a.model_version, a.analysed_at,
    )  # fmt: skip


def _corrected_since(since: datetime) -> ColumnElement[bool]:
    """Analyses change only when an agent corrects them."""
    recent = select(LabelCorrection.analysis_id).where(LabelCorrection.corrected_at >= since)
    return TextAnalysis.id.in_(recent)


sync.register(
    sync.TableSpec(
        ANALYSES,
        ibis.schema(
            {
                "id": "uuid",
                "subject_type": "string",
                "subject_id": "uuid",
                "source": "string",
                "customer_id": "uuid",
                "touchpoint_id": "uuid",
                "product_model": "string",
                "occurred_at": "timestamp",
                "language": "string",
                "masked_text": "string",
                "sentiment": "string",
                "sentiment_score": "float64",
                "urgent": "boolean",
                "corrected": "boolean",
                "model_version": "string",
                "analysed_at": "timestamp",
                "occurred_on": "date",
                "touchpoint_no": "int32",
            }
        ),
        sync.Mode.WINDOW,
        _analyses,
        id_column=TextAnalysis.id,
        changing=_corrected_since,
        days=(("occurred_on", "occurred_at"),),
        partition="occurred_on",
    )
)
