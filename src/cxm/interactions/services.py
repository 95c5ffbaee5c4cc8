"""Use cases for the interaction log: ingest (one, many, imports) and the customer timeline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxm.accounts.models import User
from cxm.customers import services as customers
from cxm.customers.domain import IdentityKey, display_name_for
from cxm.customers.models import Customer, Identity
from cxm.db import new_id
from cxm.interactions.domain import IngestResult, ItemError, NewInteraction
from cxm.interactions.models import Interaction
from cxm.shared import events
from cxm.shared.errors import Invalid, NotFound
from cxm.shared.pagination import decode_cursor, encode_cursor
from cxm.touchpoints.models import Touchpoint

_IN_CHUNK = 500


@dataclass
class IngestCache:
    """Look-ups that stay valid across chunks of one import (touchpoints, known identities)."""

    touchpoints: dict[str, tuple[uuid.UUID, str]] | None = None
    identities: dict[IdentityKey, uuid.UUID] | None = None
    max_identities: int = 500_000


@events.subscribe(events.CustomersMerged)
def _move_history(db: Session, event: events.CustomersMerged) -> dict[str, int]:
    result = db.execute(
        update(Interaction)
        .where(Interaction.customer_id == event.merged_id)
        .values(customer_id=event.survivor_id)
    )
    moved = cast(CursorResult[Any], result).rowcount
    return {"interactions": moved}


def ingest(
    db: Session,
    items: Sequence[NewInteraction],
    *,
    now: datetime,
    all_or_nothing: bool = True,
    create_unknown: bool = True,
    cache: IngestCache | None = None,
    commit: bool = True,
) -> tuple[list[IngestResult], list[ItemError]]:
    """Stores the interactions, resolving customers by id or identity; idempotent by event id.

    With ``all_or_nothing`` any item error raises Invalid (carrying every item's error) and
    nothing is stored; otherwise the valid items are stored and the errors returned.
    Unknown identities create a new customer when ``create_unknown``; identities an event
    carries that nobody owns yet are attached to the resolved customer.
    """
    cache = cache or IngestCache()
    errors: list[ItemError] = []
    bad: set[int] = set()

    def fail(index: int, field: str, message: str) -> None:
        errors.append(ItemError(index, field, message))
        bad.add(index)

    # 1. Touchpoints and channels.
    if cache.touchpoints is None:
        cache.touchpoints = {
            row.key: (row.id, row.channel)
            for row in db.execute(select(Touchpoint.key, Touchpoint.id, Touchpoint.channel))
        }
    for i, item in enumerate(items):
        if item.touchpoint is not None and item.touchpoint not in cache.touchpoints:
            fail(i, "touchpoint", f"unknown touchpoint '{item.touchpoint}'")
        elif item.touchpoint is None and item.channel is None:
            fail(i, "channel", "give a touchpoint or a channel")

    # 2. Customers given by id (merged ids resolve to their survivor).
    given = {item.customer_id for item in items if item.customer_id is not None}
    resolved = customers.resolve_ids(db, given) if given else {}
    for i, item in enumerate(items):
        if item.customer_id is not None and item.customer_id not in resolved:
            fail(i, "customer_id", f"unknown customer {item.customer_id}")

    # 3. Employees.
    employees = {item.employee_id for item in items if item.employee_id is not None}
    if employees:
        known = set(db.scalars(select(User.id).where(User.id.in_(employees))))
        for i, item in enumerate(items):
            if item.employee_id is not None and item.employee_id not in known:
                fail(i, "employee_id", f"unknown employee {item.employee_id}")

    if errors and all_or_nothing:
        raise Invalid(
            f"{len(bad)} of {len(items)} items are invalid; nothing was stored",
            field="items",
            errors=[_err(e) for e in errors],
        )

    # 4. Idempotency: event ids already stored, and repeats inside this batch.
    results: dict[int, IngestResult] = {}
    event_ids = [item.event_id for i, item in enumerate(items) if item.event_id and i not in bad]
    stored = _existing_events(db, event_ids) if event_ids else {}
    first_in_batch: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for i, item in enumerate(items):
        if i in bad or not item.event_id:
            continue
        if item.event_id in stored:
            row = stored[item.event_id]
            results[i] = IngestResult(i, row.id, row.customer_id, created=False)
        elif item.event_id in first_in_batch:
            repeats[i] = first_in_batch[item.event_id]
        else:
            first_in_batch[item.event_id] = i
    todo = [i for i in range(len(items)) if i not in bad and i not in results and i not in repeats]

    # 5. Identities: who owns them, and new customers for identities nobody owns.
    if cache.identities is None or len(cache.identities) > cache.max_identities:
        cache.identities = {}
    wanted = {key for i in todo for key in items[i].identities}
    unknown_keys = wanted - cache.identities.keys()
    if unknown_keys:
        cache.identities.update(customers.lookup_identities(db, unknown_keys))
    owners = cache.identities
    new_customers: list[dict[str, Any]] = []
    new_identities: list[dict[str, Any]] = []
    customer_of: dict[int, uuid.UUID] = {}
    for i in todo:
        item = items[i]
        cid = resolved.get(item.customer_id) if item.customer_id else None
        if cid is None:
            cid = next((owners[k] for k in item.identities if k in owners), None)
        if cid is None:
            if not create_unknown:
                fail(i, "identities", "no customer has these identities")
                continue
            cid = uuid.uuid4()
            first = item.identities[0]
            new_customers.append(
                {
                    "id": cid,
                    "display_name": display_name_for(
                        first_name=None, last_name=None, company_name=None, fallback=first.value
                    ),
                    "attributes": {"created_from": "interaction"},
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for key in item.identities:
            if key not in owners:
                owners[key] = cid
                new_identities.append(
                    {
                        "id": uuid.uuid4(),
                        "customer_id": cid,
                        "kind": key.kind,
                        "value": key.value,
                        "verified": False,
                        "source": "interaction",
                        "created_at": now,
                    }
                )
        customer_of[i] = cid
    if errors and all_or_nothing:
        raise Invalid(
            f"{len(bad)} of {len(items)} items are invalid; nothing was stored",
            field="items",
            errors=[_err(e) for e in errors],
        )
    todo = [i for i in todo if i not in bad]

    # 6. Write: customers, identities, interactions (one statement each, batched by the driver).
    if new_customers:
        db.execute(insert(Customer), new_customers)
    if new_identities:
        db.execute(insert(Identity), new_identities)
    rows = []
    for i in todo:
        item = items[i]
        tp_id, tp_channel = cache.touchpoints[item.touchpoint] if item.touchpoint else (None, None)
        interaction_id = new_id()
        rows.append(
            {
                "id": interaction_id,
                "event_id": item.event_id,
                "customer_id": customer_of[i],
                "touchpoint_id": tp_id,
                "channel": item.channel or tp_channel,
                "direction": item.direction,
                "type": item.type,
                "occurred_at": item.occurred_at,
                "received_at": now,
                "employee_id": item.employee_id,
                "text": item.text,
                "properties": item.properties,
            }
        )
        results[i] = IngestResult(i, interaction_id, customer_of[i], created=True)
    if rows:
        _insert_ignoring_known_events(db, rows)
    for i, first_index in repeats.items():
        if first_index in results:
            prior = results[first_index]
            results[i] = IngestResult(i, prior.id, prior.customer_id, created=False)
    if commit:
        db.commit()
    return [results[i] for i in sorted(results)], errors


def _err(e: ItemError) -> dict[str, Any]:
    return {"index": e.index, "field": e.field, "message": e.message}


def _existing_events(db: Session, event_ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    unique = list(dict.fromkeys(event_ids))
    for start in range(0, len(unique), _IN_CHUNK):
        for row in db.execute(
            select(Interaction.event_id, Interaction.id, Interaction.customer_id).where(
                Interaction.event_id.in_(unique[start : start + _IN_CHUNK])
            )
        ):
            out[row.event_id] = row
    return out


def _insert_ignoring_known_events(db: Session, rows: list[dict[str, Any]]) -> None:
    # A concurrent writer may have stored the same event id since we looked: skip it, don't fail.
    # Core (not ORM) executemany: the driver batches the rows, several times faster.
    table = cast(Table, Interaction.__table__)
    dialect = db.get_bind().dialect.name
    if dialect == "sqlite":
        stmt: Any = sqlite.insert(table).on_conflict_do_nothing(index_elements=["event_id"])
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=["event_id"])
    else:
        stmt = insert(table)
    db.connection().execute(stmt, rows)


def record(
    db: Session, item: NewInteraction, *, now: datetime, commit: bool = True
) -> tuple[Interaction, str | None, bool]:
    """Stores one interaction; returns it, its touchpoint key and whether it was new."""
    results, _ = ingest(db, [item], now=now, commit=commit)
    interaction, key = get_interaction(db, results[0].id)
    return interaction, key, results[0].created


def get_interaction(db: Session, interaction_id: uuid.UUID) -> tuple[Interaction, str | None]:
    """The interaction and its touchpoint key; 404 if unknown."""
    row = db.execute(
        select(Interaction, Touchpoint.key)
        .outerjoin(Touchpoint, Touchpoint.id == Interaction.touchpoint_id)
        .where(Interaction.id == interaction_id)
    ).first()
    if row is None:
        raise NotFound("interaction not found", field="interaction_id")
    return row[0], row[1]


def timeline(
    db: Session,
    customer_id: uuid.UUID,
    *,
    limit: int = 50,
    cursor: str | None = None,
    channels: Sequence[str] = (),
    types: Sequence[str] = (),
    touchpoints: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[tuple[Interaction, str | None]], str | None]:
    """Every interaction of the customer across channels, newest first, keyset-paginated."""
    cid = customers.resolve_id(db, customer_id)
    query = (
        select(Interaction, Touchpoint.key)
        .outerjoin(Touchpoint, Touchpoint.id == Interaction.touchpoint_id)
        .where(Interaction.customer_id == cid)
    )
    if channels:
        query = query.where(Interaction.channel.in_(list(channels)))
    if types:
        query = query.where(Interaction.type.in_(list(types)))
    if touchpoints:
        query = query.where(Touchpoint.key.in_(list(touchpoints)))
    if since:
        query = query.where(Interaction.occurred_at >= since)
    if until:
        query = query.where(Interaction.occurred_at < until)
    if cursor:
        at_raw, last_id = decode_cursor(cursor)
        try:
            at = datetime.fromisoformat(at_raw)
            last = uuid.UUID(last_id)
        except (TypeError, ValueError) as exc:
            raise Invalid("cursor is not valid", field="cursor") from exc
        query = query.where(
            (Interaction.occurred_at < at)
            | ((Interaction.occurred_at == at) & (Interaction.id < last))
        )
    query = query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit + 1)
    found: list[tuple[Interaction, str | None]] = [(row[0], row[1]) for row in db.execute(query)]
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        last_row = found[-1][0]
        next_cursor = encode_cursor([last_row.occurred_at.isoformat(), str(last_row.id)])
    return found, next_cursor
