"""Use cases for customers: create, find, identities, holdings, merge."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.customers.domain import (
    IdentityKey,
    IdentityKind,
    InvalidIdentity,
    display_name_for,
    normalize_identity,
)
from cxm.customers.models import Customer, CustomerMerge, Holding, Identity
from cxm.shared import events
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.shared.pagination import decode_cursor, encode_cursor

_NAME_FIELDS = ("first_name", "last_name", "company_name")


def normalized_key(
    kind: IdentityKind | str, value: str, *, phone_region: str = "DE"
) -> IdentityKey:
    """The identity in canonical form; 422 naming the field when it has none."""
    try:
        kind = IdentityKind(kind)
    except ValueError:
        raise Invalid(f"unknown identity kind '{kind}'", field="kind") from None
    try:
        return IdentityKey(kind, normalize_identity(kind, value, phone_region=phone_region))
    except InvalidIdentity as exc:
        raise Invalid(f"{kind.value}: {exc}", field="value") from None


def create_customer(
    db: Session,
    *,
    now: datetime,
    identities: Iterable[dict[str, Any]] = (),
    phone_region: str = "DE",
    commit: bool = True,
    **fields: Any,
) -> Customer:
    """A new customer with its identities; 409 if an identity already belongs to someone."""
    fields.setdefault("attributes", {})
    explicit_name = fields.pop("display_name", None)
    customer = Customer(**fields, created_at=now, updated_at=now)
    keys = [
        (normalized_key(i["kind"], i["value"], phone_region=phone_region), i) for i in identities
    ]
    customer.display_name = explicit_name or display_name_for(
        first_name=customer.first_name,
        last_name=customer.last_name,
        company_name=customer.company_name,
        fallback=keys[0][0].value if keys else None,
    )
    db.add(customer)
    db.flush()
    for key, raw in keys:
        attach_identity(
            db,
            customer,
            key,
            verified=bool(raw.get("verified", False)),
            source=raw.get("source"),
            now=now,
        )
    if commit:
        db.commit()
    return customer


def resolve_id(db: Session, customer_id: uuid.UUID) -> uuid.UUID:
    """The id of the living record for this id: merged records resolve to their survivor."""
    seen: set[uuid.UUID] = set()
    current = customer_id
    while True:
        row = db.execute(
            select(Customer.id, Customer.merged_into_id).where(Customer.id == current)
        ).first()
        if row is None:
            raise NotFound("customer not found", field="customer_id")
        if row.merged_into_id is None or current in seen:
            return current
        seen.add(current)
        current = row.merged_into_id


def resolve_ids(db: Session, customer_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Bulk form of resolve_id; ids that do not exist are missing from the result."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    ids = list(customer_ids)
    for start in range(0, len(ids), 500):
        rows = db.execute(
            select(Customer.id, Customer.merged_into_id).where(
                Customer.id.in_(ids[start : start + 500])
            )
        ).all()
        for row in rows:
            out[row.id] = row.merged_into_id or row.id
    # Merge chains are flattened on merge, so one hop reaches the survivor.
    return out


def get_customer(db: Session, customer_id: uuid.UUID) -> Customer:
    """The living customer for an id (following merges); 404 if unknown."""
    customer = db.get(Customer, resolve_id(db, customer_id))
    assert customer is not None
    return customer


def view_customer(
    db: Session, customer_id: uuid.UUID, *, viewer_id: uuid.UUID | None, now: datetime
) -> Customer:
    """The customer profile, with the view written to the audit log."""
    customer = get_customer(db, customer_id)
    accounts.record_access(
        db,
        user_id=viewer_id,
        action="customer.view",
        subject_type="customer",
        subject_id=str(customer.id),
        now=now,
        details={"requested_id": str(customer_id)} if customer.id != customer_id else None,
    )
    db.commit()
    return customer


def update_customer(
    db: Session, customer_id: uuid.UUID, *, now: datetime, **changes: Any
) -> Customer:
    """Applies the given fields; the display name follows the name unless set explicitly."""
    customer = get_customer(db, customer_id)
    explicit_name = changes.pop("display_name", None)
    for key, value in changes.items():
        setattr(customer, key, value)
    if explicit_name:
        customer.display_name = explicit_name
    elif any(key in changes for key in _NAME_FIELDS):
        customer.display_name = display_name_for(
            first_name=customer.first_name,
            last_name=customer.last_name,
            company_name=customer.company_name,
            fallback=customer.display_name,
        )
    customer.updated_at = now
    db.commit()
    return customer


def search_customers(
    db: Session,
    *,
    q: str | None = None,
    identity_kind: IdentityKind | None = None,
    identity_value: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    phone_region: str = "DE",
) -> tuple[Sequence[Customer], str | None]:
    """Living customers by name (substring, case-insensitive) or by an exact identity."""
    query = select(Customer).where(Customer.merged_into_id.is_(None))
    if identity_value is not None:
        kinds = [identity_kind] if identity_kind else list(IdentityKind)
        matches = []
        for kind in kinds:
            try:
                matches.append(normalized_key(kind, identity_value, phone_region=phone_region))
            except Invalid:
                if identity_kind:
                    raise
        if not matches:
            return [], None
        query = query.join(Identity).where(
            or_(*(and_(Identity.kind == m.kind, Identity.value == m.value) for m in matches))
        )
    if q:
        needle = f"%{q.strip().lower()}%"
        id_match = select(Identity.customer_id).where(func.lower(Identity.value).like(needle))
        query = query.where(
            or_(func.lower(Customer.display_name).like(needle), Customer.id.in_(id_match))
        )
    if cursor:
        name, last_id = decode_cursor(cursor)
        query = query.where(
            tuple_(Customer.display_name, Customer.id) > tuple_(name, uuid.UUID(last_id))
        )
    rows = db.scalars(query.order_by(Customer.display_name, Customer.id).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].display_name, str(rows[-1].id)])
    return rows, next_cursor


def find_by_identity(
    db: Session, kind: IdentityKind | str, value: str, *, phone_region: str = "DE"
) -> Customer | None:
    """The living customer who owns this identity, if any."""
    key = normalized_key(kind, value, phone_region=phone_region)
    owner = db.scalar(
        select(Identity.customer_id).where(Identity.kind == key.kind, Identity.value == key.value)
    )
    return None if owner is None else get_customer(db, owner)


def lookup_identities(db: Session, keys: Iterable[IdentityKey]) -> dict[IdentityKey, uuid.UUID]:
    """Owners of the given (already normalised) identities, in bulk."""
    by_kind: dict[IdentityKind, set[str]] = {}
    for key in keys:
        by_kind.setdefault(key.kind, set()).add(key.value)
    out: dict[IdentityKey, uuid.UUID] = {}
    for kind, values in by_kind.items():
        batch = list(values)
        for start in range(0, len(batch), 500):
            rows = db.execute(
                select(Identity.value, Identity.customer_id).where(
                    Identity.kind == kind, Identity.value.in_(batch[start : start + 500])
                )
            ).all()
            for row in rows:
                out[IdentityKey(kind, row.value)] = row.customer_id
    return out


def add_identity(
    db: Session,
    customer_id: uuid.UUID,
    *,
    kind: IdentityKind,
    value: str,
    now: datetime,
    verified: bool = False,
    source: str | None = None,
    phone_region: str = "DE",
) -> Identity:
    """Attaches an identity; idempotent for the same customer, 409 if another customer owns it."""
    customer = get_customer(db, customer_id)
    key = normalized_key(kind, value, phone_region=phone_region)
    identity = attach_identity(db, customer, key, verified=verified, source=source, now=now)
    db.commit()
    return identity


def attach_identity(
    db: Session,
    customer: Customer,
    key: IdentityKey,
    *,
    now: datetime,
    verified: bool = False,
    source: str | None = None,
) -> Identity:
    """Gives the customer this normalised identity (flushes); 409 if another customer has it."""
    existing = db.scalar(
        select(Identity).where(Identity.kind == key.kind, Identity.value == key.value)
    )
    if existing is not None:
        if existing.customer_id != customer.id:
            raise Conflict(
                f"{key.kind.value} '{key.value}' belongs to another customer",
                field="identities",
                owner_id=str(existing.customer_id),
            )
        return existing
    identity = Identity(
        customer_id=customer.id,
        kind=key.kind,
        value=key.value,
        verified=verified,
        source=source,
        created_at=now,
    )
    db.add(identity)
    db.flush()
    return identity


def remove_identity(db: Session, customer_id: uuid.UUID, identity_id: uuid.UUID) -> None:
    """Detaches an identity from the customer (404 if it is not theirs)."""
    customer = get_customer(db, customer_id)
    identity = db.get(Identity, identity_id)
    if identity is None or identity.customer_id != customer.id:
        raise NotFound("identity not found", field="identity_id")
    db.delete(identity)
    db.commit()


def add_holding(db: Session, customer_id: uuid.UUID, *, now: datetime, **fields: Any) -> Holding:
    """Records a product or contract of the customer; an external id may be used once."""
    customer = get_customer(db, customer_id)
    external_id = fields.get("external_id")
    if external_id and db.scalar(select(Holding.id).where(Holding.external_id == external_id)):
        raise Conflict(f"holding '{external_id}' exists", field="external_id")
    holding = Holding(customer_id=customer.id, created_at=now, updated_at=now, **fields)
    db.add(holding)
    db.commit()
    return holding


def update_holding(
    db: Session, customer_id: uuid.UUID, holding_id: uuid.UUID, *, now: datetime, **changes: Any
) -> Holding:
    customer = get_customer(db, customer_id)
    holding = db.get(Holding, holding_id)
    if holding is None or holding.customer_id != customer.id:
        raise NotFound("holding not found", field="holding_id")
    for key, value in changes.items():
        setattr(holding, key, value)
    if holding.started_on and holding.ended_on and holding.ended_on < holding.started_on:
        raise Invalid("ended_on must not be before started_on", field="ended_on")
    holding.updated_at = now
    db.commit()
    return holding


def owners_of(
    db: Session,
    *,
    model: str | None = None,
    product_code: str | None = None,
    active_on: date | None = None,
    limit: int = 1000,
    cursor: str | None = None,
) -> tuple[Sequence[Customer], str | None]:
    """Living customers holding the model or product (active on a day, if given)."""
    if not model and not product_code:
        raise Invalid("give a model or a product_code", field="model")
    held = select(Holding.customer_id)
    if model:
        held = held.where(Holding.model == model)
    if product_code:
        held = held.where(Holding.product_code == product_code)
    if active_on:
        held = held.where(
            or_(Holding.started_on.is_(None), Holding.started_on <= active_on),
            or_(Holding.ended_on.is_(None), Holding.ended_on >= active_on),
        )
    query = select(Customer).where(Customer.id.in_(held), Customer.merged_into_id.is_(None))
    if cursor:
        (last_id,) = decode_cursor(cursor)
        query = query.where(Customer.id > uuid.UUID(last_id))
    rows = db.scalars(query.order_by(Customer.id).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([str(rows[-1].id)])
    return rows, next_cursor


def merge_customers(
    db: Session,
    *,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    now: datetime,
    merged_by: uuid.UUID | None = None,
) -> CustomerMerge:
    """Folds one customer into another: identities, holdings and history move, all or nothing."""
    if survivor_id == merged_id:
        raise Invalid("a customer cannot be merged into itself", field="merged_id")
    survivor = db.get(Customer, survivor_id)
    merged = db.get(Customer, merged_id)
    if survivor is None:
        raise NotFound("survivor not found", field="survivor_id")
    if merged is None:
        raise NotFound("customer to merge not found", field="merged_id")
    if merged.merged_into_id is not None:
        raise Conflict("customer was already merged", field="merged_id")
    if survivor.merged_into_id is not None:
        raise Conflict("survivor was itself merged; use its survivor", field="survivor_id")

    moved = {
        "identities": _count(
            db.execute(
                update(Identity)
                .where(Identity.customer_id == merged.id)
                .values(customer_id=survivor.id)
            )
        ),
        "holdings": _count(
            db.execute(
                update(Holding)
                .where(Holding.customer_id == merged.id)
                .values(customer_id=survivor.id)
            )
        ),
        "earlier_merges": _count(
            db.execute(
                update(Customer)
                .where(Customer.merged_into_id == merged.id)
                .values(merged_into_id=survivor.id)
            )
        ),
    }
    moved.update(events.publish(db, events.CustomersMerged(survivor.id, merged.id, now)))
    for name in ("first_name", "last_name", "company_name", "region", "postal_code"):
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            setattr(survivor, name, getattr(merged, name))
    survivor.attributes = {**merged.attributes, **survivor.attributes}
    survivor.updated_at = now
    merged.merged_into_id = survivor.id
    merged.updated_at = now
    record = CustomerMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        merged_at=now,
        merged_by=merged_by,
        moved=moved,
    )
    db.add(record)
    db.commit()
    db.expire_all()
    return record


def _count(result: Any) -> int:
    """Rows an UPDATE touched."""
    return int(cast(CursorResult[Any], result).rowcount)
