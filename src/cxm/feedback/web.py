"""The feedback explorer: search verbatims, read their analysis, correct a label.

It reads feedback with its text analysis (a higher feature) because the page shows both; the
label correction goes through the text-analytics service, as the JSON API's does."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, web_require
from cxm.feedback import services
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.shared.errors import Invalid, NotFound
from cxm.shared.pagination import decode_cursor, encode_cursor
from cxm.textanalytics import services as text
from cxm.textanalytics.domain import Sentiment
from cxm.textanalytics.models import LabelCorrection, TextAnalysis, TextTopic
from cxm.touchpoints.models import Touchpoint
from cxm.web_support import csrf_ok, page

router = APIRouter(include_in_schema=False)

# Who may read feedback through the JSON API (/api/v1/feedback, /api/v1/text/analyses) may
# explore it; correcting a label needs what POST /api/v1/text/analyses/{id}/correction needs.
Reader = Annotated[User, Depends(web_require(Permission.CUSTOMERS_READ))]
Corrector = Annotated[User, Depends(web_require(Permission.FEEDBACK_WRITE))]

PAGE_SIZE = 25
TAXONOMY = "customer_service"
FILTER_KEYS = ("q", "topic", "sentiment", "source", "product", "from", "to", "urgent")


@dataclass(frozen=True, slots=True)
class Search:
    """The explorer's filters as the URL carries them (invalid values are dropped)."""

    q: str = ""
    topic: str = ""
    sentiment: Sentiment | None = None
    source: FeedbackSource | None = None
    product: str = ""
    start: date | None = None
    end: date | None = None  # inclusive
    urgent: bool = False

    @classmethod
    def parse(cls, params: dict[str, str]) -> Search:
        def day(value: str) -> date | None:
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                return None

        sentiment = params.get("sentiment", "")
        source = params.get("source", "")
        return cls(
            q=params.get("q", "").strip()[:200],
            topic=params.get("topic", "").strip()[:64],
            sentiment=Sentiment(sentiment) if sentiment in set(Sentiment) else None,
            source=FeedbackSource(source) if source in set(FeedbackSource) else None,
            product=params.get("product", "").strip()[:200],
            start=day(params.get("from", "")),
            end=day(params.get("to", "")),
            urgent=params.get("urgent", "") in ("1", "true", "on"),
        )

    def params(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them."""
        values = {
            "q": self.q,
            "topic": self.topic,
            "sentiment": self.sentiment.value if self.sentiment else "",
            "source": self.source.value if self.source else "",
            "product": self.product,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "urgent": "1" if self.urgent else "",
        }
        return {k: v for k, v in values.items() if v}

    @property
    def query(self) -> str:
        return urlencode(self.params())

    @property
    def active(self) -> bool:
        return bool(self.params())


@dataclass(frozen=True, slots=True)
class Item:
    feedback: Feedback
    analysis: TextAnalysis | None

    @property
    def text(self) -> str:
        """The masked text once analysed (no personal data in lists), else the original."""
        return self.analysis.masked_text if self.analysis else self.feedback.text

    @property
    def topics(self) -> list[str]:
        found = self.analysis.topics if self.analysis else []
        return [t["topic"] for t in found if t.get("taxonomy") == TAXONOMY]

    @property
    def language(self) -> str | None:
        return self.analysis.language if self.analysis else self.feedback.language


def _with_analysis() -> Select[Feedback, TextAnalysis]:
    return select(Feedback, TextAnalysis).outerjoin(
        TextAnalysis,
        and_(TextAnalysis.subject_type == "feedback", TextAnalysis.subject_id == Feedback.id),
    )


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def explore(
    db: Session, search: Search, *, limit: int = PAGE_SIZE, cursor: str | None = None
) -> tuple[list[Item], str | None]:
    """Feedback with its analysis, newest first, filtered; keyset-paginated."""
    query = _with_analysis()
    if search.q:
        query = query.where(Feedback.text.ilike(_like(search.q), escape="\\"))
    if search.topic:
        query = query.where(
            TextAnalysis.id.in_(
                select(TextTopic.analysis_id).where(
                    TextTopic.taxonomy == TAXONOMY, TextTopic.topic == search.topic
                )
            )
        )
    if search.sentiment:
        query = query.where(TextAnalysis.sentiment == search.sentiment.value)
    if search.source:
        query = query.where(Feedback.source == search.source)
    if search.product:
        query = query.where(
            or_(
                Feedback.product_model == search.product,
                TextAnalysis.product_model == search.product,
            )
        )
    if search.start:
        query = query.where(Feedback.occurred_at >= datetime.combine(search.start, time.min, UTC))
    if search.end:
        end = datetime.combine(search.end + timedelta(days=1), time.min, UTC)
        query = query.where(Feedback.occurred_at < end)
    if search.urgent:
        query = query.where(TextAnalysis.urgent.is_(True))
    if cursor:
        values = decode_cursor(cursor)
        try:
            at, last = datetime.fromisoformat(values[0]), uuid.UUID(values[1])
        except (IndexError, TypeError, ValueError) as exc:
            raise Invalid("cursor is not valid", field="cursor") from exc
        query = query.where(
            or_(
                Feedback.occurred_at < at,
                and_(Feedback.occurred_at == at, Feedback.id < last),
            )
        )
    rows = db.execute(
        query.order_by(Feedback.occurred_at.desc(), Feedback.id.desc()).limit(limit + 1)
    ).all()
    items = [Item(f, a) for f, a in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_item = items[-1].feedback
        next_cursor = encode_cursor([last_item.occurred_at.isoformat(), str(last_item.id)])
    return items, next_cursor


def _topic_ids(db: Session) -> list[str]:
    return [t.id for tx in text.taxonomies(db) if tx.name == TAXONOMY for t in tx.topics]


def _products(db: Session) -> Sequence[str]:
    found = db.scalars(
        select(Feedback.product_model)
        .where(Feedback.product_model.is_not(None))
        .distinct()
        .order_by(Feedback.product_model)
        .limit(200)
    )
    return [p for p in found if p]


def label(t: Callable[[str], str], prefix: str, value: str | None) -> str:
    """The translated label of a code (topic, sentiment, source, flag), else the code."""
    if not value:
        return "—"
    key = f"{prefix}.{value}"
    found = t(key)
    return value.replace("_", " ") if found == key else found


@router.get("/app/feedback")
def explorer(
    request: Request,
    db: DbSession,
    user: Reader,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    search = Search.parse({k: request.query_params.get(k, "") for k in FILTER_KEYS})
    items, next_cursor = explore(db, search, cursor=cursor)
    context: dict[str, Any] = {
        "search": search,
        "items": items,
        "next_cursor": next_cursor,
        "label": label,
    }
    if request.headers.get("HX-Request") == "true":
        response = page(request, "feedback/_items.html", context, user=user)
    else:
        anything = items or db.scalar(select(Feedback.id).limit(1)) is not None
        context |= {
            "anything": anything,
            "first_page": cursor is None,
            "topics": _topic_ids(db),
            "sentiments": list(Sentiment),
            "sources": list(FeedbackSource),
            "products": _products(db),
        }
        response = page(request, "feedback/list.html", context, user=user)
    response.headers["Vary"] = "HX-Request"
    return response


def _analysis_of(db: Session, feedback_id: uuid.UUID) -> TextAnalysis | None:
    return db.scalar(
        select(TextAnalysis).where(
            TextAnalysis.subject_type == "feedback", TextAnalysis.subject_id == feedback_id
        )
    )


def _detail(
    request: Request,
    db: Session,
    user: User,
    feedback_id: uuid.UUID,
    search: Search,
    *,
    saved: bool = False,
    error: str | None = None,
    detail: str | None = None,
    status_code: int = 200,
) -> Response:
    item = services.get_feedback(db, feedback_id)
    analysis = _analysis_of(db, feedback_id)
    corrections: list[tuple[LabelCorrection, str | None]] = []
    if analysis is not None:
        corrections = [
            (c, name)
            for c, name in db.execute(
                select(LabelCorrection, User.name)
                .outerjoin(User, User.id == LabelCorrection.corrected_by)
                .where(LabelCorrection.analysis_id == analysis.id)
                .order_by(LabelCorrection.corrected_at.desc())
            )
        ]
    touchpoint = db.get(Touchpoint, item.touchpoint_id) if item.touchpoint_id else None
    return page(
        request,
        "feedback/detail.html",
        {
            "f": item,
            "a": analysis,
            "view": Item(item, analysis),
            "touchpoint": touchpoint,
            "corrections": corrections,
            "topics": _topic_ids(db),
            "sentiments": list(Sentiment),
            "can_correct": role_allows(user.role, Permission.FEEDBACK_WRITE),
            "search": search,
            "saved": saved,
            "error": error,
            "error_detail": detail,
            "label": label,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/feedback/{feedback_id}")
def feedback_detail(
    feedback_id: uuid.UUID, request: Request, db: DbSession, user: Reader
) -> Response:
    search = Search.parse({k: request.query_params.get(k, "") for k in FILTER_KEYS})
    saved = request.query_params.get("saved") == "1"
    return _detail(request, db, user, feedback_id, search, saved=saved)


@router.post("/app/feedback/{feedback_id}/correction")
def correct_labels(
    feedback_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Corrector,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    sentiment: Annotated[str, Form()] = "",
    topics: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Stores an agent's label correction through the text-analytics service, then shows it."""
    search = Search.parse(dict(parse_qsl(back)))
    if not csrf_ok(request, csrf):
        return _detail(request, db, user, feedback_id, search, error="csrf.failed", status_code=400)
    services.get_feedback(db, feedback_id)
    analysis = _analysis_of(db, feedback_id)
    if analysis is None:
        raise NotFound("this feedback has no analysis yet", field="feedback_id")
    chosen = Sentiment(sentiment) if sentiment in set(Sentiment) else None
    current = sorted(t["topic"] for t in analysis.topics if t.get("taxonomy") == TAXONOMY)
    new_topics = sorted(set(topics or []))
    changed_topics = new_topics if new_topics != current else None
    # record what changed; an unchanged form confirms the sentiment (a label for training too)
    changed_sentiment = chosen if chosen and chosen.value != analysis.sentiment else None
    if changed_sentiment is None and changed_topics is None:
        changed_sentiment = chosen or Sentiment(analysis.sentiment)
    try:
        text.correct(
            db,
            analysis.id,
            sentiment=changed_sentiment,
            topics=changed_topics,
            by=user.id,
            now=clock.now(),
            taxonomy=TAXONOMY,
        )
    except Invalid as exc:
        db.rollback()
        return _detail(
            request,
            db,
            user,
            feedback_id,
            search,
            error="feedback.invalid",
            detail=exc.message,
            status_code=422,
        )
    query = urlencode({"saved": "1", **search.params()})
    return RedirectResponse(f"/app/feedback/{feedback_id}?{query}", status_code=303)
