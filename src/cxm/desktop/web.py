"""The agent desktop: find a customer, see the customer 360."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cxm.cases.domain import POLICY_CATEGORIES, Priority
from cxm.deps import ClockDep, DbSession, WebUser
from cxm.desktop import services
from cxm.web_support import page

router = APIRouter(include_in_schema=False)


@router.get("/app/customers")
def search(
    request: Request,
    db: DbSession,
    user: WebUser,
    q: str = Query(default="", max_length=200),
    cursor: str | None = None,
) -> Response:
    results, next_cursor = (
        services.search(db, q.strip(), cursor=cursor) if q.strip() else ([], None)
    )
    return page(
        request,
        "customers/search.html",
        {"q": q, "results": results, "next_cursor": next_cursor},
        user=user,
    )


@router.get("/app/customers/{customer_id}")
def customer_360(
    customer_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: WebUser,
    clock: ClockDep,
    cursor: str | None = None,
) -> Response:
    view = services.customer_360(db, customer_id, viewer_id=user.id, now=clock.now(), cursor=cursor)
    return page(
        request,
        "customers/360.html",
        {
            "v": view,
            "c": view.customer,
            "categories": POLICY_CATEGORIES,
            "priorities": [p.value for p in Priority],
        },
        user=user,
    )
