"""Analytics figures: sync throughput, and the dashboard KPI queries over 1M and 10M survey
responses on DuckDB and (at 1M) on Spark local[2] over the Parquet copy.

Sync: a generated operational SQLite database (the real schema; CXM_BENCH_SYNC_CUSTOMERS
customers, default 25,000, with 20 interactions, 1 invitation and 1 response each, 30 % with a
comment; about 680,000 rows) is synced into a new DuckDB store: rows read per second of the
full sync, the time of a re-sync without changes, and of the Parquet copy.

KPIs: the data is generated deterministically straight into an analytical store (no operational
database): ~1 NPS answer per response, 30 touchpoints, 24 months, half as many customers with
one product each, and complaints (10 % of the responses) over 15 topics and 12 models.
Each query is timed through cxm.analytics.kpi (Ibis → DuckDB, plus the metric maths) and as
the same result hand-written in DuckDB SQL twice: the obvious way (date_trunc on the timestamp,
join on the touchpoint UUID: "naive") and the way the layer does it (count per day and
touchpoint number, then roll up: "tuned"). The ratio is kpi / hand-written (p50 and p95).
At the sizes in CXM_BENCH_SPARK_RESPONSES (default 1,000,000) the store is copied to Parquet
and the same kpi calls run on Spark (CXM_ANALYTICS_SPARK_MASTER, default local[2]); the
session's start-up, the first (cold) query and the warm p50/p95 are reported apart, and the
results are checked to equal DuckDB's.

CXM_BENCH_RESPONSES=200000 (a comma list is allowed) makes a quick run; CXM_BENCH_REPEATS
(CXM_BENCH_SPARK_REPEATS) sets the timed runs per query on DuckDB (Spark).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cxm.analytics import kpi, sync
from cxm.analytics.engine import Engine
from cxm.analytics.store import Store

SIZES = [int(s) for s in os.environ.get("CXM_BENCH_RESPONSES", "1000000,10000000").split(",")]
REPEATS = int(os.environ.get("CXM_BENCH_REPEATS", "15"))
# Spark local[2] over the Parquet copy: at these sizes only (10M adds a few minutes)
SPARK_SIZES = {
    int(s) for s in os.environ.get("CXM_BENCH_SPARK_RESPONSES", "1000000").split(",") if s
}
SPARK_REPEATS = int(os.environ.get("CXM_BENCH_SPARK_REPEATS", "5"))
SPARK_MASTER = os.environ.get("CXM_ANALYTICS_SPARK_MASTER", "local[2]")
WARMUP = 2
TOUCHPOINTS = 30
MONTHS = 24
TOPICS = 15
MODELS = 12
START = "2024-01-01"  # 24 months: 2024-01 .. 2025-12


def _uuid(prefix: str, expr: str) -> str:
    """A deterministic UUID literal: the prefix's 24 hex digits then the index."""
    return f"CAST('{prefix}' || lpad(to_hex({expr}), 12, '0') AS UUID)"


TP = "00000000-0000-4000-8000-"
CU = "00000001-0000-4000-8000-"
SV = "00000002-0000-4000-8000-"


