"""KPI queries over a synced store, against the hand-computed world of test_analytics_fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import ibis  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cxm.analytics import kpi, metrics, sync
from cxm.analytics.store import Store
from cxm.shared.clock import FixedClock
from tests.conftest import T0
from tests.integration import test_analytics_spark as spark_tests
from tests.integration.test_analytics_fixtures import World, build_world, synced_store
from tests.integration.test_analytics_spark import Pair

# the Spark module's fixtures: a session, and the fixture world synced to both engines
spark = spark_tests.spark
world_pair = spark_tests.world_pair

JAN1 = date(2026, 1, 1)
FEB1 = date(2026, 2, 1)


@pytest.fixture
def world(db: Session, clock: FixedClock) -> World:
    return build_world(db, now=clock.now())


@pytest.fixture(scope="module")
def store(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One synced store for the read-only tests of this module."""
    path = synced_store(engine, tmp_path_factory.mktemp("kpi") / "analytics.duckdb", now=T0)
    with Store(path) as s:
        yield s


def _by(result: kpi.Kpi[metrics.Nps], *dims: str) -> dict[tuple[object, ...], metrics.Nps]:
    return {(r.period, *(r.group[d] for d in dims)): r.result for r in result.rows}


def test_nps_by_month_and_touchpoint(store: Store) -> None:
    got = _by(kpi.nps(store, period="month", by=["touchpoint"], min_n=3), "touchpoint")
    assert set(got) == {(JAN1, "hotline"), (FEB1, "hotline"), (JAN1, "shop")}
    jan = got[(JAN1, "hotline")]
    assert (jan.n, jan.promoters, jan.passives, jan.detractors, jan.value) == (6, 2, 2, 2, 0)
    assert jan.moe == pytest.approx(metrics.nps(2, 2, 2, min_n=1).moe)
    assert got[(FEB1, "hotline")].value == 50
    assert got[(JAN1, "shop")].value == 100


def test_scores_below_min_n_are_suppressed(store: Store) -> None:
    got = _by(kpi.nps(store, period="month", by=["touchpoint"], min_n=4), "touchpoint")
    assert got[(JAN1, "shop")].suppressed and got[(JAN1, "shop")].value is None
    assert got[(JAN1, "hotline")].value == 0
    flat = kpi.row_dict(next(r for r in kpi.nps(store, min_n=30).rows))
    assert flat["suppressed"] and flat["value"] is None and flat["promoters"] is None
    assert flat["n"] == 13


def test_nps_by_stage_department_segment_and_model(store: Store) -> None:
    by_stage = _by(kpi.nps(store, by=["stage", "department"], min_n=1), "stage", "department")
    assert by_stage[(None, "service", "kundenservice")].n == 10
    assert by_stage[(None, "purchase", "vertrieb")].value == 100
    # gold: c1 (10, 7 | 10, 9 | 9) and c3 (8, 0 | 6 | 9) → 5 P, 2 passive, 2 D of 9
    tier = _by(kpi.nps(store, by=["segment:tier"], min_n=1), "segment:tier")
    gold = tier[(None, "gold")]
    assert (gold.n, gold.promoters, gold.detractors) == (9, 5, 2)
    assert tier[(None, "silver")].n == 4
    # who held which model on the day: Modell X = c1 always, c2 from 10 Feb (Feb answers 10);
    # Tablet T = c3 until 20 Jan (Jan answers 8, 0, 9)
    model = _by(kpi.nps(store, by=["model"], min_n=1), "model")
    assert model[(None, "Smartphone Modell X")].n == 2 + 2 + 1 + 1
    assert model[(None, "Tablet T")].n == 3


def test_filters_by_period_touchpoint_segment_and_model(store: Store) -> None:
    feb = kpi.Filters(start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC))
    assert kpi.nps(store, filters=feb, min_n=1).rows[0].result.value == 50
    shop = kpi.Filters(touchpoints=("shop",))
    assert kpi.nps(store, filters=shop, min_n=1).rows[0].result.n == 3
    silver = kpi.Filters(segment=(("tier", "silver"),))
    assert kpi.nps(store, filters=silver, min_n=1).rows[0].result.n == 4
    modell_x = kpi.Filters(models=("Smartphone Modell X",))
    assert kpi.nps(store, filters=modell_x, min_n=1).rows[0].result.n == 6


