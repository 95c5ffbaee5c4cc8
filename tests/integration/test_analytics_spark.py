"""One query layer on two engines: the KPI suite on DuckDB and on Spark local[2] over the
Parquet copy of the same store gives the same results (equal counts, floats to 1e-9), and
`cxm text backfill --engine spark` writes what the in-process backfill writes.

Spark starts once for the whole run (about 20 s); deselect with `-m "not spark"` locally.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from cxm.analytics import kpi, parquet, sync
from cxm.analytics.engine import Engine as QueryEngine
from cxm.analytics.engine import query_engine
from cxm.analytics.settings import AnalyticsSettings
from cxm.analytics.store import Store
from cxm.shared.clock import FixedClock
from tests.conftest import T0
from tests.integration.test_analytics_fixtures import build_world

pytest.importorskip("pyspark")

pytestmark = pytest.mark.spark

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from cxm.analytics.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


@dataclass
class Pair:
    duckdb: Store
    spark: QueryEngine


@pytest.fixture(scope="module")
def world_pair(
    engine: Engine, spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """The hand-computed world (with its text analysis, for topics=text) in both engines."""
    from cxm.textanalytics import services as text

    folder = tmp_path_factory.mktemp("spark-world")
    cfg = AnalyticsSettings(engine="spark", spark_master="local[2]")
    conn = engine.connect()
    outer = conn.begin()
    db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:  # the operational rows are rolled back once synced: other tests need the database
        build_world(db, now=T0)
        text.analyse_pending(db, analyser=text.analyser_for(db), now=T0)
        sync.sync(db, duckdb_path=folder / "analytics.duckdb", settings=cfg, now=T0)
    finally:
        db.close()
        outer.rollback()
        conn.close()
    with Store(folder / "analytics.duckdb") as store:
        yield Pair(store, query_engine(store, cfg))


@pytest.fixture(scope="module")
def generated_pair(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The benchmark's generator at 20,000 responses: many groups, weeks and segments."""
    from bench import analytics as bench_analytics

    from cxm.analytics.spark import SparkEngine

    folder = tmp_path_factory.mktemp("spark-generated")
    with Store(folder / "analytics.duckdb") as store:
        bench_analytics.generate(store, 20_000)
        parquet.export(store, folder / "pq")
        yield Pair(store, SparkEngine.open(folder / "pq", master="local[2]"))


Query = Callable[[QueryEngine], Any]
f_feb = kpi.Filters(start=FEB, end=MAR)
WORLD: dict[str, Query] = {
    "nps_month_touchpoint": lambda e: kpi.nps(e, period="month", by=["touchpoint"], min_n=3),
    "nps_stage_department": lambda e: kpi.nps(e, by=["stage", "department"], min_n=1),
    "nps_segment_tier": lambda e: kpi.nps(e, by=["segment:tier"], min_n=1),
    "nps_model": lambda e: kpi.nps(e, by=["model"], min_n=1),
    "nps_week_product": lambda e: kpi.nps(e, period="week", by=["product"], min_n=1),
    "nps_quarter_survey_channel": lambda e: kpi.nps(
        e, period="quarter", by=["survey", "channel"], min_n=1
    ),
    "nps_day": lambda e: kpi.nps(e, period="day", min_n=1),
    "nps_year_suppressed": lambda e: kpi.nps(e, period="year", min_n=30),
    "nps_february": lambda e: kpi.nps(e, filters=f_feb, min_n=1),
    "nps_from_midday": lambda e: kpi.nps(
        e, filters=kpi.Filters(start=datetime(2026, 1, 10, 14, 30, tzinfo=UTC)), min_n=1
    ),
    "nps_filtered": lambda e: kpi.nps(
        e,
        by=["touchpoint"],
        filters=kpi.Filters(
            touchpoints=("hotline",),
            segment=(("tier", "gold"),),
            surveys=("after-call",),
            question="nps",
        ),
        min_n=1,
    ),
    "nps_model_filter": lambda e: kpi.nps(
        e, period="month", filters=kpi.Filters(models=("Smartphone Modell X",)), min_n=1
    ),
    "csat_touchpoint": lambda e: kpi.csat(e, by=["touchpoint"], min_n=1),
    "ces_month": lambda e: kpi.ces(e, period="month", by=["department"], min_n=1),
    "response_rate_month_touchpoint": lambda e: kpi.response_rate(
        e, period="month", by=["touchpoint"], min_n=1
    ),
    "response_rate_week_channel": lambda e: kpi.response_rate(
        e, period="week", by=["channel", "segment:tier"], min_n=1
    ),
    "complaints_model_month": lambda e: kpi.complaint_rate(
        e, period="month", by=["model"], filters=kpi.Filters(start=JAN, end=MAR), min_n=1
    ),
    "complaints_topic_for_a_model": lambda e: kpi.complaint_rate(
        e,
        period="month",
        by=["topic"],
        filters=kpi.Filters(models=("Smartphone Modell X",)),
        min_n=1,
    ),
    "complaints_by_source": lambda e: kpi.complaint_rate(
        e, by=["topic"], sources=("complaint", "review"), topics="source", min_n=1
    ),
    "complaints_text_topics": lambda e: kpi.complaint_rate(
        e, by=["topic", "source"], sources=("complaint", "review"), topics="text", min_n=1
    ),
    "complaints_touchpoint_month": lambda e: kpi.complaint_rate(
        e, period="month", by=["touchpoint", "stage"], min_n=1
    ),
    "complaints_total": lambda e: kpi.complaint_rate(e, min_n=1, per=100),
    "compare_nps_touchpoint": lambda e: kpi.compare(
        e, "nps", by=["touchpoint"], current=(FEB, MAR), previous=(JAN, FEB), min_n=1
    ),
    "compare_csat": lambda e: kpi.compare(e, "csat", current=(FEB, MAR)),
    "compare_ces": lambda e: kpi.compare(e, "ces", current=(FEB, MAR), min_n=1),
    "compare_complaints_model": lambda e: kpi.compare(
        e, "complaint_rate", by=["model"], current=(FEB, MAR), min_n=1
    ),
}