def generate(store: Store, responses: int) -> dict[str, float]:
    """Fills the store with `responses` responses (and everything the KPIs join to)."""
    customers = max(responses // 2, 1000)
    complaints = responses // 10
    seconds = MONTHS * 30.4 * 86400
    started = time.perf_counter()
    with store.transaction() as cur:
        # a deterministic non-negative BIGINT hash (DuckDB's hash() is UBIGINT)
        cur.execute("CREATE OR REPLACE TEMP MACRO h(x) AS CAST(hash(x) >> 1 AS BIGINT)")
        cur.execute(
            "INSERT INTO departments SELECT "
            + _uuid("00000003-0000-4000-8000-", "i")
            + ", 'dept-' || i, 'Department ' || i FROM range(5) t(i)"
        )
        cur.execute(
            "INSERT INTO journey_stages SELECT "
            + _uuid("00000004-0000-4000-8000-", "i")
            + ", 'stage-' || i, i FROM range(6) t(i)"
        )
        cur.execute(
            f"""INSERT INTO touchpoints SELECT {_uuid(TP, "i")}, 'tp-' || lpad(i::VARCHAR, 2, '0'),
                'Kontaktpunkt ' || i, 'Touchpoint ' || i, 'web',
                {_uuid("00000004-0000-4000-8000-", "i % 6")},
                {_uuid("00000003-0000-4000-8000-", "i % 5")}, true, true
                FROM range({TOUCHPOINTS}) t(i)"""
        )
        cur.execute(
            f"INSERT INTO touchpoint_numbers SELECT {_uuid(TP, 'i')}, i + 1 "
            f"FROM range({TOUCHPOINTS}) t(i)"
        )
        cur.execute(
            f"INSERT INTO surveys SELECT {_uuid(SV, 'i')}, 'survey-' || i, 'live', NULL "
            "FROM range(3) t(i)"
        )
        cur.execute(
            f"""INSERT INTO customers SELECT {_uuid(CU, "i")}, 'private', 'de', 'Berlin',
                MAP {{'tier': ['gold', 'silver', 'bronze'][1 + h(i) % 3]}}, NULL,
                TIMESTAMP '2020-01-01', TIMESTAMP '2020-01-01'
                FROM range({customers}) t(i)"""
        )
        cur.execute(
            f"""INSERT INTO holdings SELECT {_uuid("00000005-0000-4000-8000-", "i")},
                {_uuid(CU, "i")}, 'product', 'P' || (h(i * 3) % {MODELS}),
                'Produkt', 'Modell ' || (h(i * 3) % {MODELS}),
                DATE '2021-01-01' + CAST(h(i * 5) % 1800 AS INTEGER),
                CASE WHEN h(i * 7) % 5 = 0
                     THEN DATE '2023-06-01' + CAST(h(i * 11) % 900 AS INTEGER) END,
                TIMESTAMP '2020-01-01'
                FROM range({customers}) t(i)"""
        )
        at = (
            f"TIMESTAMP '{START}' + to_seconds(CAST(i * {seconds / responses!r} AS BIGINT)"
            " + h(i) % 3600)"
        )
        cur.execute(
            f"""INSERT INTO survey_answers SELECT
                CAST('0190a000-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS UUID),
                CAST('0190b000-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS UUID),
                'nps', 'nps',
                CAST(least(10, 2 + h(i) % 5 + h(i + 1) % 5 + (h(i * 31) % {TOUCHPOINTS}) % 2)
                     AS SMALLINT),
                NULL, {_uuid(SV, "h(i * 13) % 3")}, {_uuid(CU, f"h(i * 17) % {customers}")},
                {_uuid(TP, f"h(i * 31) % {TOUCHPOINTS}")}, 'link', {at}, CAST({at} AS DATE),
                CAST(h(i * 31) % {TOUCHPOINTS} + 1 AS INTEGER)
                FROM range({responses}) t(i)"""
        )
        cur.execute(
            f"""INSERT INTO feedback SELECT
                CAST('0190c000-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS UUID),
                CASE WHEN h(i) % 10 < 9 THEN 'complaint' ELSE 'review' END,
                {_uuid(CU, f"h(i * 17) % {customers}")},
                {_uuid(TP, f"h(i * 31) % {TOUCHPOINTS}")}, NULL,
                TIMESTAMP '{START}'
                    + to_seconds(CAST(i * {seconds / max(complaints, 1)!r} AS BIGINT)),
                NULL, NULL, 'de', 'Modell ' || (h(i * 3) % {MODELS}),
                CASE WHEN h(i * 5) % 20 = 0 THEN NULL ELSE 'topic-' || (h(i * 5) % {TOPICS}) END,
                CAST(TIMESTAMP '{START}'
                    + to_seconds(CAST(i * {seconds / max(complaints, 1)!r} AS BIGINT)) AS DATE),
                CAST(h(i * 31) % {TOUCHPOINTS} + 1 AS INTEGER)
                FROM range({complaints}) t(i)"""
        )
    generated = time.perf_counter() - started
    sync.rebuild_derived(store)
    with store.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO analytics_meta VALUES ('last_sync_finished_at', ?)",
            [datetime.now(UTC).replace(tzinfo=None).isoformat()],
        )
    store.cursor().execute("CHECKPOINT")
    return {
        "generate_seconds": round(generated, 2),
        "customers": customers,
        "complaints": complaints,
    }


NPS_SQL = """
SELECT CAST(date_trunc('month', a.submitted_at) AS DATE) AS period, t.key AS touchpoint,
       count(*) AS n,
       100.0 * (count(*) FILTER (WHERE a.score >= 9) - count(*) FILTER (WHERE a.score <= 6))
             / count(*) AS nps
FROM survey_answers a LEFT JOIN touchpoints t ON t.id = a.touchpoint_id
WHERE a.type = 'nps' AND a.score BETWEEN 0 AND 10
GROUP BY ALL
"""

