"""The dashboard's figures from the analytical store: KPI tiles with their change against the
previous period (and whether it is significant), NPS by touchpoint, complaint rate by topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cxm.analytics import kpi
from cxm.analytics.store import Store


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    value: float | None
    unit: str
    delta: float | None
    significant: bool | None
    n: int


def _value(metric: str, result: Any) -> tuple[float | None, int]:
    if metric == "ces":
        return result.mean, result.n
    return result.value, result.n


def tiles(store: Store, *, now: datetime, days: int = 30, min_n: int = 30) -> list[Tile]:
    """NPS, CSAT, CES and response rate of the last `days` against the `days` before."""
    out = []
    for metric, unit in (("nps", ""), ("csat", "%"), ("ces", ""), ("response_rate", "%")):
        result = kpi.compare(store, metric, current=(now - timedelta(days=days), now), min_n=min_n)
        if not result.rows:
            out.append(Tile(metric, None, unit, None, None, 0))
            continue
        row = result.rows[0]
        value, n = _value(metric, row.current)
        out.append(Tile(metric, value, unit, row.change.delta, row.change.significant, n))
    return out


def nps_by_touchpoint(store: Store, *, now: datetime, days: int = 90, min_n: int = 30) -> list[Any]:
    """NPS per touchpoint over the last `days`, weakest first (suppressed ones last)."""
    result = kpi.nps(
        store,
        by=["touchpoint"],
        filters=kpi.Filters(start=now - timedelta(days=days), end=now),
        min_n=min_n,
    )
    return sorted(
        result.rows,
        key=lambda r: (r.result.value is None, r.result.value if r.result.value is not None else 0),
    )


def complaint_rate_by_topic(store: Store, *, now: datetime, months: int = 6) -> list[Any]:
    """Complaints per 1,000 interactions by topic and month over the last months."""
    result = kpi.complaint_rate(
        store,
        period="month",
        by=["topic"],
        filters=kpi.Filters(start=now - timedelta(days=31 * months), end=now),
        exposure="interactions",
    )
    return result.rows
