"""Routes for unsolicited feedback."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.customers import services as customers
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.feedback import services
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.schemas import FeedbackCreate, FeedbackOut
from cxm.shared.pagination import Page

router = APIRouter(tags=["feedback"])

Writer = Annotated[User, Depends(require(Permission.FEEDBACK_WRITE))]
Reader = Annotated[User, Depends(require(Permission.CUSTOMERS_READ))]


@router.post("/feedback", status_code=201)
def record_feedback(
    body: FeedbackCreate,
    response: Response,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
) -> FeedbackOut:
    """Records a complaint, review, post or note; a repeated external_id returns the first (200)."""
    keys = [
        customers.normalized_key(i.kind, i.value, phone_region=settings.default_phone_region)
        for i in body.identities
    ]
    item, created = services.record_feedback(
        db,
        now=clock.now(),
        identities=keys,
        recorded_by=user.id,
        **body.model_dump(exclude={"identities"}),
    )
    if not created:
        response.status_code = 200
    return FeedbackOut.model_validate(item)


@router.get("/feedback")
def list_feedback(
    db: DbSession,
    user: Reader,
    source: FeedbackSource | None = None,
    customer_id: uuid.UUID | None = None,
    touchpoint: str | None = None,
    product_model: str | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    q: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = None,
) -> Page[FeedbackOut]:
    rows, next_cursor = services.list_feedback(
        db,
        source=source,
        customer_id=customer_id,
        touchpoint=touchpoint,
        product_model=product_model,
        since=since,
        until=until,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[FeedbackOut.model_validate(f) for f in rows], next_cursor=next_cursor)


@router.get("/feedback/{feedback_id}")
def get_feedback(feedback_id: uuid.UUID, db: DbSession, user: Reader) -> FeedbackOut:
    return FeedbackOut.model_validate(services.get_feedback(db, feedback_id))