def test_csat_ces_and_response_rate(store: Store) -> None:
    csat = kpi.csat(store, by=["touchpoint"], min_n=1).rows
    assert [(r.group["touchpoint"], r.result.n, r.result.value) for r in csat] == [
        ("hotline", 4, 50.0)
    ]
    ces = kpi.ces(store, period="month", min_n=1).rows[0].result
    assert ces.mean == pytest.approx(5.0) and ces.agree.value == pytest.approx(75.0)
    rr = kpi.response_rate(store, period="month", by=["touchpoint"], min_n=1).rows
    assert [(r.period, r.result.n, r.result.hits, r.result.value) for r in rr] == [
        (FEB1, 4, 2, 50.0)
    ]


def test_complaint_rate_per_model_is_normalised_by_holders(store: Store) -> None:
    f = kpi.Filters(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC))
    result = kpi.complaint_rate(store, period="month", by=["model"], filters=f, min_n=1)
    assert result.notes["exposure"] == "holders"
    got = {(r.period, r.group["model"]): r.result for r in result.rows}
    # Modell X: January 1 holder (c1), 0 complaints; February 2 holders, 2 complaints → 1,000
    assert (
        got[(JAN1, "Smartphone Modell X")].events,
        got[(JAN1, "Smartphone Modell X")].value,
    ) == (
        0,
        0.0,
    )
    feb = got[(FEB1, "Smartphone Modell X")]
    assert (feb.events, feb.exposure, feb.value) == (2, 2, 1000.0)
    low, high = metrics.poisson_interval(2)
    assert (feb.ci_low, feb.ci_high) == (pytest.approx(low * 500), pytest.approx(high * 500))
    # Tablet T: c3 held it in January (ended on the 20th), nobody in February
    assert got[(JAN1, "Tablet T")].exposure == 1
    assert got[(FEB1, "Tablet T")].exposure == 0 and got[(FEB1, "Tablet T")].suppressed


def test_complaint_rate_per_topic_and_model(store: Store) -> None:
    result = kpi.complaint_rate(
        store, period="month", by=["topic"], filters=kpi.Filters(models=("Smartphone Modell X",)),
        min_n=1,
    )  # fmt: skip
    got = {(r.period, r.group["topic"]): (r.result.events, r.result.exposure) for r in result.rows}
    assert got == {(FEB1, "battery"): (1, 2), (FEB1, "billing"): (1, 2)}
    by_source = kpi.complaint_rate(
        store, by=["topic"], sources=("complaint", "review"), topics="source", min_n=1
    )
    assert {r.group["topic"]: r.result.events for r in by_source.rows} == {
        "complaint": 2,
        "review": 1,
    }


def test_complaint_rate_per_touchpoint_is_normalised_by_interactions(store: Store) -> None:
    result = kpi.complaint_rate(store, period="month", by=["touchpoint"], min_n=1)
    assert result.notes["exposure"] == "interactions"
    got = {(r.period, r.group["touchpoint"]): r.result for r in result.rows}
    feb = got[(FEB1, "hotline")]
    assert (feb.events, feb.exposure, feb.value) == (1, 4, 250.0)
    assert got[(JAN1, "hotline")].events == 0 and got[(JAN1, "hotline")].exposure == 3
    # the shop had a complaint but no interactions: no exposure, no rate
    assert got[(FEB1, "shop")].suppressed


