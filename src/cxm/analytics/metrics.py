"""CX metrics as pure functions: scores, their uncertainty, suppression and significance.

The special functions needed (normal, Student t, Poisson/gamma) come from scipy.special, imported on
first use: importing SciPy takes about a second, which this module (used by the API, the command
line and the alerts) should not pay until a test or an interval is computed.
Every definition is documented with its source in docs/metrics.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_N = 30
"""No score is shown for fewer valid answers (or less exposure) than this."""

ALPHA = 0.05
Z95 = 1.959963984540054  # two-sided 95 % normal quantile

NPS_SCALE = (0, 10)
CSAT_SCALE = (1, 5)
CES_SCALE = (1, 7)
CSAT_SATISFIED_MIN = 4  # top-2-box: 4 and 5 on 1..5
CES_AGREE_MIN = 5  # "somewhat agree" .. "strongly agree": 5, 6, 7 on 1..7
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Nps:
    """Net Promoter Score of n valid 0–10 answers; value and moe are None when suppressed."""

    n: int
    promoters: int
    passives: int
    detractors: int
    value: float | None
    moe: float | None
    suppressed: bool

    @property
    def variance(self) -> float | None:
        """Variance of the NPS estimate in proportion units (−1..1 scale)."""
        if self.n == 0:
            return None
        p, d = self.promoters / self.n, self.detractors / self.n
        return (p + d - (p - d) ** 2) / self.n


@dataclass(frozen=True, slots=True)
class Proportion:
    """A share in percent (CSAT top-2-box, CES % agree, response rate) with a Wilson 95 % CI."""

    n: int
    hits: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Ces:
    """CES 2.0 (1–7 agreement): mean with a t-based 95 % CI, and the share who agree (5–7)."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    agree: Proportion
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Rate:
    """Events per `per` units of exposure with an exact (Garwood) Poisson 95 % CI."""

    events: int
    exposure: int
    per: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Change:
    """The change current − previous with its test; None fields when either side is suppressed."""

    current: float | None
    previous: float | None
    delta: float | None
    statistic: float | None
    p_value: float | None
    significant: bool | None
    test: str


# --- NPS --------------------------------------------------------------------------------------


def nps(promoters: int, passives: int, detractors: int, *, min_n: int = DEFAULT_MIN_N) -> Nps:
    """NPS = %promoters (9–10) − %detractors (0–6) over all valid answers, −100..100
    (Reichheld 2003), with its 95 % margin of error from the trinomial variance
    MOE = 1.96 · sqrt((p_P + p_D − (p_P − p_D)²) / n) · 100. Suppressed below min_n."""
    _non_negative(promoters=promoters, passives=passives, detractors=detractors)
    n = promoters + passives + detractors
    if n == 0 or n < min_n:
        return Nps(n, promoters, passives, detractors, None, None, True)
    p, d = promoters / n, detractors / n
    moe = Z95 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n) * 100
    return Nps(n, promoters, passives, detractors, (p - d) * 100, moe, False)


def nps_from_scores(scores: Iterable[int | None], *, min_n: int = DEFAULT_MIN_N) -> Nps:
    """NPS of raw 0–10 answers; anything else (None, out of range, not whole) is not valid."""
    promoters = passives = detractors = 0
    for s in _valid(scores, NPS_SCALE):
        if s >= PROMOTER_MIN:
            promoters += 1
        elif s > DETRACTOR_MAX:
            passives += 1
        else:
            detractors += 1
    return nps(promoters, passives, detractors, min_n=min_n)


# --- proportions: CSAT, CES % agree, response rate -------------------------------------------


def proportion(hits: int, n: int, *, min_n: int = DEFAULT_MIN_N) -> Proportion:
    """hits / n in percent with the Wilson score 95 % interval (Wilson 1927)."""
    _non_negative(hits=hits, n=n)
    if hits > n:
        raise ValueError(f"hits ({hits}) exceed n ({n})")
    if n == 0 or n < min_n:
        return Proportion(n, hits, None, None, None, True)
    low, high = wilson_interval(hits, n)
    return Proportion(n, hits, 100 * hits / n, 100 * low, 100 * high, False)