COMPLAINT_SQL = """
WITH months AS (
    SELECT CAST(range AS DATE) AS m
    FROM range(DATE '2024-01-01', DATE '2026-01-01', INTERVAL 1 MONTH)
),
exposure AS (
    SELECT m, count(*) AS holders FROM months
    JOIN customer_spans s ON s.started_on < m + INTERVAL 1 MONTH AND s.ended_on >= m
    GROUP BY m
),
complaints AS (
    SELECT CAST(date_trunc('month', occurred_at) AS DATE) AS m,
           coalesce(topic, 'unassigned') AS topic, count(*) AS n
    FROM feedback WHERE source = 'complaint' GROUP BY ALL
)
SELECT c.m, c.topic, c.n, e.holders, 1000.0 * c.n / e.holders AS per_1000
FROM complaints c JOIN exposure e USING (m)
"""


# The same results written by someone who knows the layout: count per day and touchpoint
# number first, then roll days up to months and numbers to keys (as the Ibis layer does).
NPS_SQL_TUNED = """
WITH daily AS (
    SELECT submitted_on AS d, touchpoint_no AS tp, count(*) AS n,
           sum(CAST(score >= 9 AS INTEGER)) AS p, sum(CAST(score <= 6 AS INTEGER)) AS dt
    FROM survey_answers WHERE type = 'nps' AND score BETWEEN 0 AND 10
    GROUP BY ALL
)
SELECT CAST(date_trunc('month', d) AS DATE) AS period, t.key AS touchpoint, sum(n) AS n,
       100.0 * (sum(p) - sum(dt)) / sum(n) AS nps
FROM daily
LEFT JOIN touchpoint_numbers tn ON tn.no = daily.tp
LEFT JOIN touchpoints t ON t.id = tn.id
GROUP BY ALL
"""

COMPLAINT_SQL_TUNED = """
WITH months AS (
    SELECT CAST(range AS DATE) AS m
    FROM range(DATE '2024-01-01', DATE '2026-01-01', INTERVAL 1 MONTH)
),
starts AS (
    SELECT date_trunc('month', d) AS b, sum(n) AS n
    FROM (SELECT started_on AS d, count(*) AS n FROM customer_spans GROUP BY 1) GROUP BY 1
),
ends AS (
    SELECT date_trunc('month', d) AS b, sum(n) AS n
    FROM (SELECT ended_on AS d, count(*) AS n FROM customer_spans GROUP BY 1) GROUP BY 1
),
exposure AS (
    SELECT m, (SELECT coalesce(sum(n), 0) FROM starts WHERE b <= m)
              - (SELECT coalesce(sum(n), 0) FROM ends WHERE b < m) AS holders
    FROM months
),
complaints AS (
    SELECT CAST(date_trunc('month', occurred_on) AS DATE) AS m,
           coalesce(topic, 'unassigned') AS topic, count(*) AS n
    FROM feedback
    WHERE source = 'complaint' AND occurred_on >= DATE '2024-01-01'
      AND occurred_on < DATE '2026-01-01'
    GROUP BY ALL
)
SELECT c.m, c.topic, c.n, e.holders, 1000.0 * c.n / e.holders AS per_1000
FROM complaints c JOIN exposure e USING (m)
"""


def _time(fn: Callable[[], Any], repeats: int, warmup: int = WARMUP) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, max(0, round(0.95 * len(runs)) - 1))]
    return {"p50_ms": round(statistics.median(runs), 1), "p95_ms": round(p95, 1)}


def kpi_queries(engine: Engine) -> dict[str, Callable[[], Any]]:
    """The dashboard's KPI queries through cxm.analytics.kpi, on any engine."""
    end = datetime(2026, 1, 1, tzinfo=UTC)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return {
        "nps_by_month_x_touchpoint": lambda: kpi.nps(
            engine, period="month", by=["touchpoint"], min_n=30
        ),
        "complaint_rate_by_topic_x_month": lambda: kpi.complaint_rate(
            engine,
            period="month",
            by=["topic"],
            filters=kpi.Filters(start=start, end=end),
            min_n=30,
        ),
    }


HAND_SQL = {
    "nps_by_month_x_touchpoint": (NPS_SQL, NPS_SQL_TUNED),
    "complaint_rate_by_topic_x_month": (COMPLAINT_SQL, COMPLAINT_SQL_TUNED),
}


