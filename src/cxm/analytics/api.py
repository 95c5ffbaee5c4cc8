"""KPI routes (/kpi/...) and the analytical store's routes (/analytics/...).

Every KPI route answers from the analytical store (on DuckDB, or on Spark over its Parquet
copy with CXM_ANALYTICS_ENGINE=spark) and syncs it first when it is older than
CXM_ANALYTICS_MAX_LAG_SECONDS (default 300 s), so a dashboard never shows data staler than
that; the sync reads through the request's database session. A negative setting turns this
off for deployments that sync on a schedule (`cxm analytics sync`).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.analytics import kpi
from cxm.analytics import sync as sync_mod
from cxm.analytics.engine import Engine, query_engine, spark_engine
from cxm.analytics.schemas import ChangeOut, CompareOut, KpiOut, KpiRowOut, StatusOut, SyncOut
from cxm.analytics.settings import AnalyticsSettings, parquet_path, store_path
from cxm.analytics.store import Store
from cxm.config import Settings
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.shared.errors import Invalid

router = APIRouter(tags=["analytics"])

Analyst = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]
_open_lock = threading.Lock()


def get_analytics_settings(request: Request) -> AnalyticsSettings:
    """app.state.analytics_settings when set (tests, embedding), else CXM_ANALYTICS_*."""
    cfg: AnalyticsSettings | None = getattr(request.app.state, "analytics_settings", None)
    if cfg is None:
        cfg = AnalyticsSettings()
        request.app.state.analytics_settings = cfg
    return cfg


AnalyticsSettingsDep = Annotated[AnalyticsSettings, Depends(get_analytics_settings)]


def get_store(request: Request, settings: SettingsDep, cfg: AnalyticsSettingsDep) -> Store:
    """The app's analytical store, opened once per application."""
    return _store(request, settings, cfg)


def _store(request: Request, settings: Settings, cfg: AnalyticsSettings) -> Store:
    store: Store | None = getattr(request.app.state, "analytics_store", None)
    if store is None:
        with _open_lock:
            store = getattr(request.app.state, "analytics_store", None)
            if store is None:
                store = Store(store_path(settings, cfg))
                request.app.state.analytics_store = store
    return store


def get_engine(request: Request, settings: SettingsDep, cfg: AnalyticsSettingsDep) -> Engine:
    """The engine KPI queries run on (CXM_ANALYTICS_ENGINE): the store itself by default, or
    Spark over its Parquet copy. Sync through `get_store`."""
    return query_engine(_store(request, settings, cfg), cfg)


class Analytics:
    """What a KPI route needs: the store, opened and synced on demand once the query has
    been checked (a refused query touches no file)."""

    def __init__(
        self,
        user: Analyst,
        request: Request,
        db: DbSession,
        clock: ClockDep,
        settings: SettingsDep,
        cfg: AnalyticsSettingsDep,
    ) -> None:
        self.request, self.db, self.clock, self.settings, self.cfg = (
            request, db, clock, settings, cfg,
        )  # fmt: skip

    def fresh(self) -> Engine:
        """The query engine (CXM_ANALYTICS_ENGINE), its store synced first when it is older
        than the allowed lag."""
        return fresh_engine(self.request, self.db, self.settings, self.cfg, now=self.clock.now())


def fresh_engine(
    request: Request, db: Session, settings: Settings, cfg: AnalyticsSettings, *, now: datetime
) -> Engine:
    """The query engine of CXM_ANALYTICS_ENGINE for a route or a page, its store synced first
    when it is older than the allowed lag."""
    if cfg.engine == "spark" and cfg.max_lag_seconds < 0:
        # a query host: Spark reads the Parquet copy that a scheduled sync writes
        return spark_engine(cfg, parquet_path(store_path(settings, cfg), cfg))
    store = _store(request, settings, cfg)
    sync_mod.ensure_fresh(db, store, settings=cfg, now=now)
    return query_engine(store, cfg)


