"""Response shapes of the KPI and analytics endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from cxm.analytics import kpi, metrics


class KpiRowOut(BaseModel):
    """One group's score in one period. Counts that would reveal a suppressed score are null."""

    period: date | None = Field(description="First day of the period (ISO weeks: Monday).")
    group: dict[str, str | None] = Field(description="The group's label per dimension.")
    suppressed: bool = Field(description="True when n (or the exposure) is below min_n.")
    n: int | None = Field(default=None, description="Valid answers (or invitations sent).")
    value: float | None = Field(
        default=None,
        description="NPS (−100..100), CSAT / % agree / response rate (%), CES mean (1..7) or "
        "complaints per `per` exposure.",
    )
    # NPS
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None
    moe: float | None = Field(default=None, description="NPS 95 % margin of error (points).")
    # proportions (CSAT, response rate) and rates
    hits: int | None = None
    ci_low: float | None = Field(default=None, description="Lower end of the 95 % interval.")
    ci_high: float | None = Field(default=None, description="Upper end of the 95 % interval.")
    # CES
    sd: float | None = None
    agree: float | None = Field(default=None, description="CES: % who agree (5–7).")
    agree_ci_low: float | None = None
    agree_ci_high: float | None = None
    # complaint rate
    complaints: int | None = None
    exposure: int | None = None

    @classmethod
    def of(cls, row: kpi.KpiRow[Any]) -> KpiRowOut:
        r = row.result
        flat = kpi.flatten(r)
        base: dict[str, Any] = {
            "period": row.period,
            "group": row.group,
            "suppressed": r.suppressed,
        }
        if isinstance(r, metrics.Nps):
            keys = ("n", "value", "moe", "promoters", "passives", "detractors")
            return cls(**base, **{k: flat[k] for k in keys})
        if isinstance(r, metrics.Proportion):
            return cls(**base, **{k: flat[k] for k in ("n", "hits", "value", "ci_low", "ci_high")})
        if isinstance(r, metrics.Ces):
            return cls(
                **base,
                n=r.n,
                value=r.mean,
                sd=r.sd,
                ci_low=r.ci_low,
                ci_high=r.ci_high,
                agree=r.agree.value,
                agree_ci_low=r.agree.ci_low,
                agree_ci_high=r.agree.ci_high,
            )
        return cls(
            **base,
            complaints=flat["events"],
            exposure=r.exposure,
            value=r.value,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
        )


class KpiOut(BaseModel):
    metric: str
    period: str | None
    by: list[str]
    min_n: int
    as_of: datetime | None = Field(description="When the analytical store was last synced.")
    notes: dict[str, Any] = Field(default_factory=dict)
    rows: list[KpiRowOut]


class ChangeOut(BaseModel):
    group: dict[str, str | None]
    current: float | None
    previous: float | None
    current_n: int | None
    previous_n: int | None
    current_suppressed: bool
    previous_suppressed: bool
    delta: float | None
    statistic: float | None
    p_value: float | None
    significant: bool | None
    test: str

    @classmethod
    def of(cls, row: kpi.Comparison[Any]) -> ChangeOut:
        c, p, ch = row.current, row.previous, row.change
        return cls(
            group=row.group,
            current=ch.current,
            previous=ch.previous,
            current_n=_n(c),
            previous_n=_n(p),
            current_suppressed=c.suppressed,
            previous_suppressed=p.suppressed,
            delta=ch.delta,
            statistic=ch.statistic,
            p_value=ch.p_value,
            significant=ch.significant,
            test=ch.test,
        )


def _n(result: Any) -> int:
    return int(result.exposure if isinstance(result, metrics.Rate) else result.n)


class CompareOut(BaseModel):
    metric: str
    by: list[str]
    current_from: datetime
    current_to: datetime
    previous_from: datetime
    previous_to: datetime
    min_n: int
    as_of: datetime | None
    rows: list[ChangeOut]


class SyncOut(BaseModel):
    synced_at: datetime
    previous_sync_at: datetime | None
    lag_seconds_before: float | None
    seconds: float
    tables: dict[str, dict[str, Any]]
    parquet: dict[str, Any] | None = None


class StatusOut(BaseModel):
    path: str
    last_sync_at: datetime | None
    lag_seconds: float | None
    max_lag_seconds: float
    tables: dict[str, dict[str, Any]]
    engine: str = "duckdb"
    parquet: dict[str, Any] | None = None
