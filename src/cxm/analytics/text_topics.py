"""Connects the text analysis to the analytical store: the customer-service topics that the
text pipeline found in feedback become a topic source for complaint rates (`topics=text`).

Only topic labels are copied (no text). Registered on import; `cxm.features` imports this module.
"""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
from sqlalchemy import select

from cxm.analytics import kpi, sync
from cxm.textanalytics.models import TextAnalysis, TextTopic

TABLE = "feedback_topics"


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
