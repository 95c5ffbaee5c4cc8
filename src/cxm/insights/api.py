"""Insight routes: key drivers, moments of truth, customer value, churn risk, priority list.

Reading needs analytics:read. Refreshing the stored scores (which segments and the agent queue
read) needs outreach:manage.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.analytics import drivers
from cxm.analytics.api import AnalyticsSettingsDep, Ctx, fresh_engine
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.insights import services
from cxm.insights.schemas import (
    ChurnOut,
    ClvOut,
    DriverOut,
    DriversOut,
    DroppedOut,
    MomentOut,
    MomentsOut,
    RefreshOut,
    ScoredOut,
)

router = APIRouter(tags=["insights"])

Reader = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(require(Permission.OUTREACH_MANAGE))]
Outcome = Literal["nps", "csat", "ces"]
MissingIn = Literal["mean", "pairwise", "listwise"]


def moment_out(m: drivers.MomentOfTruth, analysis: drivers.DriverAnalysis | None) -> MomentOut:
    info = analysis.info(f"touchpoint:{m.touchpoint}") if analysis else None
    return MomentOut(
        touchpoint=m.touchpoint,
        name_de=info.name_de if info else m.touchpoint,
        name_en=info.name_en if info else m.touchpoint,
        rank=m.rank,
        score=m.score,
        share=m.share,
        share_low=m.share_low,
        share_high=m.share_high,
        r=m.r,
        n=m.n,
        performance=m.performance,
        quadrant=m.quadrant.value,
    )


def drivers_out(analysis: drivers.DriverAnalysis) -> DriversOut:
    result, frame = analysis.result, analysis.frame
    quadrants = {p.key: p.quadrant.value for p in analysis.matrix}
    rows = []
    for w in result.weights:
        info = analysis.info(w.key)
        rows.append(
            DriverOut(
                key=w.key,
                kind=info.kind if info else "other",
                ref=info.ref if info else w.key,
                name_de=info.name_de if info else w.key,
                name_en=info.name_en if info else w.key,
                weight=w.raw,
                share=w.share,
                share_low=w.share_low,
                share_high=w.share_high,
                r=w.r,
                n=w.n,
                performance=frame.performance.get(w.key),
                quadrant=quadrants.get(w.key),
            )
        )
    return DriversOut(
        outcome=frame.outcome,
        start=frame.start,
        end=frame.end,
        n=result.n,
        r2=result.r2,
        r2_low=result.r2_low,
        r2_high=result.r2_high,
        missing=result.missing,
        bootstrap=result.bootstrap,
        confidence=result.confidence,
        seed=result.seed,
        notes=list(result.notes),
        drivers=rows,
        dropped=[DroppedOut(key=d.key, reason=d.reason) for d in result.dropped],
        moments_of_truth=[moment_out(m, analysis) for m in analysis.moments],
    )


@router.get("/insights/drivers")
def key_drivers(
    ctx: Ctx,  # analytics:read, as Reader
    outcome: Outcome = "nps",
    window_days: Annotated[int, Query(ge=7, le=3650)] = 365,
    survey: Annotated[list[str] | None, Query(max_length=20)] = None,
    topics: bool = True,
    missing: MissingIn = "mean",
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
    confidence: Annotated[float, Query(gt=0.5, lt=1.0)] = 0.95,
    seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> DriversOut:
    """Johnson's relative weights of touchpoint satisfaction and topic presence for the
    outcome (one row per customer; see the docs of cxm.analytics.drivers), with percentile
    bootstrap intervals, the importance × performance quadrants and the moments of truth.
    422 when the window holds too little data. Reads the analytical store (synced first when
    older than CXM_ANALYTICS_MAX_LAG_SECONDS; on Spark with CXM_ANALYTICS_ENGINE=spark)."""
    analysis = services.driver_analysis(
        ctx.db,
        now=ctx.clock.now(),
        engine=ctx.fresh(),
        outcome=outcome,
        window_days=window_days,
        surveys=tuple(survey or ()),
        topics=topics,
        missing=missing,
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed,
    )
    return drivers_out(analysis)


@router.get("/insights/moments-of-truth")
def moments_of_truth(
    ctx: Ctx,  # analytics:read, as Reader
    touchpoint: Annotated[list[str] | None, Query(max_length=100)] = None,
    outcome: Outcome = "nps",
    window_days: Annotated[int, Query(ge=7, le=3650)] = 365,
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
) -> MomentsOut:
    """The touchpoints ranked by importance × performance gap, optionally only those given
    (a journey's); each with its evidence (n, share of R² and interval, correlation)."""
    analysis = services.driver_analysis(
        ctx.db,
        now=ctx.clock.now(),
        engine=ctx.fresh(),
        outcome=outcome,
        window_days=window_days,
        bootstrap=bootstrap,
        touchpoints=touchpoint,
    )
    return MomentsOut(
        outcome=outcome,
        touchpoints=touchpoint,
        moments_of_truth=[moment_out(m, analysis) for m in analysis.moments],
    )


def _scored(rows: list[services.ScoredCustomer]) -> list[ScoredOut]:
    return [ScoredOut(**vars_of(r)) for r in rows]


def vars_of(row: services.ScoredCustomer) -> dict[str, object]:
    return {name: getattr(row, name) for name in ScoredOut.model_fields}


@router.get("/insights/clv")
def lifetime_value(
    db: DbSession, user: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> ClvOut:
    """The last CLV fit (BG/NBD + Gamma-Gamma), customers per value × experience, the most
    valuable customers."""
    run = services.latest_run(db, services.CLV)
    return ClvOut(
        computed_at=run.computed_at if run else None,
        summary=run.summary if run else None,
        grid=services.value_experience_grid(db),
        top=_scored(services.top_by_value(db, limit=limit)),
    )


@router.get("/insights/churn")
def churn(db: DbSession, user: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> ChurnOut:
    """The last churn model with its held-back AUC and the customers most at risk."""
    run = services.latest_run(db, services.CHURN)
    return ChurnOut(
        computed_at=run.computed_at if run else None,
        summary=run.summary if run else None,
        top=_scored(services.top_by_risk(db, limit=limit)),
    )


@router.get("/insights/priority-customers")
def priority_customers(
    db: DbSession, user: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ScoredOut]:
    """High value and at risk, most valuable first."""
    return _scored(services.priority_customers(db, limit=limit))


@router.post("/insights/scores/refresh")
def refresh(
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
    cfg: AnalyticsSettingsDep,
    window_days: Annotated[int, Query(ge=30, le=3650)] = 365,
    horizon_days: Annotated[int, Query(ge=14, le=365)] = 90,
) -> RefreshOut:
    """Fits CLV and churn risk now and replaces the stored scores (purchase histories from the
    analytical store, synced first when stale; churn features from the database)."""
    now = clock.now()
    result = services.refresh_scores(
        db,
        now=now,
        engine=fresh_engine(request, db, settings, cfg, now=now),
        window_days=window_days,
        horizon_days=horizon_days,
    )
    return RefreshOut(
        computed_at=result.computed_at,
        customers=result.customers,
        clv=result.clv,
        churn=result.churn,
    )
