"""Routes for recording interactions and reading a customer's timeline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.customers import services as customers
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.interactions import services
from cxm.interactions.domain import NewInteraction
from cxm.interactions.schemas import (
    BatchItemResult,
    BatchOut,
    InteractionCreate,
    InteractionOut,
)
from cxm.shared.errors import Invalid, TooLarge
from cxm.shared.pagination import Page
from cxm.touchpoints.domain import Channel

router = APIRouter(tags=["interactions"])

Reader = Annotated[User, Depends(require(Permission.CUSTOMERS_READ))]
Writer = Annotated[User, Depends(require(Permission.INTERACTIONS_WRITE))]

_item = TypeAdapter(InteractionCreate)


def to_new(body: InteractionCreate, *, phone_region: str) -> NewInteraction:
    """The domain form of a validated request item (identities normalised)."""
    return NewInteraction(
        event_id=body.event_id,
        customer_id=body.customer_id,
        identities=[
            customers.normalized_key(i.kind, i.value, phone_region=phone_region)
            for i in body.identities
        ],
        touchpoint=body.touchpoint,
        channel=body.channel,
        direction=body.direction,
        type=body.type,
        occurred_at=body.occurred_at,
        employee_id=body.employee_id,
        text=body.text,
        properties=body.properties,
    )


def _out(interaction: Any, touchpoint: str | None) -> InteractionOut:
    out = InteractionOut.model_validate(interaction)
    out.touchpoint = touchpoint
    return out


@router.post("/interactions", status_code=201)
def record_interaction(
    body: InteractionCreate,
    response: Response,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
) -> InteractionOut:
    """Records one interaction. A repeated event id returns the first one with 200."""
    item = to_new(body, phone_region=settings.default_phone_region)
    interaction, key, created = services.record(db, item, now=clock.now())
    if not created:
        response.status_code = 200
    return _out(interaction, key)


@router.post("/interactions/batch")
def record_batch(
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
    items: list[dict[str, Any]] = Body(embed=True, description="Up to 10,000 interactions."),
) -> BatchOut:
    """Records many interactions: all valid or none stored, each invalid item named."""
    if len(items) > settings.batch_max_items:
        raise TooLarge(
            f"a batch holds at most {settings.batch_max_items} items, got {len(items)}",
            field="items",
        )
    parsed: list[NewInteraction] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(items):
        try:
            body = _item.validate_python(raw)
            parsed.append(to_new(body, phone_region=settings.default_phone_region))
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_context=False):
                field = ".".join(str(p) for p in err["loc"]) or "item"
                errors.append({"index": index, "field": field, "message": err["msg"]})
        except Invalid as exc:
            errors.append({"index": index, "field": exc.field or "item", "message": exc.message})
    if errors:
        raise Invalid(
            f"{len({e['index'] for e in errors})} of {len(items)} items are invalid; "
            "nothing was stored",
            field="items",
            errors=errors,
        )
    results, _ = services.ingest(db, parsed, now=clock.now())
    return BatchOut(
        created=sum(r.created for r in results),
        duplicates=sum(not r.created for r in results),
        results=[
            BatchItemResult(
                index=r.index,
                id=r.id,
                customer_id=r.customer_id,
                status="created" if r.created else "duplicate",
            )
            for r in results
        ],
    )


@router.get("/interactions/{interaction_id}")
def get_interaction(interaction_id: uuid.UUID, db: DbSession, user: Reader) -> InteractionOut:
    return _out(*services.get_interaction(db, interaction_id))


@router.get("/customers/{customer_id}/timeline")
def timeline(
    customer_id: uuid.UUID,
    db: DbSession,
    user: Reader,
    channel: list[Channel] = Query(default=[]),
    type: list[str] = Query(default=[]),
    touchpoint: list[str] = Query(default=[]),
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = None,
) -> Page[InteractionOut]:
    """Every interaction of the customer across channels, newest first."""
    rows, next_cursor = services.timeline(
        db,
        customer_id,
        limit=limit,
        cursor=cursor,
        channels=channel,
        types=type,
        touchpoints=touchpoint,
        since=since,
        until=until,
    )
    return Page(items=[_out(i, key) for i, key in rows], next_cursor=next_cursor)
