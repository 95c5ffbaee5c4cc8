"""Key driver analysis: Johnson's relative weights against a published example and an exact
Shapley (LMG) decomposition, the bootstrap, missing values, and moments of truth."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cxm.analytics import drivers as d
from cxm.shared.errors import Invalid

# US states, 1970s (R's datasets::state.x77, U.S. Department of Commerce figures): population
# (thousands), per-capita income, illiteracy (%), murder rate per 100,000, days of frost.
STATES = """
3615 3624 2.1 15.1 20|365 6315 1.5 11.3 152|2212 4530 1.8 7.8 15|2110 3378 1.9 10.1 65
21198 5114 1.1 10.3 20|2541 4884 0.7 6.8 166|3100 5348 1.1 3.1 139|579 4809 0.9 6.2 103
8277 4815 1.3 10.7 11|4931 4091 2 13.9 60|868 4963 1.9 6.2 0|813 4119 0.6 5.3 126
11197 5107 0.9 10.3 127|5313 4458 0.7 7.1 122|2861 4628 0.5 2.3 140|2280 4669 0.6 4.5 114
3387 3712 1.6 10.6 95|3806 3545 2.8 13.2 12|1058 3694 0.7 2.7 161|4122 5299 0.9 8.5 101
5814 4755 1.1 3.3 103|9111 4751 0.9 11.1 125|3921 4675 0.6 2.3 160|2341 3098 2.4 12.5 50
4767 4254 0.8 9.3 108|746 4347 0.6 5 155|1544 4508 0.6 2.9 139|590 5149 0.5 11.5 188
812 4281 0.7 3.3 174|7333 5237 1.1 5.2 115|1144 3601 2.2 9.7 120|18076 4903 1.4 10.9 82
5441 3875 1.8 11.1 80|637 5087 0.8 1.4 186|10735 4561 0.8 7.4 124|2715 3983 1.1 6.4 82
2284 4660 0.6 4.2 44|11860 4449 1 6.1 126|931 4558 1.3 2.4 127|2816 3635 2.3 11.6 65
681 4167 0.5 1.7 172|4173 3821 1.7 11 70|12237 4188 2.2 12.2 35|1203 4022 0.6 4.5 137
472 3907 0.6 5.5 168|4981 4701 1.4 9.5 85|3559 4864 0.6 4.3 32|1799 3617 1.4 6.7 100
4589 4468 0.7 3 149|376 4566 0.6 6.9 173
"""


def _states() -> tuple[np.ndarray, np.ndarray]:
    rows = [
        [float(v) for v in row.split()]
        for row in STATES.replace("\n", "|").split("|")
        if row.strip()
    ]
    table = np.array(rows)
    population, income, illiteracy, murder, frost = table.T
    return np.column_stack([population, illiteracy, income, frost]), murder


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of an ordinary least-squares fit with intercept (0 without predictors)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return float(1.0 - residual @ residual / ((y - y.mean()) @ (y - y.mean())))


def _lmg(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapley values of R² (LMG), exact over all subsets, each R² from its own regression."""
    k = x.shape[1]
    r2 = {
        subset: _r2(x[:, list(subset)], y)
        for size in range(k + 1)
        for subset in itertools.combinations(range(k), size)
    }
    values = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                values[j] += weight * (r2[with_j] - r2[subset])
    return values


