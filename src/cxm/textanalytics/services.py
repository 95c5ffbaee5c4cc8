"""Use cases of text analytics over stored texts: analyse what is new (resumable), find by
topic/sentiment/urgency, correct labels, edit taxonomies, export corrections for training."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal, null, select
from sqlalchemy.orm import Session

from cxm.customers.models import Holding
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.shared import watermarks
from cxm.shared.errors import Invalid, NotFound
from cxm.surveys.models import SurveyAnswer, SurveyResponse
from cxm.textanalytics.domain import Analysis, Sentiment
from cxm.textanalytics.models import LabelCorrection, TaxonomyRecord, TextAnalysis, TextTopic
from cxm.textanalytics.pipeline import Analyser
from cxm.textanalytics.spikes import SpikeConfig, TopicCount, detect_spikes
from cxm.textanalytics.taxonomy import DEFAULT_TAXONOMIES, Taxonomy
from cxm.touchpoints.models import Touchpoint

SUBJECTS = ("feedback", "interaction", "survey_answer")


@dataclass(frozen=True, slots=True)
class _Text:
    id: uuid.UUID
    text: str
    source: str
    customer_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    occurred_at: datetime
    product_model: str | None


def taxonomies(db: Session) -> list[Taxonomy]:
    """The shipped taxonomies, replaced by the users' edited versions where they exist."""
    found = dict(DEFAULT_TAXONOMIES)
    for record in db.scalars(select(TaxonomyRecord)):
        found[record.name] = Taxonomy.from_dict(record.definition)
    return list(found.values())


def save_taxonomy(db: Session, definition: dict[str, Any], *, now: datetime) -> Taxonomy:
    """Stores a user-edited taxonomy (validated by parsing it)."""
    try:
        taxonomy = Taxonomy.from_dict(definition)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"not a valid taxonomy: {exc}", field="definition") from None
    if not taxonomy.topics:
        raise Invalid("a taxonomy needs at least one topic", field="topics")
    record = db.get(TaxonomyRecord, taxonomy.name)
    if record is None:
        db.add(TaxonomyRecord(name=taxonomy.name, definition=taxonomy.to_dict(), updated_at=now))
    else:
        record.definition = taxonomy.to_dict()
        record.updated_at = now
    db.commit()
    return taxonomy


def catalogue(db: Session) -> list[str]:
    """Product and model names from the holdings, for product mentions in texts."""
    models = db.scalars(select(Holding.model).where(Holding.model.is_not(None)).distinct())
    names = db.scalars(select(Holding.product_name).distinct())
    return sorted({*(m for m in models if m), *names})


def analyser_for(db: Session, *, model: Any = None) -> Analyser:
    """An analyser with this installation's taxonomies and product catalogue."""
    return Analyser(model, taxonomies=taxonomies(db), catalogue=catalogue(db))


