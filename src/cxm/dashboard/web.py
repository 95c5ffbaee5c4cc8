"""The start page of the web application: the state of the customer experience at a glance."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from cxm.alerts.domain import AlertStatus
from cxm.alerts.models import Alert
from cxm.customers.models import Customer
from cxm.deps import ClockDep, DbSession, WebUser
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.surveys.models import SurveyResponse
from cxm.web_support import page

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/app", status_code=303)


@router.get("/app")
def dashboard(request: Request, db: DbSession, user: WebUser, clock: ClockDep) -> Response:
    since = clock.now() - timedelta(days=30)

    def count(query: object) -> int:
        return int(db.scalar(query) or 0)  # type: ignore[call-overload]

    tiles = [
        (
            "dashboard.customers",
            count(
                select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))
            ),
        ),
        (
            "dashboard.interactions",
            count(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.occurred_at >= since)
            ),
        ),
        (
            "dashboard.responses",
            count(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.submitted_at >= since)
            ),
        ),
        (
            "dashboard.complaints",
            count(
                select(func.count())
                .select_from(Feedback)
                .where(Feedback.source == FeedbackSource.COMPLAINT, Feedback.occurred_at >= since)
            ),
        ),
        (
            "dashboard.open_alerts",
            count(select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.OPEN)),
        ),
    ]
    alerts = db.scalars(
        select(Alert)
        .where(Alert.status == AlertStatus.OPEN)
        .order_by(Alert.created_at.desc())
        .limit(10)
    ).all()
    empty = tiles[0][1] == 0
    return page(
        request,
        "dashboard/index.html",
        {"tiles": tiles, "alerts": alerts, "empty": empty},
        user=user,
    )
