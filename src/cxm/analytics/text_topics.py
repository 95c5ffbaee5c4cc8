"""Connects the text analysis to the analytical store: the customer-service topics that the
text pipeline found in feedback become a topic source for complaint rates (`topics=text`),
every analysis (of feedback, interactions and survey comments) is copied with its masked text,
language, sentiment and urgency (`text_analyses`) for analytics over verbatims at scale, and
each analysis's topics of every taxonomy as a list with its customer and time
(`text_analysis_topics`: the topic drivers of the key driver analysis, cxm.analytics.drivers).

Only masked text is copied (the pipeline's PII masking has run on it); the raw text stays in
its operational record. Registered on import; `cxm.features` imports this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, func, select

from cxm.analytics import kpi, sync
from cxm.textanalytics.models import LabelCorrection, TextAnalysis, TextTopic

TABLE = "feedback_topics"
ANALYSES = "text_analyses"
TOPICS = "text_analysis_topics"
_SEPARATOR = "\x1f"  # between the topics of one analysis on their way out of the database


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


def _topics() -> sync.AnySelect:
    """One row per analysis: its customer, time and topic codes (of every taxonomy). A
    correction replaces an analysis's topic rows; the window sync then upserts the analysis's
    row whole, so a removed topic goes too."""
    a, t = TextAnalysis, TextTopic
    topics = (
        select(func.aggregate_strings(t.topic, _SEPARATOR))
        .where(t.analysis_id == a.id)
        .scalar_subquery()
    )
    return select(a.id, a.customer_id, a.occurred_at, topics.label("topics"))


def _topic_list(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    columns["topics"] = [
        sorted({t for t in (value or "").split(_SEPARATOR) if 0 < len(t) <= sync.MAX_TOPIC_CHARS})
        for value in columns["topics"]
    ]
    return columns


sync.register(
    sync.TableSpec(
        TOPICS,
        ibis.schema(
            {
                "id": "uuid",
                "customer_id": "uuid",
                "occurred_at": "timestamp",
                "topics": "array<string>",
            }
        ),
        sync.Mode.WINDOW,
        _topics,
        id_column=TextAnalysis.id,
        changing=_corrected_since,
        transform=_topic_list,
        partition="occurred_at",
    )
)
