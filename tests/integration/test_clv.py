"""Customer lifetime value (BG/NBD + Gamma-Gamma fits by maximum likelihood) and the churn-risk
score: parameter recovery on simulated data, purchase histories from the analytical store (the
same as the former operational implementation, kept here as the reference, on random data with
merges), the churn model's held-back AUC on planted data, and the stored scores with the
priority list."""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.analytics import clv
from cxm.customers import services as customers
from cxm.insights import services as insights
from cxm.interactions.models import Interaction
from cxm.segments import services as segments
from cxm.segments.models import CustomerScore, ScoreRun
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Invalid
from tests import factories
from tests.conftest import T0
from tests.integration.test_segments import add_interaction, add_nps


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Purchase histories from the BG/NBD story itself (weeks; customers born at 0..26)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    big_t = rng.uniform(26, 52, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        at, count, last = 0.0, 0, 0.0
        while True:
            at += rng.exponential(1 / rates[i])
            if at > big_t[i]:
                break
            count, last = count + 1, at
            if rng.random() < dropout[i]:
                break
        x[i], t_x[i] = count, last
    return x, t_x, big_t


def test_bgnbd_recovers_the_parameters_it_was_simulated_with() -> None:
    x, t_x, big_t = simulate_bgnbd(4000, r=0.8, alpha=4.0, a=0.6, b=2.5)
    model = clv.fit_bgnbd(x, t_x, big_t)
    assert model.r == pytest.approx(0.8, rel=0.15)
    assert model.alpha == pytest.approx(4.0, rel=0.2)
    assert model.a == pytest.approx(0.6, rel=0.3)
    assert model.b == pytest.approx(2.5, rel=0.35)
    assert model.n == 4000


def test_bgnbd_predictions_keep_their_known_properties() -> None:
    model = clv.BgNbd(r=0.8, alpha=4.0, a=0.6, b=2.5)
    x = np.array([0.0, 0.0, 3.0, 3.0])
    t_x = np.array([0.0, 0.0, 40.0, 5.0])
    big_t = np.array([52.0, 52.0, 52.0, 52.0])
    alive = model.probability_alive(x, t_x, big_t)
    assert alive[0] == alive[1] == 1.0  # no repeat purchase: no chance yet to drop out
    assert alive[2] > alive[3]  # the same purchases, but the last one long ago: less alive
    expected = model.expected_purchases(26.0, x, t_x, big_t)
    assert expected[2] > expected[3] > 0
    assert np.all(np.diff([model.expected_purchases(t, x, t_x, big_t)[2] for t in (4, 8, 16)]) > 0)
    # E[X(t)] for a new customer against the simulation's average over the first 26 weeks
    rng = np.random.default_rng(5)
    counts = []
    for _ in range(4000):
        rate, drop = rng.gamma(0.8, 1 / 4.0), rng.beta(0.6, 2.5)
        at, count = 0.0, 0
        while True:
            at += rng.exponential(1 / rate)
            if at > 26:
                break
            count += 1
            if rng.random() < drop:
                break
        counts.append(count)
    assert model.unconditional_purchases(26.0) == pytest.approx(np.mean(counts), rel=0.08)


def test_gamma_gamma_recovers_its_parameters_and_shrinks_to_the_mean() -> None:
    rng = np.random.default_rng(1)
    n, p, q, gamma = 3000, 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1 / gamma, n)
    x = rng.integers(1, 10, n).astype(float)
    mean_value = np.array([rng.gamma(p, 1 / nu[i], int(k)).mean() for i, k in enumerate(x)])
    model = clv.fit_gamma_gamma(x, mean_value)
    assert model.p == pytest.approx(p, rel=0.2)
    assert model.q == pytest.approx(q, rel=0.2)
    assert model.gamma == pytest.approx(gamma, rel=0.3)
    population = model.population_mean()
    spend = model.expected_spend(np.array([1.0, 50.0]), np.array([500.0, 500.0]))
    assert population < spend[0] < spend[1] < 500.0  # one purchase says less than fifty


def test_lifetime_value_without_discount_is_expected_purchases_times_spend() -> None:
    model = clv.BgNbd(r=0.8, alpha=4.0, a=0.6, b=2.5)
    x, t_x, big_t = np.array([2.0]), np.array([30.0]), np.array([40.0])
    value = clv.lifetime_value(
        model, np.array([50.0]), x, t_x, big_t, months=6, monthly_discount=0.0
    )
    expected = model.expected_purchases(6 * clv.MONTH_WEEKS, x, t_x, big_t)
    assert value[0] == pytest.approx(expected[0] * 50.0)
    discounted = clv.lifetime_value(model, np.array([50.0]), x, t_x, big_t, months=6)
    assert discounted[0] < value[0]


