"""The journey pages: the list of journeys and, per journey, its funnel, paths (Sankey),
emotion curve, channel switches, lost journeys and website visits for a period; each chart
has its table, and a small settings form for those who may change the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.analytics import drivers
from cxm.analytics import journeys as analytics
from cxm.analytics.api import fresh_engine, get_analytics_settings
from cxm.deps import ClockDep, DbSession, SettingsDep, web_require
from cxm.i18n import register
from cxm.journeys import domain, services
from cxm.journeys.domain import JourneySpec, PathLevel
from cxm.journeys.labels import LABELS
from cxm.shared.errors import CxmError
from cxm.touchpoints import services as touchpoints
from cxm.web_support import csrf_ok, page

register(LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.ANALYTICS_READ))]
Writer = Annotated[User, Depends(web_require(Permission.CATALOGUE_WRITE))]


@router.get("/app/journeys")
def journeys_page(request: Request, db: DbSession, user: Reader, clock: ClockDep) -> Response:
    rows = services.list_journeys(db, now=clock.now(), include_inactive=True)
    items = [(j, services.spec_of(j)) for j in rows]
    return page(request, "journeys/list.html", {"journeys": items, "days": days}, user=user)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Names:
    """Display names of steps, outcomes and touchpoints in the page's language."""

    spec: JourneySpec
    touchpoints: dict[str, tuple[str, str]]
    lang: str
    labels: dict[str, str]

    def step(self, key: str | None) -> str:
        if key is None:
            return self.labels["unknown"]
        for s in self.spec.stages:
            if s.key == key:
                return s.name_en if self.lang == "en" else s.name_de
        if key == domain.Outcome.GOAL.value:
            goal = self.spec.goal
            return goal.name_en if self.lang == "en" else goal.name_de
        return key

    def touchpoint(self, key: str | None) -> str:
        if key is None:
            return self.labels["unknown"]
        names = self.touchpoints.get(key)
        if names is None:
            return key
        return names[1] if self.lang == "en" else names[0]

    def node(self, key: str, level: PathLevel) -> str:
        if key in self.labels:
            return self.labels[key]
        return self.step(key) if level is PathLevel.STAGE else self.touchpoint(key)


def duration(seconds: float | None, lang: str) -> str:
    """A compact human duration: 45 s, 12 min, 3.5 h, 4.2 d."""
    if seconds is None:
        return "—"
    dec = "," if lang == "de" else "."
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h".replace(".", dec)
    return f"{seconds / 86400:.1f} {'T' if lang == 'de' else 'd'}".replace(".", dec)


def days(hours: int, lang: str) -> str:
    """Hours as days: whole days plainly, else with one decimal."""
    whole, rest = divmod(hours, 24)
    if not rest:
        return str(whole)
    text = f"{hours / 24:.1f}"
    return text.replace(".", ",") if lang == "de" else text


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def charts(
    names: Names,
    funnel: domain.Funnel,
    paths: domain.Paths,
    emotion: list[domain.EmotionPoint],
    t: Any,
) -> dict[str, dict[str, Any]]:
    """The JSON that static/charts.js (funnel bars) and static/journeys.js (Sankey, emotion
    band) draw; the template puts it into data blocks that are never executed."""
    steps = [names.step(s.key) for s in funnel.steps]
    use_nps = any(p.nps is not None for p in emotion)
    score_values = [_round(p.nps if use_nps else p.score.mean, 1) for p in emotion]
    return {
        "funnel": {
            "type": "bar",
            "labels": steps,
            "series": [
                {"name": t("journeys.reached"), "values": [s.reached for s in funnel.steps]}
            ],
            "axes": [{"name": t("journeys.instances"), "min": 0}],
        },
        "sankey": {
            "type": "sankey",
            "nodes": [
                {"id": n.id, "label": names.node(n.key, paths.level), "position": n.position}
                for n in paths.nodes
            ],
            "links": [
                {"source": lk.source, "target": lk.target, "value": lk.value} for lk in paths.links
            ],
        },
        "emotion": {
            "type": "emotion",
            "labels": [
                names.step(p.key) if p.key != "goal" else names.labels["after_goal"]
                for p in emotion
            ],
            "axes": [
                {"name": "NPS", "min": -100, "max": 100}
                if use_nps
                else {"name": t("journeys.score_mean"), "min": 0, "max": 10},
                {"name": t("journeys.sentiment_axis"), "min": -1, "max": 1},
            ],
            "series": [
                {
                    "name": t("journeys.nps") if use_nps else t("journeys.score_mean"),
                    "axis": 0,
                    "values": score_values,
                    "low": [_round(p.nps_low if use_nps else p.score.low, 1) for p in emotion],
                    "high": [_round(p.nps_high if use_nps else p.score.high, 1) for p in emotion],
                },
                {
                    "name": t("journeys.sentiment"),
                    "axis": 1,
                    "values": [_round(p.sentiment.mean, 3) for p in emotion],
                    "low": [_round(p.sentiment.low, 3) for p in emotion],
                    "high": [_round(p.sentiment.high, 3) for p in emotion],
                },
            ],
            "drawable": any(v is not None for v in score_values)
            or any(p.sentiment.mean is not None for p in emotion),
        },
    }


