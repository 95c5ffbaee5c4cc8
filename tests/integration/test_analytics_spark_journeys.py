"""Journey reconstruction on both engines: the instances, the funnel, the channel switches, the
lost journeys, the paths (by stage and by touchpoint), the emotion curve and the website visits
from Spark local[2] over the Parquet copy equal DuckDB's over the store (and the pure-Python
rules) on random data with many customers, gaps around the timeout and the visit gap, goals by
type and by resolution, case resolutions, merged customers and periods; `cxm analytics journeys
--engine spark` prints the same funnel as `--engine duckdb`; the journey API follows
CXM_ANALYTICS_ENGINE=spark for every figure.

Spark starts once for this module (about 20 s); deselect with `-m "not spark"` locally.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import to_jsonable_python
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
    """Equal, floats to 1e-9 (percentiles are interpolated on both engines, means summed in
    another order)."""
    if is_dataclass(a) and not isinstance(a, type):
        a = asdict(a)
    if is_dataclass(b) and not isinstance(b, type):
        b = asdict(b)
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


@pytest.mark.parametrize("spec", RANDOM_SPECS, ids=lambda s: s.key)
@pytest.mark.parametrize("period", PERIODS, ids=["all", "period", "from"])
def test_spark_gives_the_same_paths_emotion_curve_and_web_visits_as_duckdb(
    pair: Pair, spec: d.JourneySpec, period: tuple[datetime | None, datetime | None]
) -> None:
    start, end = period
    as_of = end or T0 + timedelta(days=60)

    def figures(source: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        with aj.JourneyQuery(source, spec, as_of=as_of, start=start, end=end) as q:
            # first from the events of the observers alone, later from the materialised events
            out["emotion before"] = q.emotion()
            for level in PathLevel:
                for depth in (1, 4):
                    counts, total = q.path_counts(level=level, depth=depth)
                    out[f"path counts {level} {depth}"] = (dict(counts), total)
                out[f"paths {level}"] = q.paths(level=level, top=5)
            out["emotion"] = q.emotion(min_n=3)
            out["csat"] = q.emotion(question_type="csat")  # no csat answers at all
            out["web visits"] = q.web_visits(top=10)
        return out

    spark, duck = figures(pair.spark), figures(pair.duckdb)
    assert spark.keys() == duck.keys()
    for key in spark:
        try:
            _same(spark[key], duck[key])
        except AssertionError as e:
            raise AssertionError(f"{key}: {e}") from e
    # the data exercise what the figures count
    by_tp, total = spark[f"path counts {PathLevel.TOUCHPOINT} 4"]
    assert total > 200 and len(by_tp) > 50
    assert any(len(steps) == 4 for steps, _ in by_tp)
    assert {outcome for _, outcome in by_tp} == set(d.Outcome)
    assert all(len(steps) <= 1 for steps, _ in spark[f"path counts {PathLevel.STAGE} 1"][0])
    assert spark[f"paths {PathLevel.STAGE}"].top and spark[f"paths {PathLevel.STAGE}"].links
    scored = [p for p in spark["emotion"] if p.score.n >= 3 and p.sentiment.n >= 3]
    assert len(scored) >= 2 and all(p.score.mean is not None for p in scored)
    assert all(p.score.n == 0 for p in spark["csat"])
    everything = spark["web visits"][0]
    assert everything.visits > 100 and everything.goal_reached > 0
    assert everything.searches_without_result > 0 and everything.orientation_exits > 0
    assert everything.clicks_median is not None and everything.seconds_p90 is not None


def test_figures_take_the_spark_engine_for_every_figure(pair: Pair) -> None:
    spec, as_of = RANDOM_SPECS[1], T0 + timedelta(days=60)
    wanted: list[tuple[str, dict[str, Any]]] = [
        ("funnel", {}), ("lost", {}), ("paths", {"level": PathLevel.TOUCHPOINT, "top": 3}),
        ("emotion", {"min_n": 2}), ("web_visits", {"top": 3}),
    ]  # fmt: skip
    assert {name for name, _ in wanted} <= aj.SPARK_FIGURES
    on_spark = aj.figures(pair.spark, spec, wanted, as_of=as_of)
    on_duckdb = aj.figures(pair.duckdb, spec, wanted, as_of=as_of)
    for mine, theirs in zip(on_spark, on_duckdb, strict=True):
        _same(mine, theirs)
    again = aj.figures(pair.spark, spec, wanted, as_of=as_of)
    assert all(a is b for a, b in zip(again, on_spark, strict=True))  # cached


def test_the_journey_api_follows_the_spark_engine(
    pair: Pair, app: Any, client: Any, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    """A query host (CXM_ANALYTICS_ENGINE=spark, no DuckDB file of its own) answers every journey
    figure from the Parquet copy, as DuckDB computes them from the store."""
    from cxm.analytics.settings import AnalyticsSettings
    from cxm.journeys import api as journeys_api
    from cxm.journeys import services

    spec = RANDOM_SPECS[0]
    monkeypatch.setattr(services, "get_journey", lambda db, key, now: key)
    monkeypatch.setattr(services, "spec_of", lambda journey: spec)
    if "/api/v1/journeys/{key}/paths" not in {getattr(r, "path", "") for r in app.routes}:
        app.include_router(journeys_api.router, prefix="/api/v1")
    app.state.analytics_settings = AnalyticsSettings(
        engine="spark",
        spark_master="local[2]",
        max_lag_seconds=-1,  # a query host: a scheduled sync elsewhere writes the copy
        path=tmp_path / "never-opened.duckdb",
        parquet_dir=pair.folder / "pq",
        min_n=2,
    )
    period = {"from": "2025-01-05", "to": "2025-01-31"}
    start, end = datetime(2025, 1, 5), datetime(2025, 2, 1)
    asked: list[tuple[str, dict[str, Any], str, str, dict[str, Any]]] = [
        ("paths", {"by": "touchpoint", "top": 4, "depth": 3}, "paths", "paths",
         {"level": PathLevel.TOUCHPOINT, "top": 4, "depth": 3}),
        ("paths", {}, "paths", "paths", {"level": PathLevel.STAGE, "top": 10, "depth": 6}),
        ("emotion", {}, "points", "emotion", {"question_type": "nps", "min_n": 2}),
        ("web-visits", {"top": 5}, "rows", "web_visits", {"top": 5}),
        ("funnel", {}, "funnel", "funnel", {}),
    ]  # fmt: skip
    for route, params, field, name, options in asked:
        response = client.get(
            f"/api/v1/journeys/{spec.key}/{route}", params={**period, **params}, headers=admin
        )
        assert response.status_code == 200, response.text
        body = response.json()
        as_of = datetime.fromisoformat(body["as_of"]).replace(tzinfo=None)
        assert as_of == T0  # judged at the copy's last sync
        (expected,) = aj.figures(
            pair.duckdb, spec, [(name, options)], as_of=as_of, start=start, end=end
        )
        _same(body[field], to_jsonable_python(expected))
    assert not (tmp_path / "never-opened.duckdb").exists()


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
