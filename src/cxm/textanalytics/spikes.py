"""Emerging topics: which topics (or terms) rise significantly against their own baseline.

For each series (a topic overall, per product/model, per touchpoint) the last ``recent_days``
days are compared with the ``baseline_days`` before them. Under "no change" the recent count,
given the total of both windows, is binomial with p = recent exposure / total exposure (the
exact conditional test for two Poisson rates; exposure is days, or document volume when totals
are given). Counts are deflated by the over-dispersion seen between the baseline's weeks
(quasi-Poisson), p-values are corrected for testing many series (Benjamini-Hochberg), and an
alert also needs a minimum count and a minimum rate ratio. The null hypothesis is "the rate rose
by at most ``null_ratio``" rather than "no change", because precision matters more than catching
every wobble.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cxm.textanalytics.domain import SpikeAlert

Key = tuple[str, str | None, str | None]  # topic, product, touchpoint


@dataclass(frozen=True, slots=True)
class TopicCount:
    """How often a topic (or term) occurred on one day, optionally for a product and touchpoint."""

    day: date
    topic: str
    count: int
    product: str | None = None
    touchpoint: str | None = None


@dataclass(frozen=True, slots=True)
class SpikeConfig:
    recent_days: int = 7
    baseline_days: int = 28
    min_recent: int = 5
    min_ratio: float = 2.0
    null_ratio: float = 1.5
    fdr: float = 0.01
    breakdowns: tuple[tuple[str, ...], ...] = (
        (),
        ("product",),
        ("touchpoint",),
        ("product", "touchpoint"),
    )


def _log_binom_pmf(k: float, n: float, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space (exact, no SciPy)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    logs = [_log_binom_pmf(i, n, p) for i in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted q-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q


def _dispersion(daily: Sequence[float]) -> float:
    """Variance-to-mean ratio of the baseline's daily counts (weekday cycles, bursts), >= 1."""
    n = len(daily)
    mean = sum(daily) / n if n else 0.0
    if n < 2 or mean <= 0:
        return 1.0
    ratio = sum((w - mean) ** 2 for w in daily) / (n - 1) / mean
    # Under Poisson the ratio is about 1 +- sqrt(2 / (n - 1)): only clear excess counts, so that
    # sampling noise does not weaken the test.
    return ratio if ratio > 1.0 + 2.0 * math.sqrt(2.0 / (n - 1)) else 1.0


def _describe(key: Key) -> str:
    topic, product, touchpoint = key
    where = []
    if product:
        where.append(f"among owners of {product}")
    if touchpoint:
        where.append(f"via {touchpoint}")
    return f"spike in '{topic}'" + (" " + " ".join(where) if where else "")


def detect_spikes(
    counts: Iterable[TopicCount],
    *,
    as_of: date,
    totals: Mapping[date, int] | None = None,
    config: SpikeConfig = SpikeConfig(),
) -> list[SpikeAlert]:
    """Alerts for topics whose last-``recent_days`` frequency (ending on ``as_of``) rose
    significantly against the ``baseline_days`` before; most significant first."""
    recent_start = as_of - timedelta(days=config.recent_days - 1)
    base_start = recent_start - timedelta(days=config.baseline_days)
    per_day: dict[Key, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for c in counts:
        if not base_start <= c.day <= as_of:
            continue
        for dims in config.breakdowns:
            key: Key = (
                c.topic,
                c.product if "product" in dims else None,
                c.touchpoint if "touchpoint" in dims else None,
            )
            if ("product" in dims and c.product is None) or (
                "touchpoint" in dims and c.touchpoint is None
            ):
                continue
            per_day[key][c.day] += c.count

    if totals:
        recent_exposure = float(sum(v for d, v in totals.items() if recent_start <= d <= as_of))
        base_exposure = float(sum(v for d, v in totals.items() if base_start <= d < recent_start))
    else:
        recent_exposure, base_exposure = float(config.recent_days), float(config.baseline_days)
    if recent_exposure <= 0 or base_exposure <= 0:
        return []
    # The null hypothesis allows a rise up to null_ratio: only material increases are tested.
    p0 = config.null_ratio * recent_exposure / (config.null_ratio * recent_exposure + base_exposure)

    candidates: list[tuple[Key, int, int, float, float, float]] = []
    for key, days in per_day.items():
        recent = sum(v for d, v in days.items() if d >= recent_start)
        base = sum(v for d, v in days.items() if d < recent_start)
        expected = base * recent_exposure / base_exposure
        ratio = (recent + 0.5) / (expected + 0.5)
        daily = [
            float(days.get(base_start + timedelta(days=i), 0)) for i in range(config.baseline_days)
        ]
        phi = _dispersion(daily)
        k, n = int(round(recent / phi)), int(round((recent + base) / phi))
        p = binomial_sf(k, n, p0) if n > 0 else 1.0
        candidates.append((key, recent, base, expected, ratio, p))

    if not candidates:
        return []
    q_values = benjamini_hochberg([c[5] for c in candidates])
    alerts = []
    for (key, recent, base, expected, ratio, p), q in zip(candidates, q_values, strict=True):
        if q > config.fdr or recent < config.min_recent or ratio < config.min_ratio:
            continue
        topic, product, touchpoint = key
        alerts.append(
            SpikeAlert(
                topic=topic,
                product=product,
                touchpoint=touchpoint,
                recent_count=recent,
                baseline_count=base,
                expected=round(expected, 2),
                ratio=round(ratio, 2),
                p_value=p,
                q_value=q,
                message=f"{_describe(key)}: {recent} in the last {config.recent_days} days "
                f"vs. {expected:.1f} expected",
            )
        )
    alerts.sort(key=lambda a: (a.q_value, -a.ratio))
    return alerts
