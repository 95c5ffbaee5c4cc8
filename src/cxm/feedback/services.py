"""Use cases for unsolicited feedback: record (one or many, idempotent) and find."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.customers.domain import IdentityKey
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.shared.errors import Invalid, NotFound
from cxm.shared.pagination import decode_cursor, encode_cursor
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.models import Touchpoint


def record_feedback(
    db: Session,
    *,
    source: FeedbackSource,
    text: str,
    occurred_at: datetime,
    now: datetime,
    customer_id: uuid.UUID | None = None,
    identities: Sequence[IdentityKey] = (),
    touchpoint: str | None = None,
    rating: int | None = None,
    rating_scale: int | None = None,
    language: str | None = None,
    product_model: str | None = None,
    external_id: str | None = None,
    recorded_by: uuid.UUID | None = None,
    properties: dict[str, Any] | None = None,
    commit: bool = True,
) -> tuple[Feedback, bool]:
    """Stores one piece of feedback, linked to the customer when an identity is known.

    Idempotent by external id (returns the stored one and False). Unknown identities do not
    create customers: anonymous feedback stays anonymous."""
    if external_id:
        existing = db.scalar(select(Feedback).where(Feedback.external_id == external_id))
        if existing is not None:
            return existing, False
    if not text.strip():
        raise Invalid("text is empty", field="text")
    if rating is not None:
        scale = rating_scale or 5
        if not 1 <= rating <= scale:
            raise Invalid(f"rating must be from 1 to {scale}", field="rating")
    cid = customers.resolve_id(db, customer_id) if customer_id else None
    if cid is None and identities:
        owners = customers.lookup_identities(db, identities)
        cid = next((owners[k] for k in identities if k in owners), None)
    tp_id = touchpoints.get_touchpoint(db, touchpoint).id if touchpoint else None
    item = Feedback(
        external_id=external_id,
        source=FeedbackSource(source),
        customer_id=cid,
        touchpoint_id=tp_id,
        occurred_at=occurred_at,
        received_at=now,
        text=text.strip(),
        rating=rating,
        rating_scale=(rating_scale or 5) if rating is not None else None,
        language=language,
        product_model=product_model,
        recorded_by=recorded_by,
        properties=properties or {},
    )
    db.add(item)
    if commit:
        db.commit()
    else:
        db.flush()
    return item, True


def get_feedback(db: Session, feedback_id: uuid.UUID) -> Feedback:
    item = db.get(Feedback, feedback_id)
    if item is None:
        raise NotFound("feedback not found", field="feedback_id")
    return item


def list_feedback(
    db: Session,
    *,
    source: FeedbackSource | None = None,
    customer_id: uuid.UUID | None = None,
    touchpoint: str | None = None,
    product_model: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[Sequence[Feedback], str | None]:
    """Feedback newest first, filtered; keyset-paginated."""
    query = select(Feedback)
    if source:
        query = query.where(Feedback.source == source)
    if customer_id:
        query = query.where(Feedback.customer_id == customers.resolve_id(db, customer_id))
    if touchpoint:
        query = query.join(Touchpoint, Touchpoint.id == Feedback.touchpoint_id).where(
            Touchpoint.key == touchpoint
        )
    if product_model:
        query = query.where(Feedback.product_model == product_model)
    if since:
        query = query.where(Feedback.occurred_at >= since)
    if until:
        query = query.where(Feedback.occurred_at < until)
    if q:
        query = query.where(Feedback.text.ilike(f"%{q}%"))
    if cursor:
        at_raw, last = decode_cursor(cursor)
        at = datetime.fromisoformat(at_raw)
        query = query.where(
            (Feedback.occurred_at < at)
            | ((Feedback.occurred_at == at) & (Feedback.id < uuid.UUID(last)))
        )
    rows = db.scalars(
        query.order_by(Feedback.occurred_at.desc(), Feedback.id.desc()).limit(limit + 1)
    ).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].occurred_at.isoformat(), str(rows[-1].id)])
    return rows, next_cursor