def test_fits_refuse_too_little_data() -> None:
    with pytest.raises(Invalid):
        clv.fit_bgnbd(np.array([1.0]), np.array([1.0]), np.array([2.0]))
    with pytest.raises(Invalid):
        clv.fit_bgnbd(np.ones(5), np.full(5, 3.0), np.full(5, 2.0))  # t_x after T
    with pytest.raises(Invalid):
        clv.fit_gamma_gamma(np.array([0.0, 1.0]), np.array([0.0, 5.0]))


def test_auc_is_the_share_of_correctly_ordered_pairs() -> None:
    assert clv.auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert clv.auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert clv.auc([0, 1], [0.5, 0.5]) == 0.5
    assert clv.auc([0, 0, 1], [0.1, 0.4, 0.3]) == 0.5


def test_value_and_experience_make_the_priority_cell() -> None:
    at_risk = clv.experience_of(0.9, high=0.5, low=0.1)
    assert at_risk is clv.Experience.AT_RISK
    assert clv.experience_of(0.05, high=0.5, low=0.1) is clv.Experience.GOOD
    assert clv.experience_of(None, high=0.5, low=0.1) is clv.Experience.NEUTRAL
    assert clv.category_of(clv.ValueTier.HIGH, at_risk) is clv.Category.PRIORITY
    assert clv.category_of(clv.ValueTier.HIGH, clv.Experience.GOOD) is clv.Category.NURTURE
    assert clv.category_of(clv.ValueTier.LOW, at_risk) is clv.Category.RETAIN_CHEAPLY
    assert clv.category_of(None, clv.Experience.NEUTRAL) is clv.Category.STANDARD