def test_compare_february_with_january(store: Store) -> None:
    result = kpi.compare(
        store, "nps", by=["touchpoint"], min_n=1,
        current=(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        previous=(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
    )  # fmt: skip
    rows = {r.group["touchpoint"]: r for r in result.rows}
    hot = rows["hotline"]
    assert hot.change.delta == 50
    assert hot.change == metrics.nps_change(
        metrics.nps(3, 0, 1, min_n=1), metrics.nps(2, 2, 2, min_n=1)
    )
    assert rows["shop"].current.suppressed and rows["shop"].change.delta is None
    default_previous = kpi.compare(
        store, "csat", current=(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    )
    assert default_previous.previous[0] == datetime(2026, 1, 4, tzinfo=UTC)


def test_responses_of_a_merged_customer_count_for_the_survivor(
    db: Session, clock: FixedClock, world: World, tmp_path: Path
) -> None:
    c2, c1 = world.customers["c2"], world.customers["c1"]
    c2.merged_into_id = c1.id
    db.flush()
    with Store(tmp_path / "merged.duckdb") as s:
        sync.sync(db, store=s, now=clock.now())
        tier = _by(kpi.nps(s, by=["segment:tier"], min_n=1), "segment:tier")
    assert tier[(None, "gold")].n == 13 and (None, "silver") not in tier


def test_topics_can_come_from_a_registered_text_analysis_table(
    db: Session, clock: FixedClock, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import literal, select

    from cxm.analytics import store as store_mod
    from cxm.feedback.models import Feedback

    monkeypatch.setattr(store_mod, "SCHEMAS", dict(store_mod.SCHEMAS))
    monkeypatch.setattr(sync, "SPECS", list(sync.SPECS))
    schema = ibis.schema({"feedback_id": "uuid", "topic": "string"})
    sync.register(
        sync.TableSpec(
            "stand_in_topics",
            schema,
            sync.Mode.REFRESH,
            # stands in for the text analysis: two topics for every complaint
            lambda: select(
                Feedback.id.label("feedback_id"), literal("akku").label("topic")
            ).union_all(
                select(Feedback.id.label("feedback_id"), literal("display").label("topic"))
            ),
        )
    )
    with Store(tmp_path / "topics.duckdb") as s:
        sync.sync(db, store=s, now=clock.now())
        result = kpi.complaint_rate(
            s, by=["topic"], topics=kpi.TableTopic("stand_in_topics"), min_n=1
        )
    assert {r.group["topic"]: r.result.events for r in result.rows} == {"akku": 2, "display": 2}


def _ids(store: Store, tier: str) -> list[str]:
    rows = store.query("SELECT id, attributes['tier'] AS tier FROM customers ORDER BY id")
    return [str(r["id"]) for r in rows if r["tier"] == tier]


def test_members_of_a_saved_segment_filter_through_a_temporary_table(store: Store) -> None:
    gold = kpi.Filters(members=kpi.Members.of(_ids(store, "gold")))
    # the same customers as the attribute filter: c1 and c3 gave 9 NPS answers
    got = kpi.nps(store, filters=gold, min_n=1).rows[0].result
    assert (got.n, got.promoters, got.detractors) == (9, 5, 2)
    silver = kpi.Members.of(_ids(store, "silver"))
    by_month = kpi.nps(store, period="month", filters=kpi.Filters(members=silver), min_n=1)
    assert sum(r.result.n for r in by_month.rows) == 4
    # the ids travel in a table of their own, not in the SQL text
    sql = kpi.compiled("answers", "nps", None, (), kpi.Filters(members=silver))
    assert silver.name in sql and silver.ids[0] not in sql
    # holders too: Modell X in February was held by c1 (gold) and c2 (silver)
    f = kpi.Filters(
        start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC), members=silver
    )
    rate = kpi.complaint_rate(store, by=["model"], filters=f, min_n=1)
    assert {r.group["model"]: r.result.exposure for r in rate.rows} == {"Smartphone Modell X": 1}
    assert kpi.nps(store, filters=kpi.Filters(members=kpi.Members.of([])), min_n=1).rows == []
    assert kpi.Members.of(reversed(silver.ids)) == silver  # one name per set, in any order


@pytest.mark.spark
def test_members_filter_the_same_way_on_spark(world_pair: Pair) -> None:
    silver = kpi.Members.of(_ids(world_pair.duckdb, "silver"))
    f = kpi.Filters(members=silver)
    duck = kpi.nps(world_pair.duckdb, period="month", by=["touchpoint"], filters=f, min_n=1)
    on_spark = kpi.nps(world_pair.spark, period="month", by=["touchpoint"], filters=f, min_n=1)
    assert [kpi.row_dict(r) for r in on_spark.rows] == [kpi.row_dict(r) for r in duck.rows]
    assert sum(r.result.n for r in duck.rows) == 4