def csat(satisfied: int, n: int, *, min_n: int = DEFAULT_MIN_N) -> Proportion:
    """CSAT = % of valid 1–5 answers that are 4 or 5 (top-2-box; ACSI-style satisfaction share)."""
    return proportion(satisfied, n, min_n=min_n)


def csat_from_scores(scores: Iterable[int | None], *, min_n: int = DEFAULT_MIN_N) -> Proportion:
    """CSAT of raw 1–5 answers; values outside 1..5 are not valid and not counted."""
    valid = list(_valid(scores, CSAT_SCALE))
    return csat(sum(1 for s in valid if s >= CSAT_SATISFIED_MIN), len(valid), min_n=min_n)


def response_rate(
    responses: int, invitations_sent: int, *, min_n: int = DEFAULT_MIN_N
) -> Proportion:
    """Response rate = responses to sent invitations / invitations sent (AAPOR RR1-style)."""
    return proportion(responses, invitations_sent, min_n=min_n)


# --- CES 2.0 ----------------------------------------------------------------------------------


def ces(n: int, total: float, total_sq: float, agree: int, *, min_n: int = DEFAULT_MIN_N) -> Ces:
    """CES 2.0 from sufficient statistics of n valid 1–7 answers: mean (t-based 95 % CI), and
    % agree = share of 5–7 (Dixon, Freeman & Toman 2010; CEB 2013 CES 2.0)."""
    _non_negative(n=n, agree=agree)
    share = proportion(agree, n, min_n=min_n)
    if n == 0 or n < min_n:
        return Ces(n, None, None, None, None, share, True)
    mean = total / n
    if n > 1:
        var = max(total_sq - total * total / n, 0.0) / (n - 1)
        sd = math.sqrt(var)
        half = t_ppf(1 - ALPHA / 2, n - 1) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
    else:
        sd, low, high = 0.0, None, None
    return Ces(n, mean, sd, low, high, share, False)


def ces_from_scores(scores: Iterable[int | None], *, min_n: int = DEFAULT_MIN_N) -> Ces:
    """CES 2.0 of raw 1–7 answers; values outside 1..7 are not valid and not counted."""
    valid = list(_valid(scores, CES_SCALE))
    return ces(
        len(valid),
        float(sum(valid)),
        float(sum(s * s for s in valid)),
        sum(1 for s in valid if s >= CES_AGREE_MIN),
        min_n=min_n,
    )


# --- complaint rate ---------------------------------------------------------------------------


def rate(events: int, exposure: int, *, per: int = 1000, min_exposure: int = DEFAULT_MIN_N) -> Rate:
    """events per `per` units of exposure (e.g. complaints per 1,000 customers holding a model,
    or per 1,000 interactions at a touchpoint) with the exact Poisson (Garwood 1936) 95 % CI.
    Suppressed when the exposure is below min_exposure."""
    _non_negative(events=events, exposure=exposure)
    if exposure == 0 or exposure < min_exposure:
        return Rate(events, exposure, per, None, None, None, True)
    low, high = poisson_interval(events)
    scale = per / exposure
    return Rate(events, exposure, per, events * scale, low * scale, high * scale, False)


# --- changes between two periods --------------------------------------------------------------


def nps_change(current: Nps, previous: Nps, *, alpha: float = ALPHA) -> Change:
    """Two-sample z-test on the NPS difference, each side with its own trinomial variance:
    z = (NPS₁ − NPS₂) / sqrt(Var₁ + Var₂)."""
    test = "z-test, NPS difference (trinomial variances)"
    if current.suppressed or previous.suppressed or current.value is None or previous.value is None:
        return _no_change(current.value, previous.value, test)
    delta = current.value - previous.value
    se = math.sqrt((current.variance or 0.0) + (previous.variance or 0.0)) * 100
    return _z_change(current.value, previous.value, delta, se, alpha, test)


