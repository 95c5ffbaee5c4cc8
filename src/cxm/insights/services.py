"""Insights: key drivers and moments of truth (computed when asked), and customer value and
churn risk (refreshed on demand, stored per customer so segments and the agent queue can use
them).

Key drivers and the CLV's purchase histories read the analytical store through an `Engine`
(routes and pages pass `cxm.analytics.api.fresh_engine`, the worker the store it opens). Called
without one (scripts, tests), they read a throw-away in-memory store synced from `db` with just
the tables they need. The churn features still read the operational database.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cxm.analytics import clv as clv_mod
from cxm.analytics import drivers
from cxm.analytics import sync as sync_mod
from cxm.analytics.engine import Engine
from cxm.analytics.settings import AnalyticsSettings
from cxm.analytics.store import Store
from cxm.cases import services as cases
from cxm.customers.models import Customer
from cxm.segments.models import CustomerScore, ScoreRun
from cxm.shared.errors import Invalid

CLV = "clv"
CHURN = "churn"


@contextmanager
def scratch_engine(db: Session, *, now: datetime, tables: Sequence[str]) -> Iterator[Engine]:
    """A throw-away in-memory DuckDB store with `tables` synced from `db` (no Parquet copy):
    for callers without the application's store (scripts, tests)."""
    cfg = AnalyticsSettings(engine="duckdb", parquet=False)
    with Store(":memory:") as store:
        sync_mod.sync(db, store=store, settings=cfg, now=now, tables=list(tables))
        yield store


@contextmanager
def _engine_or_scratch(
    engine: Engine | None, db: Session, *, now: datetime, tables: Sequence[str]
) -> Iterator[Engine]:
    if engine is not None:
        yield engine
        return
    with scratch_engine(db, now=now, tables=tables) as scratch:
        yield scratch


def driver_analysis(
    db: Session,
    *,
    now: datetime,
    engine: Engine | None = None,
    outcome: str = "nps",
    window_days: int = 365,
    surveys: Sequence[str] = (),
    topics: bool = True,
    missing: drivers.Missing = "mean",
    bootstrap: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    touchpoints: Sequence[str] | None = None,
) -> drivers.DriverAnalysis:
    """Relative weights with intervals, the importance × performance matrix and the moments of
    truth for the outcome over the window (see cxm.analytics.drivers for the data), read from
    the analytical store through `engine` (a scratch store synced from `db` without one)."""
    with _engine_or_scratch(engine, db, now=now, tables=drivers.SYNCED) as source:
        frame = drivers.customer_frame(
            source,
            now=now,
            window_days=window_days,
            outcome=outcome,
            outcome_surveys=surveys,
            topics=topics,
        )
    return drivers.analyse(
        frame,
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed,
        missing=missing,
        touchpoints=touchpoints,
    )


def moments_of_truth(
    db: Session,
    *,
    touchpoint_keys: Iterable[str],
    now: datetime,
    engine: Engine | None = None,
    window_days: int = 365,
    outcome: str = "nps",
    bootstrap: int = 200,
    seed: int = 0,
) -> list[drivers.MomentOfTruth]:
    """The ranked moments of truth among the given touchpoints (a journey's); empty when the
    data do not support an analysis."""
    with _engine_or_scratch(engine, db, now=now, tables=drivers.SYNCED) as source:
        return drivers.journey_moments_of_truth(
            source,
            touchpoint_keys=touchpoint_keys,
            now=now,
            window_days=window_days,
            outcome=outcome,
            bootstrap=bootstrap,
            seed=seed,
        )


# ----------------------------------------------------------------------------------------------
# Scores


@dataclass(frozen=True, slots=True)
class RefreshResult:
    customers: int
    clv: dict[str, Any] | None
    churn: dict[str, Any] | None
    computed_at: datetime


