"""Routes for the touchpoint catalogue and journey stages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.deps import ClockDep, CurrentUser, DbSession, require
from cxm.touchpoints import services
from cxm.touchpoints.schemas import (
    StageCreate,
    StageOut,
    TouchpointCreate,
    TouchpointOut,
    TouchpointUpdate,
)

router = APIRouter(tags=["touchpoints"])

Editor = Annotated[User, Depends(require(Permission.CATALOGUE_WRITE))]


@router.get("/journey-stages")
def list_stages(db: DbSession, user: CurrentUser) -> list[StageOut]:
    return [StageOut.model_validate(s) for s in services.list_stages(db)]


@router.post("/journey-stages", status_code=201)
def create_stage(body: StageCreate, db: DbSession, user: Editor) -> StageOut:
    return StageOut.model_validate(services.create_stage(db, **body.model_dump()))


@router.get("/touchpoints")
def list_touchpoints(
    db: DbSession, user: CurrentUser, include_inactive: bool = False
) -> list[TouchpointOut]:
    return [
        TouchpointOut.of(tp)
        for tp in services.list_touchpoints(db, include_inactive=include_inactive)
    ]


@router.post("/touchpoints", status_code=201)
def create_touchpoint(
    body: TouchpointCreate, db: DbSession, user: Editor, clock: ClockDep
) -> TouchpointOut:
    return TouchpointOut.of(services.create_touchpoint(db, now=clock.now(), **body.model_dump()))


@router.get("/touchpoints/{key}")
def get_touchpoint(key: str, db: DbSession, user: CurrentUser) -> TouchpointOut:
    return TouchpointOut.of(services.get_touchpoint(db, key))


@router.patch("/touchpoints/{key}")
def update_touchpoint(
    key: str, body: TouchpointUpdate, db: DbSession, user: Editor, clock: ClockDep
) -> TouchpointOut:
    tp = services.update_touchpoint(db, key, now=clock.now(), **body.model_dump(exclude_unset=True))
    return TouchpointOut.of(tp)