def _correlated(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = rng.normal(size=(n, 4)) + common * np.array([0.9, 0.6, 0.3, 0.0])
    y = x @ np.array([0.8, 0.5, 0.3, 0.2]) + rng.normal(size=n)
    return x, y


def test_relative_weights_reproduce_the_published_state_murder_example() -> None:
    # Kabacoff, R in Action (2nd ed., 2015), §8.7.2: relweights() on
    # lm(Murder ~ Population + Illiteracy + Income + Frost, data = states) gives
    # Illiteracy 59.00, Frost 20.79, Population 14.72, Income 5.49 (% of R²), R² = 0.567.
    x, y = _states()
    result = d.relative_weights(x, y, ["population", "illiteracy", "income", "frost"], bootstrap=0)
    shares = {w.key: round(w.share, 2) for w in result.weights}
    assert shares == {"illiteracy": 59.00, "frost": 20.79, "population": 14.72, "income": 5.49}
    assert round(result.r2, 3) == 0.567
    assert [w.key for w in result.weights] == ["illiteracy", "frost", "population", "income"]


def test_raw_weights_add_up_to_the_r_squared_of_the_full_regression() -> None:
    x, y = _correlated(400)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0)
    assert sum(w.raw for w in result.weights) == pytest.approx(_r2(x, y), abs=1e-10)
    assert result.r2 == pytest.approx(_r2(x, y), abs=1e-10)
    assert sum(w.share for w in result.weights) == pytest.approx(100.0)


def test_relative_weights_agree_closely_with_an_exact_shapley_decomposition() -> None:
    x, y = _correlated(600)
    lmg = _lmg(x, y)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0)
    raw = np.array([result.weight(key).raw for key in "abcd"])  # type: ignore[union-attr]
    assert lmg.sum() == pytest.approx(raw.sum(), abs=1e-10)  # both split the same R²
    assert np.argsort(-lmg).tolist() == np.argsort(-raw).tolist()
    shares_lmg = lmg / lmg.sum() * 100
    shares_rw = raw / raw.sum() * 100
    assert np.abs(shares_lmg - shares_rw).max() < 3.0  # close, not identical
    assert np.abs(shares_lmg - shares_rw).max() > 1e-6


def test_uncorrelated_drivers_weigh_their_squared_correlations() -> None:
    rng = np.random.default_rng(8)
    raw_x = rng.normal(size=(200, 3))
    q, _ = np.linalg.qr(raw_x - raw_x.mean(axis=0))  # exactly orthogonal, centred columns
    y = q @ np.array([3.0, 2.0, 1.0]) + rng.normal(size=200) * 0.1
    result = d.relative_weights(q, y, ["a", "b", "c"], bootstrap=0)
    for j, key in enumerate("abc"):
        r = np.corrcoef(q[:, j], y)[0, 1]
        assert result.weight(key).raw == pytest.approx(r * r, abs=1e-9)  # type: ignore[union-attr]


def test_the_direction_of_each_driver_is_its_correlation_with_the_outcome() -> None:
    x, y = _correlated(300)
    result = d.relative_weights(x, -y, list("abcd"), bootstrap=0)
    for j, key in enumerate("abcd"):
        assert result.weight(key).r == pytest.approx(np.corrcoef(x[:, j], -y)[0, 1])  # type: ignore[union-attr]


def test_bootstrap_intervals_are_reproducible_and_contain_the_estimate() -> None:
    x, y = _correlated(500)
    first = d.relative_weights(x, y, list("abcd"), bootstrap=300, seed=7)
    again = d.relative_weights(x, y, list("abcd"), bootstrap=300, seed=7)
    other = d.relative_weights(x, y, list("abcd"), bootstrap=300, seed=8)
    assert first == again
    assert first != other
    for w in first.weights:
        assert w.raw_low <= w.raw <= w.raw_high
        assert w.share_low <= w.share <= w.share_high
    assert first.r2_low <= first.r2 <= first.r2_high


def test_bootstrap_intervals_match_a_plain_resampling_loop() -> None:
    x, y = _correlated(800, seed=11)
    data = np.column_stack([x, y])
    rng = np.random.default_rng(99)
    plain = []
    for _ in range(600):
        sample = data[rng.integers(0, len(data), len(data))]
        corr = np.corrcoef(sample.T)
        raw, _ = d.relative_weights_from_correlations(corr[:4, :4], corr[:4, 4])
        plain.append(raw)
    low, high = np.quantile(np.array(plain), [0.025, 0.975], axis=0)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=600, seed=5)
    for j, key in enumerate("abcd"):
        w = result.weight(key)
        assert w is not None
        width = high[j] - low[j]
        assert w.raw_low == pytest.approx(low[j], abs=0.2 * width)
        assert w.raw_high == pytest.approx(high[j], abs=0.2 * width)


