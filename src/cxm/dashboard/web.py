"""The start page of the web application: the state of the customer experience at a glance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from cxm.accounts.domain import Permission, role_allows
from cxm.alerts.domain import AlertStatus
from cxm.alerts.models import Alert
from cxm.analytics import sync
from cxm.analytics.api import get_analytics_settings, get_store
from cxm.customers.models import Customer
from cxm.dashboard import services
from cxm.deps import ClockDep, DbSession, SettingsDep, WebUser
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
def dashboard(
    request: Request, db: DbSession, user: WebUser, clock: ClockDep, settings: SettingsDep
) -> Response:
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
    cx: dict[str, object] = {}
    if not empty and role_allows(user.role, Permission.ANALYTICS_READ):
        cfg = get_analytics_settings(request)
        store = get_store(request, settings, cfg)
        sync.ensure_fresh(db, store, settings=cfg, now=clock.now())
        now = clock.now()
        cx = {
            "kpis": services.tiles(store, now=now, min_n=cfg.min_n),
            "by_touchpoint": services.nps_by_touchpoint(store, now=now, min_n=cfg.min_n),
            "complaints": _pivot(services.complaint_rate_by_topic(store, now=now)),
        }
    return page(
        request,
        "dashboard/index.html",
        {"tiles": tiles, "alerts": alerts, "empty": empty, **cx},
        user=user,
    )


def _pivot(rows: list[Any]) -> dict[str, Any]:
    """Complaint rate rows → {months: [...], topics: {topic: {month: rate}}}."""
    months = sorted({r.period for r in rows if r.period})
    topics: dict[str, dict[Any, Any]] = {}
    for r in rows:
        topics.setdefault(str(r.group.get("topic")), {})[r.period] = r.result
    return {"months": months, "topics": dict(sorted(topics.items()))}