def proportion_change(current: Proportion, previous: Proportion, *, alpha: float = ALPHA) -> Change:
    """Two-proportion z-test with the pooled proportion (for CSAT, % agree, response rate)."""
    test = "two-proportion z-test (pooled)"
    if current.suppressed or previous.suppressed or current.value is None or previous.value is None:
        return _no_change(current.value, previous.value, test)
    pooled = (current.hits + previous.hits) / (current.n + previous.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / current.n + 1 / previous.n)) * 100
    return _z_change(current.value, previous.value, current.value - previous.value, se, alpha, test)


def mean_change(current: Ces, previous: Ces, *, alpha: float = ALPHA) -> Change:
    """Welch's unequal-variance t-test on the CES mean, Welch–Satterthwaite degrees of freedom."""
    test = "Welch t-test, CES mean"
    c, p = current, previous
    if c.suppressed or p.suppressed or c.mean is None or p.mean is None:
        return _no_change(c.mean, p.mean, test)
    delta = c.mean - p.mean
    v1, v2 = (c.sd or 0.0) ** 2 / c.n, (p.sd or 0.0) ** 2 / p.n
    se = math.sqrt(v1 + v2)
    if se == 0 or c.n < 2 or p.n < 2:
        return Change(c.mean, p.mean, delta, None, None, None, test)
    df = (v1 + v2) ** 2 / (v1**2 / (c.n - 1) + v2**2 / (p.n - 1))
    t = delta / se
    p_value = 2 * t_sf(abs(t), df)
    return Change(c.mean, p.mean, delta, t, p_value, p_value < alpha, test)


def rate_change(current: Rate, previous: Rate, *, alpha: float = ALPHA) -> Change:
    """z-test on the difference of two Poisson rates: se = sqrt(k₁/E₁² + k₂/E₂²) · per."""
    test = "z-test, Poisson rate difference"
    if current.suppressed or previous.suppressed or current.value is None or previous.value is None:
        return _no_change(current.value, previous.value, test)
    se = (
        math.sqrt(current.events / current.exposure**2 + previous.events / previous.exposure**2)
        * current.per
    )
    return _z_change(current.value, previous.value, current.value - previous.value, se, alpha, test)


def _z_change(
    current: float, previous: float, delta: float, se: float, alpha: float, test: str
) -> Change:
    if se == 0:
        return Change(current, previous, delta, None, None, None, test)
    z = delta / se
    p_value = 2 * normal_sf(abs(z))
    return Change(current, previous, delta, z, p_value, p_value < alpha, test)


def _no_change(current: float | None, previous: float | None, test: str) -> Change:
    return Change(current, previous, None, None, None, None, test)


# --- intervals --------------------------------------------------------------------------------


def wilson_interval(hits: int, n: int, *, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion, as fractions 0..1."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@functools.lru_cache(maxsize=8192)
def poisson_interval(events: int, *, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count: [χ²(α/2; 2k)/2, χ²(1−α/2; 2k+2)/2]."""
    # χ²(q; 2a)/2 is the q-quantile of Gamma(a, 1), the inverse of the regularized P(a, ·).
    if events < 0:
        raise ValueError("events must not be negative")
    low = 0.0 if events == 0 else float(_special().gammaincinv(events, alpha / 2))
    high = float(_special().gammaincinv(events + 1, 1 - alpha / 2))
    return low, high


# --- special functions (scipy.special, imported lazily) ---------------------------------------


def _special() -> Any:
    """scipy.special, imported on first use: importing it takes about a second (SciPy ships no
    type stubs, hence Any)."""
    import scipy.special  # type: ignore[import-untyped]

    return scipy.special


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return float(_special().ndtr(-z))


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with df degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    return float(_special().stdtr(df, -t))


def t_ppf(q: float, df: float) -> float:
    """The q-quantile of Student's t (q in (0, 1))."""
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    if df <= 0:
        raise ValueError("df must be positive")
    return float(_special().stdtrit(df, q))


# --- helpers ----------------------------------------------------------------------------------


def _valid(scores: Iterable[int | None], scale: tuple[int, int]) -> Iterable[int]:
    low, high = scale
    for s in scores:
        value: object = s
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and low <= value <= high:
            yield value


def _non_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