def test_a_resample_as_row_counts_correlates_like_the_repeated_rows() -> None:
    x, y = _correlated(60)
    data = np.column_stack([x, y])
    counts = np.random.default_rng(2).multinomial(60, np.full(60, 1 / 60))
    expected = np.corrcoef(np.repeat(data, counts, axis=0).T)
    assert d.correlation_matrix(data, counts=counts.tolist()) == pytest.approx(expected)
    data[::4, 1] = np.nan
    repeated = np.repeat(data, counts, axis=0)
    both = ~np.isnan(repeated[:, 1])
    r = np.corrcoef(repeated[both][:, [1, 4]].T)[0, 1]
    assert d.correlation_matrix(data, counts=counts.tolist())[1, 4] == pytest.approx(r)


def test_pairwise_correlations_use_the_rows_where_both_values_are_present() -> None:
    x, y = _correlated(300)
    x[::3, 0] = np.nan
    x[1::5, 2] = np.nan
    data = np.column_stack([x, y])
    corr = d.correlation_matrix(data)
    for j, k in itertools.combinations(range(5), 2):
        both = ~np.isnan(data[:, j]) & ~np.isnan(data[:, k])
        assert corr[j, k] == pytest.approx(np.corrcoef(data[both, j], data[both, k])[0, 1])
    result = d.relative_weights(x, y, list("abcd"), bootstrap=50)
    assert result.missing == "pairwise" and result.n == 300
    assert result.weight("a").n == 200  # type: ignore[union-attr]


def test_listwise_keeps_only_rows_with_every_driver() -> None:
    x, y = _correlated(300)
    x[::3, 0] = np.nan
    x[1::5, 2] = np.nan
    complete = ~np.isnan(x).any(axis=1)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0, missing="listwise")
    assert result.n == int(complete.sum())
    assert result.r2 == pytest.approx(_r2(x[complete], y[complete]))


def test_rows_without_the_outcome_are_left_out() -> None:
    x, y = _correlated(100)
    y[:10] = np.nan
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0)
    assert result.n == 90
    assert result.r2 == pytest.approx(_r2(x[10:], y[10:]))


def test_constant_and_sparse_drivers_are_dropped_with_a_reason() -> None:
    x, y = _correlated(100)
    constant = np.full((100, 1), 4.0)
    sparse = np.full((100, 1), np.nan)
    sparse[:5, 0] = [1.0, 2.0, 3.0, 4.0, 5.0]
    wide = np.column_stack([x, constant, sparse])
    result = d.relative_weights(wide, y, ["a", "b", "c", "d", "flat", "rare"], bootstrap=0)
    assert {(dr.key, dr.reason) for dr in result.dropped} == {
        ("flat", "constant"),
        ("rare", "too_few_values"),
    }
    assert {w.key for w in result.weights} == set("abcd")
    assert result.r2 == pytest.approx(_r2(x, y))


def test_too_few_rows_for_the_drivers_are_refused() -> None:
    x, y = _correlated(5)
    with pytest.raises(Invalid, match="at least 6 rows"):
        d.relative_weights(x, y, list("abcd"), bootstrap=0, min_values=2)
    x, _ = _correlated(20)
    with pytest.raises(Invalid, match="outcome is constant"):
        d.relative_weights(x, np.ones(20), list("abcd"), bootstrap=0)


def test_duplicated_drivers_split_their_weight_evenly() -> None:
    x, y = _correlated(300)
    twin = np.column_stack([x, x[:, 0]])
    result = d.relative_weights(twin, y, ["a", "b", "c", "d", "a2"], bootstrap=20)
    a, a2 = result.weight("a"), result.weight("a2")
    assert a is not None and a2 is not None
    assert a.raw == pytest.approx(a2.raw)
    assert result.r2 == pytest.approx(_r2(x, y))


