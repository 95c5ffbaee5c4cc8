"""Key driver analysis: which touchpoints and topics move an outcome (NPS or any score).

The numbers (pure, numpy only):

- **Johnson's relative weights** (Johnson 2000). With R the drivers' correlation matrix,
  R = V diag(λ) Vᵀ, Λ = V diag(√λ) Vᵀ holds the correlations between the drivers and their
  closest orthonormal counterparts Z; β = Λ⁻¹ r_xy regresses the outcome on Z, and the raw
  weight of driver j is ε_j = Σ_m Λ_jm² β_m². The raw weights add up to the model's R²; the
  share is ε_j / R² in percent. Everything needs only the correlation matrix, so a bootstrap
  resample costs one pass over the data (its weighted sums) plus a k×k eigen-decomposition.
- **Bootstrap intervals**: B resamples of the rows (with replacement, seeded). Each resample is a
  vector of row counts; all B resamples' sums come from one matrix product per block of rows
  (counts × per-row products), and the B eigen-decompositions run as one batched call. Intervals
  are percentile intervals.
- **Missing driver values**, three documented choices: ``pairwise`` (the default of
  `relative_weights`) correlates each pair of columns over the rows where both are present
  (pair-specific means and variances, as R's ``cor(use="pairwise.complete.obs")``); a matrix
  that is not positive semi-definite then has its negative eigenvalues set to zero, and pairs
  seen together in fewer than 3 rows correlate 0 (noted as ``sparse_pairs``): meant for dense
  data such as one survey rating every driver. ``listwise`` keeps only rows where every kept
  driver is present. ``mean`` puts a driver's mean where it is missing ("no experience there
  counts as an average one"): the choice for touchpoint data, where each customer meets only a
  few touchpoints and pairs of touchpoints rarely share a customer (`analyse` uses it by
  default). Rows without the outcome are always dropped.
- **Drivers dropped with a reason**: fewer than ``min_values`` values (``too_few_values``), or
  one value only (``constant``). A pair of columns with fewer than 3 common rows, and a column
  that is constant within one bootstrap resample, correlate 0 there.
- Fewer than k + 2 rows for k drivers is an error (the regression has no residual freedom).

Importance × performance puts each driver into a quadrant (important and weak: fix first), and
moments of truth are the touchpoint drivers ranked by importance times the performance gap.

The data (`customer_frame`): one row per customer, read from the analytical store through an
`Engine` (DuckDB, or Spark over the Parquet copy; one Ibis expression for both); see its
docstring for the exact construction.
"""

from __future__ import annotations

import functools
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from cxm.analytics import text_topics
from cxm.analytics.engine import Engine
from cxm.analytics.store import table
from cxm.shared.errors import Invalid

Missing = Literal["pairwise", "listwise", "mean"]
Floats = NDArray[np.float64]

MIN_PAIR_ROWS = 3
_ROW_BLOCK = 4096
_EIGEN_TOL = 1e-10


# ----------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class DriverWeight:
    """One driver's relative weight: raw (in R² units) and as % of R², with its intervals."""

    key: str
    raw: float
    share: float  # % of R²
    raw_low: float
    raw_high: float
    share_low: float
    share_high: float
    r: float  # correlation with the outcome (the direction of the effect)
    n: int  # rows where the driver has a value
    mean: float  # the driver's mean over those rows


@dataclass(frozen=True, slots=True)
class DroppedDriver:
    key: str
    reason: str  # constant | too_few_values


@dataclass(frozen=True, slots=True)
class KeyDrivers:
    """The relative weights of the kept drivers, largest first, and the model's R²."""

    n: int
    r2: float
    r2_low: float
    r2_high: float
    weights: list[DriverWeight]
    dropped: list[DroppedDriver]
    missing: str
    bootstrap: int
    confidence: float
    seed: int
    notes: tuple[str, ...] = ()  # sparse_pairs | indefinite (pairwise only)

    def weight(self, key: str) -> DriverWeight | None:
        return next((w for w in self.weights if w.key == key), None)


# ----------------------------------------------------------------------------------------------
# Relative weights from correlations (one matrix or a stack of them)


