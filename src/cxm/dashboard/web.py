"""The start page of the web application: the state of the customer experience at a glance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.accounts.domain import Permission, role_allows
from cxm.alerts.domain import AlertStatus
from cxm.alerts.models import Alert
from cxm.analytics import sync
from cxm.analytics.api import fresh_engine, get_analytics_settings, get_store
from cxm.config import Settings
from cxm.customers.models import Customer
from cxm.dashboard import services
from cxm.dashboard.labels import LABELS
from cxm.deps import ClockDep, DbSession, SettingsDep, WebUser
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.i18n import register
from cxm.surveys.models import SurveyResponse
from cxm.textanalytics.domain import Sentiment
from cxm.web_support import page

register(LABELS)

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/app", status_code=303)


@router.get("/app")
def dashboard(
    request: Request,
    db: DbSession,
    user: WebUser,
    clock: ClockDep,
    settings: SettingsDep,
    months: Annotated[str, Query(max_length=4)] = "",
    touchpoint: Annotated[str, Query(max_length=64)] = "",
    segment: Annotated[str, Query(max_length=200)] = "",
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
        ("dashboard.interactions", 0),
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
    # Whole minutes: the compiled KPI queries are cached by their parameters.
    now = clock.now().replace(second=0, microsecond=0)
    cx: dict[str, object] = {}
    if not empty:
        cfg = get_analytics_settings(request)
        store = get_store(request, settings, cfg)
        sync.ensure_fresh(db, store, settings=cfg, now=clock.now())
        tiles[1] = (
            "dashboard.interactions",
            services.cached(
                ("interactions", settings.database_url, now),
                lambda: services.interactions_since(store, now - timedelta(days=30)),
                ttl=settings.dashboard_cache_seconds,
            ),
        )
    if role_allows(user.role, Permission.ANALYTICS_READ):
        cx = _charts(request, db, now, settings, empty, months, touchpoint, segment)
    return page(
        request,
        "dashboard/index.html",
        {"tiles": tiles, "alerts": alerts, "empty": empty, "charts": Charts, "label": label, **cx},
        user=user,
    )


def _charts(
    request: Request,
    db: Session,
    now: datetime,
    settings: Settings,
    empty: bool,
    months: str,
    touchpoint: str,
    segment: str,
) -> dict[str, object]:
    """The KPI tiles and charts for the filters in the URL (unknown values fall back to all)."""
    touchpoints = services.touchpoint_options(db)
    out: dict[str, object] = {
        "selection": services.Selection(),
        "periods": services.PERIOD_MONTHS,
        "touchpoints": touchpoints,
        "segments": [],
        "saved_segments": [],
        "loyalty": None,
        "loyalty_pending": False,
        "trend": None,
        "by_touchpoint": [],
        "complaints": {"months": [], "topics": {}},
        "topic_sentiment": [],
    }
    if empty:  # without customers there is nothing to count: leave the store closed
        return out
    cfg = get_analytics_settings(request)
    store = get_store(request, settings, cfg)
    ttl = settings.dashboard_cache_seconds
    segments = services.cached(
        ("segments", settings.database_url), lambda: services.segment_options(store), ttl=ttl
    )
    saved = services.saved_segment(db, segment, now=now, ttl=ttl, cache_key=settings.database_url)
    selection = services.Selection(
        months=int(months)
        if months.isdigit() and int(months) in services.PERIOD_MONTHS
        else services.DEFAULT_MONTHS,
        touchpoint=touchpoint if any(t.key == touchpoint for t in touchpoints) else None,
        segment=next((s for s in segments if f"{s[0]}={s[1]}" == segment), None),
        saved=saved,
    )
    # KPI tiles compare the last 30 days whatever the period; touchpoint and segment apply
    unbounded = selection.filters()
    scoped = selection.filters(now)

    def drivers_now(own: Session) -> services.Loyalty:
        return services.loyalty(
            own, now=now, engine=fresh_engine(request, own, settings, cfg, now=now)
        )

    # seconds at a million answers: computed beside the requests, shown once ready
    loyalty = services.cached_in_background(
        ("loyalty", settings.database_url, now.date()),
        drivers_now,
        ttl=ttl,
        db=db,
        new_session=request.app.state.session_factory,
    )
    out.update(
        selection=selection,
        segments=segments,
        saved_segments=services.saved_segment_options(db),
        # not filtered: the analysis needs every customer's answers, over a year, to be stable
        loyalty=loyalty,
        loyalty_pending=loyalty is None,
        kpis=services.tiles(store, now=now, min_n=cfg.min_n, filters=unbounded),
        trend=services.trend(store, now=now, selection=selection, min_n=cfg.min_n),
        by_touchpoint=services.nps_by_touchpoint(store, now=now, min_n=cfg.min_n, filters=scoped),
        complaints=services.pivot(
            services.complaint_rate_by_topic(store, now=now, min_n=cfg.min_n, filters=scoped)
        ),
        topic_sentiment=services.cached(
            ("topics", settings.database_url, selection.start(now), selection.touchpoint),
            lambda: services.topic_sentiment(
                db,
                start=selection.start(now),
                end=selection.end(now),
                touchpoint=selection.touchpoint,
            ),
            ttl=ttl,
        ),
    )
    return out


Translate = Callable[[str], str]


def label(t: Translate, prefix: str, value: str | None) -> str:
    """The translated label of a code (topic, sentiment, source), else the code itself."""
    if value is None:
        return "—"
    key = f"{prefix}.{value}"
    text = t(key)
    return value.replace("_", " ") if text == key else text


def _month(day: date) -> str:
    return day.strftime("%m/%Y")


def _num(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


class Charts:
    """The JSON that static/charts.js draws, with labels in the page's language; the template
    puts it into <script type="application/json"> blocks (data, never executed)."""

    @staticmethod
    def drawable(data: dict[str, Any]) -> bool:
        """Whether any series has a value (not all suppressed below the minimum)."""
        return any(v is not None for series in data["series"] for v in series["values"])

    @staticmethod
    def trend(trend: services.Trend, t: Translate) -> dict[str, Any]:
        return {
            "type": "lines",
            "labels": [_month(m) for m in trend.months],
            "series": [
                {"name": t("kpi.nps"), "values": trend.nps, "axis": 0},
                {"name": t("kpi.csat"), "values": trend.csat, "axis": 1},
            ],
            "axes": [{"name": "NPS", "min": -100, "max": 100}, {"name": "%", "min": 0, "max": 100}],
        }

    @staticmethod
    def touchpoint_name(key: str | None, touchpoints: Any, lang: str, t: Translate) -> str:
        if key is None:
            return t("dashboard.no_touchpoint")
        found = next((tp for tp in touchpoints if tp.key == key), None)
        if found is None:
            return key
        return str(found.name_en if lang == "en" else found.name_de)

    @staticmethod
    def by_touchpoint(rows: list[Any], t: Translate, touchpoints: Any, lang: str) -> dict[str, Any]:
        name = Charts.touchpoint_name
        return {
            "type": "bar",
            "labels": [name(r.group.get("touchpoint"), touchpoints, lang, t) for r in rows],
            "series": [{"name": t("kpi.nps"), "values": [_num(r.result.value) for r in rows]}],
            "axes": [{"name": "NPS", "min": -100, "max": 100}],
        }

    @staticmethod
    def complaints(pivot: dict[str, Any], t: Translate) -> dict[str, Any]:
        months: list[date] = pivot["months"]
        series = []
        for topic, per_month in pivot["topics"].items():
            values = [_num(per_month[m].value, 2) if m in per_month else None for m in months]
            series.append({"name": label(t, "topic", topic), "values": values})
        return {
            "type": "lines",
            "labels": [_month(m) for m in months],
            "series": series,
            "axes": [{"name": t("dashboard.per_1000"), "min": 0}],
        }

    @staticmethod
    def drivers(loyalty: services.Loyalty, t: Translate, lang: str) -> dict[str, Any]:
        """The top drivers' shares of R² with their intervals (insights.js draws "whiskers")."""

        def name(d: services.DriverBar) -> str:
            if d.kind == "topic":
                return label(t, "topic", d.ref)
            return d.name_en if lang == "en" else d.name_de

        return {
            "type": "whiskers",
            "labels": [name(d) for d in loyalty.drivers],
            "values": [d.share for d in loyalty.drivers],
            "low": [d.low for d in loyalty.drivers],
            "high": [d.high for d in loyalty.drivers],
            "axis": t("dashboard.share"),
        }

    @staticmethod
    def topics(rows: list[services.TopicSentiment], t: Translate) -> dict[str, Any]:
        return {
            "type": "stacked",
            "labels": [label(t, "topic", r.topic) for r in rows],
            "series": [
                {
                    "name": t(f"sentiment.{s.value}"),
                    "key": s.value,
                    "values": [r.counts.get(s.value, 0) for r in rows],
                }
                for s in (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
            ],
            "axes": [{"name": t("dashboard.mentions"), "min": 0}],
        }