def measure(store: Store, repeats: int = REPEATS) -> dict[str, Any]:
    cur = store.cursor()
    out: dict[str, Any] = {}
    for name, layer in kpi_queries(store).items():
        naive, tuned = HAND_SQL[name]
        a = _time(layer, repeats)
        b = _time(lambda sql=naive: cur.execute(sql).fetchall(), repeats)
        c = _time(lambda sql=tuned: cur.execute(sql).fetchall(), repeats)
        out[name] = {
            "kpi": a,
            "hand_sql_naive": b,
            "hand_sql_tuned": c,
            "ratio_p50_vs_tuned": round(a["p50_ms"] / c["p50_ms"], 2),
            "ratio_p95_vs_tuned": round(a["p95_ms"] / c["p95_ms"], 2),
            "ratio_p95_vs_naive": round(a["p95_ms"] / b["p95_ms"], 2),
        }
    # the Ibis layer's own overhead: building and compiling the NPS expression
    t0 = time.perf_counter()
    for _ in range(20):
        kpi.nps_expression(period="month", by=["touchpoint"])
    out["ibis_build_compile_ms"] = round((time.perf_counter() - t0) / 20 * 1000, 2)
    return out


# --- sync throughput: a generated operational database ----------------------------------------

SYNC_CUSTOMERS = int(os.environ.get("CXM_BENCH_SYNC_CUSTOMERS", "25000"))
_BASE_MS = 1_704_067_200_000  # 2024-01-01: ids carry the time of their row


def _v7(rng: random.Random, ms: int) -> str:
    """A time-ordered UUIDv7 as SQLite stores it (32 hex digits), deterministic."""
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return f"{value | rng.getrandbits(62):032x}"


def _ts(seconds: float) -> str:
    """A naive-UTC timestamp as SQLAlchemy stores it in SQLite."""
    return (datetime(2024, 1, 1) + timedelta(seconds=seconds)).isoformat(sep=" ")