G_START, G_END = datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
GENERATED: dict[str, Query] = {
    "nps_month_touchpoint": lambda e: kpi.nps(e, period="month", by=["touchpoint"], min_n=30),
    "nps_week_tier": lambda e: kpi.nps(e, period="week", by=["segment:tier"], min_n=10),
    "nps_quarter_model": lambda e: kpi.nps(e, period="quarter", by=["model"], min_n=10),
    "nps_stage_department_2025": lambda e: kpi.nps(
        e,
        by=["stage", "department"],
        filters=kpi.Filters(start=datetime(2025, 1, 1, tzinfo=UTC), end=G_END),
    ),
    "nps_gold_product": lambda e: kpi.nps(
        e, period="year", by=["product"], filters=kpi.Filters(segment=(("tier", "gold"),))
    ),
    "complaints_topic_month": lambda e: kpi.complaint_rate(
        e, period="month", by=["topic"], filters=kpi.Filters(start=G_START, end=G_END), min_n=30
    ),
    "complaints_model_quarter": lambda e: kpi.complaint_rate(
        e, period="quarter", by=["model"], filters=kpi.Filters(start=G_START, end=G_END)
    ),
    "complaints_for_models": lambda e: kpi.complaint_rate(
        e, by=["topic"], filters=kpi.Filters(models=("Modell 1", "Modell 2")), min_n=5
    ),
    "compare_nps_department": lambda e: kpi.compare(
        e,
        "nps",
        by=["department"],
        current=(datetime(2025, 7, 1, tzinfo=UTC), G_END),
    ),
}


def rows_of(result: Any) -> list[dict[str, Any]]:
    """A KPI result or comparison as flat rows (the API's and the CLI's view of it)."""
    if isinstance(result, kpi.ComparisonResult):
        return [kpi.comparison_dict(r) for r in result.rows]
    return [kpi.row_dict(r) for r in result.rows]


