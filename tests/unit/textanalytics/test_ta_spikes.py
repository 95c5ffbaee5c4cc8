"""Emerging topics: a planted spike in stationary data is found, stationary topics are not."""

from datetime import date, timedelta

import numpy as np
import pytest

from cxm.textanalytics.spikes import (
    SpikeConfig,
    TopicCount,
    benjamini_hochberg,
    binomial_sf,
    detect_spikes,
)

AS_OF = date(2026, 3, 31)
TOPICS = ["Verbindungsabbrüche", *[f"topic_{i}" for i in range(19)]]
PRODUCTS = ["Modell X", "Modell Y", "Modell Z"]
TOUCHPOINTS = ["app", "hotline"]


def _stationary_counts(seed: int, *, spike: bool) -> list[TopicCount]:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(35):
        day = AS_OF - timedelta(days=34 - d)
        weekday = 1.4 if day.weekday() == 0 else 1.0
        for topic in TOPICS:
            for product in PRODUCTS:
                for tp in TOUCHPOINTS:
                    lam = 0.8 * weekday
                    planted = topic == "Verbindungsabbrüche" and product == "Modell X"
                    if spike and planted and tp == "app" and d >= 28:
                        lam = 6.0
                    n = int(rng.poisson(lam))
                    if n:
                        rows.append(TopicCount(day, topic, n, product, tp))
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_planted_spike_is_found_and_stationary_topics_are_not_flagged(seed: int) -> None:
    alerts = detect_spikes(_stationary_counts(seed, spike=True), as_of=AS_OF)
    assert any(a.topic == "Verbindungsabbrüche" and a.product == "Modell X" for a in alerts)
    assert {a.topic for a in alerts} == {"Verbindungsabbrüche"}
    top = alerts[0]
    assert top.recent_count > top.expected * 2
    assert "spike in 'Verbindungsabbrüche'" in top.message


@pytest.mark.parametrize("seed", range(8))
def test_stationary_data_raises_no_alert(seed: int) -> None:
    assert detect_spikes(_stationary_counts(100 + seed, spike=False), as_of=AS_OF) == []


def test_alert_message_names_product_and_touchpoint() -> None:
    alerts = detect_spikes(_stationary_counts(1, spike=True), as_of=AS_OF)
    both = [a for a in alerts if a.product == "Modell X" and a.touchpoint == "app"]
    assert both and both[0].message.startswith(
        "spike in 'Verbindungsabbrüche' among owners of Modell X via app"
    )


def test_rise_in_volume_alone_is_not_a_spike_when_totals_are_given() -> None:
    rows, totals = [], {}
    for d in range(35):
        day = AS_OF - timedelta(days=34 - d)
        volume = 300 if d >= 28 else 100
        totals[day] = volume
        rows.append(TopicCount(day, "billing", volume // 10))
    assert detect_spikes(rows, as_of=AS_OF, totals=totals) == []
    assert [a.topic for a in detect_spikes(rows, as_of=AS_OF)] == ["billing"]


def test_small_counts_never_alert() -> None:
    rows = [TopicCount(AS_OF, "rare", 4)]
    assert detect_spikes(rows, as_of=AS_OF, config=SpikeConfig(min_recent=5)) == []


def test_binomial_tail_and_bh_adjustment() -> None:
    assert binomial_sf(0, 10, 0.3) == 1.0
    assert binomial_sf(11, 10, 0.3) == 0.0
    assert binomial_sf(10, 10, 0.5) == pytest.approx(0.5**10)
    assert binomial_sf(3, 5, 0.5) == pytest.approx(0.5)
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
