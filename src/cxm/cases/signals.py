"""Opens cases from signals that need action: detractor answers, complaints, and texts the text
analytics marked negative and urgent. Each stream is read after its watermark, and each signal is
recorded on its case (unique), so a rerun or a second worker opens nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.analytics import metrics
from cxm.cases import services
from cxm.cases.domain import CaseSource, Priority
from cxm.cases.models import CaseSignal
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.shared import watermarks
from cxm.surveys.domain import QuestionType
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse
from cxm.textanalytics.models import TextAnalysis

_DETRACTORS = "cases.detractors"
_COMPLAINTS = "cases.complaints"
_URGENT_TEXTS = "cases.urgent_texts"


@dataclass(frozen=True, slots=True)
class SignalRules:
    """Which signals open a case; the defaults follow the closed-loop practice."""

    detractor_max: int = metrics.DETRACTOR_MAX
    high_priority_max: int = 3
    complaints: bool = True
    urgent_negative_texts: bool = True


def open_from_signals(
    db: Session,
    *,
    now: datetime,
    calendar_code: str,
    rules: SignalRules = SignalRules(),
    limit: int = 5000,
) -> dict[str, int]:
    """Reads each signal stream after its watermark and opens (or links) cases."""
    counts = {"opened": 0, "linked": 0}
    for stream in (_detractors, _complaints, _urgent_texts):
        stream(db, now=now, calendar_code=calendar_code, rules=rules, limit=limit, counts=counts)
    db.commit()
    return counts


def _seen(db: Session, kind: str, ref: uuid.UUID) -> bool:
    return (
        db.scalar(
            select(CaseSignal.id).where(CaseSignal.kind == kind, CaseSignal.ref_id == str(ref))
        )
        is not None
    )


def _open(db: Session, counts: dict[str, int], **kwargs: object) -> None:
    result = services.open_case(db, commit=False, **kwargs)  # type: ignore[arg-type]
    counts["opened" if result.created else "linked"] += 1


def _topic_of(
    db: Session, subject_type: str, subject_id: uuid.UUID
) -> tuple[str | None, list[str]]:
    analysis = db.scalar(
        select(TextAnalysis).where(
            TextAnalysis.subject_type == subject_type, TextAnalysis.subject_id == subject_id
        )
    )
    if analysis is None:
        return None, []
    topics = [str(t.get("topic")) for t in analysis.topics or [] if t.get("topic")]
    return (topics[0] if topics else None), topics


def _detractors(
    db: Session,
    *,
    now: datetime,
    calendar_code: str,
    rules: SignalRules,
    limit: int,
    counts: dict[str, int],
) -> None:
    after = watermarks.get(db, _DETRACTORS)
    query = (
        select(SurveyResponse, SurveyAnswer.score, Survey.key)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyAnswer.type == QuestionType.NPS)
        .order_by(SurveyResponse.id)
        .limit(limit)
    )
    if after:
        query = query.where(SurveyResponse.id > uuid.UUID(after))
    last = None
    for response, score, survey_key in db.execute(query).all():
        last = response.id
        if (
            score is None
            or score > rules.detractor_max
            or response.customer_id is None
            or survey_key == services.RESURVEY_KEY
            or _seen(db, "detractor", response.id)
        ):
            continue
        comment = next((a.text for a in response.answers if a.text), None)
        answer_id = next((a.id for a in response.answers if a.text), None)
        topic, topics = _topic_of(db, "survey_answer", answer_id) if answer_id else (None, [])
        _open(
            db,
            counts,
            customer_id=response.customer_id,
            subject=f"NPS {score}: {comment[:200]}" if comment else f"NPS {score}",
            description=comment,
            now=now,
            calendar_code=calendar_code,
            category="complaint",
            priority=Priority.HIGH if score <= rules.high_priority_max else Priority.NORMAL,
            source=CaseSource.DETRACTOR,
            touchpoint_id=response.touchpoint_id,
            response_id=response.id,
            topic=topic,
            topics=topics,
            signal_kind="detractor",
            signal_ref=str(response.id),
        )
    if last is not None:
        watermarks.put(db, _DETRACTORS, str(last), now=now)


def _complaints(
    db: Session,
    *,
    now: datetime,
    calendar_code: str,
    rules: SignalRules,
    limit: int,
    counts: dict[str, int],
) -> None:
    if not rules.complaints:
        return
    after = watermarks.get(db, _COMPLAINTS)
    query = (
        select(Feedback)
        .where(Feedback.source == FeedbackSource.COMPLAINT)
        .order_by(Feedback.id)
        .limit(limit)
    )
    if after:
        query = query.where(Feedback.id > uuid.UUID(after))
    last = None
    for item in db.scalars(query).all():
        last = item.id
        if item.customer_id is None or _seen(db, "complaint", item.id):
            continue
        topic, topics = _topic_of(db, "feedback", item.id)
        first_line = item.text.strip().splitlines()[0] if item.text.strip() else "Beschwerde"
        _open(
            db,
            counts,
            customer_id=item.customer_id,
            subject=first_line[:200],
            description=item.text,
            now=now,
            calendar_code=calendar_code,
            category="complaint",
            priority=Priority.NORMAL,
            source=CaseSource.COMPLAINT,
            touchpoint_id=item.touchpoint_id,
            feedback_id=item.id,
            topic=topic,
            topics=topics,
            product_model=item.product_model,
            signal_kind="complaint",
            signal_ref=str(item.id),
        )
    if last is not None:
        watermarks.put(db, _COMPLAINTS, str(last), now=now)


def _urgent_texts(
    db: Session,
    *,
    now: datetime,
    calendar_code: str,
    rules: SignalRules,
    limit: int,
    counts: dict[str, int],
) -> None:
    if not rules.urgent_negative_texts:
        return
    after = watermarks.get(db, _URGENT_TEXTS)
    query = select(TextAnalysis).order_by(TextAnalysis.id).limit(limit)
    if after:
        query = query.where(TextAnalysis.id > uuid.UUID(after))
    last = None
    for analysis in db.scalars(query).all():
        last = analysis.id
        if (
            not analysis.urgent
            or analysis.sentiment != "negative"
            or analysis.customer_id is None
            or _seen(db, "text_analysis", analysis.id)
        ):
            continue
        topics = [str(t.get("topic")) for t in analysis.topics or [] if t.get("topic")]
        feedback_id = analysis.subject_id if analysis.subject_type == "feedback" else None
        if feedback_id is not None and _seen(db, "complaint", feedback_id):
            continue
        text = analysis.masked_text.strip()
        _open(
            db,
            counts,
            customer_id=analysis.customer_id,
            subject=(text.splitlines()[0] if text else "Dringend")[:200],
            description=text,
            now=now,
            calendar_code=calendar_code,
            category="complaint",
            priority=Priority.URGENT,
            source=CaseSource.TEXT_ANALYSIS,
            touchpoint_id=analysis.touchpoint_id,
            feedback_id=feedback_id,
            topic=topics[0] if topics else None,
            topics=topics,
            product_model=analysis.product_model,
            signal_kind="text_analysis",
            signal_ref=str(analysis.id),
        )
    if last is not None:
        watermarks.put(db, _URGENT_TEXTS, str(last), now=now)
