"""Customer lifetime value (BG/NBD + Gamma-Gamma) and a churn-risk score, with their data.

**Why our own fits.** The maintained libraries were tried first, on these 2-core machines:
pymc-marketing 0.19 installs and fits, but takes ~30 s to import and ~80–100 s to compile its
PyTensor graph on the first MAP fit (10 s warm), too slow for a page or a test; btyd 0.1a1 does
not import on Python 3.11 (its autograd pin needs ``inspect.getargspec``); lifetimes 0.11.3 fits
but is unmaintained since 2020 and already sets a pandas option that pandas 4 removes. So the
two maximum-likelihood fits are written here with scipy.optimize, from the closed-form
likelihoods of Fader, Hardie & Lee (2005, "Counting your customers the easy way", and "RFM and
CLV", the Gamma-Gamma spend model), and tested by parameter recovery on simulated data.

**Data** (`purchase_summary`, read from the analytical store through an `Engine`: DuckDB, or
Spark over the Parquet copy): the customer's transactions (after merges) are interactions of
the given types (default ``purchase`` and ``order``, value ``properties.value_eur``, copied
into the store as ``interaction_values``) in the window before ``now``; transactions on the
same day (whole days from the window's start) count as one occasion (their values add up).
Per customer: x = repeat occasions after the first, t_x = weeks from first to last, T = weeks
from first to ``now``, m = mean value of the repeat occasions. Customers without a transaction
in the window have no BG/NBD history and no CLV. The churn features still read the
operational database (`churn_features`).

**Churn** (`churn_model`): a logistic regression (scikit-learn) on features known at a cutoff
(`CHURN_FEATURES`), labelled 1 when the customer cancels (an interaction of type
``cancellation``) within ``horizon_days`` after it. Evaluated on held-back time: trained at
now − 2·horizon, tested at now − horizon (labels up to now), AUC reported; the model that
scores today's customers is then refitted at now − horizon.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special  # type: ignore[import-untyped]
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from cxm.analytics import sync
from cxm.analytics.engine import Engine
from cxm.analytics.store import table
from cxm.shared.errors import Invalid

Floats = NDArray[np.float64]
WEEK_DAYS = 7.0
MONTH_WEEKS = 365.25 / 12 / 7
_LOG_BOUNDS = (-12.0, 12.0)


# ----------------------------------------------------------------------------------------------
# BG/NBD (Fader, Hardie & Lee 2005)


@dataclass(frozen=True, slots=True)
class BgNbd:
    """Purchase rate λ ~ Gamma(r, α) while alive; after each purchase the customer drops out
    with probability p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    n: int = 0

    def expected_purchases(
        self, t: Floats | float, x: Floats, t_x: Floats, big_t: Floats
    ) -> Floats:
        """E[X(T, T + t) | x, t_x, T]: expected purchases in the next t weeks (FHL eq. 10)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        t = np.asarray(t, dtype=np.float64)
        rx = r + x
        hyp = special.hyp2f1(rx, b + x, a + b + x - 1.0, t / (alpha + big_t + t))
        first = (a + b + x - 1.0) / (a - 1.0) if a != 1.0 else np.full_like(x, np.inf)
        body = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** rx * hyp
        result: Floats = first * body / self._odds(x, t_x, big_t)
        return result

    def probability_alive(self, x: Floats, t_x: Floats, big_t: Floats) -> Floats:
        """P(alive | x, t_x, T); 1 for customers without a repeat purchase."""
        result: Floats = 1.0 / self._odds(x, t_x, big_t)
        return result

    def _odds(self, x: Floats, t_x: Floats, big_t: Floats) -> Floats:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_ratio = (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
            extra = np.where(
                x > 0, a / np.maximum(b + x - 1.0, 1e-300) * np.exp(np.minimum(log_ratio, 700)), 0.0
            )
        result: Floats = 1.0 + extra
        return result

    def unconditional_purchases(self, t: float) -> float:
        """E[X(t)] for a customer just acquired (FHL eq. 9)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyp = special.hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
        return float((a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp))