def refresh_scores(
    db: Session,
    *,
    now: datetime,
    engine: Engine | None = None,
    window_days: int = 365,
    months: int = 12,
    horizon_days: int = 90,
) -> RefreshResult:
    """Fits CLV (BG/NBD + Gamma-Gamma) and churn risk now and replaces every stored score.

    A model the data cannot support is skipped and its reason kept in the run's summary. The
    purchase histories come from the analytical store through `engine` (a scratch store
    synced from `db` without one); the churn features from `db`.
    """
    values: dict[uuid.UUID, tuple[float, clv_mod.ValueTier, float, float]] = {}
    clv_summary: dict[str, Any]
    try:
        with _engine_or_scratch(engine, db, now=now, tables=clv_mod.SYNCED) as source:
            result = clv_mod.customer_lifetime_values(
                source, now=now, window_days=window_days, months=months
            )
    except Invalid as exc:
        clv_summary = {"ok": False, "reason": exc.message}
    else:
        for i, customer in enumerate(result.customers):
            values[customer] = (
                float(result.clv[i]),
                result.tiers[i],
                float(result.expected_purchases[i]),
                float(result.probability_alive[i]),
            )
        clv_summary = _clv_summary(result, window_days)

    risks: dict[uuid.UUID, float] = {}
    churn_summary: dict[str, Any]
    try:
        model = clv_mod.churn_model(db, now=now, horizon_days=horizon_days)
    except Invalid as exc:
        churn_summary = {"ok": False, "reason": exc.message}
        high, low = 1.0, 0.0
    else:
        risks = model.by_customer()
        high, low = clv_mod.risk_thresholds(model.risk)
        churn_summary = _churn_summary(model, high, low)

    living = set(db.scalars(select(Customer.id).where(Customer.merged_into_id.is_(None))))
    rows = []
    for customer in sorted((set(values) | set(risks)) & living, key=str):
        value = values.get(customer)
        risk = risks.get(customer)
        tier = value[1] if value else None
        experience = clv_mod.experience_of(risk, high=high, low=low)
        rows.append(
            {
                "customer_id": customer,
                "clv": value[0] if value else None,
                "value_tier": tier.value if tier else None,
                "expected_purchases": value[2] if value else None,
                "probability_alive": value[3] if value else None,
                "churn_risk": risk,
                "experience": experience.value,
                "category": clv_mod.category_of(tier, experience).value,
                "computed_at": now,
            }
        )
    db.execute(delete(CustomerScore))
    for start in range(0, len(rows), 1000):
        db.execute(insert(CustomerScore), rows[start : start + 1000])
    clv_summary, churn_summary = _finite(clv_summary), _finite(churn_summary)
    db.add(ScoreRun(kind=CLV, computed_at=now, summary=clv_summary))
    db.add(ScoreRun(kind=CHURN, computed_at=now, summary=churn_summary))
    db.commit()
    return RefreshResult(len(rows), clv_summary, churn_summary, now)


