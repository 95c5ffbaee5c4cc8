"""Routes for text analytics: analysed texts by topic/sentiment/urgency, corrections, taxonomies."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, require
from cxm.textanalytics import services
from cxm.textanalytics.domain import Sentiment
from cxm.textanalytics.pipeline import Analyser
from cxm.textanalytics.schemas import AnalyseIn, AnalysisOut, CorrectionIn

router = APIRouter(tags=["text analytics"])

Reader = Annotated[User, Depends(require(Permission.CUSTOMERS_READ))]
Corrector = Annotated[User, Depends(require(Permission.FEEDBACK_WRITE))]
Manager = Annotated[User, Depends(require(Permission.SURVEYS_MANAGE))]


def _analyser(request: Request, db: DbSession) -> Analyser:
    # Loading the model takes seconds: one analyser per process, rebuilt when taxonomies change.
    cached: Analyser | None = getattr(request.app.state, "analyser", None)
    if cached is None:
        cached = services.analyser_for(db)
        request.app.state.analyser = cached
    return cached


@router.get("/text/analyses")
def find_analyses(
    db: DbSession,
    user: Reader,
    topic: str | None = None,
    taxonomy: str | None = None,
    sentiment: Sentiment | None = None,
    urgent: bool | None = None,
    flag: str | None = Query(default=None, description="churn_threat, legal_threat, ..."),
    subject_type: str | None = Query(
        default=None, pattern="^(feedback|interaction|survey_answer)$"
    ),
    source: str | None = None,
    product_model: str | None = None,
    customer_id: uuid.UUID | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[AnalysisOut]:
    """Analysed texts (masked), newest first: e.g. negative, urgent feedback about billing."""
    rows = services.find(
        db,
        topic=topic,
        taxonomy=taxonomy,
        sentiment=sentiment,
        urgent=urgent,
        flag=flag,
        subject_type=subject_type,
        source=source,
        product_model=product_model,
        customer_id=customer_id,
        since=since,
        until=until,
        limit=limit,
    )
    return [AnalysisOut.model_validate(r) for r in rows]


@router.get("/text/analyses/{analysis_id}")
def get_analysis(analysis_id: uuid.UUID, db: DbSession, user: Reader) -> AnalysisOut:
    return AnalysisOut.model_validate(services.get_analysis(db, analysis_id))


@router.post("/text/analyses/{analysis_id}/correction")
def correct(
    analysis_id: uuid.UUID, body: CorrectionIn, db: DbSession, user: Corrector, clock: ClockDep
) -> AnalysisOut:
    """Corrects sentiment and/or topics; `cxm text train --with-corrections` learns from it."""
    analysis = services.correct(
        db,
        analysis_id,
        sentiment=body.sentiment,
        topics=body.topics,
        by=user.id,
        now=clock.now(),
        taxonomy=body.taxonomy,
    )
    return AnalysisOut.model_validate(analysis)


@router.post("/text/analyse")
def analyse_text(body: AnalyseIn, request: Request, db: DbSession, user: Reader) -> dict[str, Any]:
    """Analyses a text without storing it (e.g. an agent's draft or a pasted letter)."""
    analysis = _analyser(request, db).analyse(body.text)
    return {
        "masked_text": analysis.masked_text,
        "language": analysis.language,
        "sentiment": {"label": analysis.sentiment.label.value, "score": analysis.sentiment.score},
        "topics": [
            {
                "taxonomy": t.taxonomy,
                "topic": t.topic,
                "confidence": t.confidence,
                "sentiment": t.sentiment.label.value,
            }
            for t in analysis.topics
        ],
        "flags": list(analysis.flag_names()),
        "products": [p.product for p in analysis.products],
        "urgent": analysis.urgent,
    }


@router.get("/text/taxonomies")
def list_taxonomies(db: DbSession, user: Reader) -> list[dict[str, Any]]:
    return [t.to_dict() for t in services.taxonomies(db)]


@router.put("/text/taxonomies/{name}")
def save_taxonomy(
    name: str,
    definition: dict[str, Any],
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
) -> dict[str, Any]:
    """Replaces a taxonomy (topics with keywords/patterns); applies to texts analysed from now."""
    taxonomy = services.save_taxonomy(db, {**definition, "name": name}, now=clock.now())
    request.app.state.analyser = None
    return taxonomy.to_dict()


@router.get("/text/spikes")
def spikes(
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    as_of: date | None = None,
    taxonomy: str = "customer_service",
) -> list[dict[str, Any]]:
    """Emerging topics: significant rises in the last 7 days against the 28 before."""
    found = services.topic_spikes(db, as_of=as_of or clock.now().date(), taxonomy=taxonomy)
    return [
        {
            "topic": s.topic,
            "product": s.product,
            "touchpoint": s.touchpoint,
            "recent": s.recent_count,
            "baseline": s.baseline_count,
            "expected": s.expected,
            "ratio": s.ratio,
            "p_value": s.p_value,
        }
        for s in found
    ]
