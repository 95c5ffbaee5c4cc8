"""Routes for alert rules and alerts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.alerts import services
from cxm.alerts.domain import AlertStatus
from cxm.alerts.schemas import AlertOut, AlertRuleCreate, AlertRuleOut
from cxm.deps import ClockDep, DbSession, require

router = APIRouter(tags=["alerts"])

Reader = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(require(Permission.SURVEYS_MANAGE))]


@router.get("/alerts")
def list_alerts(
    db: DbSession,
    user: Reader,
    status: AlertStatus | None = None,
    department_id: uuid.UUID | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[AlertOut]:
    rows = services.list_alerts(db, status=status, department_id=department_id, limit=limit)
    return [AlertOut.model_validate(a) for a in rows]


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: uuid.UUID, db: DbSession, user: Reader, clock: ClockDep) -> AlertOut:
    return AlertOut.model_validate(services.acknowledge(db, alert_id, by=user.id, now=clock.now()))


@router.get("/alert-rules")
def list_rules(db: DbSession, user: Reader) -> list[AlertRuleOut]:
    return [AlertRuleOut.model_validate(r) for r in services.list_rules(db)]


@router.post("/alert-rules", status_code=201)
def create_rule(
    body: AlertRuleCreate, db: DbSession, user: Manager, clock: ClockDep
) -> AlertRuleOut:
    return AlertRuleOut.model_validate(
        services.create_rule(db, now=clock.now(), **body.model_dump())
    )


@router.post("/alerts/evaluate")
def evaluate(request: Request, db: DbSession, user: Manager, clock: ClockDep) -> dict[str, int]:
    """Raises the alerts the rules call for now and e-mails the departments."""
    return services.evaluate(db, now=clock.now(), mailer=request.app.state.mailer)