def bgnbd_log_likelihood(params: Sequence[float], x: Floats, t_x: Floats, big_t: Floats) -> Floats:
    """Each customer's BG/NBD log-likelihood (FHL 2005, eq. 6)."""
    r, alpha, a, b = params
    base = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha)
    beta_ab = special.betaln(a, b)
    stay = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + big_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        leave = special.betaln(a + 1.0, np.maximum(b + x - 1.0, 1e-300)) - beta_ab
        leave = leave - (r + x) * np.log(alpha + t_x)
    both = np.logaddexp(stay, np.where(x > 0, leave, -np.inf))
    result: Floats = base + both
    return result


def fit_bgnbd(x: Floats, t_x: Floats, big_t: Floats, *, penalizer: float = 0.0) -> BgNbd:
    """Maximum-likelihood BG/NBD parameters (L-BFGS-B on log parameters).

    ``penalizer`` adds penalizer·Σθ² to the negative log-likelihood (as lifetimes does), which
    keeps the fit finite when the data hardly show repeat purchases.
    """
    x, t_x, big_t = (np.asarray(v, dtype=np.float64) for v in (x, t_x, big_t))
    if x.size < 4:
        raise Invalid("BG/NBD needs at least 4 customers with a purchase", field="customers")
    if bool(((t_x > big_t) | (t_x < 0) | (x < 0)).any()):
        raise Invalid("need 0 ≤ t_x ≤ T and x ≥ 0", field="t_x")
    scale = max(float(big_t.max()), 1.0)

    def loss(log_params: Floats) -> float:
        params = np.exp(log_params)
        r, alpha, a, b = params
        value = -float(bgnbd_log_likelihood((r, alpha * scale, a, b), x, t_x, big_t).mean())
        if penalizer:
            value += penalizer * float((params * params).sum())
        return value if math.isfinite(value) else 1e12

    start = np.log(np.array([1.0, 1.0, 1.0, 1.0]))
    found = optimize.minimize(loss, start, method="L-BFGS-B", bounds=[_LOG_BOUNDS] * 4)
    r, alpha, a, b = (float(v) for v in np.exp(found.x))
    return BgNbd(r, alpha * scale, a, b, -float(found.fun) * x.size, int(x.size))


# ----------------------------------------------------------------------------------------------
# Gamma-Gamma spend (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note)


@dataclass(frozen=True, slots=True)
class GammaGamma:
    """Transaction values ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers."""

    p: float
    q: float
    gamma: float
    n: int = 0

    def expected_spend(self, x: Floats, mean_value: Floats) -> Floats:
        """E[Z | x, m_x]: the customer's expected value per transaction."""
        p, q, g = self.p, self.q, self.gamma
        result: Floats = (g + mean_value * x) * p / (p * x + q - 1.0)
        return result

    def population_mean(self) -> float:
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else float("nan")


def gamma_gamma_log_likelihood(params: Sequence[float], x: Floats, mean_value: Floats) -> Floats:
    """Each customer's Gamma-Gamma log-likelihood of the mean of x transaction values."""
    p, q, g = params
    px = p * x
    result: Floats = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(g)
        + (px - 1.0) * np.log(mean_value)
        + px * np.log(x)
        - (px + q) * np.log(g + x * mean_value)
    )
    return result


