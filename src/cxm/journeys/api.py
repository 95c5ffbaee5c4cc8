"""Journey routes: definitions (/journeys, CRUD) and their figures from the analytical store
(/journeys/{key}/funnel, /paths, /emotion, /channel-switches, /lost, /web-visits), each for a
period (`from`/`to`, UTC days, inclusive). Figures sync the store first when it is stale; with
CXM_ANALYTICS_ENGINE=spark they run in Spark over the store's Parquet copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.analytics import journeys as analytics
from cxm.analytics import sync
from cxm.analytics.api import Ctx, get_store
from cxm.analytics.engine import Engine
from cxm.analytics.store import Store
from cxm.deps import ClockDep, DbSession, require
from cxm.journeys import services
from cxm.journeys.domain import JourneySpec, PathLevel, judged_at
from cxm.journeys.schemas import (
    AnalysisOut,
    ChannelSwitchesOut,
    EmotionOut,
    FunnelOut,
    JourneyCreate,
    JourneyOut,
    JourneyUpdate,
    LostOut,
    PathsOut,
    WebVisitsOut,
    step_labels,
)
from cxm.shared.errors import Invalid

router = APIRouter(tags=["journeys"])

Reader = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]
Writer = Annotated[User, Depends(require(Permission.CATALOGUE_WRITE))]
QUESTION_TYPES = ("nps", "csat", "ces", "rating")


@router.get("/journeys")
def list_journeys(
    db: DbSession, _user: Reader, clock: ClockDep, include_inactive: bool = False
) -> list[JourneyOut]:
    """The journey definitions (the three defaults are created on first use)."""
    rows = services.list_journeys(db, now=clock.now(), include_inactive=include_inactive)
    return [JourneyOut.model_validate(j) for j in rows]


@router.post("/journeys", status_code=201)
def create_journey(
    body: JourneyCreate, db: DbSession, _user: Writer, clock: ClockDep
) -> JourneyOut:
    journey = services.create_journey(
        db,
        key=body.key,
        name_de=body.name_de,
        name_en=body.name_en,
        description=body.description,
        stages=[s.to_domain() for s in body.stages],
        goal=body.goal.to_domain(),
        timeout_hours=body.timeout_hours,
        web=body.web.to_domain(),
        now=clock.now(),
    )
    return JourneyOut.model_validate(journey)


@router.get("/journeys/{key}")
def get_journey(key: str, db: DbSession, _user: Reader, clock: ClockDep) -> JourneyOut:
    return JourneyOut.model_validate(services.get_journey(db, key, now=clock.now()))


@router.patch("/journeys/{key}")
def update_journey(
    key: str, body: JourneyUpdate, db: DbSession, _user: Writer, clock: ClockDep
) -> JourneyOut:
    changes = body.model_dump(exclude_unset=True, exclude={"stages", "goal", "web"})
    if body.stages is not None:
        changes["stages"] = [s.to_domain() for s in body.stages]
    if body.goal is not None:
        changes["goal"] = body.goal.to_domain()
    if body.web is not None:
        changes["web"] = body.web.to_domain()
    journey = services.update_journey(db, key, now=clock.now(), **changes)
    return JourneyOut.model_validate(journey)


@router.delete("/journeys/{key}", status_code=204)
def delete_journey(key: str, db: DbSession, _user: Writer, clock: ClockDep) -> Response:
    services.delete_journey(db, key, now=clock.now())
    return Response(status_code=204)


# --- figures -----------------------------------------------------------------------------------


class Period:
    """`from` and `to` (UTC days, inclusive); open instances are judged at the period's end
    or now, whichever is earlier."""

    def __init__(
        self,
        from_: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
        to: Annotated[date | None, Query(description="Last day, inclusive (UTC).")] = None,
    ) -> None:
        if from_ and to and to < from_:
            raise Invalid("'to' is before 'from'", field="to")
        self.start = _day(from_)
        self.end = _day(to + timedelta(days=1)) if to else None


PeriodDep = Annotated[Period, Depends()]


def _day(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), UTC)


@dataclass
class _Run:
    spec: JourneySpec
    store: Store | Engine  # the store, or Spark over its Parquet copy
    base: AnalysisOut

    def figure(self, name: str, **options: Any) -> Any:
        (result,) = analytics.figures(
            self.store,
            self.spec,
            [(name, options)],
            as_of=self.base.as_of,
            start=self.base.start,
            end=self.base.end,
        )
        return result


def _run(key: str, period: Period, ctx: Ctx, figure: str) -> _Run:
    """The journey (404 before any store work), then the engine of CXM_ANALYTICS_ENGINE for
    the figures that run on Spark too (analytics.SPARK_FIGURES: all of them), synced first
    when stale, else the fresh store itself."""
    spec = services.spec_of(services.get_journey(ctx.db, key, now=ctx.clock.now()))
    store: Store | Engine
    if ctx.cfg.engine != "duckdb" and figure in analytics.SPARK_FIGURES:
        store = ctx.fresh()
    else:
        store = get_store(ctx.request, ctx.settings, ctx.cfg)
        sync.ensure_fresh(ctx.db, store, settings=ctx.cfg, now=ctx.clock.now())
    last = store.last_synced_at()
    synced = last.replace(tzinfo=UTC) if last else None
    base = AnalysisOut(
        journey=spec.key,
        steps=step_labels(spec),
        start=period.start,
        end=period.end,
        as_of=judged_at(ctx.clock.now(), period.end, synced),
        data_as_of=synced,
    )
    return _Run(spec, store, base)


@router.get("/journeys/{key}/funnel")
def funnel(key: str, period: PeriodDep, ctx: Ctx) -> FunnelOut:
    """Instances per stage reached (this stage or a later one), conversion, drop-off (lost vs.
    still open) and the median / 90th percentile seconds to the next step."""
    run = _run(key, period, ctx, "funnel")
    return FunnelOut(**run.base.model_dump(), funnel=run.figure("funnel"))


@router.get("/journeys/{key}/paths")
def paths(
    key: str,
    period: PeriodDep,
    ctx: Ctx,
    by: Annotated[PathLevel, Query(description="stage or touchpoint")] = PathLevel.STAGE,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    depth: Annotated[int, Query(ge=1, le=12, description="Steps kept per path.")] = 6,
) -> PathsOut:
    """The most common paths (repeats collapsed, cut after `depth` steps, then the outcome:
    goal, open or lost), with Sankey nodes and links."""
    run = _run(key, period, ctx, "paths")
    paths = run.figure("paths", level=by, top=top, depth=depth)
    return PathsOut(**run.base.model_dump(), paths=paths)


@router.get("/journeys/{key}/emotion")
def emotion(
    key: str,
    period: PeriodDep,
    ctx: Ctx,
    question_type: Annotated[str, Query(description="nps, csat, ces or rating")] = "nps",
) -> EmotionOut:
    """Per stage (then after the goal): mean survey score and text sentiment with 95 % t
    intervals, NPS −100..100 for NPS questions; below the minimum n nothing is shown."""
    if question_type not in QUESTION_TYPES:
        raise Invalid(
            f"question_type must be one of {', '.join(QUESTION_TYPES)}", field="question_type"
        )
    run = _run(key, period, ctx, "emotion")
    min_n = ctx.cfg.min_n
    points = run.figure("emotion", question_type=question_type, min_n=min_n)
    return EmotionOut(
        **run.base.model_dump(), question_type=question_type, min_n=min_n, points=points
    )


@router.get("/journeys/{key}/channel-switches")
def channel_switches(key: str, period: PeriodDep, ctx: Ctx) -> ChannelSwitchesOut:
    """Instances per first → last channel ("started on web, ended on the hotline")."""
    run = _run(key, period, ctx, "channel_switches")
    switches = run.figure("channel_switches")
    return ChannelSwitchesOut(**run.base.model_dump(), switches=switches)


@router.get("/journeys/{key}/lost")
def lost(key: str, period: PeriodDep, ctx: Ctx) -> LostOut:
    """Instances that stopped before the goal (older than the timeout at the as-of time), by
    last touchpoint and by the furthest stage."""
    run = _run(key, period, ctx, "lost")
    return LostOut(**run.base.model_dump(), lost=run.figure("lost"))


@router.get("/journeys/{key}/web-visits")
def web_visits(
    key: str,
    period: PeriodDep,
    ctx: Ctx,
    top: Annotated[int, Query(ge=1, le=100, description="Entry pages listed.")] = 20,
) -> WebVisitsOut:
    """Website visits (30 minutes of inactivity end one) by entry page: reaching the journey's
    goal pages, clicks and seconds until then, searches without result, orientation exits."""
    run = _run(key, period, ctx, "web_visits")
    rows = run.figure("web_visits", top=top)
    return WebVisitsOut(
        **run.base.model_dump(),
        goal_pages=list(run.spec.web.goal_pages),
        orientation_pages=list(run.spec.web.orientation_pages),
        rows=rows,
    )
