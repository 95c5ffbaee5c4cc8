"""The key driver frame and the CLV purchase histories read the analytical store (DuckDB, and
Spark over its Parquet copy) and give what the operational implementation gave: random worlds
with merged customers, several touchpoints and surveys, answers of every outcome type, topics
of two taxonomies, ties and window edges, compared with the former operational code (kept here,
and in tests/integration/test_clv.py, as the reference) and Spark with DuckDB."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from cxm.analytics import clv, drivers, sync
from cxm.analytics.drivers import DriverFrame, DriverInfo, Floats
from cxm.analytics.engine import Engine as QueryEngine
from cxm.analytics.engine import query_engine
from cxm.analytics.settings import AnalyticsSettings
from cxm.analytics.store import Store
from cxm.customers import services as customers
from cxm.customers.models import Customer
from cxm.insights import services as insights
from cxm.shared.errors import Invalid
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyVersion
from cxm.textanalytics.models import LabelCorrection, TextAnalysis, TextTopic
from cxm.touchpoints.models import Touchpoint
from tests import factories
from tests.conftest import T0
from tests.integration.test_clv import build_purchases, reference_purchase_summary

# ----------------------------------------------------------------------------------------------
# The reference: the former operational implementation of `customer_frame`, with the two
# rules the store version states: merged customers count for their survivor, and a response
# with two answers of one type counts its first by answer id.


def survivors(db: Session) -> dict[uuid.UUID, uuid.UUID]:
    """Every merged customer → the end of its merge chain."""
    parent = dict(
        db.execute(
            select(Customer.id, Customer.merged_into_id).where(Customer.merged_into_id.is_not(None))
        ).all()
    )
    out = {}
    for customer in parent:
        end = parent[customer]
        while end in parent:
            end = parent[end]
        out[customer] = end
    return out


def reference_frame(
    db: Session,
    *,
    now: datetime,
    window_days: int = 365,
    outcome: str = "nps",
    outcome_surveys: Sequence[str] = (),
    topics: bool = True,
    max_topics: int = 10,
    min_values: int = 30,
) -> DriverFrame:
    if outcome not in drivers.OUTCOMES:
        raise Invalid("outcome", field="outcome")
    start = now - timedelta(days=window_days)
    survivor = survivors(db)

    def resolved(customer: uuid.UUID) -> uuid.UUID:
        return survivor.get(customer, customer)

    answers = db.execute(
        select(
            SurveyResponse.id,
            SurveyResponse.customer_id,
            SurveyResponse.touchpoint_id,
            SurveyResponse.submitted_at,
            Survey.key,
            SurveyAnswer.type,
            SurveyAnswer.score,
        )
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(
            SurveyResponse.customer_id.is_not(None),
            SurveyResponse.submitted_at >= start,
            SurveyResponse.submitted_at < now,
            SurveyAnswer.score.is_not(None),
            SurveyAnswer.type.in_(drivers.OUTCOMES),
        )
        .order_by(SurveyAnswer.id)
    ).all()

    surveys = set(outcome_surveys)
    Response = tuple[uuid.UUID, uuid.UUID | None, datetime, dict[str, int], str]
    responses: dict[uuid.UUID, Response] = {}
    for answer in answers:
        rid: uuid.UUID = answer[0]
        if rid not in responses and answer[1] is not None:
            responses[rid] = (resolved(answer[1]), answer[2], answer[3], {}, str(answer[4]))
        if rid in responses and answer[6] is not None:
            responses[rid][3].setdefault(str(answer[5]), int(answer[6]))

    latest: dict[uuid.UUID, tuple[datetime, str, float]] = {}
    for rid, (customer, _, at, scores, survey_key) in responses.items():
        if outcome not in scores or (surveys and survey_key not in surveys):
            continue
        mark = (at, str(rid))
        current = latest.get(customer)
        if current is None or mark > (current[0], current[1]):
            latest[customer] = (at, str(rid), float(scores[outcome]))

    customers_ = sorted(latest, key=str)
    row_of = {c: i for i, c in enumerate(customers_)}
    n = len(customers_)

    ratings: dict[uuid.UUID, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for customer, touchpoint, at, scores, _ in responses.values():
        if touchpoint is None or customer not in row_of or at > latest[customer][0]:
            continue
        rated = next((t for t in ("csat", "nps", "ces") if t in scores), None)
        if rated is None:
            continue
        ratings[touchpoint][row_of[customer]].append(drivers.to_percent(rated, scores[rated]))

    names = {
        tp.id: (tp.key, tp.name_de, tp.name_en)
        for tp in db.execute(
            select(Touchpoint.id, Touchpoint.key, Touchpoint.name_de, Touchpoint.name_en)
        )
    }
    columns: list[Floats] = []
    infos: list[DriverInfo] = []
    performance: dict[str, float] = {}
    for touchpoint, by_row in sorted(
        ratings.items(), key=lambda kv: names.get(kv[0], (str(kv[0]),))[0]
    ):
        if len(by_row) < min_values:
            continue
        key, name_de, name_en = names[touchpoint]
        column = np.full(n, np.nan)
        for index, values in by_row.items():
            column[index] = sum(values) / len(values)
        info = DriverInfo(f"touchpoint:{key}", "touchpoint", key, name_de, name_en)
        infos.append(info)
        columns.append(column)
        performance[info.key] = float(np.nanmean(column))

    topic_rows: dict[str, set[int]] = defaultdict(set)
    if topics and n:
        mentions = db.execute(
            select(TextAnalysis.customer_id, TextAnalysis.occurred_at, TextTopic.topic)
            .join(TextTopic, TextTopic.analysis_id == TextAnalysis.id)
            .where(
                TextAnalysis.customer_id.is_not(None),
                TextAnalysis.occurred_at >= start,
                TextAnalysis.occurred_at < now,
            )
        ).all()
        for mention in mentions:
            who = resolved(mention[0])
            if who in row_of and mention[1] <= latest[who][0]:
                topic_rows[str(mention[2])].add(row_of[who])
        common = sorted(
            (t for t, rows in topic_rows.items() if len(rows) >= min_values),
            key=lambda t: (-len(topic_rows[t]), t),
        )[:max_topics]
        for topic in sorted(common):
            column = np.zeros(n)
            column[list(topic_rows[topic])] = 1.0
            info = DriverInfo(f"topic:{topic}", "topic", topic, topic, topic)
            infos.append(info)
            columns.append(column)
            performance[info.key] = 100.0 - float(column.mean()) * 100.0

    y = np.array([latest[c][2] for c in customers_], dtype=np.float64)
    x = np.column_stack(columns) if columns else np.empty((n, 0))
    return DriverFrame(
        outcome=outcome,
        y=y,
        x=x,
        customers=customers_,
        drivers=infos,
        performance=performance,
        start=start,
        end=now,
        notes={"responses": len(responses)},
    )


def assert_same_frame(got: DriverFrame, want: DriverFrame) -> None:
    assert got.customers == want.customers
    assert got.drivers == want.drivers
    assert got.notes == want.notes
    assert (got.start, got.end, got.outcome) == (want.start, want.end, want.outcome)
    np.testing.assert_array_equal(got.y, want.y)
    assert got.x.shape == want.x.shape
    np.testing.assert_allclose(got.x, want.x, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert got.performance.keys() == want.performance.keys()
    for key, value in want.performance.items():
        assert got.performance[key] == pytest.approx(value, rel=1e-12, abs=1e-12)


# ----------------------------------------------------------------------------------------------
# A random world


TOPICS = ("billing", "delivery", "hotline_wait", "network", "price", "staff")


@dataclass
class World:
    now: datetime
    surveys: list[str]
    touchpoints: list[str]
    merged: int


def build_driver_world(db: Session, now: datetime, *, seed: int, people: int = 90) -> World:
    """Customers (some merged into others, one chain of two merges) answering NPS, CSAT and
    CES (some twice in one response, some at the same instant, some at the window's edges)
    at five touchpoints and without one, in two surveys; texts with topics of two taxonomies,
    before and after the outcome, of merged customers and of none."""
    rng = random.Random(seed)
    points = [
        factories.touchpoint(db, now=now, key=f"tp-{seed}-{k}", name_de=f"Punkt {k}",
                             name_en=f"Point {k}")
        for k in range(5)
    ]  # fmt: skip
    surveys = []
    for k in range(2):
        survey = Survey(key=f"s-{seed}-{k}", name=f"S{k}", created_at=now, updated_at=now)
        db.add(survey)
        db.flush()
        version = SurveyVersion(
            survey_id=survey.id, number=1, title_de="T", title_en="T", questions=[],
            created_at=now,
        )  # fmt: skip
        db.add(version)
        db.flush()
        surveys.append((survey, version))
    persons = [factories.customer(db, now=now - timedelta(days=800)) for _ in range(people)]
    window_edges = [
        now - timedelta(days=365),  # the first instant of the default window
        now - timedelta(days=365, microseconds=1),  # just before it
        now - timedelta(microseconds=1),  # the last instant
        now,  # not in the window any more
        now - timedelta(days=90),
    ]

    def when() -> datetime:
        if rng.random() < 0.06:
            return rng.choice(window_edges)
        return now - timedelta(seconds=rng.uniform(0, 500 * 86400))

    def respond(person: uuid.UUID | None, at: datetime) -> None:
        survey, version = rng.choice(surveys)
        response = SurveyResponse(
            survey_id=survey.id,
            version_id=version.id,
            customer_id=person,
            touchpoint_id=rng.choice(points).id if rng.random() < 0.85 else None,
            channel="link",
            submitted_at=at,
        )
        db.add(response)
        db.flush()
        kinds = [k for k in ("nps", "csat", "ces") if rng.random() < 0.55] or ["nps"]
        if rng.random() < 0.1:
            kinds.append(rng.choice(("nps", "csat", "ces")))  # a second answer of a type
        if rng.random() < 0.2:
            kinds.append("rating")  # not an outcome type
        for k, kind in enumerate(kinds):
            low, high = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}[kind]
            score = None if rng.random() < 0.05 else rng.randint(low, high)
            db.add(
                SurveyAnswer(response_id=response.id, question_key=f"q{k}", type=kind, score=score)
            )
        db.flush()

    def text(person: uuid.UUID | None, at: datetime) -> None:
        subject = uuid.uuid4()
        topics = [
            (taxonomy, topic)
            for taxonomy in ("customer_service", "product")
            for topic in rng.sample(TOPICS, rng.randint(0, 2))
        ]
        analysis = TextAnalysis(
            subject_type="feedback", subject_id=subject, source="complaint", customer_id=person,
            occurred_at=at, language="de", masked_text="…", sentiment="negative",
            sentiment_score=-0.5, topics=[{"taxonomy": t, "topic": p} for t, p in topics],
            flags=[], products=[], urgent=False, model_version="test",
        )  # fmt: skip
        db.add(analysis)
        db.flush()
        for taxonomy, topic in topics:
            db.add(
                TextTopic(
                    analysis_id=analysis.id,
                    taxonomy=taxonomy,
                    topic=topic,
                    sentiment="negative",
                    confidence=0.9,
                    occurred_at=at,
                )  # fmt: skip
            )
        db.flush()

    for person in persons:
        for _ in range(rng.randint(0, 6)):
            at = when()
            respond(person.id, at)
            if rng.random() < 0.15:  # another response at the same instant
                respond(person.id, at)
        for _ in range(rng.randint(0, 3)):
            text(person.id, when())
    for _ in range(8):
        respond(None, when())
        text(None, when())
    merged = 0
    for k in range(0, people - 1, 9):  # every ninth customer into the next one
        customers.merge_customers(db, survivor_id=persons[k + 1].id, merged_id=persons[k].id,
                                  now=now)  # fmt: skip
        merged += 1
    # a chain: the survivor of the first merge is merged in turn
    customers.merge_customers(db, survivor_id=persons[4].id, merged_id=persons[1].id, now=now)
    db.flush()
    return World(now, [s.key for s, _ in surveys], [p.key for p in points], merged + 1)


CASES: list[dict[str, Any]] = [
    {},
    {"outcome": "csat"},
    {"outcome": "ces", "window_days": 90},
    {"window_days": 500, "max_topics": 3},
    {"topics": False},
    {"outcome_surveys": "first"},
    {"min_values": 1, "max_topics": 20},
    {"window_days": 30},
]


SPARK_CASES = (0, 2, 3, 5)  # each query costs Spark seconds: the default, ces, topics, surveys


def _params(case: dict[str, Any], world: World) -> dict[str, Any]:
    params = {"min_values": 4, **case}
    if params.get("outcome_surveys") == "first":
        params["outcome_surveys"] = (world.surveys[0],)
    return params


@pytest.fixture
def world(db: Session) -> World:
    return build_driver_world(db, T0.replace(microsecond=250_000), seed=7, people=200)


@pytest.fixture
def synced(db: Session, world: World) -> Iterator[Store]:
    with insights.scratch_engine(db, now=world.now, tables=drivers.SYNCED) as store:
        yield store  # type: ignore[misc]


@pytest.mark.parametrize("case", CASES)
def test_the_store_frame_is_the_operational_frame(
    db: Session, world: World, synced: QueryEngine, case: dict[str, Any]
) -> None:
    params = _params(case, world)
    want = reference_frame(db, now=world.now, **params)
    got = drivers.customer_frame(synced, now=world.now, **params)
    assert got.y.size > 10 and want.notes["responses"] > 0
    assert_same_frame(got, want)


def test_the_world_tests_what_it_should(db: Session, world: World, synced: QueryEngine) -> None:
    """Merged customers, several touchpoint and topic drivers, missing values and customers
    without any driver value: the comparison above is not a trivial one."""
    frame = drivers.customer_frame(synced, now=world.now, min_values=4)
    kinds = [d.kind for d in frame.drivers]
    assert kinds.count("touchpoint") == 5 and kinds.count("topic") >= 4
    assert np.isnan(frame.x).any()
    merged = set(db.scalars(select(Customer.id).where(Customer.merged_into_id.is_not(None))))
    assert merged and not merged & set(frame.customers)
    # the merged customers' answers count: without the merges the frame would differ
    assert frame.y.size < reference_frame(db, now=world.now, min_values=4).notes["responses"]


def test_the_analysis_on_the_store_is_the_analysis_of_the_operational_frame(
    db: Session, world: World, synced: QueryEngine
) -> None:
    via_store = insights.driver_analysis(
        db, now=world.now, engine=synced, bootstrap=30, touchpoints=world.touchpoints[:3]
    )
    scratch = insights.driver_analysis(  # without an engine: a scratch store of its own
        db, now=world.now, bootstrap=30, touchpoints=world.touchpoints[:3]
    )
    assert scratch.result == via_store.result and scratch.moments == via_store.moments
    expected = drivers.analyse(
        reference_frame(db, now=world.now), bootstrap=30, touchpoints=world.touchpoints[:3]
    )
    got = via_store.result
    assert [w.key for w in got.weights] == [w.key for w in expected.result.weights]
    assert got.r2 == pytest.approx(expected.result.r2, rel=1e-9)
    for mine, theirs in zip(got.weights, expected.result.weights, strict=True):
        assert mine.share == pytest.approx(theirs.share, rel=1e-9)
        assert mine.share_low == pytest.approx(theirs.share_low, rel=1e-6)
        assert mine.share_high == pytest.approx(theirs.share_high, rel=1e-6)
    assert [m.touchpoint for m in via_store.moments] == [m.touchpoint for m in expected.moments]


def test_a_corrected_text_changes_its_topics_at_the_next_sync(
    db: Session, world: World, synced: Store
) -> None:
    params = {"min_values": 1, "max_topics": 50}
    before = drivers.customer_frame(synced, now=world.now, **params)
    analysis = db.scalars(
        select(TextAnalysis)
        .join(TextTopic, TextTopic.analysis_id == TextAnalysis.id)
        .where(
            TextAnalysis.customer_id.is_not(None),
            TextAnalysis.occurred_at >= world.now - timedelta(days=300),
        )
        .order_by(TextAnalysis.occurred_at)
        .limit(1)
    ).one()
    db.execute(delete(TextTopic).where(TextTopic.analysis_id == analysis.id))
    db.add(
        TextTopic(
            analysis_id=analysis.id, taxonomy="product", topic="brand_new_topic",
            sentiment="negative", confidence=1.0, occurred_at=analysis.occurred_at,
        )
    )  # fmt: skip
    db.add(LabelCorrection(analysis_id=analysis.id, topics=["brand_new_topic"],
                           corrected_at=world.now))  # fmt: skip
    analysis.corrected = True
    db.flush()
    sync.sync(
        db, store=synced, settings=AnalyticsSettings(engine="duckdb", parquet=False),
        now=world.now + timedelta(minutes=5), tables=list(drivers.SYNCED),
    )  # fmt: skip
    after = drivers.customer_frame(synced, now=world.now, **params)
    assert_same_frame(after, reference_frame(db, now=world.now, **params))
    assert after.drivers != before.drivers or not np.array_equal(after.x, before.x)


def test_too_little_data_in_the_store_is_refused_like_before(db: Session) -> None:
    with insights.scratch_engine(db, now=T0, tables=drivers.SYNCED) as empty:
        frame = drivers.customer_frame(empty, now=T0)
        assert frame.y.size == 0 and frame.drivers == []
        with pytest.raises(Invalid, match="driver"):
            drivers.analyse(frame)
        assert drivers.journey_moments_of_truth(empty, touchpoint_keys=["x"], now=T0) == []
        with pytest.raises(Invalid):
            drivers.customer_frame(empty, now=T0, outcome="stars")


def test_the_frame_sql_is_compiled_once_per_shape_with_the_bounds_put_in() -> None:
    one = drivers.frame_sql("duckdb", start=T0 - timedelta(days=3), end=T0, outcome="nps")
    two = drivers.frame_sql("duckdb", start=T0 - timedelta(days=4), end=T0, outcome="nps")
    assert one != two and "1901" not in one and "1902" not in one
    assert "TIMESTAMP '2026-02-27 09:00:00'" in one
    pytest.importorskip("pyspark")
    spark = drivers.frame_sql("pyspark", start=T0 - timedelta(days=3), end=T0, outcome="nps")
    assert "TIMESTAMP_NTZ '2026-02-27 09:00:00'" in spark and "1901" not in spark


# ----------------------------------------------------------------------------------------------
# Spark over the Parquet copy gives what DuckDB gives


@dataclass
class Pair:
    duckdb: Store
    spark: QueryEngine
    world: World
    reference: dict[str, DriverFrame]
    purchases: clv.PurchaseSummary


@pytest.fixture(scope="module")
def spark_pair(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A random world (drivers and purchases) synced into a DuckDB file and its Parquet copy;
    Spark local[2] started once for the module. The operational rows are rolled back."""
    pytest.importorskip("pyspark")
    from cxm.analytics import spark

    running = spark._sessions.get("local[2]")  # another module's session: leave it running
    session = spark.spark_session("local[2]")
    folder = tmp_path_factory.mktemp("drivers-spark")
    cfg = AnalyticsSettings(engine="spark", spark_master="local[2]")
    conn = engine.connect()
    outer = conn.begin()
    db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    now = T0.replace(microsecond=250_000)
    try:
        world = build_driver_world(db, now, seed=11)
        build_purchases(db, now, seed=11)
        reference = {
            str(i): reference_frame(db, now=now, **_params(case, world))
            for i, case in enumerate(CASES)
        }
        purchases = reference_purchase_summary(db, now=now, window_days=365)
        sync.sync(db, duckdb_path=folder / "analytics.duckdb", settings=cfg, now=now)
    finally:
        db.close()
        outer.rollback()
        conn.close()
    try:
        with Store(folder / "analytics.duckdb") as store:
            yield Pair(store, query_engine(store, cfg), world, reference, purchases)
    finally:
        if running is None:
            session.stop()


@pytest.mark.spark
def test_spark_and_duckdb_build_the_same_frames(spark_pair: Pair) -> None:
    now = spark_pair.world.now
    for i, case in enumerate(CASES):
        if i not in SPARK_CASES:
            continue
        params = _params(case, spark_pair.world)
        on_duckdb = drivers.customer_frame(spark_pair.duckdb, now=now, **params)
        on_spark = drivers.customer_frame(spark_pair.spark, now=now, **params)
        assert_same_frame(on_duckdb, spark_pair.reference[str(i)])
        assert_same_frame(on_spark, on_duckdb)


@pytest.mark.spark
def test_spark_and_duckdb_read_the_same_purchase_histories(spark_pair: Pair) -> None:
    now = spark_pair.world.now
    on_duckdb = clv.purchase_summary(spark_pair.duckdb, now=now)
    on_spark = clv.purchase_summary(spark_pair.spark, now=now)
    want = spark_pair.purchases
    for got in (on_duckdb, on_spark):
        assert got.customers == want.customers and len(got.customers) > 20
        for name in ("x", "t_x", "big_t", "mean_value", "first_value", "total_value"):
            np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-12)