# Moments of truth: the insights page's analysis over a year, resampled less often (the page
# shows the ranking; the insights page has the intervals at 200 resamples).
MOMENTS_WINDOW_DAYS = 365
MOMENTS_BOOTSTRAP = 100


def journey_touchpoints(spec: JourneySpec) -> list[str]:
    """The touchpoints of the journey's stages and goal, in journey order."""
    keys = [k for s in spec.stages for k in s.touchpoints] + list(spec.goal.touchpoints)
    return list(dict.fromkeys(keys))


def _day(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), UTC)


@router.get("/app/journeys/{key}")
def journey_page(
    key: str,
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    settings: SettingsDep,
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    by: Annotated[str, Query(max_length=16)] = "stage",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    return _journey_page(request, db, user, key, clock.now(), settings, from_, to, by, done)


def _journey_page(
    request: Request,
    db: Any,
    user: User,
    key: str,
    now: datetime,
    settings: Any,
    from_: str,
    to: str,
    by: str,
    done: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    journey = services.get_journey(db, key, now=now)
    spec = services.spec_of(journey)
    first, last = _date(from_), _date(to)
    if first and last and last < first:
        first, last = last, first
    start, end = _day(first), _day(last + timedelta(days=1)) if last else None
    level = PathLevel.TOUCHPOINT if by == PathLevel.TOUCHPOINT.value else PathLevel.STAGE
    cfg = get_analytics_settings(request)
    store = fresh_engine(request, db, settings, cfg, now=now)  # DuckDB, or Spark when set
    synced = store.last_synced_at()
    funnel, paths, emotion, switches, lost, visits = analytics.figures(
        store,
        spec,
        [
            ("funnel", {}),
            ("paths", {"level": level, "top": 10, "depth": 6}),
            ("emotion", {"min_n": cfg.min_n}),
            ("channel_switches", {}),
            ("lost", {}),
            ("web_visits", {"top": 15}),
        ],
        start=start,
        end=end,
        as_of=domain.judged_at(now, end, synced.replace(tzinfo=UTC) if synced else None),
    )
    lang = getattr(user, "language", None) or request.session.get("lang") or "de"
    lang = "en" if lang == "en" else "de"
    catalogue = {
        tp.key: (tp.name_de, tp.name_en)
        for tp in touchpoints.list_touchpoints(db, include_inactive=True)
    }

    def tr(label: str) -> str:
        text = LABELS[label]
        return text[1] if lang == "en" else text[0]

    names = Names(
        spec,
        catalogue,
        lang,
        {
            "unknown": tr("journeys.unknown"),
            "after_goal": tr("journeys.after_goal"),
            **{o.value: tr(f"journeys.outcome.{o.value}") for o in domain.Outcome},
        },
    )
    moments = drivers.journey_moments_of_truth(
        store,
        touchpoint_keys=journey_touchpoints(spec),
        now=now,
        window_days=MOMENTS_WINDOW_DAYS,
        bootstrap=MOMENTS_BOOTSTRAP,
    )
    return page(
        request,
        "journeys/detail.html",
        {
            "journey": journey,
            "moments": moments,
            "spec": spec,
            "names": names,
            "funnel": funnel,
            "paths": paths,
            "emotion": emotion,
            "switches": switches,
            "lost": lost,
            "visits": visits,
            "charts": charts(names, funnel, paths, emotion, lambda k: tr(k)),
            "duration": lambda s: duration(s, lang),
            "days": days,
            "web_pages": {
                "goal": [names.touchpoint(k) for k in spec.web.goal_pages],
                "orientation": [names.touchpoint(k) for k in spec.web.orientation_pages],
            },
            "selection": {
                "from": first.isoformat() if first else "",
                "to": last.isoformat() if last else "",
                "by": level.value,
            },
            "data_as_of": synced,
            "may_edit": role_allows(user.role, Permission.CATALOGUE_WRITE),
            "done": done,
            "error": error,
        },
        user=user,
        status_code=status_code,
    )


@router.post("/app/journeys/{key}/settings")
def save_settings(
    key: str,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    name_de: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    timeout_hours: Annotated[str, Form(max_length=6)] = "",
    active: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    now = clock.now()
    if not csrf_ok(request, csrf):
        return _journey_page(
            request,
            db,
            user,
            key,
            now,
            settings,
            "",
            "",
            "stage",
            error="csrf.failed",
            status_code=400,
        )
    try:
        hours = int(timeout_hours) if timeout_hours.strip() else None
        services.update_journey(
            db,
            key,
            now=now,
            name_de=name_de.strip() or None,
            name_en=name_en.strip() or None,
            timeout_hours=hours,
            active=active == "on",
        )
    except ValueError:
        return _journey_page(
            request, db, user, key, now, settings, "", "", "stage",
            error="journeys.timeout_hours", status_code=422,
        )  # fmt: skip
    except CxmError as exc:
        db.rollback()
        if exc.status_code == 404:
            raise
        return _journey_page(
            request, db, user, key, now, settings, "", "", "stage",
            error=exc.message, status_code=exc.status_code,
        )  # fmt: skip
    return RedirectResponse(f"/app/journeys/{key}?done=saved", status_code=303)