def relative_weights_from_correlations(rxx: Floats, rxy: Floats) -> tuple[Floats, Floats]:
    """Johnson's raw weights (..., k) and R² (...) for correlation matrices (..., k, k) and the
    drivers' correlations with the outcome (..., k); works on a stack of B matrices at once."""
    eigenvalues, vectors = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    scale = np.maximum(root.max(axis=-1, keepdims=True), 1.0)
    inverse = np.where(root > _EIGEN_TOL * scale, 1.0 / np.where(root > 0, root, 1.0), 0.0)
    vt = np.swapaxes(vectors, -1, -2)
    lam = (vectors * root[..., None, :]) @ vt
    beta = (vectors * inverse[..., None, :]) @ (vt @ rxy[..., None])
    raw: Floats = ((lam * lam) @ (beta * beta))[..., 0]
    return raw, raw.sum(axis=-1)


def _corr_from_moments(count: Floats, sums: Floats, products: Floats) -> Floats:
    """Correlation matrices (..., p, p) from weighted count, sums (..., p), products (..., p, p)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums / count[..., None]
        cov = products / count[..., None, None] - mean[..., :, None] * mean[..., None, :]
        var = np.diagonal(cov, axis1=-2, axis2=-1).copy()
        ok = var > 1e-12 * np.maximum(1.0, np.abs(mean) ** 2)
        sd = np.sqrt(np.where(ok, var, 1.0))
        corr = cov / (sd[..., :, None] * sd[..., None, :])
    corr = np.where(ok[..., :, None] & ok[..., None, :], corr, 0.0)
    p = corr.shape[-1]
    corr[..., np.arange(p), np.arange(p)] = 1.0
    return np.clip(corr, -1.0, 1.0)


def _corr_pairwise(n_pair: Floats, s: Floats, q: Floats, c: Floats) -> Floats:
    """Pairwise-complete correlations from weighted moments over the rows where both are present.

    n_pair[j,l] = Σw·m_j·m_l, s[j,l] = Σw·x_j·m_l, q[j,l] = Σw·x_j²·m_l, c[j,l] = Σw·x_j·x_l
    (x is 0 where missing, m the presence indicator); all (..., p, p).
    """
    st = np.swapaxes(s, -1, -2)
    qt = np.swapaxes(q, -1, -2)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_j = s / n_pair
        mean_l = st / n_pair
        cov = c / n_pair - mean_j * mean_l
        var_j = q / n_pair - mean_j * mean_j
        var_l = qt / n_pair - mean_l * mean_l
        ok = (
            (n_pair >= MIN_PAIR_ROWS)
            & (var_j > 1e-12 * np.maximum(1.0, mean_j * mean_j))
            & (var_l > 1e-12 * np.maximum(1.0, mean_l * mean_l))
        )
        corr = cov / np.sqrt(np.where(ok, var_j * var_l, 1.0))
    corr = np.where(ok, corr, 0.0)
    p = corr.shape[-1]
    corr[..., np.arange(p), np.arange(p)] = 1.0
    return np.clip(corr, -1.0, 1.0)


class _Moments:
    """Per-row products whose (weighted) column sums give correlation matrices.

    Complete data: x⊗x, x and 1 per row. Pairwise: x⊗x, m⊗m, x⊗m and x²⊗m (x is 0 where
    missing, m the presence indicator), each p×p per row.
    """

    def __init__(self, data: Floats, pairwise: bool) -> None:
        self.p = data.shape[1]
        self.pairwise = pairwise
        # Shift by the column means first: sums of squares stay well conditioned.
        present = ~np.isnan(data)
        center = np.nanmean(data, axis=0)
        self.x = np.where(present, data - center, 0.0)
        self.m = present.astype(np.float64)

    def width(self) -> int:
        square = int(self.p) * int(self.p)
        return 4 * square if self.pairwise else square + int(self.p) + 1

    def block(self, start: int, stop: int, out: NDArray[np.float32]) -> NDArray[np.float32]:
        """The row products of rows [start, stop) in single precision, written into ``out``."""
        x = self.x[start:stop].astype(np.float32)
        rows, p = x.shape
        square = p * p
        out = out[:rows]
        grid = out[:, : 4 * square].reshape(rows, 4, p, p) if self.pairwise else None
        if grid is None:
            np.einsum("ni,nj->nij", x, x, out=out[:, :square].reshape(rows, p, p))
            out[:, square : square + p] = x
            out[:, square + p] = 1.0
            return out
        m = self.m[start:stop].astype(np.float32)
        np.einsum("ni,nj->nij", x, x, out=grid[:, 0])
        np.einsum("ni,nj->nij", m, m, out=grid[:, 1])
        np.einsum("ni,nj->nij", x, m, out=grid[:, 2])
        np.einsum("ni,nj->nij", x * x, m, out=grid[:, 3])
        return out

    def sums(self) -> Floats:
        """The column sums over all rows, in double precision (1, width)."""
        x, m = self.x, self.m
        if not self.pairwise:
            parts = [(x.T @ x).ravel(), x.sum(axis=0), np.array([float(x.shape[0])])]
        else:
            parts = [
                (x.T @ x).ravel(),
                (m.T @ m).ravel(),
                (x.T @ m).ravel(),
                ((x * x).T @ m).ravel(),
            ]
        return np.concatenate(parts)[None, :]

    def bootstrap_sums(self, rng: np.random.Generator, count: int) -> Floats:
        """The column sums for ``count`` bootstrap resamples of the rows (count, width).

        Each resample draws n rows with replacement (multinomial counts). The counts are drawn
        block by block: how many of a resample's remaining draws land in the block is binomial,
        and where they land inside it uniform, which is the same multinomial, while the counts
        never take more memory than (count × block). The block's products are multiplied by the
        counts in single precision (counts are exact; the sums of a block of centred values lose
        nothing that matters for an interval) and added up in double precision.
        """
        n = self.x.shape[0]
        total = np.zeros((count, self.width()))
        buffer = np.empty((min(_ROW_BLOCK, n), self.width()), dtype=np.float32)
        left = np.full(count, n, dtype=np.int64)
        owners = np.arange(count, dtype=np.int64)
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, n, _ROW_BLOCK):
                stop = min(start + _ROW_BLOCK, n)
                size = stop - start
                here = left.copy() if stop == n else rng.binomial(left, size / (n - start))
                left -= here
                where = rng.integers(0, size, size=int(here.sum()), dtype=np.int64)
                where += np.repeat(owners * size, here)
                counts = np.bincount(where, minlength=count * size).reshape(count, size)
                total += counts.astype(np.float32) @ self.block(start, stop, buffer)
        return total

    def correlations(self, sums: Floats) -> Floats:
        """Correlation matrices (B, p, p) from column sums (B, width)."""
        p = self.p
        square = p * p
        count = sums.shape[0]

        def part(i: int) -> Floats:
            return sums[:, i * square : (i + 1) * square].reshape(count, p, p)

        if not self.pairwise:
            return _corr_from_moments(sums[:, square + p], sums[:, square : square + p], part(0))
        return _corr_pairwise(part(1), part(2), part(3), part(0))


def correlation_matrix(
    data: Floats, *, counts: Sequence[int] | None = None, missing: Missing = "pairwise"
) -> Floats:
    """The correlation matrix of the columns of ``data`` (NaN = missing; pairwise-complete or
    listwise), optionally with each row counted ``counts[i]`` times (one bootstrap resample)."""
    data = np.asarray(data, dtype=np.float64)
    if missing == "listwise":
        data = data[~np.isnan(data).any(axis=1)]
    moments = _Moments(data, bool(np.isnan(data).any()))
    if counts is None:
        corr: Floats = moments.correlations(moments.sums())[0]
        return corr
    weights = np.asarray(counts, dtype=np.float64)
    x, m = moments.x * weights[:, None], moments.m * weights[:, None]
    if moments.pairwise:
        parts = [moments.x.T @ x, moments.m.T @ m, moments.x.T @ m, (moments.x**2).T @ m]
    else:
        parts = [moments.x.T @ x, x.sum(axis=0), np.array([weights.sum()])]
    weighted: Floats = moments.correlations(np.concatenate([p.ravel() for p in parts])[None, :])[0]
    return weighted


# ----------------------------------------------------------------------------------------------
# The analysis


def relative_weights(
    x: Floats,
    y: Floats,
    keys: Sequence[str],
    *,
    bootstrap: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    missing: Missing = "pairwise",
    min_values: int = 10,
) -> KeyDrivers:
    """Johnson's relative weights of the columns of ``x`` (n, k; NaN = missing) for ``y`` (n),
    with percentile bootstrap intervals from ``bootstrap`` seeded resamples.

    Raises Invalid when fewer than k + 2 usable rows remain or no driver is usable.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[1] != len(keys):
        raise Invalid("x must be (n, k) with k keys and y (n,)", field="x")
    if not 0.0 < confidence < 1.0:
        raise Invalid("confidence must lie between 0 and 1", field="confidence")
    if bootstrap < 0:
        raise Invalid("bootstrap must not be negative", field="bootstrap")
    if missing not in ("pairwise", "listwise", "mean"):
        raise Invalid("missing must be pairwise, listwise or mean", field="missing")

    has_y = ~np.isnan(y)
    x, y = x[has_y], y[has_y]
    dropped: list[DroppedDriver] = []
    kept: list[int] = []
    for j, key in enumerate(keys):
        values = x[:, j][~np.isnan(x[:, j])]
        if values.size < min_values:
            dropped.append(DroppedDriver(key, "too_few_values"))
        elif float(values.max()) == float(values.min()):
            dropped.append(DroppedDriver(key, "constant"))
        else:
            kept.append(j)
    x = x[:, kept]
    kept_keys = [keys[j] for j in kept]
    if missing == "listwise":
        complete = ~np.isnan(x).any(axis=1)
        x, y = x[complete], y[complete]
    present = ~np.isnan(x)
    counts = present.sum(axis=0)
    means = np.nanmean(x, axis=0) if x.shape[0] else np.zeros(x.shape[1])
    if missing == "mean":
        x = np.where(present, x, means)
    k = len(kept)
    n = int(y.shape[0])
    if k == 0:
        raise Invalid("no usable driver: each is constant or has too few values", field="x")
    if n < k + 2:
        raise Invalid(
            f"{k} drivers need at least {k + 2} rows with the outcome; got {n}", field="x"
        )
    if float(np.ptp(y)) == 0.0:
        raise Invalid("the outcome is constant", field="y")

    data = np.column_stack([x, y])
    pairwise = missing == "pairwise" and bool(np.isnan(x).any())
    moments = _Moments(data, pairwise)
    corr = moments.correlations(moments.sums())[0]
    notes: list[str] = []
    if pairwise:
        shared = moments.m.T @ moments.m
        if bool((shared[:k, :k] < MIN_PAIR_ROWS).any()):
            notes.append("sparse_pairs")
    if float(np.linalg.eigvalsh(corr[:k, :k]).min()) < -1e-9:
        notes.append("indefinite")
    raw, r2 = relative_weights_from_correlations(corr[:k, :k], corr[:k, k])
    r2_value = float(r2)

    rng = np.random.default_rng(seed)
    boot_raw = np.empty((0, k))
    boot_r2 = np.empty(0)
    if bootstrap:
        boot_corr = moments.correlations(moments.bootstrap_sums(rng, bootstrap))
        boot_raw, boot_r2 = relative_weights_from_correlations(
            boot_corr[:, :k, :k], boot_corr[:, :k, k]
        )

    tail = (1.0 - confidence) / 2.0
    quantiles = [tail, 1.0 - tail]
    if bootstrap:
        raw_lo, raw_hi = np.quantile(boot_raw, quantiles, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(boot_r2[:, None] > 0, boot_raw / boot_r2[:, None] * 100.0, 0.0)
        share_lo, share_hi = np.quantile(shares, quantiles, axis=0)
        r2_lo, r2_hi = (float(v) for v in np.quantile(boot_r2, quantiles))
    else:
        raw_lo = raw_hi = raw
        share_lo = share_hi = raw / r2_value * 100.0 if r2_value > 0 else raw * 0.0
        r2_lo = r2_hi = r2_value

    weights = []
    for j, key in enumerate(kept_keys):
        share = float(raw[j] / r2_value * 100.0) if r2_value > 0 else 0.0
        weights.append(
            DriverWeight(
                key=key,
                raw=float(raw[j]),
                share=share,
                raw_low=float(raw_lo[j]),
                raw_high=float(raw_hi[j]),
                share_low=float(share_lo[j]),
                share_high=float(share_hi[j]),
                r=float(corr[j, k]),
                n=int(counts[j]),
                mean=float(means[j]),
            )
        )
    weights.sort(key=lambda w: (-w.raw, w.key))
    return KeyDrivers(
        n=n,
        r2=r2_value,
        r2_low=r2_lo,
        r2_high=r2_hi,
        weights=weights,
        dropped=dropped,
        missing=missing,
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed,
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------------------------
# Importance × performance, moments of truth


class Quadrant(StrEnum):
    FIX_FIRST = "fix_first"  # important and weak
    KEEP_UP = "keep_up"  # important and strong
    LOW_PRIORITY = "low_priority"  # less important and weak
    POSSIBLE_OVERKILL = "possible_overkill"  # less important and strong


@dataclass(frozen=True, slots=True)
class MatrixPoint:
    key: str
    importance: float  # % of R²
    performance: float  # 0–100, higher is better
    quadrant: Quadrant


def importance_performance(
    result: KeyDrivers, performance: Mapping[str, float]
) -> list[MatrixPoint]:
    """Each kept driver with a performance in its quadrant; the lines are the mean importance
    (100 / k %) and the mean performance of the drivers shown."""
    shown = [w for w in result.weights if w.key in performance]
    if not shown:
        return []
    importance_line = 100.0 / len(result.weights)
    performance_line = sum(performance[w.key] for w in shown) / len(shown)
    points = []
    for w in shown:
        important = w.share >= importance_line
        weak = performance[w.key] < performance_line
        if important:
            quadrant = Quadrant.FIX_FIRST if weak else Quadrant.KEEP_UP
        else:
            quadrant = Quadrant.LOW_PRIORITY if weak else Quadrant.POSSIBLE_OVERKILL
        points.append(MatrixPoint(w.key, w.share, performance[w.key], quadrant))
    return points


@dataclass(frozen=True, slots=True)
class MomentOfTruth:
    """A touchpoint that moves the outcome and performs poorly, with the evidence."""

    touchpoint: str
    rank: int
    score: float  # importance share × performance gap (0–100)
    share: float
    share_low: float
    share_high: float
    r: float
    n: int
    performance: float
    quadrant: Quadrant


def rank_moments_of_truth(
    result: KeyDrivers,
    performance: Mapping[str, float],
    touchpoints: Mapping[str, str],
    *,
    only: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[MomentOfTruth]:
    """The touchpoint drivers ranked by share of R² × (100 − performance) / 100, highest first.

    ``touchpoints`` maps driver keys to touchpoint keys; ``only`` keeps those touchpoints (a
    journey's), in any order. Drivers without a performance are left out.
    """
    wanted = set(only) if only is not None else None
    quadrant = {p.key: p.quadrant for p in importance_performance(result, performance)}
    found = []
    for w in result.weights:
        touchpoint = touchpoints.get(w.key)
        if touchpoint is None or w.key not in performance:
            continue
        if wanted is not None and touchpoint not in wanted:
            continue
        gap = max(0.0, 100.0 - performance[w.key]) / 100.0
        found.append((w.share * gap, w, touchpoint))
    found.sort(key=lambda item: (-item[0], item[2]))
    if limit is not None:
        found = found[:limit]
    return [
        MomentOfTruth(
            touchpoint=touchpoint,
            rank=i + 1,
            score=score,
            share=w.share,
            share_low=w.share_low,
            share_high=w.share_high,
            r=w.r,
            n=w.n,
            performance=performance[w.key],
            quadrant=quadrant[w.key],
        )
        for i, (score, w, touchpoint) in enumerate(found)
    ]


# ----------------------------------------------------------------------------------------------
# The data: one row per customer from the analytical store

OUTCOMES = ("nps", "csat", "ces")
_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
# Which answer of a response stands for the satisfaction at its touchpoint, in order.
_SATISFACTION_ORDER = ("csat", "nps", "ces")


@dataclass(frozen=True, slots=True)
class DriverInfo:
    key: str  # "touchpoint:<key>" or "topic:<topic>"
    kind: str  # touchpoint | topic
    ref: str  # the touchpoint key or the topic
    name_de: str
    name_en: str


@dataclass(frozen=True)
class DriverFrame:
    """The analysis table: outcome y (n), drivers x (n, k; NaN missing), their descriptions and
    performances (0–100, higher is better)."""

    outcome: str
    y: Floats
    x: Floats
    customers: list[uuid.UUID]
    drivers: list[DriverInfo]
    performance: dict[str, float]
    start: datetime
    end: datetime
    notes: dict[str, Any] = field(default_factory=dict)

    def touchpoint_keys(self) -> dict[str, str]:
        return {d.key: d.ref for d in self.drivers if d.kind == "touchpoint"}


def to_percent(kind: str, score: float) -> float:
    """A score on its question type's scale as 0–100."""
    low, high = _SCALES[kind]
    return (score - low) / (high - low) * 100.0


def customer_frame(
    engine: Engine,
    *,
    now: datetime,
    window_days: int = 365,
    outcome: str = "nps",
    outcome_surveys: Sequence[str] = (),
    topics: bool = True,
    max_topics: int = 10,
    min_values: int = 30,
) -> DriverFrame:
    """One row per customer with an outcome answer in [now − window_days, now), read from the
    analytical store through `engine` (the DuckDB store, or Spark over its Parquet copy).

    - **Customers** are resolved through merges: a merged record's answers and texts count for
      its survivor (the store's ``customer_survivors``, as every figure of the store does).
    - **Outcome**: the customer's latest answer of type ``outcome`` (nps 0–10, csat 1–5,
      ces 1–7) in the window, from the surveys ``outcome_surveys`` (keys; all surveys if empty);
      of two responses at the same instant the one with the greater id.
    - **Touchpoint drivers**: for each touchpoint, the mean satisfaction (0–100) of the
      customer's responses at that touchpoint (``survey_responses.touchpoint_id``) in the window,
      submitted no later than the outcome answer (the outcome's own response included: its
      touchpoint rating is the customer's experience there). A response's satisfaction is its
      CSAT answer, else its NPS, else its CES, each rescaled to 0–100 (a response with two
      answers of one type counts its first, by answer id). Missing where the customer gave none
      at that touchpoint. Touchpoints with fewer than ``min_values`` customers are left out.
    - **Topic drivers** (``topics``): 1 when a text analysis of the customer (any subject:
      feedback, interaction, survey comment) dated in the window, no later than the outcome,
      carries the topic (any taxonomy), else 0; the ``max_topics`` topics named by most
      customers, each by at least ``min_values`` customers.
    - **Performance**: a touchpoint's mean satisfaction (0–100); a topic's share of customers
      who did not raise it (100 − prevalence %).

    One query (`frame_expression`) returns the outcome, the per-touchpoint means and the topic
    mentions per customer; the columns are put together here.
    """
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if window_days < 1:
        raise Invalid("window_days must be at least 1", field="window_days")
    start = now - timedelta(days=window_days)

    sql = frame_sql(
        engine.dialect, start=start, end=now, outcome=outcome,
        outcome_surveys=tuple(outcome_surveys), topics=topics,
    )  # fmt: skip
    outcomes: dict[str, float] = {}
    ratings: dict[str, dict[str, float]] = defaultdict(dict)  # touchpoint key -> customer -> %
    mentions: dict[str, set[str]] = defaultdict(set)  # topic -> customers
    responses = 0
    for row in engine.query(sql):
        kind, who, ref, value = row["kind"], row["cust"], row["ref"], row["value"]
        if kind == "y":
            outcomes[who] = float(value)
        elif kind == "t":
            ratings[ref][who] = float(value)
        elif kind == "p":
            mentions[ref].add(who)
        else:
            responses = int(value or 0)

    keys = sorted(outcomes)
    customers = [uuid.UUID(c) for c in keys]
    row_of = {c: i for i, c in enumerate(keys)}
    n = len(keys)

    kept = sorted(k for k, by_row in ratings.items() if len(by_row) >= min_values)
    names = _touchpoint_names(engine, kept) if kept else {}
    columns: list[Floats] = []
    drivers: list[DriverInfo] = []
    performance: dict[str, float] = {}
    for key in kept:
        column = np.full(n, np.nan)
        for who, value in ratings[key].items():
            column[row_of[who]] = value
        name_de, name_en = names.get(key, (key, key))
        info = DriverInfo(f"touchpoint:{key}", "touchpoint", key, name_de, name_en)
        drivers.append(info)
        columns.append(column)
        performance[info.key] = float(np.nanmean(column))

    if topics and n:
        common = sorted(
            (t for t, who in mentions.items() if len(who) >= min_values),
            key=lambda t: (-len(mentions[t]), t),
        )[:max_topics]
        for topic in sorted(common):
            column = np.zeros(n)
            column[[row_of[c] for c in mentions[topic]]] = 1.0
            info = DriverInfo(f"topic:{topic}", "topic", topic, topic, topic)
            drivers.append(info)
            columns.append(column)
            performance[info.key] = 100.0 - float(column.mean()) * 100.0

    y = np.array([outcomes[c] for c in keys], dtype=np.float64)
    x = np.column_stack(columns) if columns else np.empty((n, 0))
    return DriverFrame(
        outcome=outcome,
        y=y,
        x=x,
        customers=customers,
        drivers=drivers,
        performance=performance,
        start=start,
        end=now,
        notes={"responses": responses},
    )


# The store's tables the frame reads (the Parquet copy must carry them for Spark).
TABLES = ("survey_answers", "surveys", "touchpoints", "customer_survivors", text_topics.TOPICS)
# what the scratch store of `cxm.insights.services` syncs for the frame (survivors derive from
# customers)
SYNCED = ("survey_answers", "surveys", "touchpoints", "customers", text_topics.TOPICS)


def _naive(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


def _resolved(fact: ir.Table) -> ir.Table:
    """The fact with `cust`: its customer after merges (a merged record → its survivor)."""
    s = table("customer_survivors")
    joined = fact.left_join(s, fact.customer_id == s.customer_id)
    out = joined.select(
        *[joined[c] for c in fact.columns if c != "customer_id"],
        cust=ibis.coalesce(s.survivor_id, fact.customer_id),
    )
    return out.view()


def _percent(score: ir.Value, kind: str) -> ir.Value:
    """`to_percent` in SQL, operation for operation (the same doubles)."""
    low, high = _SCALES[kind]
    return (score.cast("float64") - low) / (high - low) * 100.0


def frame_expression(
    *,
    start: datetime,
    end: datetime,
    outcome: str,
    outcome_surveys: Sequence[str] = (),
    topics: bool = True,
) -> ir.Table:
    """The frame's data as one Ibis expression over the store (both engines), in long form:
    ``kind`` y (``cust``'s outcome in ``value``), t (``cust``'s mean satisfaction at touchpoint
    ``ref``), p (``cust`` raised topic ``ref``) and one row n (the responses read)."""
    start, end = _naive(start), _naive(end)
    a = table("survey_answers")
    a = a.filter(
        a.customer_id.notnull(),
        a.submitted_at >= start,
        a.submitted_at < end,
        a.score.notnull(),
        a.type.isin(list(OUTCOMES)),
    )
    # a response's first answer of each type (by answer id: the question order)
    first = ibis.row_number().over(group_by=[a.response_id, a.type], order_by=a.id)
    a = a.mutate(answer_no=first)
    a = a.filter(a.answer_no == 0)
    a = _resolved(a.select("response_id", "customer_id", "touchpoint_id", "submitted_at",
                           "survey_id", "type", "score"))  # fmt: skip
    r = a.group_by(["response_id", "cust", "touchpoint_id", "submitted_at", "survey_id"]).aggregate(
        **{kind: a.score.max(where=a.type == kind) for kind in OUTCOMES}
    )

    o = r.filter(r[outcome].notnull())
    if outcome_surveys:
        sv = table("surveys")
        o = o.filter(o.survey_id.isin(sv.filter(sv.key.isin(list(outcome_surveys))).id))
    latest = ibis.row_number().over(
        group_by=o.cust,
        order_by=[o.submitted_at.desc(), o.response_id.cast("string").desc()],
    )
    o = o.mutate(latest_no=latest)
    o = o.filter(o.latest_no == 0)
    o = o.select(cust=o.cust, out_at=o.submitted_at, y=o[outcome].cast("float64")).view()

    rated = r.filter(r.touchpoint_id.notnull())
    rated = rated.join(o, "cust")
    rated = rated.filter(rated.submitted_at <= rated.out_at)
    satisfaction = ibis.coalesce(*[_percent(rated[k], k) for k in _SATISFACTION_ORDER])
    means = rated.group_by(["cust", "touchpoint_id"]).aggregate(value=satisfaction.mean())
    tp = table("touchpoints")
    means = means.left_join(tp, means.touchpoint_id == tp.id)
    means = means.select(
        cust=means.cust, ref=ibis.coalesce(tp.key, means.touchpoint_id.cast("string")),
        value=means.value,
    )  # fmt: skip

    string = ibis.literal(None, type="string")
    parts = [
        o.select(kind=ibis.literal("y"), cust=o.cust.cast("string"), ref=string, value=o.y),
        means.select(
            kind=ibis.literal("t"),
            cust=means.cust.cast("string"),
            ref=means.ref,
            value=means.value,
        ),  # fmt: skip
        r.aggregate(value=r.count().cast("float64")).select(
            kind=ibis.literal("n"), cust=string, ref=string, value="value"
        ),
    ]
    if topics:
        t = table(text_topics.TOPICS)
        t = t.filter(t.customer_id.notnull(), t.occurred_at >= start, t.occurred_at < end)
        t = _resolved(t.select("customer_id", "occurred_at", "topics"))
        t = t.join(o, "cust")
        t = t.filter(t.occurred_at <= t.out_at)
        raised = t.select(cust=t.cust, topic=t.topics.unnest()).distinct()
        parts.append(
            raised.select(
                kind=ibis.literal("p"),
                cust=raised.cust.cast("string"),
                ref=raised.topic,
                value=ibis.literal(1.0, type="float64"),
            )  # fmt: skip
        )
    return ibis.union(*parts, distinct=False)


# Stand-ins for the window's bounds: the frame's SQL is compiled once per dialect and shape
# (building and compiling the expression takes longer than DuckDB takes to run it) and the
# bounds' literals are put in for each query.
_BOUNDS = (datetime(1901, 2, 3, 4, 5, 6), datetime(1902, 3, 4, 5, 6, 7))


def frame_sql(
    dialect: str,
    *,
    start: datetime,
    end: datetime,
    outcome: str,
    outcome_surveys: tuple[str, ...] = (),
    topics: bool = True,
) -> str:
    """The SQL of `frame_expression` in an engine's dialect (duckdb, pyspark)."""
    sql, marks = _compiled_frame(dialect, outcome, outcome_surveys, topics)
    for mark, value in zip(marks, (start, end), strict=True):
        sql = sql.replace(mark, _timestamp_sql(dialect, _naive(value)))
    return sql


@functools.lru_cache(maxsize=64)
def _compiled_frame(
    dialect: str, outcome: str, outcome_surveys: tuple[str, ...], topics: bool
) -> tuple[str, tuple[str, ...]]:
    if dialect == "pyspark":
        from cxm.analytics import spark  # noqa: F401  (loads Ibis' PySpark compiler options)
    expr = frame_expression(
        start=_BOUNDS[0], end=_BOUNDS[1], outcome=outcome, outcome_surveys=outcome_surveys,
        topics=topics,
    )  # fmt: skip
    sql = str(ibis.to_sql(expr, dialect=dialect))
    marks = tuple(_literal_sql(dialect, value) for value in _BOUNDS)
    if not all(mark in sql for mark in marks):  # pragma: no cover - a new Ibis spelling
        raise RuntimeError(f"the {dialect} SQL of the driver frame spells its bounds otherwise")
    return sql, marks


def _literal_sql(dialect: str, value: datetime) -> str:
    """How Ibis writes a timestamp literal in `dialect`."""
    probe = table("touchpoints").select(bound_=ibis.literal(value))
    sql = str(ibis.to_sql(probe, dialect=dialect))
    found = re.search(r"SELECT\s+(.*?)\s+AS\s+[`\"]bound_[`\"]", sql, re.S)
    if found is None:  # pragma: no cover - a new Ibis spelling
        raise RuntimeError(f"no timestamp literal in {sql!r}")
    return found.group(1)


def _timestamp_sql(dialect: str, value: datetime) -> str:
    """A naive UTC timestamp literal (Spark: without a time zone, as the Parquet copy holds it)."""
    kind = "TIMESTAMP_NTZ" if dialect == "pyspark" else "TIMESTAMP"
    return f"{kind} '{value.isoformat(sep=' ')}'"


def _touchpoint_names(engine: Engine, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    tp = table("touchpoints")
    rows = engine.execute(tp.filter(tp.key.isin(list(keys))).select("key", "name_de", "name_en"))
    return {r["key"]: (r["name_de"], r["name_en"]) for r in rows}


@dataclass(frozen=True)
class DriverAnalysis:
    """A key driver analysis with its data's description, matrix and moments of truth."""

    frame: DriverFrame
    result: KeyDrivers
    matrix: list[MatrixPoint]
    moments: list[MomentOfTruth]

    def info(self, key: str) -> DriverInfo | None:
        return next((d for d in self.frame.drivers if d.key == key), None)


def analyse(
    frame: DriverFrame,
    *,
    bootstrap: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    missing: Missing = "mean",
    touchpoints: Sequence[str] | None = None,
) -> DriverAnalysis:
    """Relative weights, matrix and moments of truth for a frame (rows without any driver value
    are left out: they say nothing about the drivers)."""
    if not frame.drivers:
        raise Invalid("no driver has enough values in this window", field="window_days")
    keep = ~np.isnan(frame.x).all(axis=1) if frame.x.shape[1] else np.zeros(0, dtype=bool)
    result = relative_weights(
        frame.x[keep],
        frame.y[keep],
        [d.key for d in frame.drivers],
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed,
        missing=missing,
    )
    matrix = importance_performance(result, frame.performance)
    moments = rank_moments_of_truth(
        result, frame.performance, frame.touchpoint_keys(), only=touchpoints
    )
    return DriverAnalysis(frame, result, matrix, moments)


def journey_moments_of_truth(
    engine: Engine,
    *,
    touchpoint_keys: Iterable[str],
    now: datetime,
    window_days: int = 365,
    outcome: str = "nps",
    bootstrap: int = 200,
    seed: int = 0,
) -> list[MomentOfTruth]:
    """The moments of truth among a journey's touchpoints, highest first (empty when the data
    cannot support an analysis)."""
    frame = customer_frame(engine, now=now, window_days=window_days, outcome=outcome)
    try:
        return analyse(
            frame, bootstrap=bootstrap, seed=seed, touchpoints=list(touchpoint_keys)
        ).moments
    except Invalid:
        return []


def finite(value: float) -> float | None:
    """The value, or None when it is NaN or infinite (for JSON)."""
    return value if math.isfinite(value) else None