def operational_db(path: Path, customers: int, *, seed: int = 7) -> dict[str, int]:
    """An operational SQLite database (the real schema, from the migrations) with `customers`
    customers, 20 interactions and 1 invitation and response each (NPS always, CSAT for half,
    a German/English comment for 30 %), 1 holding each and complaints for 10 %. Written with
    raw executemany in the formats SQLAlchemy uses on SQLite (the ORM would take minutes)."""
    from cxm.db import make_engine
    from cxm.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(seed)
    span = MONTHS * 30.4 * 86400
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    now = _ts(span)
    counts: dict[str, int] = {}

    def put(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns.split(","))
        con.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        counts[table] = counts.get(table, 0) + len(rows)

    def ids(n: int, start_s: float = 0.0, step_s: float = 0.0) -> list[str]:
        return [_v7(rng, _BASE_MS + int((start_s + i * step_s) * 1000) + i) for i in range(n)]

    departments, stages, touchpoints = ids(5), ids(6), ids(TOUCHPOINTS)
    put(
        "departments",
        "id, key, name, created_at, updated_at",
        [(d, f"dept-{i}", f"Department {i}", now, now) for i, d in enumerate(departments)],
    )
    put(
        "journey_stages",
        "id, key, name_de, name_en, position",
        [(s, f"stage-{i}", f"Phase {i}", f"Stage {i}", i) for i, s in enumerate(stages)],
    )
    put(
        "touchpoints",
        "id, key, name_de, name_en, channel, stage_id, department_id, controllable, active, "
        "created_at, updated_at",
        [
            (
                t,
                f"tp-{i:02}",
                f"Kontaktpunkt {i}",
                f"Touchpoint {i}",
                "web",
                stages[i % 6],
                departments[i % 5],
                1,
                1,
                now,
                now,
            )
            for i, t in enumerate(touchpoints)
        ],
    )
    surveys, versions = ids(3), ids(3)
    questions = json.dumps([{"key": k, "type": k} for k in ("nps", "csat", "comment")])
    put(
        "surveys",
        "id, key, name, status, anonymous_enabled, invitation_valid_days, "
        "touchpoint_id, created_at, updated_at",
        [
            (s, f"survey-{i}", f"Survey {i}", "live", 0, 14, touchpoints[i], now, now)
            for i, s in enumerate(surveys)
        ],
    )
    put(
        "survey_versions",
        "id, survey_id, number, title_de, title_en, questions, created_at",
        [(v, surveys[i], 1, "t", "t", questions, now) for i, v in enumerate(versions)],
    )

    people = ids(customers)
    tiers = ("gold", "silver", "bronze")
    put(
        "customers",
        "id, display_name, salutation, language, type, attributes, created_at, updated_at",
        [
            (
                c,
                f"Kunde {i}",
                "none",
                "de",
                "private",
                json.dumps({"tier": tiers[i % 3], "region": f"R{i % 7}"}),
                now,
                now,
            )
            for i, c in enumerate(people)
        ],
    )
    put(
        "holdings",
        "id, customer_id, kind, product_code, product_name, model, started_on, ended_on, "
        "attributes, created_at, updated_at",
        [
            (
                h,
                people[i],
                "product",
                f"P{i % MODELS}",
                "Produkt",
                f"Modell {i % MODELS}",
                f"{2021 + i % 4}-0{1 + i % 9}-01",
                None,
                "{}",
                now,
                now,
            )
            for i, h in enumerate(ids(customers))
        ],
    )
    n_interactions = 20 * customers
    step = span / n_interactions
    for start in range(0, n_interactions, 200_000):
        n = min(200_000, n_interactions - start)
        put(
            "interactions",
            "id, customer_id, touchpoint_id, channel, direction, type, occurred_at, "
            "received_at, properties",
            [
                (
                    i_id,
                    people[rng.randrange(customers)],
                    touchpoints[rng.randrange(TOUCHPOINTS)],
                    "web",
                    "in",
                    "page_view",
                    _ts((start + k) * step),
                    now,
                    "{}",
                )
                for k, i_id in enumerate(ids(n, (start) * step, step))
            ],
        )
    step = span / customers
    invitations, responses = ids(customers, 0, step), ids(customers, 60, step)
    who = [rng.randrange(customers) for _ in range(customers)]
    where = [rng.randrange(TOUCHPOINTS) for _ in range(customers)]
    put(
        "survey_invitations",
        "id, survey_id, version_id, customer_id, touchpoint_id, channel, language, status, "
        "created_at, send_at, sent_at, expires_at, responded_at",
        [
            (
                inv,
                surveys[i % 3],
                versions[i % 3],
                people[who[i]],
                touchpoints[where[i]],
                "email",
                "de",
                "responded",
                _ts(i * step),
                _ts(i * step),
                _ts(i * step),
                _ts(i * step + 14 * 86400),
                _ts(i * step + 60),
            )
            for i, inv in enumerate(invitations)
        ],
    )
    put(
        "survey_responses",
        "id, survey_id, version_id, invitation_id, customer_id, touchpoint_id, channel, "
        "language, submitted_at, properties",
        [
            (
                r,
                surveys[i % 3],
                versions[i % 3],
                invitations[i],
                people[who[i]],
                touchpoints[where[i]],
                "link",
                "de",
                _ts(i * step + 60),
                "{}",
            )
            for i, r in enumerate(responses)
        ],
    )
    comments = (
        "Die Hotline war freundlich, aber die Wartezeit zu lang.",
        "Very helpful staff, problem solved in minutes.",
        "Rechnung falsch, bitte korrigieren.",
        "App crashes when I log in.",
    )
    answers: list[tuple[Any, ...]] = []
    for i, r in enumerate(responses):
        score = min(10, 2 + rng.randrange(5) + rng.randrange(5) + where[i] % 2)
        answers.append((r, "nps", "nps", score, None))
        if i % 2 == 0:
            answers.append((r, "csat", "csat", 1 + rng.randrange(5), None))
        if rng.random() < 0.3:
            answers.append((r, "comment", "text", None, comments[i % 4]))
    answer_ids = ids(len(answers), 60, span / len(answers))
    put(
        "survey_answers",
        "id, response_id, question_key, type, score, text",
        [(a_id, *a) for a_id, a in zip(answer_ids, answers, strict=True)],
    )
    n_feedback = customers // 10
    step = span / max(n_feedback, 1)
    put(
        "feedback",
        "id, source, customer_id, touchpoint_id, occurred_at, received_at, text, "
        "product_model, properties",
        [
            (
                f,
                "complaint",
                people[rng.randrange(customers)],
                touchpoints[rng.randrange(TOUCHPOINTS)],
                _ts(i * step),
                now,
                comments[i % 4],
                f"Modell {i % MODELS}",
                json.dumps({"topic": f"topic-{i % TOPICS}"}),
            )
            for i, f in enumerate(ids(n_feedback, 0, step))
        ],
    )
    con.commit()
    con.close()
    return counts


