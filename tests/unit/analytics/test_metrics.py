"""The CX metrics against hand-computed cases."""

from __future__ import annotations

import math

import pytest

from cxm.analytics import metrics as m


def test_no_answers_give_no_score() -> None:
    result = m.nps_from_scores([])
    assert result.n == 0 and result.value is None and result.moe is None and result.suppressed
    assert m.csat_from_scores([]).value is None
    assert m.ces_from_scores([]).mean is None
    assert m.response_rate(0, 0).value is None


def test_all_passives_give_nps_zero_with_no_uncertainty() -> None:
    result = m.nps_from_scores([7, 8] * 20, min_n=1)
    assert result.value == 0
    assert result.passives == 40 and result.promoters == result.detractors == 0
    assert result.moe == 0


@pytest.mark.parametrize(
    ("score", "category"),
    [(0, "detractors"), (6, "detractors"), (7, "passives"), (8, "passives"), (9, "promoters"),
     (10, "promoters")],
)  # fmt: skip
def test_boundaries_six_seven_and_eight_nine(score: int, category: str) -> None:
    result = m.nps_from_scores([score], min_n=1)
    assert getattr(result, category) == 1
    assert result.value == {"detractors": -100, "passives": 0, "promoters": 100}[category]


def test_ties_at_both_boundaries_cancel_out() -> None:
    # one each of 6, 7, 8, 9: 1 promoter, 2 passives, 1 detractor → 25 % − 25 % = 0
    assert m.nps_from_scores([6, 7, 8, 9], min_n=1).value == 0


def test_invalid_answers_are_not_counted() -> None:
    result = m.nps_from_scores([11, -1, None, 9.5, 10.0, True, 3], min_n=1)  # type: ignore[list-item]
    assert (result.n, result.promoters, result.detractors) == (2, 1, 1)


def test_scores_are_suppressed_below_min_n_and_shown_from_it() -> None:
    below = m.nps_from_scores([10] * 29, min_n=30)
    assert below.suppressed and below.value is None and below.n == 29
    at = m.nps_from_scores([10] * 30, min_n=30)
    assert not at.suppressed and at.value == 100
    assert m.csat(20, 29, min_n=30).value is None
    assert m.ces(29, 145.0, 750.0, 20, min_n=30).mean is None
    assert m.rate(5, 29, min_exposure=30).value is None


def test_nps_margin_of_error_on_a_small_hand_case() -> None:
    # 5 promoters, 3 passives, 2 detractors of 10: p_P = .5, p_D = .2
    # var = (.5 + .2 − .3²) / 10 = .061; MOE = 1.96 · √.061 · 100 = 48.41
    result = m.nps(5, 3, 2, min_n=1)
    assert result.value == pytest.approx(30.0)
    assert result.moe == pytest.approx(m.Z95 * math.sqrt(0.061) * 100)
    assert result.moe == pytest.approx(48.41, abs=0.01)


def test_nps_change_z_test_on_a_known_case() -> None:
    # NPS 30 (50/30/20 of 100) vs NPS 10 (40/30/30 of 100):
    # var₁ = (.7 − .09)/100 = .0061, var₂ = (.7 − .01)/100 = .0069, se = √.013 · 100 = 11.40
    # z = 20 / 11.40 = 1.754, two-sided p = 0.0794: not significant at 5 %
    change = m.nps_change(m.nps(50, 30, 20, min_n=30), m.nps(40, 30, 30, min_n=30))
    assert change.delta == pytest.approx(20.0)
    assert change.statistic == pytest.approx(1.7541, abs=1e-4)
    assert change.p_value == pytest.approx(0.0794, abs=1e-4)
    assert change.significant is False


def test_nps_change_is_significant_with_more_answers() -> None:
    change = m.nps_change(m.nps(500, 300, 200), m.nps(400, 300, 300))
    assert change.p_value is not None and change.p_value < 0.001 and change.significant


def test_change_is_not_tested_when_a_side_is_suppressed() -> None:
    change = m.nps_change(m.nps(5, 0, 0, min_n=30), m.nps(40, 30, 30))
    assert change.delta is None and change.p_value is None and change.significant is None


def test_two_proportion_z_test_for_csat() -> None:
    # 80/100 vs 65/100: pooled .725, se = √(.725·.275·.02) = 6.315 points, z = 2.375, p = .0175
    change = m.proportion_change(m.csat(80, 100), m.csat(65, 100))
    assert change.delta == pytest.approx(15.0)
    assert change.statistic == pytest.approx(2.3754, abs=1e-4)
    assert change.p_value == pytest.approx(0.01753, abs=1e-4)
    assert change.significant is True