def fit_gamma_gamma(x: Floats, mean_value: Floats, *, penalizer: float = 0.0) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters from repeat customers (x > 0, m > 0)."""
    x = np.asarray(x, dtype=np.float64)
    mean_value = np.asarray(mean_value, dtype=np.float64)
    keep = (x > 0) & (mean_value > 0)
    x, mean_value = x[keep], mean_value[keep]
    if x.size < 4:
        raise Invalid("Gamma-Gamma needs at least 4 repeat customers", field="customers")
    scale = float(np.median(mean_value))

    def loss(log_params: Floats) -> float:
        params = np.exp(log_params)
        p, q, g = params
        value = -float(gamma_gamma_log_likelihood((p, q, g * scale), x, mean_value).mean())
        if penalizer:
            value += penalizer * float((params * params).sum())
        return value if math.isfinite(value) else 1e12

    start = np.log(np.array([2.0, 3.0, 1.0]))
    found = optimize.minimize(loss, start, method="L-BFGS-B", bounds=[_LOG_BOUNDS] * 3)
    p, q, g = (float(v) for v in np.exp(found.x))
    return GammaGamma(p, q, g * scale, int(x.size))


def lifetime_value(
    model: BgNbd,
    spend: Floats,
    x: Floats,
    t_x: Floats,
    big_t: Floats,
    *,
    months: int = 12,
    monthly_discount: float = 0.01,
) -> Floats:
    """Discounted expected value over the next ``months``: Σ_m ΔE[X]_m · spend / (1 + d)^m."""
    total = np.zeros_like(x, dtype=np.float64)
    previous = np.zeros_like(total)
    for month in range(1, months + 1):
        expected = model.expected_purchases(month * MONTH_WEEKS, x, t_x, big_t)
        total += (expected - previous) * spend / (1.0 + monthly_discount) ** month
        previous = expected
    return total


# ----------------------------------------------------------------------------------------------
# Purchase histories from the analytical store

TRANSACTION_TYPES = ("purchase", "order")
VALUES = "interaction_values"
# The store's tables the summary reads (the Parquet copy must carry them for Spark), and what
# a scratch store (cxm.insights.services) syncs for it (survivors derive from customers).
TABLES = ("interactions", "customer_survivors", VALUES)
SYNCED = ("interactions", "customers", VALUES)


@dataclass(frozen=True)
class PurchaseSummary:
    customers: list[uuid.UUID]
    x: Floats  # repeat occasions
    t_x: Floats  # weeks, first to last
    big_t: Floats  # weeks, first to now
    mean_value: Floats  # mean value of the repeat occasions (0 without repeats)
    first_value: Floats  # value of the first occasion
    total_value: Floats


def _value(properties: Any) -> float:
    if not isinstance(properties, Mapping):
        return 0.0
    raw = properties.get("value_eur", properties.get("amount_eur", 0.0))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def _valued() -> sync.AnySelect:
    """Interactions that name a value (a cheap text pre-filter that works on SQLite and
    PostgreSQL alike; the value is read in `_values`)."""
    from cxm.interactions.models import Interaction

    text = cast(Interaction.properties, String)
    return select(Interaction.id, Interaction.occurred_at, Interaction.properties).where(
        or_(text.contains('"value_eur"'), text.contains('"amount_eur"'))
    )


def _values(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    columns["value_eur"] = [_value(p) for p in columns.pop("properties")]
    return columns


def _register() -> None:
    from cxm.interactions.models import Interaction

    sync.register(
        sync.TableSpec(
            VALUES,
            ibis.schema({"id": "uuid", "occurred_at": "timestamp", "value_eur": "float64"}),
            sync.Mode.APPEND,
            _valued,
            id_column=Interaction.id,
            transform=_values,
            partition="occurred_at",
        )
    )


_register()


def purchase_expression(*, start: datetime, end: datetime, types: Sequence[str]) -> ir.Table:
    """Per customer (after merges) with a transaction in [start, end): occasions (days with a
    transaction, counted in whole days from `start`), first and last such day, the value of
    the first occasion and of all; one Ibis expression for both engines."""
    start, end = _naive(start), _naive(end)
    i = table("interactions")
    i = i.filter(i.type.isin(list(types)), i.occurred_at >= start, i.occurred_at < end)
    v = table(VALUES)
    s = table("customer_survivors")
    j = i.left_join(v, i.id == v.id).left_join(s, i.customer_id == s.customer_id)
    day_us = 86_400_000_000
    since = j.select(
        cust=ibis.coalesce(s.survivor_id, i.customer_id).cast("string"),
        day=(i.occurred_at.delta(ibis.literal(start), unit="microsecond") // day_us).cast("int64"),
        value=ibis.coalesce(v.value_eur, ibis.literal(0.0, type="float64")),
    )
    days = since.group_by(["cust", "day"]).aggregate(value=since.value.sum())
    days = days.mutate(first_day=days.day.min().over(group_by=days.cust))
    return days.group_by("cust").aggregate(
        occasions=days.count(),
        first_day=days.day.min(),
        last_day=days.day.max(),
        first_value=days.value.sum(where=days.day == days.first_day),
        repeat_value=days.value.sum(where=days.day > days.first_day),
        total=days.value.sum(),
    )


def purchase_summary(
    engine: Engine,
    *,
    now: datetime,
    window_days: int = 365,
    types: Sequence[str] = TRANSACTION_TYPES,
) -> PurchaseSummary:
    """Frequency, recency, age and spend per customer with a transaction in the window, read
    from the analytical store through `engine` (DuckDB, or Spark over the Parquet copy).

    A transaction is an interaction of one of `types` in [now − window_days, now), its value
    ``properties.value_eur`` (else ``amount_eur``; 0 unless a positive number); a merged
    customer's transactions count for the survivor. Occasions are whole days counted from the
    window's start (on a window starting at midnight: UTC days); the values of one day add up.
    """
    start = now - timedelta(days=window_days)
    rows = engine.execute(purchase_expression(start=start, end=now, types=types))
    rows.sort(key=lambda r: str(r["cust"]))
    horizon = (now - start).total_seconds() / 86400
    occasions = np.array([int(r["occasions"]) for r in rows], dtype=np.float64)
    first_day = np.array([int(r["first_day"]) for r in rows], dtype=np.float64)
    last_day = np.array([int(r["last_day"]) for r in rows], dtype=np.float64)
    first_value = np.array([float(r["first_value"]) for r in rows], dtype=np.float64)
    repeat_value = np.array([float(r["repeat_value"] or 0.0) for r in rows], dtype=np.float64)
    total = np.array([float(r["total"]) for r in rows], dtype=np.float64)
    x = occasions - 1.0
    mean_value = np.where(x > 0, repeat_value / np.maximum(x, 1.0), 0.0)
    return PurchaseSummary(
        [uuid.UUID(str(r["cust"])) for r in rows],
        x,
        (last_day - first_day) / WEEK_DAYS,
        np.maximum(horizon - first_day, 1.0) / WEEK_DAYS,
        mean_value,
        first_value,
        total,
    )


def _naive(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


class ValueTier(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class ClvResult:
    """Per-customer CLV with the fitted models and how the spend was estimated."""

    customers: list[uuid.UUID]
    clv: Floats
    expected_purchases: Floats
    probability_alive: Floats
    expected_spend: Floats
    tiers: list[ValueTier]
    bgnbd: BgNbd
    gamma_gamma: GammaGamma | None
    spend_source: str  # gamma_gamma | population_mean
    months: int
    notes: dict[str, Any] = field(default_factory=dict)

    def by_customer(self) -> dict[uuid.UUID, tuple[float, ValueTier]]:
        return {
            c: (float(v), t) for c, v, t in zip(self.customers, self.clv, self.tiers, strict=True)
        }


def value_tiers(values: Floats) -> list[ValueTier]:
    """Top 20 % high, next 30 % medium, the rest low (ties go to the higher tier)."""
    if values.size == 0:
        return []
    high, medium = np.quantile(values, [0.8, 0.5])
    return [
        ValueTier.HIGH if v >= high and v > 0 else ValueTier.MEDIUM if v >= medium and v > 0
        else ValueTier.LOW
        for v in values
    ]  # fmt: skip


def customer_lifetime_values(
    engine: Engine,
    *,
    now: datetime,
    window_days: int = 365,
    months: int = 12,
    monthly_discount: float = 0.01,
    types: Sequence[str] = TRANSACTION_TYPES,
    penalizer: float = 0.001,
    min_repeaters: int = 20,
) -> ClvResult:
    """BG/NBD + Gamma-Gamma CLV for every customer with a transaction in the window.

    With fewer than ``min_repeaters`` repeat customers the spend model is not fitted and each
    customer's expected spend is the mean value of all their transactions (noted).
    """
    summary = purchase_summary(engine, now=now, window_days=window_days, types=types)
    if len(summary.customers) < 4:
        raise Invalid("too few customers with a purchase for a CLV model", field="window_days")
    bg = fit_bgnbd(summary.x, summary.t_x, summary.big_t, penalizer=penalizer)
    repeaters = int((summary.x > 0).sum())
    gg: GammaGamma | None = None
    notes: dict[str, Any] = {"customers": len(summary.customers), "repeat_customers": repeaters}
    occasions = summary.x + 1.0
    own_mean = summary.total_value / occasions
    if repeaters >= min_repeaters:
        gg = fit_gamma_gamma(summary.x, summary.mean_value, penalizer=penalizer)
    if gg is not None and gg.q > 1.0:
        spend = np.where(
            summary.x > 0, gg.expected_spend(summary.x, summary.mean_value), gg.population_mean()
        )
        source = "gamma_gamma"
    else:
        spend = own_mean
        source = "population_mean" if gg is None else "own_mean"
        notes["spend"] = "too few repeat customers for the Gamma-Gamma model"
    expected = bg.expected_purchases(months * MONTH_WEEKS, summary.x, summary.t_x, summary.big_t)
    alive = bg.probability_alive(summary.x, summary.t_x, summary.big_t)
    clv = lifetime_value(
        bg, spend, summary.x, summary.t_x, summary.big_t, months=months,
        monthly_discount=monthly_discount,
    )  # fmt: skip
    return ClvResult(
        customers=summary.customers,
        clv=clv,
        expected_purchases=expected,
        probability_alive=alive,
        expected_spend=spend,
        tiers=value_tiers(clv),
        bgnbd=bg,
        gamma_gamma=gg,
        spend_source=source,
        months=months,
        notes=notes,
    )


# ----------------------------------------------------------------------------------------------
# Churn risk

CHURN_FEATURES = (
    "recency_days",  # days since the customer's last inbound contact (log)
    "complaints_90d",  # complaints (interactions) and complaint cases in the 90 days before
    "detractor_answers_180d",  # NPS answers 0–6 in the 180 days before
    "sentiment_trend",  # mean text sentiment, last 90 days minus the 90 before (0 without text)
    "open_cases",  # cases open at the cutoff
    "calls_90d",  # calls in the 90 days before (log)
)
CANCELLATION = "cancellation"


@dataclass(frozen=True)
class ChurnData:
    customers: list[uuid.UUID]
    x: Floats  # (n, len(CHURN_FEATURES))
    y: NDArray[np.int64]  # 1: cancelled within the horizon (empty when unlabelled)


def churn_features(db: Session, *, at: datetime, horizon_days: int | None = None) -> ChurnData:
    """Features at ``at`` for customers with a contact before it and no cancellation yet; with
    ``horizon_days``, the label: a cancellation in (at, at + horizon]."""
    from cxm.cases.models import Case
    from cxm.customers.models import Customer
    from cxm.interactions.models import Interaction
    from cxm.surveys.models import SurveyAnswer, SurveyResponse
    from cxm.textanalytics.models import TextAnalysis

    i = Interaction
    since_90, since_180 = at - timedelta(days=90), at - timedelta(days=180)
    last_in = dict(
        db.execute(
            select(i.customer_id, func.max(i.occurred_at))
            .where(i.occurred_at < at, i.direction == "in")
            .group_by(i.customer_id)
        ).all()
    )
    gone = set(db.scalars(select(i.customer_id).where(i.type == CANCELLATION, i.occurred_at <= at)))
    merged = set(db.scalars(select(Customer.id).where(Customer.merged_into_id.is_not(None))))
    customers = sorted((c for c in last_in if c not in gone and c not in merged), key=str)
    row = {c: n for n, c in enumerate(customers)}
    x = np.zeros((len(customers), len(CHURN_FEATURES)))
    for customer, last in last_in.items():
        if customer in row:
            x[row[customer], 0] = math.log1p(max((at - last).total_seconds() / 86400, 0.0))

    def add(column: int, pairs: Iterable[tuple[Any, Any]]) -> None:
        for customer, value in pairs:
            if customer in row and value is not None:
                x[row[customer], column] += float(value)

    add(
        1,
        db.execute(
            select(i.customer_id, func.count())
            .where(i.type == "complaint", i.occurred_at >= since_90, i.occurred_at < at)
            .group_by(i.customer_id)
        ).all(),
    )
    add(
        1,
        db.execute(
            select(Case.customer_id, func.count())
            .where(Case.category == "complaint", Case.opened_at >= since_90, Case.opened_at < at)
            .group_by(Case.customer_id)
        ).all(),
    )
    add(
        2,
        db.execute(
            select(SurveyResponse.customer_id, func.count())
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .where(
                SurveyAnswer.type == "nps",
                SurveyAnswer.score <= 6,
                SurveyResponse.submitted_at >= since_180,
                SurveyResponse.submitted_at < at,
            )
            .group_by(SurveyResponse.customer_id)
        ).all(),
    )
    recent: dict[Any, float] = dict(
        db.execute(
            select(TextAnalysis.customer_id, func.avg(TextAnalysis.sentiment_score))
            .where(TextAnalysis.occurred_at >= since_90, TextAnalysis.occurred_at < at)
            .group_by(TextAnalysis.customer_id)
        ).all()
    )
    before: dict[Any, float] = dict(
        db.execute(
            select(TextAnalysis.customer_id, func.avg(TextAnalysis.sentiment_score))
            .where(TextAnalysis.occurred_at >= since_180, TextAnalysis.occurred_at < since_90)
            .group_by(TextAnalysis.customer_id)
        ).all()
    )
    trend = [
        (c, float(v) - float(before[c]))
        for c, v in recent.items()
        if v is not None and before.get(c) is not None
    ]
    add(3, trend)
    add(
        4,
        db.execute(
            select(Case.customer_id, func.count())
            .where(
                Case.opened_at < at,
                or_(
                    and_(Case.resolved_at.is_(None), Case.closed_at.is_(None)),
                    func.coalesce(Case.resolved_at, Case.closed_at) > at,
                ),
            )
            .group_by(Case.customer_id)
        ).all(),
    )
    add(
        5,
        db.execute(
            select(i.customer_id, func.count())
            .where(i.type == "call", i.occurred_at >= since_90, i.occurred_at < at)
            .group_by(i.customer_id)
        ).all(),
    )
    x[:, 5] = np.log1p(x[:, 5])
    labels = np.zeros(0, dtype=np.int64)
    if horizon_days is not None:
        leaving = set(
            db.scalars(
                select(i.customer_id).where(
                    i.type == CANCELLATION,
                    i.occurred_at > at,
                    i.occurred_at <= at + timedelta(days=horizon_days),
                )
            )
        )
        labels = np.array([1 if c in leaving else 0 for c in customers], dtype=np.int64)
    return ChurnData(customers, x, labels)


def auc(labels: Sequence[int] | NDArray[np.int64], scores: Sequence[float] | Floats) -> float:
    """Area under the ROC curve (the Mann-Whitney statistic; ties count half)."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = _average_ranks(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _average_ranks(values: Floats) -> Floats:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    start = 0
    while start < values.size:
        stop = start
        while stop + 1 < values.size and sorted_values[stop + 1] == sorted_values[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2.0 + 1.0
        start = stop + 1
    return ranks


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn model, its held-back evaluation and today's scores."""

    coefficients: dict[str, float]  # per standardised feature
    auc: float
    train_cutoff: datetime
    test_cutoff: datetime
    horizon_days: int
    train_n: int
    train_positives: int
    test_n: int
    test_positives: int
    customers: list[uuid.UUID]
    risk: Floats  # probability of cancelling within the horizon, for `customers`

    def by_customer(self) -> dict[uuid.UUID, float]:
        return {c: float(r) for c, r in zip(self.customers, self.risk, strict=True)}


def _fit(data: ChurnData) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]
    from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    model.fit(data.x, data.y)
    return model