def measure_sync(customers: int = SYNC_CUSTOMERS) -> dict[str, Any]:
    """Full sync, re-sync without changes, and the Parquet copy, from a generated SQLite."""
    import pyarrow as pa  # type: ignore[import-untyped]
    from sqlalchemy.orm import Session

    from cxm.analytics import parquet
    from cxm.db import make_engine

    pa.array(["warm"])  # pyarrow imports pandas on first use: seconds, once per process
    with tempfile.TemporaryDirectory(prefix="cxm-bench-sync-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        counts = operational_db(folder / "cxm.db", customers)
        generated = time.perf_counter() - started
        engine = make_engine(f"sqlite:///{folder / 'cxm.db'}")
        try:
            with Session(engine) as db, Store(folder / "analytics.duckdb") as store:
                t0 = time.perf_counter()
                report = sync.sync(db, store=store)
                full_s = time.perf_counter() - t0
                rows = sum(t["rows_read"] for t in report["tables"].values())
                t0 = time.perf_counter()
                sync.sync(db, store=store)
                again_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                copy = parquet.export(store, folder / "pq")
                export_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                parquet.export(store, folder / "pq")
                export_again_s = time.perf_counter() - t0
        finally:
            engine.dispose()
    return {
        "customers": customers,
        "source_rows": sum(counts.values()),
        "generate_seconds": round(generated, 1),
        "rows_synced": rows,
        "full_sync_seconds": round(full_s, 2),
        "rows_per_s": round(rows / full_s),
        "resync_unchanged_seconds": round(again_s, 2),
        "parquet_copy_seconds": round(export_s, 2),
        "parquet_rows_per_s": round(copy["rows_written"] / export_s),
        "parquet_recopy_unchanged_seconds": round(export_again_s, 2),
    }


def measure_spark(store: Store, folder: Path, repeats: int = SPARK_REPEATS) -> dict[str, Any]:
    """The same KPI queries on Spark over the store's Parquet copy (start-up apart)."""
    from cxm.analytics import parquet
    from cxm.analytics.spark import SparkEngine, spark_session

    out: dict[str, Any] = {"master": SPARK_MASTER}
    t0 = time.perf_counter()
    copy = parquet.export(store, folder / "parquet")
    out["parquet_copy_seconds"] = round(time.perf_counter() - t0, 2)
    out["parquet_mb"] = round(
        sum(p.stat().st_size for p in (folder / "parquet").rglob("*.parquet")) / 2**20, 1
    )
    out["parquet_rows"] = copy["rows_written"]
    t0 = time.perf_counter()
    spark_session(SPARK_MASTER)
    out["session_start_seconds"] = round(time.perf_counter() - t0, 2)  # 0 once started
    engine = SparkEngine.open(folder / "parquet", master=SPARK_MASTER)
    t0 = time.perf_counter()
    engine.refresh()
    out["register_tables_seconds"] = round(time.perf_counter() - t0, 2)
    for name, layer in kpi_queries(engine).items():
        t0 = time.perf_counter()
        result = layer()
        first = (time.perf_counter() - t0) * 1000
        same = _same(kpi_queries(store)[name](), result)
        out[name] = {
            "first_ms": round(first, 1),
            **_time(layer, repeats, warmup=1),
            "same_as_duckdb": same,
        }
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal rows (counts exactly, floats to 1e-9): the engines agree."""
    ra, rb = [kpi.row_dict(r) for r in a.rows], [kpi.row_dict(r) for r in b.rows]
    if len(ra) != len(rb):
        return False
    for x, y in zip(ra, rb, strict=True):
        for key, value in x.items():
            other = y.get(key)
            if isinstance(value, float) and isinstance(other, float):
                if abs(value - other) > 1e-9 * max(1.0, abs(value)):
                    return False
            elif value != other:
                return False
    return True


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "repeats": REPEATS,
        "spark_repeats": SPARK_REPEATS,
        "cpu_count": os.cpu_count(),
    }
    started = time.perf_counter()
    results["sync_from_sqlite"] = measure_sync()
    for n in SIZES:
        with tempfile.TemporaryDirectory(prefix="cxm-bench-analytics-") as tmp:
            with Store(Path(tmp) / "analytics.duckdb") as store:
                info: dict[str, Any] = dict(generate(store, n))
                info["file_mb"] = round((Path(tmp) / "analytics.duckdb").stat().st_size / 2**20, 1)
                info.update(measure(store))
                if n in SPARK_SIZES:
                    try:
                        info["spark"] = measure_spark(store, Path(tmp))
                    except ImportError:
                        info["spark"] = "pyspark is not installed (pip install 'cxm[spark]')"
            results[f"{n:,}_responses".replace(",", "_")] = info
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