def _pending(db: Session, subject: str, after: uuid.UUID | None, limit: int) -> list[_Text]:
    query: Any
    if subject == "feedback":
        query = select(
            Feedback.id,
            Feedback.text,
            Feedback.source,
            Feedback.customer_id,
            Feedback.touchpoint_id,
            Feedback.occurred_at,
            Feedback.product_model,
        ).order_by(Feedback.id)
        if after:
            query = query.where(Feedback.id > after)
    elif subject == "interaction":
        query = (
            select(
                Interaction.id,
                Interaction.text,
                Interaction.type,
                Interaction.customer_id,
                Interaction.touchpoint_id,
                Interaction.occurred_at,
                null(),
            )
            .where(Interaction.text.is_not(None), Interaction.type != "survey_response")
            .order_by(Interaction.id)
        )
        if after:
            query = query.where(Interaction.id > after)
    else:
        query = (
            select(
                SurveyAnswer.id,
                SurveyAnswer.text,
                literal("survey"),
                SurveyResponse.customer_id,
                SurveyResponse.touchpoint_id,
                SurveyResponse.submitted_at,
                null(),
            )
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.text.is_not(None))
            .order_by(SurveyAnswer.id)
        )
        if after:
            query = query.where(SurveyAnswer.id > after)
    rows = db.execute(query.limit(limit)).all()
    return [_Text(r[0], r[1] or "", str(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def _store(db: Session, subject: str, item: _Text, analysis: Analysis, now: datetime) -> None:
    products = [p.product for p in analysis.products]
    record = TextAnalysis(
        subject_type=subject,
        subject_id=item.id,
        source=item.source,
        customer_id=item.customer_id,
        touchpoint_id=item.touchpoint_id,
        product_model=item.product_model or (products[0] if products else None),
        occurred_at=item.occurred_at,
        language=analysis.language,
        masked_text=analysis.masked_text,
        sentiment=analysis.sentiment.label.value,
        sentiment_score=round(float(analysis.sentiment.score), 4),
        topics=[
            {
                "taxonomy": t.taxonomy,
                "topic": t.topic,
                "confidence": round(float(t.confidence), 4),
                "sentiment": t.sentiment.label.value,
                "evidence": list(t.evidence),
            }
            for t in analysis.topics
        ],
        flags=list(analysis.flag_names()),
        products=products,
        urgent=analysis.urgent,
        model_version=analysis.model_version[:100],
        analysed_at=now,
    )
    db.add(record)
    db.flush()
    for t in analysis.topics:
        db.add(
            TextTopic(
                analysis_id=record.id,
                taxonomy=t.taxonomy,
                topic=t.topic,
                sentiment=t.sentiment.label.value,
                confidence=round(float(t.confidence), 4),
                occurred_at=item.occurred_at,
            )
        )


def analyse_pending(
    db: Session,
    *,
    analyser: Analyser,
    now: datetime,
    batch_size: int = 256,
    max_batches: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Analyses every stored text not analysed yet, batch by batch. Each batch commits with its
    watermark, so an interrupted run resumes where it stopped and analyses nothing twice."""
    done: dict[str, int] = {}
    for subject in SUBJECTS:
        name = f"textanalytics.{subject}.id"
        count = batches = 0
        while max_batches is None or batches < max_batches:
            raw = watermarks.get(db, name)
            items = _pending(db, subject, uuid.UUID(raw) if raw else None, batch_size)
            if not items:
                break
            known = set(
                db.scalars(
                    select(TextAnalysis.subject_id).where(
                        TextAnalysis.subject_type == subject,
                        TextAnalysis.subject_id.in_([i.id for i in items]),
                    )
                )
            )
            todo = [i for i in items if i.id not in known and i.text.strip()]
            for item, analysis in zip(
                todo, analyser.analyse_many([i.text for i in todo]), strict=True
            ):
                _store(db, subject, item, analysis, now)
            watermarks.put(db, name, str(items[-1].id), now=now)
            db.commit()
            count += len(todo)
            batches += 1
            if progress:
                progress(subject, count)
        done[subject] = count
    return done


def pending_count(db: Session) -> int:
    """How many stored texts still wait for analysis (approximately, for progress bars)."""
    total = 0
    for subject, model in (
        ("feedback", Feedback),
        ("interaction", Interaction),
        ("survey_answer", SurveyAnswer),
    ):
        raw = watermarks.get(db, f"textanalytics.{subject}.id")
        query = select(func.count()).select_from(model).where(model.text.is_not(None))
        if raw:
            query = query.where(model.id > uuid.UUID(raw))
        total += db.scalar(query) or 0
    return total


def get_analysis(db: Session, analysis_id: uuid.UUID) -> TextAnalysis:
    found = db.get(TextAnalysis, analysis_id)
    if found is None:
        raise NotFound("analysis not found", field="analysis_id")
    return found


def find(
    db: Session,
    *,
    topic: str | None = None,
    taxonomy: str | None = None,
    sentiment: Sentiment | None = None,
    urgent: bool | None = None,
    flag: str | None = None,
    subject_type: str | None = None,
    source: str | None = None,
    product_model: str | None = None,
    customer_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> Sequence[TextAnalysis]:
    """Analysed texts, newest first, by topic, sentiment, urgency and more."""
    query = select(TextAnalysis).order_by(TextAnalysis.occurred_at.desc()).limit(limit)
    if topic:
        topics = select(TextTopic.analysis_id).where(TextTopic.topic == topic)
        if taxonomy:
            topics = topics.where(TextTopic.taxonomy == taxonomy)
        query = query.where(TextAnalysis.id.in_(topics))
    if sentiment:
        query = query.where(TextAnalysis.sentiment == Sentiment(sentiment).value)
    if urgent is not None:
        query = query.where(TextAnalysis.urgent.is_(urgent))
    if subject_type:
        query = query.where(TextAnalysis.subject_type == subject_type)
    if source:
        query = query.where(TextAnalysis.source == source)
    if product_model:
        query = query.where(TextAnalysis.product_model == product_model)
    if customer_id:
        query = query.where(TextAnalysis.customer_id == customer_id)
    if since:
        query = query.where(TextAnalysis.occurred_at >= since)
    if until:
        query = query.where(TextAnalysis.occurred_at < until)
    rows = db.scalars(query).all()
    if flag:
        rows = [r for r in rows if flag in (r.flags or [])]
    return rows


def correct(
    db: Session,
    analysis_id: uuid.UUID,
    *,
    sentiment: Sentiment | None,
    topics: list[str] | None,
    by: uuid.UUID | None,
    now: datetime,
    taxonomy: str = "customer_service",
) -> TextAnalysis:
    """Records an agent's correction; it shows at once and is used at the next training."""
    if sentiment is None and topics is None:
        raise Invalid("correct the sentiment, the topics or both", field="sentiment")
    analysis = get_analysis(db, analysis_id)
    known = {t.id for tx in taxonomies(db) if tx.name == taxonomy for t in tx.topics}
    unknown = [t for t in topics or [] if t not in known]
    if unknown:
        raise Invalid(f"unknown topics in {taxonomy}: {unknown}", field="topics")
    db.add(
        LabelCorrection(
            analysis_id=analysis.id,
            sentiment=Sentiment(sentiment).value if sentiment else None,
            topics=topics,
            corrected_by=by,
            corrected_at=now,
        )
    )
    if sentiment:
        analysis.sentiment = Sentiment(sentiment).value
    if topics is not None:
        kept = [t for t in analysis.topics if t["taxonomy"] != taxonomy]
        analysis.topics = kept + [
            {
                "taxonomy": taxonomy,
                "topic": t,
                "confidence": 1.0,
                "sentiment": analysis.sentiment,
                "evidence": ["corrected"],
            }
            for t in topics
        ]
        for row in db.scalars(
            select(TextTopic).where(
                TextTopic.analysis_id == analysis.id, TextTopic.taxonomy == taxonomy
            )
        ):
            db.delete(row)
        for t in topics:
            db.add(
                TextTopic(
                    analysis_id=analysis.id,
                    taxonomy=taxonomy,
                    topic=t,
                    sentiment=analysis.sentiment,
                    confidence=1.0,
                    occurred_at=analysis.occurred_at,
                )
            )
    analysis.corrected = True
    db.commit()
    return analysis


def corrections_for_training(db: Session) -> Iterator[dict[str, Any]]:
    """Every correction as a training line {text, sentiment?, topics?} (masked text; the latest
    correction of an analysis wins)."""
    latest: dict[uuid.UUID, LabelCorrection] = {}
    for c in db.scalars(select(LabelCorrection).order_by(LabelCorrection.corrected_at)):
        latest[c.analysis_id] = c
    for analysis_id, c in latest.items():
        analysis = db.get(TextAnalysis, analysis_id)
        if analysis is None:
            continue
        line: dict[str, Any] = {"text": analysis.masked_text}
        if c.sentiment:
            line["sentiment"] = c.sentiment
        if c.topics is not None:
            line["topics"] = c.topics
        yield line


def topic_spikes(
    db: Session,
    *,
    as_of: date,
    taxonomy: str = "customer_service",
    config: SpikeConfig | None = None,
) -> list[Any]:
    """Topics whose frequency in the last days rose significantly against their baseline, by
    product/model and touchpoint (see `spikes.detect_spikes`)."""
    config = config or SpikeConfig()
    first_day = as_of - timedelta(days=config.recent_days + config.baseline_days)
    start_utc = datetime.combine(first_day, time.min, tzinfo=UTC)
    rows = db.execute(
        select(TextTopic.occurred_at, TextTopic.topic, TextAnalysis.product_model, Touchpoint.key)
        .join(TextAnalysis, TextAnalysis.id == TextTopic.analysis_id)
        .outerjoin(Touchpoint, Touchpoint.id == TextAnalysis.touchpoint_id)
        .where(TextTopic.taxonomy == taxonomy, TextTopic.occurred_at >= start_utc)
    ).all()
    counts: dict[tuple[date, str, str | None, str | None], int] = {}
    for at, topic, product, touchpoint in rows:
        key = (at.date(), topic, product, touchpoint)
        counts[key] = counts.get(key, 0) + 1
    totals: dict[date, int] = {}
    for at in db.scalars(
        select(TextAnalysis.occurred_at).where(TextAnalysis.occurred_at >= start_utc)
    ):
        totals[at.date()] = totals.get(at.date(), 0) + 1
    return detect_spikes(
        (TopicCount(d, t, n, p, tp) for (d, t, p, tp), n in counts.items()),
        as_of=as_of,
        totals=totals,
        config=config,
    )