def churn_model(db: Session, *, now: datetime, horizon_days: int = 90) -> ChurnModel:
    """Trains at now − 2·horizon, reports the AUC at now − horizon (held-back time), refits
    there and scores the customers active now."""
    train_at = now - timedelta(days=2 * horizon_days)
    test_at = now - timedelta(days=horizon_days)
    train = churn_features(db, at=train_at, horizon_days=horizon_days)
    test = churn_features(db, at=test_at, horizon_days=horizon_days)
    for name, data in (("training", train), ("evaluation", test)):
        if len(set(data.y.tolist())) < 2:
            raise Invalid(
                f"the {name} period needs customers who cancelled and who stayed",
                field="horizon_days",
            )
    model = _fit(train)
    score = auc(test.y, model.predict_proba(test.x)[:, 1])
    final = _fit(test)
    current = churn_features(db, at=now)
    risk = (final.predict_proba(current.x)[:, 1] if current.customers else np.zeros(0)).astype(
        np.float64
    )
    weights = final.named_steps["logisticregression"].coef_[0]
    return ChurnModel(
        coefficients={name: float(w) for name, w in zip(CHURN_FEATURES, weights, strict=True)},
        auc=score,
        train_cutoff=train_at,
        test_cutoff=test_at,
        horizon_days=horizon_days,
        train_n=len(train.customers),
        train_positives=int(train.y.sum()),
        test_n=len(test.customers),
        test_positives=int(test.y.sum()),
        customers=current.customers,
        risk=risk,
    )