def assert_same(duck: Any, spark: Any) -> None:
    ours, theirs = rows_of(duck), rows_of(spark)
    assert len(ours) == len(theirs)
    assert ours, "a comparison over no rows proves nothing"
    for a, b in zip(ours, theirs, strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            other = b[key]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (key, a, b)
            else:
                assert value == other, (key, a, b)
                assert type(value) is type(other), (key, a, b)


@pytest.mark.parametrize("name", list(WORLD))
def test_kpis_of_the_fixture_world_are_the_same_on_duckdb_and_spark(
    world_pair: Pair, name: str
) -> None:
    assert_same(WORLD[name](world_pair.duckdb), WORLD[name](world_pair.spark))


@pytest.mark.parametrize("name", list(GENERATED))
def test_kpis_of_generated_data_are_the_same_on_duckdb_and_spark(
    generated_pair: Pair, name: str
) -> None:
    assert_same(GENERATED[name](generated_pair.duckdb), GENERATED[name](generated_pair.spark))


def test_the_spark_engine_knows_when_its_data_was_synced(world_pair: Pair) -> None:
    assert world_pair.spark.last_synced_at() == world_pair.duckdb.last_synced_at()
    assert world_pair.spark.dialect == "pyspark"
    got = kpi.nps(world_pair.spark, period="month", by=["touchpoint"], min_n=3).rows
    by_month = {(r.period, r.group["touchpoint"]): r.result.value for r in got}
    assert by_month[(JAN.date(), "hotline")] == 0 and by_month[(FEB.date(), "hotline")] == 50


def test_any_ibis_expression_runs_on_both_engines(world_pair: Pair) -> None:
    from cxm.analytics.store import table

    t = table("text_analyses")
    expr = t.group_by("subject_type").aggregate(n=t.count()).order_by("subject_type")
    assert world_pair.spark.execute(expr) == world_pair.duckdb.execute(expr)


def test_a_missing_copy_is_a_clear_error(spark: Any, tmp_path: Path) -> None:
    from cxm.analytics.spark import NoParquetCopy, SparkEngine

    with pytest.raises(NoParquetCopy, match="analytics sync"):
        kpi.nps(SparkEngine.open(tmp_path / "nothing"), min_n=1)


# --- text backfill on Spark --------------------------------------------------------------------


def _stored_analyses(db: Session) -> list[tuple[Any, ...]]:
    """Every stored analysis and its topics, without the generated ids."""
    from cxm.textanalytics.models import TextAnalysis, TextTopic

    out = []
    for a in db.scalars(select(TextAnalysis)):
        topics = sorted(
            (t.taxonomy, t.topic, t.sentiment, t.confidence, t.occurred_at)
            for t in db.scalars(select(TextTopic).where(TextTopic.analysis_id == a.id))
        )
        row = {c: getattr(a, c) for c in ANALYSIS_COLUMNS}
        out.append((a.subject_type, str(a.subject_id), sorted(row.items()), topics))
    return sorted(out, key=lambda r: (r[0], r[1]))


ANALYSIS_COLUMNS = (
    "source", "customer_id", "touchpoint_id", "product_model", "occurred_at", "language",
    "masked_text", "sentiment", "sentiment_score", "topics", "flags", "products", "urgent",
    "model_version", "analysed_at", "corrected",
)  # fmt: skip


def test_the_spark_backfill_stores_what_the_in_process_backfill_stores(
    db: Session, clock: FixedClock, spark: Any
) -> None:
    from cxm.shared.watermarks import Watermark
    from cxm.textanalytics import services as text
    from cxm.textanalytics import spark_backfill
    from cxm.textanalytics.models import TextAnalysis, TextTopic

    build_world(db, now=clock.now())
    in_process = text.analyse_pending(db, analyser=text.analyser_for(db), now=clock.now())
    expected = _stored_analyses(db)
    assert sum(in_process.values()) == len(expected) == 3 + 7 + 13

    db.execute(delete(TextTopic))
    db.execute(delete(TextAnalysis))
    db.execute(delete(Watermark).where(Watermark.name.like("textanalytics.%")))
    db.flush()
    on_spark = spark_backfill.backfill(db, spark=spark, now=clock.now(), chunk_size=5)
    assert on_spark == in_process
    assert _stored_analyses(db) == expected
    again = spark_backfill.backfill(db, spark=spark, now=clock.now(), chunk_size=5)
    assert again == {"feedback": 0, "interaction": 0, "survey_answer": 0}


def test_the_spark_engine_reads_what_a_later_sync_added(
    db: Session, clock: FixedClock, spark: Any, tmp_path: Path
) -> None:
    from cxm.analytics.spark import SparkEngine
    from tests.integration.test_analytics_fixtures import respond

    w = build_world(db, now=clock.now())
    cfg = AnalyticsSettings(engine="spark")
    with Store(tmp_path / "analytics.duckdb") as store:
        sync.sync(db, store=store, settings=cfg, now=clock.now())
        engine = query_engine(store, cfg)
        assert isinstance(engine, SparkEngine)
        assert kpi.nps(engine, min_n=1).rows[0].result.n == 13
        respond(db, w, at=FEB, touchpoint=w.shop, customer=None, scores={"nps": 10})
        sync.sync(db, store=store, settings=cfg, now=clock.now())  # the same instant
        assert kpi.nps(engine, min_n=1).rows[0].result.n == 14


def test_an_api_host_with_the_spark_engine_answers_from_the_parquet_copy_alone(
    app: Any, client: Any, admin: dict[str, str], world_pair: Pair, tmp_path: Path
) -> None:
    from cxm.analytics.spark import SparkEngine

    assert isinstance(world_pair.spark, SparkEngine)
    app.state.analytics_settings = AnalyticsSettings(
        engine="spark",
        max_lag_seconds=-1,  # a query host: a scheduled sync elsewhere writes the copy
        path=tmp_path / "never-opened.duckdb",
        parquet_dir=world_pair.spark.directory,
        min_n=3,
    )
    response = client.get("/api/v1/kpi/nps", params={"by": "month,touchpoint"}, headers=admin)
    assert response.status_code == 200, response.text
    rows = {(r["period"], r["group"]["touchpoint"]): r["value"] for r in response.json()["rows"]}
    assert rows == {("2026-01-01", "hotline"): 0, ("2026-02-01", "hotline"): 50,
                    ("2026-01-01", "shop"): 100}  # fmt: skip
    assert response.json()["as_of"] is not None
    assert not (tmp_path / "never-opened.duckdb").exists()
