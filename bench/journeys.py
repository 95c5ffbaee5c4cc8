"""Journey figures: reconstruction of journey instances and the funnel, paths, channel switches,
lost journeys, emotion curve and website visits over 1M customers / 20M interactions in DuckDB;
then the reconstruction and the funnel on Apache Spark (local[2] by default) over the store's
Parquet copy, with the same SQL (cxm.analytics.journeys_spark).

The data is generated deterministically straight into an analytical store: 15 touchpoints on
seven channels (a small telecom catalogue), 20 interactions per customer in sessions of four
(a minute or two apart) within 90 days of a start day spread over 21 months, purchases and
orders, calls and chats marked resolved, searches with result counts, one NPS answer and one
text sentiment per two customers. The journeys are the defaults cxm seeds from this catalogue
(new contract, complaint/service). The first figure builds the instance tables (the
reconstruction) that the others count; each figure reports wall and CPU seconds (CPU seconds
stay meaningful on a busy machine). `page_cached_s` is a second page load from the cache.

Spark: the Parquet export, the start-up (JVM, session, reading the copy's schema) and each
journey's reconstruction + funnel are timed apart, in wall seconds (Spark's work happens in the
JVM and its executors, not in this process's CPU time); `same_as_duckdb` compares the funnels.

CXM_BENCH_JOURNEY_CUSTOMERS=100000 makes a quick run (interactions = 20 × customers);
CXM_BENCH_JOURNEY_SPARK=0 skips Spark; CXM_BENCH_SPARK_MASTER (local[2]) and
CXM_BENCH_SPARK_MEMORY (driver memory, 6g) set it up.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxm.analytics import journeys as aj
from cxm.analytics import parquet, sync
from cxm.analytics.store import Store
from cxm.journeys import domain
from cxm.journeys.domain import PathLevel

CUSTOMERS = int(os.environ.get("CXM_BENCH_JOURNEY_CUSTOMERS", "1000000"))
PER_CUSTOMER = 20
SPARK = os.environ.get("CXM_BENCH_JOURNEY_SPARK", "1") != "0"
SPARK_MASTER = os.environ.get("CXM_BENCH_SPARK_MASTER", "local[2]")
SPARK_MEMORY = os.environ.get("CXM_BENCH_SPARK_MEMORY", "6g")
JOURNEYS = ("new_contract", "complaint_service")
START = "2024-01-01"
AS_OF = datetime(2026, 1, 1)

# key, channel, catalogue stage, [(interaction type, weight in %)]
CATALOGUE: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("web_home", "web", "awareness", [("page_view", 14)]),
    ("web_tariffs", "web", "consideration", [("page_view", 12)]),
    ("web_product", "web", "consideration", [("page_view", 8)]),
    ("web_search", "web", "consideration", [("search", 5)]),
    ("web_help", "web", "service", [("page_view", 8)]),
    ("web_cart", "web", "purchase", [("page_view", 4)]),
    ("web_checkout", "web", "purchase", [("page_view", 3), ("order", 2)]),
    ("shop_berlin", "store", "purchase", [("visit", 5), ("purchase", 3)]),
    ("hotline_sales", "phone", "purchase", [("call", 3)]),
    ("hotline_service", "phone", "service", [("call", 10)]),
    ("email_service", "email", "service", [("email", 6)]),
    ("chat_web", "chat", "service", [("chat_message", 4)]),
    ("web_complaint_form", "web", "service", [("complaint", 3)]),
    ("technician", "field_service", "onboarding", [("technician_visit", 3)]),
    ("app_home", "app", "usage", [("app_event", 7)]),
]
TP = "00000000-0000-4000-8000-"
CU = "00000001-0000-4000-8000-"


def _uuid(prefix: str, expr: str) -> str:
    return f"CAST('{prefix}' || lpad(to_hex({expr}), 12, '0') AS UUID)"


def generate(store: Store, customers: int) -> dict[str, Any]:
    """Fills the store with `customers` × 20 interactions and what the figures join to."""
    n = customers * PER_CUSTOMER
    started = time.perf_counter()
    slots = []
    for number, (_key, _channel, _stage, types) in enumerate(CATALOGUE, start=1):
        for type_, weight in types:
            slots += [(number, type_)] * weight
    assert len(slots) == 100
    with store.transaction() as cur:
        cur.execute("CREATE OR REPLACE TEMP MACRO h(x) AS CAST(hash(x) >> 1 AS BIGINT)")
        for number, (key, channel, _stage, _types) in enumerate(CATALOGUE, start=1):
            tid = f"{TP}{number:012x}"
            cur.execute(
                "INSERT INTO touchpoints (id, key, name_de, name_en, channel) VALUES (?,?,?,?,?)",
                [tid, key, key, key, channel],
            )
            cur.execute("INSERT INTO touchpoint_numbers VALUES (?, ?)", [tid, number])
        cur.execute("CREATE TEMP TABLE slots (slot INTEGER, no INTEGER, type VARCHAR)")
        cur.executemany(
            "INSERT INTO slots VALUES (?, ?, ?)", [[s, *v] for s, v in enumerate(slots)]
        )
        # sessions of four interactions a minute or two apart, within 90 days of a start day
        c, j = f"i // {PER_CUSTOMER}", f"i % {PER_CUSTOMER}"
        at = (
            f"TIMESTAMP '{START}' + to_seconds(h({c}) % (640 * 86400)"
            f" + h({c} * 31 + {j} // 4) % (90 * 86400) + ({j} % 4) * 90 + h(i * 3) % 60)"
        )
        cur.execute(
            f"""
            INSERT INTO interactions
            SELECT CAST('0190d000-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS UUID),
                   {_uuid(CU, f"i // {PER_CUSTOMER}")},
                   t.id, t.channel, 'in', s.type, {at}, CAST({at} AS DATE), s.no
            FROM range({n}) r(i)
            JOIN slots s ON s.slot = h(i * 7) % 100
            JOIN touchpoint_numbers tn ON tn.no = s.no
            JOIN touchpoints t ON t.id = tn.id
            """
        )
        cur.execute(
            f"""INSERT INTO {aj.RESOLVED}
                SELECT id, h(hash(id)) % 10 < 4 FROM interactions
                WHERE type IN ('call', 'chat_message')"""
        )
        cur.execute(
            f"""INSERT INTO {aj.SEARCHES}
                SELECT id, CAST(h(hash(id)) % 6 AS INTEGER) FROM interactions
                WHERE type = 'search'"""
        )
        answers = customers // 2
        when = (
            f"TIMESTAMP '{START}' + to_seconds(h(h(i * 17) % {customers}) % (640 * 86400)"
            " + h(i * 19) % (100 * 86400))"
        )
        cur.execute(
            f"""INSERT INTO survey_answers (id, customer_id, type, score, submitted_at)
                SELECT uuid(), {_uuid(CU, f"h(i * 17) % {customers}")}, 'nps',
                       CAST(least(10, h(i) % 6 + h(i + 1) % 6) AS SMALLINT), {when}
                FROM range({answers}) r(i)"""
        )
        cur.execute(
            f"""INSERT INTO {aj.SENTIMENT}
                SELECT uuid(), {_uuid(CU, f"h(i * 17) % {customers}")}, {when},
                       CAST(h(i * 23) % 2001 - 1000 AS INTEGER)
                FROM range({answers}) r(i)"""
        )
    sync.rebuild_derived(store)
    with store.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO analytics_meta VALUES ('last_sync_finished_at', ?)",
            [datetime.now(UTC).replace(tzinfo=None).isoformat()],
        )
    store.cursor().execute("CHECKPOINT")
    return {
        "generate_seconds": round(time.perf_counter() - started, 2),
        "customers": customers,
        "interactions": n,
    }


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3)


FIGURES: list[tuple[str, str, dict[str, Any]]] = [
    ("reconstruct_and_funnel", "funnel", {}),
    ("paths_by_stage", "paths", {"level": PathLevel.STAGE}),
    ("paths_by_touchpoint", "paths", {"level": PathLevel.TOUCHPOINT}),
    ("channel_switches", "channel_switches", {}),
    ("lost", "lost", {}),
    ("emotion", "emotion", {}),
    ("web_visits", "web_visits", {}),
]


def measure(store: Store, spec: domain.JourneySpec) -> dict[str, Any]:
    """Wall and CPU seconds per figure of one journey over the whole store, then the whole
    page again through the cache."""
    out: dict[str, Any] = {}
    wall_total = cpu_total = 0.0
    with aj.JourneyQuery(store, spec, as_of=AS_OF) as q:
        for label, method, options in FIGURES:
            result, wall, cpu = _timed(lambda m=method, o=options: getattr(q, m)(**o))
            out[f"{label}_s"], out[f"{label}_cpu_s"] = wall, cpu
            wall_total, cpu_total = wall_total + wall, cpu_total + cpu
            if method == "funnel":
                out["instances"], out["goal_reached"] = result.instances, result.goal
                out["_funnel"] = dataclasses.asdict(result)
    out["page_s"], out["page_cpu_s"] = round(wall_total, 3), round(cpu_total, 3)
    wanted = [(m, o) for _, m, o in FIGURES]
    aj.figures(store, spec, wanted, as_of=AS_OF)
    _, out["page_cached_s"], _ = _timed(lambda: aj.figures(store, spec, wanted, as_of=AS_OF))
    return out


def measure_spark(
    store: Store, specs: dict[str, domain.JourneySpec], duckdb_funnels: dict[str, Any], tmp: Path
) -> dict[str, Any]:
    """The Parquet export, Spark's start-up, then per journey the reconstruction + funnel on
    Spark (wall seconds), checked against DuckDB's funnel."""
    from cxm.analytics.spark import SparkEngine, spark_session

    out: dict[str, Any] = {"master": SPARK_MASTER, "driver_memory": SPARK_MEMORY}
    directory = tmp / "parquet"
    report, out["parquet_export_s"], out["parquet_export_cpu_s"] = _timed(
        lambda: parquet.export(store, directory)
    )
    out["parquet_rows"] = report["rows_written"]
    out["parquet_mb"] = round(
        sum(f.stat().st_size for f in directory.rglob("*.parquet")) / 2**20, 1
    )

    def start() -> SparkEngine:
        spark_session(SPARK_MASTER, {"spark.driver.memory": SPARK_MEMORY})
        engine = SparkEngine.open(directory, master=SPARK_MASTER)
        engine.refresh()
        return engine

    engine, out["startup_s"], _ = _timed(start)
    for key in JOURNEYS:

        def funnel(spec: domain.JourneySpec = specs[key]) -> domain.Funnel:
            with aj.JourneyQuery(engine, spec, as_of=AS_OF) as q:
                return q.funnel()

        result, wall, _ = _timed(funnel)
        out[key] = {
            "reconstruct_and_funnel_s": wall,
            "instances": result.instances,
            "goal_reached": result.goal,
            "same_as_duckdb": _same(dataclasses.asdict(result), duckdb_funnels[key]),
        }
    engine.spark.sparkContext.stop()
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def catalogue() -> list[domain.CatalogueEntry]:
    return [domain.CatalogueEntry(key, channel, stage) for key, channel, stage, _ in CATALOGUE]


def run() -> dict[str, Any]:
    specs = {s.key: s for s in domain.default_journeys(catalogue())}
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="cxm-bench-journeys-") as tmp,
        Store(Path(tmp) / "analytics.duckdb") as store,
    ):
        results["data"] = generate(store, CUSTOMERS)
        funnels = {}
        for key in JOURNEYS:
            results[key] = measure(store, specs[key])
            funnels[key] = results[key].pop("_funnel")
        if SPARK:
            results["spark"] = measure_spark(store, specs, funnels, Path(tmp))
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