# ----------------------------------------------------------------------------------------------
# Value × experience


class Experience(StrEnum):
    AT_RISK = "at_risk"
    NEUTRAL = "neutral"
    GOOD = "good"


class Category(StrEnum):
    PRIORITY = "priority"  # high value, at risk: first in the agent's queue
    NURTURE = "nurture"  # high value, not at risk
    WATCH = "watch"  # medium value at risk
    RETAIN_CHEAPLY = "retain_cheaply"  # low value at risk
    STANDARD = "standard"


def experience_of(risk: float | None, *, high: float, low: float) -> Experience:
    """At risk from the ``high`` risk threshold, good below ``low``."""
    if risk is None:
        return Experience.NEUTRAL
    if risk >= high:
        return Experience.AT_RISK
    return Experience.GOOD if risk < low else Experience.NEUTRAL


def category_of(tier: ValueTier | None, experience: Experience) -> Category:
    """The value × experience grid's cell: high value and at risk is priority."""
    if experience is Experience.AT_RISK:
        if tier is ValueTier.HIGH:
            return Category.PRIORITY
        return Category.WATCH if tier is ValueTier.MEDIUM else Category.RETAIN_CHEAPLY
    return Category.NURTURE if tier is ValueTier.HIGH else Category.STANDARD


def risk_thresholds(risk: Floats) -> tuple[float, float]:
    """At risk: the top 20 % of churn risk; good: the bottom 50 %."""
    if risk.size == 0:
        return 1.0, 0.0
    high, low = np.quantile(risk, [0.8, 0.5])
    return float(high), float(low)