Ctx = Annotated[Analytics, Depends()]


class KpiQuery:
    """The query parameters every KPI route shares."""

    def __init__(
        self,
        cfg: AnalyticsSettingsDep,
        by: Annotated[
            str | None,
            Query(
                description="Comma list: a period (day, week, month, quarter, year) and/or "
                "dimensions (touchpoint, stage, department, channel, survey, model, product, "
                "segment:<attribute>; complaint rate: topic, source, model, touchpoint, stage, "
                "department).",
                examples=["month,touchpoint"],
            ),
        ] = None,
        period: Annotated[
            str | None, Query(description="day, week, month, quarter or year")
        ] = None,
        from_: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
        to: Annotated[date | None, Query(description="Last day, inclusive (UTC).")] = None,
        touchpoint: Annotated[list[str] | None, Query(description="Touchpoint keys.")] = None,
        segment: Annotated[
            list[str] | None, Query(description="attribute=value, e.g. tier=gold.")
        ] = None,
        model: Annotated[list[str] | None, Query(description="Product models.")] = None,
        survey: Annotated[list[str] | None, Query(description="Survey keys.")] = None,
        question: Annotated[str | None, Query(description="A question key.")] = None,
    ) -> None:
        by_period, self.by = kpi.split_by(by)
        if period and by_period and period != by_period:
            raise Invalid("period given twice", field="period")
        self.period = period or by_period
        if from_ and to and to < from_:
            raise Invalid("'to' is before 'from'", field="to")
        self.filters = kpi.Filters(
            start=_day_start(from_),
            end=_day_start(to + timedelta(days=1)) if to else None,
            touchpoints=tuple(touchpoint or ()),
            segment=kpi.parse_segment(segment or ()),
            models=tuple(model or ()),
            surveys=tuple(survey or ()),
            question=question,
        )
        self.min_n = cfg.min_n


Params = Annotated[KpiQuery, Depends()]


def _out(store: Engine, result: kpi.Kpi[Any]) -> KpiOut:
    return KpiOut(
        metric=result.metric,
        period=result.period,
        by=list(result.by),
        min_n=result.min_n,
        as_of=_aware(store.last_synced_at()),
        notes=result.notes,
        rows=[KpiRowOut.of(r) for r in result.rows],
    )


def _args(q: KpiQuery) -> dict[str, Any]:
    return {"period": q.period, "by": q.by, "filters": q.filters, "min_n": q.min_n}


@router.get("/kpi/nps")
def nps(q: Params, ctx: Ctx) -> KpiOut:
    """Net Promoter Score (%promoters 9–10 − %detractors 0–6) with its 95 % margin of error."""
    kpi.check_query("nps", period=q.period, by=q.by, filters=q.filters)
    store = ctx.fresh()
    return _out(store, kpi.nps(store, **_args(q)))


@router.get("/kpi/csat")
def csat(q: Params, ctx: Ctx) -> KpiOut:
    """CSAT: % of 4–5 answers on the 1–5 scale, with the Wilson 95 % interval."""
    kpi.check_query("csat", period=q.period, by=q.by, filters=q.filters)
    store = ctx.fresh()
    return _out(store, kpi.csat(store, **_args(q)))


@router.get("/kpi/ces")
def ces(q: Params, ctx: Ctx) -> KpiOut:
    """CES 2.0: mean agreement (1–7) with a t interval, and % who agree (5–7)."""
    kpi.check_query("ces", period=q.period, by=q.by, filters=q.filters)
    store = ctx.fresh()
    return _out(store, kpi.ces(store, **_args(q)))


@router.get("/kpi/response-rate")
def response_rate(q: Params, ctx: Ctx) -> KpiOut:
    """Responses / invitations sent, by the period the invitations were sent in."""
    kpi.check_query("response_rate", period=q.period, by=q.by, filters=q.filters)
    store = ctx.fresh()
    return _out(store, kpi.response_rate(store, **_args(q)))


