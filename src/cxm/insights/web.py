"""The insights page: what drives NPS (relative weights with intervals, importance ×
performance, moments of truth) and customer value × experience with the churn model."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.analytics import drivers
from cxm.analytics.api import fresh_engine, get_analytics_settings
from cxm.deps import ClockDep, DbSession, SettingsDep, web_require
from cxm.i18n import register, translate
from cxm.insights import services
from cxm.insights.labels import LABELS
from cxm.shared.errors import Invalid
from cxm.web_support import csrf_ok, page

register(LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(web_require(Permission.OUTREACH_MANAGE))]

OUTCOMES = ("nps", "csat", "ces")
WINDOWS = (90, 180, 365, 730)


def _name(info: drivers.DriverInfo | None, key: str, lang: str) -> str:
    if info is None:
        return key
    return info.name_en if lang == "en" else info.name_de


def whiskers_chart(analysis: drivers.DriverAnalysis, lang: str, axis: str) -> dict[str, Any]:
    """Bars of each driver's share of R² with its bootstrap interval (data for insights.js)."""
    weights = analysis.result.weights
    return {
        "type": "whiskers",
        "labels": [_name(analysis.info(w.key), w.key, lang) for w in weights],
        "values": [round(w.share, 1) for w in weights],
        "low": [round(w.share_low, 1) for w in weights],
        "high": [round(w.share_high, 1) for w in weights],
        "axis": axis,
    }


def matrix_chart(
    analysis: drivers.DriverAnalysis, lang: str, x_axis: str, y_axis: str
) -> dict[str, Any]:
    """The importance × performance scatter with its two dividing lines."""
    points = analysis.matrix
    if not points:
        return {"type": "scatter", "points": []}
    return {
        "type": "scatter",
        "points": [
            {
                "name": _name(analysis.info(p.key), p.key, lang),
                "x": round(p.performance, 1),
                "y": round(p.importance, 1),
                "quadrant": p.quadrant.value,
            }
            for p in points
        ],
        "xLine": round(sum(p.performance for p in points) / len(points), 1),
        "yLine": round(100.0 / len(analysis.result.weights), 1),
        "xAxis": x_axis,
        "yAxis": y_axis,
    }


@router.get("/app/insights")
def insights_page(
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    settings: SettingsDep,
    outcome: str = Query(default="nps", max_length=8),
    window: int = Query(default=365, ge=7, le=3650),
) -> Response:
    outcome = outcome if outcome in OUTCOMES else "nps"
    lang = user.language if user.language in ("de", "en") else "de"
    analysis: drivers.DriverAnalysis | None = None
    problem: str | None = None
    now = clock.now()
    try:
        engine = fresh_engine(request, db, settings, get_analytics_settings(request), now=now)
        analysis = services.driver_analysis(
            db, now=now, engine=engine, outcome=outcome, window_days=window
        )
    except Invalid as exc:
        problem = exc.message
    charts: dict[str, Any] = {}
    if analysis is not None:
        charts["drivers"] = whiskers_chart(analysis, lang, translate("insights.share", lang))
        charts["matrix"] = matrix_chart(
            analysis,
            lang,
            translate("insights.performance", lang),
            translate("insights.share", lang),
        )
    clv_run = services.latest_run(db, services.CLV)
    churn_run = services.latest_run(db, services.CHURN)
    return page(
        request,
        "insights/index.html",
        {
            "outcome": outcome,
            "outcomes": OUTCOMES,
            "window": window,
            "windows": WINDOWS if window in WINDOWS else (*WINDOWS, window),
            "analysis": analysis,
            "problem": problem,
            "charts": charts,
            "name": lambda key: _name(analysis.info(key) if analysis else None, key, lang),
            "clv_run": clv_run,
            "churn_run": churn_run,
            "grid": services.value_experience_grid(db),
            "tiers": services.TIERS,
            "experiences": services.EXPERIENCES,
            "priority": services.priority_customers(db, limit=20),
            "can_refresh": role_allows(user.role, Permission.OUTREACH_MANAGE),
            "done": request.query_params.get("done"),
        },
        user=user,
    )


@router.post("/app/insights/refresh")
def refresh(
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, csrf):
        return page(
            request,
            "error.html",
            {"title": translate("csrf.failed", user.language), "message": ""},
            user=user,
            status_code=400,
        )
    now = clock.now()
    engine = fresh_engine(request, db, settings, get_analytics_settings(request), now=now)
    services.refresh_scores(db, now=now, engine=engine)
    return RedirectResponse(f"/app/insights?{urlencode({'done': 'refreshed'})}", status_code=303)