def test_welch_t_test_for_ces_means() -> None:
    # mean 5.0 (sd 1.0) vs 4.5 (sd 1.2), n = 30 each: t = .5/√(1/30 + 1.44/30) = 1.7532,
    # Welch df = 56.2, two-sided p = 0.085
    a = m.Ces(30, 5.0, 1.0, None, None, m.proportion(20, 30), False)
    b = m.Ces(30, 4.5, 1.2, None, None, m.proportion(15, 30), False)
    change = m.mean_change(a, b)
    assert change.statistic == pytest.approx(1.7532, abs=1e-4)
    assert change.p_value == pytest.approx(0.0851, abs=1e-3)
    assert change.significant is False


def test_welch_t_test_matches_a_reference_implementation() -> None:
    # reference: scipy.stats.ttest_ind_from_stats(..., equal_var=False) on the same data
    a = m.ces_from_scores([7, 6, 6, 5, 7, 4, 6, 7, 5, 6] * 4, min_n=1)
    b = m.ces_from_scores([3, 5, 4, 6, 2, 5, 4, 3, 5, 4, 6] * 3, min_n=1)
    change = m.mean_change(a, b)
    assert change.statistic == pytest.approx(6.204298450745898, rel=1e-9)
    assert change.p_value == pytest.approx(5.710590395149265e-08, rel=1e-6)


def test_csat_is_the_top_two_box_share() -> None:
    result = m.csat_from_scores([5, 4, 3, 2, 1, 6, 0], min_n=1)  # 6 and 0 are not valid
    assert (result.n, result.hits, result.value) == (5, 2, 40.0)
    # Wilson 95 % for 2/5: [11.76 %, 76.93 %]
    assert result.ci_low == pytest.approx(11.76, abs=0.01)
    assert result.ci_high == pytest.approx(76.93, abs=0.01)


def test_ces_mean_and_share_who_agree() -> None:
    result = m.ces_from_scores([7, 6, 5, 4, 3, 2, 1], min_n=1)
    assert result.mean == pytest.approx(4.0)
    assert result.sd == pytest.approx(math.sqrt(28 / 6))
    assert result.agree.hits == 3 and result.agree.value == pytest.approx(300 / 7)
    # t(.975, 6) = 2.4469: 4 ± 2.4469 · √(28/6) / √7
    half = 2.446912 * math.sqrt(28 / 6) / math.sqrt(7)
    assert result.ci_low == pytest.approx(4 - half, abs=1e-5)


def test_response_rate_is_responses_over_invitations_sent() -> None:
    result = m.response_rate(45, 150, min_n=30)
    assert result.value == pytest.approx(30.0)
    with pytest.raises(ValueError):
        m.response_rate(5, 4, min_n=1)


def test_complaint_rate_per_thousand_with_exact_poisson_interval() -> None:
    # 3 complaints among 2,000 holders: 1.5 per 1,000; Garwood 95 % for k = 3: [0.6187, 8.7673]
    result = m.rate(3, 2000, per=1000, min_exposure=30)
    assert result.value == pytest.approx(1.5)
    assert result.ci_low == pytest.approx(0.6187 / 2, abs=1e-4)
    assert result.ci_high == pytest.approx(8.7673 / 2, abs=1e-4)


def test_zero_complaints_still_have_an_upper_bound() -> None:
    low, high = m.poisson_interval(0)
    assert low == 0 and high == pytest.approx(3.6889, abs=1e-4)  # the "rule of three" kin


@pytest.mark.parametrize(
    ("k", "low", "high"),
    [  # χ²(.025; 2k)/2 and χ²(.975; 2k+2)/2, from scipy.stats.chi2.ppf
        (1, 0.025317807984289876, 5.571643390938898),
        (10, 4.7953886961324335, 18.39035604201778),
        (250, 219.9679956309373, 282.98770504231607),
        (40_000, 39608.95521413471, 40393.94398823087),
    ],
)
def test_poisson_interval_matches_chi_square_quantiles(k: int, low: float, high: float) -> None:
    assert m.poisson_interval(k) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


def test_rate_change_between_periods() -> None:
    change = m.rate_change(m.rate(60, 10_000), m.rate(30, 10_000))
    # 6 vs 3 per 1,000: se = √(60/10⁸ + 30/10⁸) · 1000 = 0.9487, z = 3.162
    assert change.delta == pytest.approx(3.0)
    assert change.statistic == pytest.approx(3.1623, abs=1e-4)
    assert change.significant is True


def test_student_t_quantiles() -> None:
    assert m.t_ppf(0.975, 1) == pytest.approx(12.7062, abs=1e-4)
    assert m.t_ppf(0.975, 10) == pytest.approx(2.2281, abs=1e-4)
    assert m.t_ppf(0.975, 1e6) == pytest.approx(1.95996, abs=1e-4)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        m.nps(-1, 0, 0)
