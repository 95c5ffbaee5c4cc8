"""Journey reconstruction on both engines: the instances, the funnel, the channel switches and
the lost journeys from Spark local[2] over the Parquet copy equal DuckDB's over the store (and
the pure-Python rules) on random data with many customers, gaps around the timeout, goals by
type and by resolution, case resolutions, merged customers and periods; `cxm analytics journeys
--engine spark` prints the same funnel as `--engine duckdb`.

Spark starts once for this module (about 20 s); deselect with `-m "not spark"` locally.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxm.analytics import journeys as aj
from cxm.analytics import parquet
from cxm.analytics.store import Store
from cxm.journeys import domain as d
from cxm.journeys.domain import PathLevel
from tests.integration.test_journeys import RANDOM_SPECS, T0, World, _in, fill, random_world

pytest.importorskip("pyspark")

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from cxm.analytics.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


@dataclass
class Pair:
    world: World
    duckdb: Store
    spark: Any  # SparkEngine
    folder: Path


@pytest.fixture(scope="module")
def pair(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The random world of test_journeys (300 customers, a tenth merged) in a store file and
    its Parquet copy."""
    from cxm.analytics.spark import SparkEngine

    folder = tmp_path_factory.mktemp("spark-journeys")
    world = random_world(7)
    with Store(folder / "analytics.duckdb") as store:
        fill(store, world)
        with store.transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO analytics_meta VALUES ('last_sync_finished_at', ?)",
                [T0.isoformat()],
            )
        report = parquet.export(store, folder / "pq")
        for table in aj.TABLES:
            assert table in report["tables"], table
        yield Pair(world, store, SparkEngine.open(folder / "pq", master="local[2]"), folder)


def _same(a: Any, b: Any) -> None:
    """Equal, floats to 1e-9 (percentiles are interpolated on both engines)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b and type(a) is type(b), (a, b)


PERIODS = [
    (None, None),
    (T0 + timedelta(days=10), T0 + timedelta(days=40)),
    (T0 + timedelta(days=3, hours=7, minutes=30), None),  # starts mid-day, open-ended
]


@pytest.mark.parametrize("spec", RANDOM_SPECS, ids=lambda s: s.key)
@pytest.mark.parametrize("period", PERIODS, ids=["all", "period", "from"])
def test_spark_reconstructs_the_same_instances_and_funnel_as_duckdb(
    pair: Pair, spec: d.JourneySpec, period: tuple[datetime | None, datetime | None]
) -> None:
    start, end = period
    as_of = end or T0 + timedelta(days=60)
    expected = d.reconstruct(_in(pair.world.events, start, end), spec)
    with aj.JourneyQuery(pair.duckdb, spec, as_of=as_of, start=start, end=end) as q:
        duck = (q.instances(), q.funnel(), q.channel_switches(), q.lost())
    with aj.JourneyQuery(pair.spark, spec, as_of=as_of, start=start, end=end) as q:
        spark = (q.instances(), q.funnel(), q.channel_switches(), q.lost())
    instances, funnel, switches, lost = spark
    assert len(instances) > 200 and funnel.goal > 20 and funnel.lost > 20 and funnel.open > 0
    assert any(i.number > 1 for i in instances)  # customers with several instances (timeouts)
    assert instances == sorted(expected, key=lambda i: (str(i.customer), i.number))
    _same(asdict(funnel), asdict(duck[1]))
    assert [s.to_next for s in funnel.steps if s.to_next and s.to_next.median]  # durations
    assert switches == duck[2] and lost == duck[3]
    assert instances == duck[0]


def test_merged_customers_are_counted_under_their_survivor_on_spark(pair: Pair) -> None:
    spec = RANDOM_SPECS[0]
    survivors = set(pair.world.merged.values())
    with aj.JourneyQuery(pair.spark, spec, as_of=T0 + timedelta(days=60)) as q:
        customers = {i.customer for i in q.instances()}
    assert survivors & customers
    assert not set(pair.world.merged) & customers


def test_figures_take_the_spark_engine_and_refuse_duckdb_only_figures(pair: Pair) -> None:
    spec, as_of = RANDOM_SPECS[1], T0 + timedelta(days=60)
    wanted: list[tuple[str, dict[str, Any]]] = [("funnel", {}), ("lost", {})]
    on_spark = aj.figures(pair.spark, spec, wanted, as_of=as_of)
    on_duckdb = aj.figures(pair.duckdb, spec, wanted, as_of=as_of)
    _same(asdict(on_spark[0]), asdict(on_duckdb[0]))
    assert on_spark[1] == on_duckdb[1]
    assert aj.figures(pair.spark, spec, wanted, as_of=as_of)[0] is on_spark[0]  # cached
    with (
        aj.JourneyQuery(pair.spark, spec, as_of=as_of) as q,
        pytest.raises(aj.NotOnThisEngine, match="paths"),
    ):
        q.paths(level=PathLevel.STAGE)


def test_the_cli_prints_the_same_funnel_on_both_engines(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxm.analytics import cli

    spec = RANDOM_SPECS[0]
    monkeypatch.setattr(cli, "_journey_spec", lambda key: spec)
    monkeypatch.setenv("CXM_ANALYTICS_PARQUET_DIR", str(pair.folder / "pq"))
    monkeypatch.setenv("COLUMNS", "200")  # the whole table, unwrapped
    runner = CliRunner()
    out = {}
    for engine in ("duckdb", "spark"):
        common = ["--journey", spec.key, "--engine", engine, "--no-sync"]
        args = [*common, "--from", "2025-01-05", "--to", "2025-01-31"]
        result = runner.invoke(
            cli.analytics_app,
            ["journeys", *args, "--json", "--path", str(pair.folder / "analytics.duckdb")],
        )
        assert result.exit_code == 0, result.output
        out[engine] = json.loads(result.stdout)
        assert out[engine]["engine"] == engine
    _same(out["spark"]["funnel"], out["duckdb"]["funnel"])
    assert out["spark"]["funnel"]["instances"] > 100
    table = runner.invoke(
        cli.analytics_app,
        ["journeys", "--journey", spec.key, "--engine", "spark", "--no-sync",
         "--path", str(pair.folder / "analytics.duckdb")],
    )  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "on spark" in table.stdout and "conversion" in table.stdout