def _finite(value: Any) -> Any:
    """The summary with NaN and infinities as None (JSON and JSONB refuse them)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _clv_summary(result: clv_mod.ClvResult, window_days: int) -> dict[str, Any]:
    bg, gg = result.bgnbd, result.gamma_gamma
    tiers = Counter(t.value for t in result.tiers)
    return {
        "ok": True,
        "customers": len(result.customers),
        "window_days": window_days,
        "months": result.months,
        "bgnbd": {
            "r": bg.r,
            "alpha": bg.alpha,
            "a": bg.a,
            "b": bg.b,
            "log_likelihood": bg.log_likelihood,
        },
        "gamma_gamma": None if gg is None else {"p": gg.p, "q": gg.q, "gamma": gg.gamma, "n": gg.n},
        "spend_source": result.spend_source,
        "total_clv": float(result.clv.sum()),
        "mean_clv": float(result.clv.mean()) if result.clv.size else 0.0,
        "median_clv": float(np.median(result.clv)) if result.clv.size else 0.0,
        "tiers": dict(tiers),
        "notes": result.notes,
    }


def _churn_summary(model: clv_mod.ChurnModel, high: float, low: float) -> dict[str, Any]:
    return {
        "ok": True,
        "auc": model.auc,
        "horizon_days": model.horizon_days,
        "train_cutoff": model.train_cutoff.isoformat(),
        "test_cutoff": model.test_cutoff.isoformat(),
        "train_n": model.train_n,
        "train_positives": model.train_positives,
        "test_n": model.test_n,
        "test_positives": model.test_positives,
        "coefficients": model.coefficients,
        "scored": len(model.customers),
        "at_risk_from": high,
        "good_below": low,
    }


def latest_run(db: Session, kind: str) -> ScoreRun | None:
    return db.scalars(
        select(ScoreRun).where(ScoreRun.kind == kind).order_by(ScoreRun.computed_at.desc()).limit(1)
    ).first()


@dataclass(frozen=True, slots=True)
class ScoredCustomer:
    id: uuid.UUID
    display_name: str
    clv: float | None
    value_tier: str | None
    churn_risk: float | None
    experience: str | None
    category: str | None


def _scored(query: Any, limit: int) -> Any:
    return (
        select(
            Customer.id,
            Customer.display_name,
            CustomerScore.clv,
            CustomerScore.value_tier,
            CustomerScore.churn_risk,
            CustomerScore.experience,
            CustomerScore.category,
        )
        .join(CustomerScore, CustomerScore.customer_id == Customer.id)
        .where(query)
        .limit(limit)
    )


def _rows(db: Session, statement: Any) -> list[ScoredCustomer]:
    return [ScoredCustomer(*row) for row in db.execute(statement)]


def priority_customers(db: Session, *, limit: int = 50) -> list[ScoredCustomer]:
    """High-value customers at risk, most valuable first: the agent queue's priority list."""
    statement = _scored(CustomerScore.category == clv_mod.Category.PRIORITY.value, limit).order_by(
        CustomerScore.clv.desc(), CustomerScore.churn_risk.desc(), Customer.id
    )
    return _rows(db, statement)


def is_priority(db: Session, customer_id: uuid.UUID) -> bool:
    """Whether the customer is in the priority cell (high value, at risk) as last scored."""
    category = db.scalar(
        select(CustomerScore.category).where(CustomerScore.customer_id == customer_id)
    )
    return category == clv_mod.Category.PRIORITY.value


PRIORITY_REASON = "high_value_at_risk"


def _priority_reason(db: Session, customer_id: uuid.UUID) -> str | None:
    return PRIORITY_REASON if is_priority(db, customer_id) else None


# A new case of a high-value customer at risk gets one level more priority (cxm.cases).
cases.register_priority_raiser(_priority_reason)


def priority_ids(db: Session, customer_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the customers in the priority cell (high value, at risk) as last scored."""
    wanted = list(set(customer_ids))
    if not wanted:
        return set()
    return set(
        db.scalars(
            select(CustomerScore.customer_id).where(
                CustomerScore.customer_id.in_(wanted),
                CustomerScore.category == clv_mod.Category.PRIORITY.value,
            )
        )
    )


def top_by_value(db: Session, *, limit: int = 20) -> list[ScoredCustomer]:
    statement = _scored(CustomerScore.clv.is_not(None), limit).order_by(
        CustomerScore.clv.desc(), Customer.id
    )
    return _rows(db, statement)


def top_by_risk(db: Session, *, limit: int = 20) -> list[ScoredCustomer]:
    statement = _scored(CustomerScore.churn_risk.is_not(None), limit).order_by(
        CustomerScore.churn_risk.desc(), Customer.id
    )
    return _rows(db, statement)


TIERS = ("high", "medium", "low", "none")
EXPERIENCES = ("at_risk", "neutral", "good")


def value_experience_grid(db: Session) -> dict[str, dict[str, int]]:
    """Scored customers per value tier (rows) and experience (columns)."""
    grid = {tier: dict.fromkeys(EXPERIENCES, 0) for tier in TIERS}
    for tier, experience, in_cell in db.execute(
        select(CustomerScore.value_tier, CustomerScore.experience, func.count()).group_by(
            CustomerScore.value_tier, CustomerScore.experience
        )
    ):
        grid[tier or "none"][experience or "neutral"] += int(in_cell)
    return grid