def test_an_indefinite_pairwise_matrix_still_gives_finite_weights() -> None:
    # Three drivers seen in disjoint pairs can correlate in ways no complete data allows.
    rng = np.random.default_rng(4)
    n = 90
    base = rng.normal(size=n)
    x = np.full((n, 3), np.nan)
    x[:30, 0], x[:30, 1] = base[:30], base[:30]
    x[30:60, 1], x[30:60, 2] = base[30:60], base[30:60]
    x[60:, 0], x[60:, 2] = base[60:], -base[60:]
    y = base + rng.normal(size=n) * 0.5
    corr = d.correlation_matrix(np.column_stack([x, y]))
    assert np.linalg.eigvalsh(corr[:3, :3]).min() < 0
    result = d.relative_weights(x, y, ["a", "b", "c"], bootstrap=30)
    assert all(math.isfinite(w.raw) and w.raw >= 0 for w in result.weights)


def test_importance_performance_puts_important_weak_drivers_first() -> None:
    x, y = _correlated(500)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0)
    performance = {"a": 40.0, "b": 90.0, "c": 45.0, "d": 95.0}
    quadrants = {p.key: p.quadrant for p in d.importance_performance(result, performance)}
    assert quadrants["a"] == d.Quadrant.FIX_FIRST
    assert quadrants["b"] == d.Quadrant.KEEP_UP
    assert quadrants["c"] == d.Quadrant.LOW_PRIORITY
    assert quadrants["d"] == d.Quadrant.POSSIBLE_OVERKILL


def test_moments_of_truth_rank_by_importance_times_performance_gap() -> None:
    x, y = _correlated(500)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=100)
    performance = {"a": 90.0, "b": 20.0, "c": 50.0, "d": 10.0}
    touchpoints = {"a": "shop", "b": "hotline", "c": "web", "d": "letter"}
    moments = d.rank_moments_of_truth(result, performance, touchpoints)
    scores = {m.touchpoint: m.score for m in moments}
    for key, tp in touchpoints.items():
        w = result.weight(key)
        assert w is not None
        assert scores[tp] == pytest.approx(w.share * (100 - performance[key]) / 100)
    assert [m.rank for m in moments] == [1, 2, 3, 4]
    assert moments[0].touchpoint == max(scores, key=lambda tp: scores[tp])
    journey = d.rank_moments_of_truth(result, performance, touchpoints, only=["web", "shop"])
    assert [m.touchpoint for m in journey] == sorted(["web", "shop"], key=lambda tp: -scores[tp])
    first = journey[0]
    assert first.n == 500 and first.share_low <= first.share <= first.share_high


def test_to_percent_puts_every_scale_on_zero_to_hundred() -> None:
    assert d.to_percent("nps", 10) == 100.0 and d.to_percent("nps", 0) == 0.0
    assert d.to_percent("csat", 3) == 50.0
    assert d.to_percent("ces", 7) == 100.0


def test_mean_imputation_weighs_the_drivers_with_missing_values_filled_by_their_mean() -> None:
    x, y = _correlated(300)
    x[::3, 0] = np.nan
    x[1::4, 1] = np.nan
    filled = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0, missing="mean")
    expected = d.relative_weights(filled, y, list("abcd"), bootstrap=0)
    assert result.r2 == pytest.approx(expected.r2)
    assert result.weight("a").raw == pytest.approx(expected.weight("a").raw)  # type: ignore[union-attr]
    assert result.weight("a").n == 200  # type: ignore[union-attr]
    assert result.notes == ()


def test_pairwise_on_drivers_never_seen_together_is_noted_as_sparse() -> None:
    x, y = _correlated(120)
    x[:60, 0] = np.nan
    x[60:, 1] = np.nan
    result = d.relative_weights(x, y, list("abcd"), bootstrap=0)
    assert "sparse_pairs" in result.notes