def test_purchase_histories_count_repeat_days_and_their_mean_value(
    db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    one = factories.customer(db, now=now)
    two = factories.customer(db, now=now)
    first = now - timedelta(days=70)
    add_interaction(db, one.id, "purchase", first, value_eur=100.0)
    add_interaction(db, one.id, "order", first + timedelta(hours=2), value_eur=20.0)  # same day
    add_interaction(db, one.id, "order", first + timedelta(days=14), value_eur=30.0)
    add_interaction(db, one.id, "purchase", first + timedelta(days=28), value_eur="50")
    add_interaction(db, two.id, "purchase", now - timedelta(days=7), value_eur=80.0)
    add_interaction(db, two.id, "purchase", now - timedelta(days=500), value_eur=999.0)  # too old
    add_interaction(db, two.id, "invoice", now - timedelta(days=3), amount_eur=40.0)  # not one
    with insights.scratch_engine(db, now=now, tables=clv.SYNCED) as store:
        summary = clv.purchase_summary(store, now=now, window_days=365)
    row = {c: i for i, c in enumerate(summary.customers)}
    i, j = row[one.id], row[two.id]
    assert summary.x[i] == 2 and summary.t_x[i] == pytest.approx(4.0)
    assert summary.mean_value[i] == pytest.approx(40.0)
    assert summary.first_value[i] == pytest.approx(120.0)
    assert summary.big_t[i] == pytest.approx(70 / 7, abs=0.15)
    assert summary.x[j] == 0 and summary.mean_value[j] == 0 and summary.total_value[j] == 80.0


# ----------------------------------------------------------------------------------------------
# The reference: the former operational implementation of `purchase_summary`. (A merge moves
# the merged customer's interactions to the survivor in the operational database; the store
# keeps them under the old id and resolves it through its survivors.)


def _reference_value(properties: Any) -> float:
    if not isinstance(properties, Mapping):
        return 0.0
    raw = properties.get("value_eur", properties.get("amount_eur", 0.0))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def reference_purchase_summary(
    db: Session,
    *,
    now: datetime,
    window_days: int = 365,
    types: Sequence[str] = clv.TRANSACTION_TYPES,
) -> clv.PurchaseSummary:
    start = now - timedelta(days=window_days)
    rows = db.execute(
        select(Interaction.customer_id, Interaction.occurred_at, Interaction.properties).where(
            Interaction.type.in_(list(types)),
            Interaction.occurred_at >= start,
            Interaction.occurred_at < now,
        )
    ).all()
    days: dict[uuid.UUID, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for customer, at, properties in rows:
        day = int((at - start).total_seconds() // 86400)
        days[customer][day] += _reference_value(properties)
    people = sorted(days, key=str)
    horizon = (now - start).total_seconds() / 86400
    x, t_x, big_t, mean_value, first_value, total = [], [], [], [], [], []
    for customer in people:
        occasions = sorted(days[customer].items())
        first_day, first_val = occasions[0]
        last_day = occasions[-1][0]
        repeats = [v for _, v in occasions[1:]]
        x.append(float(len(repeats)))
        t_x.append((last_day - first_day) / clv.WEEK_DAYS)
        big_t.append(max(horizon - first_day, 1.0) / clv.WEEK_DAYS)
        mean_value.append(sum(repeats) / len(repeats) if repeats else 0.0)
        first_value.append(first_val)
        total.append(sum(v for _, v in occasions))
    arr = np.asarray
    return clv.PurchaseSummary(
        people,
        arr(x, dtype=np.float64),
        arr(t_x, dtype=np.float64),
        arr(big_t, dtype=np.float64),
        arr(mean_value, dtype=np.float64),
        arr(first_value, dtype=np.float64),
        arr(total, dtype=np.float64),
    )


def build_purchases(db: Session, now: datetime, *, seed: int, people: int = 60) -> None:
    """Purchases and orders (values as numbers, text, negative, missing, not a number, under
    amount_eur), other interactions, transactions on one day and at the window's edges (whole
    days from its start, which is not midnight), and merged customers."""
    rng = random.Random(seed)
    persons = [factories.customer(db, now=now - timedelta(days=900)) for _ in range(people)]
    edges = [
        now - timedelta(days=365),
        now - timedelta(days=365, microseconds=1),
        now - timedelta(days=300, microseconds=1),  # the last instant of a day (from start)
        now - timedelta(days=300),
        now - timedelta(microseconds=1),
        now,
    ]
    values: list[Any] = [12.5, 80.0, 0.01, "50", "49.99", -5.0, None, "n/a", 0, 1e3, 19.99]
    for person in persons:
        first = now - timedelta(seconds=rng.uniform(0, 420 * 86400))
        for _ in range(rng.randint(1, 8)):
            at = rng.choice(edges) if rng.random() < 0.1 else first + timedelta(
                seconds=rng.uniform(-40 * 86400, 200 * 86400)
            )  # fmt: skip
            kind = rng.choice(("purchase", "purchase", "order", "invoice", "call"))
            properties: dict[str, Any] = {}
            roll = rng.random()
            if roll < 0.7:
                properties["value_eur"] = rng.choice(values)
            elif roll < 0.85:
                properties["amount_eur"] = rng.choice(values)
            add_interaction(db, person.id, kind, at, **properties)
            if rng.random() < 0.2:  # another on the same day
                add_interaction(db, person.id, kind, at + timedelta(minutes=30),
                                value_eur=rng.choice(values))  # fmt: skip
    for k in range(0, people - 1, 7):
        customers.merge_customers(db, survivor_id=persons[k + 1].id, merged_id=persons[k].id,
                                  now=now)  # fmt: skip
    db.flush()


def _assert_same_summary(got: clv.PurchaseSummary, want: clv.PurchaseSummary) -> None:
    assert got.customers == want.customers
    for name in ("x", "t_x", "big_t", "mean_value", "first_value", "total_value"):
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-12)


@pytest.mark.parametrize(
    ("window_days", "types"),
    [(365, clv.TRANSACTION_TYPES), (90, clv.TRANSACTION_TYPES), (300, ("purchase",)),
     (1000, ("order", "invoice"))],
)  # fmt: skip
def test_store_purchase_histories_are_the_operational_ones(
    db: Session, window_days: int, types: tuple[str, ...]
) -> None:
    now = T0.replace(
        microsecond=123_456
    )  # a window that starts neither at midnight nor on a second
    build_purchases(db, now, seed=window_days)
    with insights.scratch_engine(db, now=now, tables=clv.SYNCED) as store:
        got = clv.purchase_summary(store, now=now, window_days=window_days, types=types)
    want = reference_purchase_summary(db, now=now, window_days=window_days, types=types)
    assert len(want.customers) > 10 and (want.x > 0).any()
    _assert_same_summary(got, want)


def test_merges_after_a_sync_reach_the_store_at_the_next_one(db: Session) -> None:
    from cxm.analytics import sync
    from cxm.analytics.settings import AnalyticsSettings

    now = T0
    build_purchases(db, now, seed=5, people=20)
    with insights.scratch_engine(db, now=now, tables=clv.SYNCED) as store:
        people = clv.purchase_summary(store, now=now, window_days=1000).customers
        customers.merge_customers(db, survivor_id=people[0], merged_id=people[1], now=now)
        db.flush()
        sync.sync(
            db, store=store, settings=AnalyticsSettings(engine="duckdb", parquet=False),
            now=now + timedelta(minutes=1), tables=list(clv.SYNCED),
        )  # fmt: skip
        got = clv.purchase_summary(store, now=now, window_days=1000)
    assert people[1] not in got.customers
    _assert_same_summary(got, reference_purchase_summary(db, now=now, window_days=1000))


def plant_churn(db: Session, now: datetime, *, customers: int = 240, seed: int = 3) -> list:
    """Customers whose complaints and detractor answers come 2–3 months before they cancel,
    others who stay (some complain and stay), a few who leave without warning; and purchases."""
    rng = random.Random(seed)
    people = []
    for n in range(customers):
        person = factories.customer(db, now=now - timedelta(days=500))
        people.append(person)
        start = now - timedelta(days=rng.uniform(300, 420))
        add_interaction(db, person.id, "call", start)
        add_interaction(db, person.id, "call", now - timedelta(days=rng.uniform(1, 30)))
        for k in range(rng.randrange(1, 5)):
            add_interaction(
                db, person.id, "purchase", start + timedelta(days=40 * k + rng.uniform(0, 20)),
                value_eur=round(rng.uniform(20, 400), 2),
            )  # fmt: skip
        role = n % 8
        if role in (0, 1):  # complains, then cancels: in the training or the test period
            cutoff = now - timedelta(days=180 if role == 0 else 90)
            for _ in range(2):
                add_interaction(
                    db, person.id, "complaint", cutoff - timedelta(days=rng.uniform(5, 60))
                )
            add_nps(db, person.id, rng.randrange(0, 5), cutoff - timedelta(days=rng.uniform(5, 60)))
            add_interaction(
                db, person.id, "cancellation", cutoff + timedelta(days=rng.uniform(10, 80))
            )
        elif role == 2:  # complains and stays
            add_interaction(db, person.id, "complaint", now - timedelta(days=rng.uniform(100, 250)))
            add_nps(db, person.id, rng.randrange(7, 11), now - timedelta(days=rng.uniform(10, 250)))
        elif role == 3 and n % 16 == 3:  # leaves without warning
            add_interaction(
                db, person.id, "cancellation", now - timedelta(days=rng.uniform(10, 170))
            )
        else:
            add_nps(db, person.id, rng.randrange(8, 11), now - timedelta(days=rng.uniform(10, 250)))
    db.commit()
    return people


def test_churn_model_finds_planted_churn_on_held_back_time(db: Session, clock: FixedClock) -> None:
    plant_churn(db, clock.now())
    model = clv.churn_model(db, now=clock.now(), horizon_days=90)
    assert model.auc > 0.85
    assert model.train_positives > 10 and model.test_positives > 10
    assert model.test_cutoff - model.train_cutoff == timedelta(days=90)
    assert model.coefficients["complaints_90d"] > 0
    assert model.coefficients["detractor_answers_180d"] > 0
    # Customers who already cancelled are not scored any more.
    assert model.test_n < model.train_n
    assert len(model.customers) == len(model.risk) and float(model.risk.max()) < 1.0


def test_churn_without_cancellations_is_refused(db: Session, clock: FixedClock) -> None:
    person = factories.customer(db, now=clock.now())
    add_interaction(db, person.id, "call", clock.now() - timedelta(days=300))
    db.commit()
    with pytest.raises(Invalid, match="cancelled"):
        clv.churn_model(db, now=clock.now())


def test_refreshed_scores_feed_segments_and_the_priority_list(
    db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    people = plant_churn(db, now)
    result = insights.refresh_scores(db, now=now, window_days=450)
    assert result.clv is not None and result.clv["ok"], result.clv
    assert result.churn is not None and result.churn["ok"], result.churn
    assert result.churn["auc"] > 0.85
    stored = db.scalar(select(func.count()).select_from(CustomerScore))
    assert stored == result.customers > 0
    assert db.scalar(select(func.count()).select_from(ScoreRun)) == 2
    assert insights.latest_run(db, insights.CLV) is not None

    priority = insights.priority_customers(db, limit=500)
    assert priority, "high value at risk exists among planted churners"
    assert all(p.value_tier == "high" and p.experience == "at_risk" for p in priority)
    assert [p.clv for p in priority] == sorted((p.clv for p in priority), reverse=True)
    assert insights.is_priority(db, priority[0].id)
    rule = {"field": "value_category", "value": "priority"}
    assert segments.count(db, rule=rule, now=now) == len(priority)

    grid = insights.value_experience_grid(db)
    assert sum(sum(row.values()) for row in grid.values()) == stored
    assert grid["high"]["at_risk"] == len(priority)

    again = insights.refresh_scores(db, now=now + timedelta(days=1), window_days=450)
    assert db.scalar(select(func.count()).select_from(CustomerScore)) == again.customers
    assert {p.id for p in people} >= {p.id for p in insights.top_by_value(db, limit=1000)}


def test_scores_refresh_keeps_going_when_a_model_cannot_be_fitted(
    db: Session, clock: FixedClock
) -> None:
    someone = factories.customer(db, now=clock.now())
    add_interaction(db, someone.id, "purchase", clock.now() - timedelta(days=10), value_eur=10.0)
    db.commit()
    result = insights.refresh_scores(db, now=clock.now())
    assert result.clv == {
        "ok": False,
        "reason": "too few customers with a purchase for a CLV model",
    }
    assert result.churn is not None and result.churn["ok"] is False
    assert result.customers == 0
