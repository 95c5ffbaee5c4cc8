"""Routes for customers, their identities, holdings and merges."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.customers import services
from cxm.customers.domain import IdentityKind
from cxm.customers.schemas import (
    CustomerCreate,
    CustomerOut,
    CustomerSummary,
    CustomerUpdate,
    HoldingCreate,
    HoldingOut,
    HoldingUpdate,
    IdentityCreate,
    IdentityOut,
    MergeOut,
    MergeRequest,
)
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.shared.pagination import Page

router = APIRouter(tags=["customers"])

Reader = Annotated[User, Depends(require(Permission.CUSTOMERS_READ))]
Writer = Annotated[User, Depends(require(Permission.CUSTOMERS_WRITE))]
Merger = Annotated[User, Depends(require(Permission.CUSTOMERS_MERGE))]


@router.post("/customers", status_code=201)
def create_customer(
    body: CustomerCreate, db: DbSession, user: Writer, clock: ClockDep, settings: SettingsDep
) -> CustomerOut:
    data = body.model_dump(exclude={"identities"})
    customer = services.create_customer(
        db,
        now=clock.now(),
        identities=[i.model_dump() for i in body.identities],
        phone_region=settings.default_phone_region,
        **data,
    )
    return CustomerOut.model_validate(customer)


@router.get("/customers")
def search_customers(
    db: DbSession,
    user: Reader,
    settings: SettingsDep,
    q: str | None = Query(default=None, description="Part of the name or of an identity."),
    identity_kind: IdentityKind | None = None,
    identity_value: str | None = Query(default=None, description="Exact identity (normalised)."),
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = None,
) -> Page[CustomerSummary]:
    rows, next_cursor = services.search_customers(
        db,
        q=q,
        identity_kind=identity_kind,
        identity_value=identity_value,
        limit=limit,
        cursor=cursor,
        phone_region=settings.default_phone_region,
    )
    return Page(items=[CustomerSummary.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.get("/customers/by-holding")
def owners_of(
    db: DbSession,
    user: Reader,
    model: str | None = None,
    product_code: str | None = None,
    active_on: date | None = None,
    limit: int = Query(default=500, ge=1, le=5000),
    cursor: str | None = None,
) -> Page[CustomerSummary]:
    rows, next_cursor = services.owners_of(
        db, model=model, product_code=product_code, active_on=active_on, limit=limit, cursor=cursor
    )
    return Page(items=[CustomerSummary.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.get("/customers/{customer_id}")
def get_customer(
    customer_id: uuid.UUID, db: DbSession, user: Reader, clock: ClockDep
) -> CustomerOut:
    customer = services.view_customer(db, customer_id, viewer_id=user.id, now=clock.now())
    return CustomerOut.model_validate(customer)


@router.patch("/customers/{customer_id}")
def update_customer(
    customer_id: uuid.UUID, body: CustomerUpdate, db: DbSession, user: Writer, clock: ClockDep
) -> CustomerOut:
    customer = services.update_customer(
        db, customer_id, now=clock.now(), **body.model_dump(exclude_unset=True)
    )
    return CustomerOut.model_validate(customer)


@router.post("/customers/{customer_id}/identities", status_code=201)
def add_identity(
    customer_id: uuid.UUID,
    body: IdentityCreate,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
) -> IdentityOut:
    identity = services.add_identity(
        db,
        customer_id,
        now=clock.now(),
        phone_region=settings.default_phone_region,
        **body.model_dump(),
    )
    return IdentityOut.model_validate(identity)


@router.delete("/customers/{customer_id}/identities/{identity_id}", status_code=204)
def remove_identity(
    customer_id: uuid.UUID, identity_id: uuid.UUID, db: DbSession, user: Writer
) -> Response:
    services.remove_identity(db, customer_id, identity_id)
    return Response(status_code=204)


@router.get("/customers/{customer_id}/holdings")
def list_holdings(customer_id: uuid.UUID, db: DbSession, user: Reader) -> list[HoldingOut]:
    return [HoldingOut.model_validate(h) for h in services.get_customer(db, customer_id).holdings]


@router.post("/customers/{customer_id}/holdings", status_code=201)
def add_holding(
    customer_id: uuid.UUID, body: HoldingCreate, db: DbSession, user: Writer, clock: ClockDep
) -> HoldingOut:
    holding = services.add_holding(db, customer_id, now=clock.now(), **body.model_dump())
    return HoldingOut.model_validate(holding)


@router.patch("/customers/{customer_id}/holdings/{holding_id}")
def update_holding(
    customer_id: uuid.UUID,
    holding_id: uuid.UUID,
    body: HoldingUpdate,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
) -> HoldingOut:
    holding = services.update_holding(
        db, customer_id, holding_id, now=clock.now(), **body.model_dump(exclude_unset=True)
    )
    return HoldingOut.model_validate(holding)


@router.post("/customers/merge", status_code=201)
def merge_customers(body: MergeRequest, db: DbSession, user: Merger, clock: ClockDep) -> MergeOut:
    record = services.merge_customers(
        db,
        survivor_id=body.survivor_id,
        merged_id=body.merged_id,
        merged_by=user.id,
        now=clock.now(),
    )
    return MergeOut.model_validate(record)