@router.get("/kpi/complaint-rate")
def complaint_rate(
    q: Params,
    cfg: AnalyticsSettingsDep,
    exposure: Annotated[
        str | None,
        Query(description="holders (of the product/model) or interactions (at the touchpoint)"),
    ] = None,
    source: Annotated[
        list[str] | None, Query(description="Feedback sources counted as complaints.")
    ] = None,
    topics: Annotated[
        str | None, Query(description="Topic source: property (default) or source.")
    ] = None,
    per: Annotated[int, Query(ge=1, le=1_000_000)] = 1000,
    *,
    ctx: Ctx,
) -> KpiOut:
    """Complaints per 1,000 customers holding the product/model, or per 1,000 interactions at
    the touchpoint, with the exact Poisson 95 % interval; a time series with `by=month`."""
    kpi.check_query(
        "complaint_rate", period=q.period, by=q.by, filters=q.filters, exposure=exposure,
        topics=topics,
    )  # fmt: skip
    store = ctx.fresh()
    result = kpi.complaint_rate(
        store,
        **_args(q),
        exposure=exposure,
        sources=tuple(source or cfg.complaint_sources),
        topics=topics,
        per=per,
    )
    return _out(store, result)


@router.get("/kpi/compare")
def compare(
    q: Params,
    cfg: AnalyticsSettingsDep,
    metric: Annotated[
        str, Query(description="nps, csat, ces, response_rate or complaint_rate")
    ] = "nps",
    previous_from: Annotated[date | None, Query()] = None,
    previous_to: Annotated[date | None, Query(description="Inclusive.")] = None,
    *,
    ctx: Ctx,
) -> CompareOut:
    """The metric in [from, to] against the previous period (by default the equally long one
    just before) per group, with the change and its significance test."""
    metric = metric.replace("-", "_")
    f = q.filters
    if f.start is None or f.end is None:
        raise Invalid("give 'from' and 'to' for the current period", field="from")
    previous = None
    if previous_from or previous_to:
        if not (previous_from and previous_to) or previous_to < previous_from:
            raise Invalid("give both previous_from and previous_to", field="previous_from")
        previous = (_day(previous_from), _day(previous_to + timedelta(days=1)))
    kpi.check_query(metric, by=q.by, filters=f)
    options: dict[str, Any] = {}
    if metric == "complaint_rate":
        options["sources"] = tuple(cfg.complaint_sources)
    store = ctx.fresh()
    result = kpi.compare(
        store,
        metric,
        current=(f.start, f.end),
        previous=previous,
        by=q.by,
        filters=f,
        min_n=q.min_n,
        **options,
    )
    return CompareOut(
        metric=result.metric,
        by=list(result.by),
        current_from=result.current[0],
        current_to=result.current[1],
        previous_from=result.previous[0],
        previous_to=result.previous[1],
        min_n=result.min_n,
        as_of=_aware(store.last_synced_at()),
        rows=[ChangeOut.of(r) for r in result.rows],
    )


@router.post("/analytics/sync")
def run_sync(
    user: Analyst,
    db: DbSession,
    clock: ClockDep,
    cfg: AnalyticsSettingsDep,
    store: Annotated[Store, Depends(get_store)],
    full: bool = False,
) -> SyncOut:
    """Brings the analytical store up to date now (idempotent; `full` reloads everything)."""
    return SyncOut(**sync_mod.sync(db, store=store, settings=cfg, now=clock.now(), full=full))


@router.get("/analytics/status")
def status(
    user: Analyst,
    clock: ClockDep,
    cfg: AnalyticsSettingsDep,
    store: Annotated[Store, Depends(get_store)],
) -> StatusOut:
    """When the analytical store was last synced and how far behind it is."""
    return StatusOut(
        **sync_mod.status(store, now=clock.now(), settings=cfg),
        max_lag_seconds=cfg.max_lag_seconds,
    )


def _day(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _day_start(day: date | None) -> datetime | None:
    return None if day is None else _day(day)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)
