"""Analytics figures: the dashboard KPI queries over 1M and 10M survey responses in DuckDB.

The data is generated deterministically straight into an analytical store (no operational
database): ~1 NPS answer per response, 30 touchpoints, 24 months, half as many customers with
one product each, and complaints (10 % of the responses) over 15 topics and 12 models.
Each query is timed through cxm.analytics.kpi (Ibis → DuckDB, plus the metric maths) and as
the same result hand-written in DuckDB SQL twice: the obvious way (date_trunc on the timestamp,
join on the touchpoint UUID: "naive") and the way the layer does it (count per day and
touchpoint number, then roll up: "tuned"). The ratio is kpi / hand-written (p50 and p95).

CXM_BENCH_RESPONSES=200000 (a comma list is allowed) makes a quick run; CXM_BENCH_REPEATS
sets the timed runs per query.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxm.analytics import kpi, sync
from cxm.analytics.store import Store

SIZES = [int(s) for s in os.environ.get("CXM_BENCH_RESPONSES", "1000000,10000000").split(",")]
REPEATS = int(os.environ.get("CXM_BENCH_REPEATS", "15"))
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


def _time(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    for _ in range(WARMUP):
        fn()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, max(0, round(0.95 * len(runs)) - 1))]
    return {"p50_ms": round(statistics.median(runs), 1), "p95_ms": round(p95, 1)}


def measure(store: Store, repeats: int = REPEATS) -> dict[str, Any]:
    cur = store.cursor()
    end = datetime(2026, 1, 1, tzinfo=UTC)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    queries: dict[str, tuple[Callable[[], Any], str, str]] = {
        "nps_by_month_x_touchpoint": (
            lambda: kpi.nps(store, period="month", by=["touchpoint"], min_n=30),
            NPS_SQL,
            NPS_SQL_TUNED,
        ),
        "complaint_rate_by_topic_x_month": (
            lambda: kpi.complaint_rate(
                store,
                period="month",
                by=["topic"],
                filters=kpi.Filters(start=start, end=end),
                min_n=30,
            ),
            COMPLAINT_SQL,
            COMPLAINT_SQL_TUNED,
        ),
    }
    out: dict[str, Any] = {}
    for name, (layer, naive, tuned) in queries.items():
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


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"repeats": REPEATS, "cpu_count": os.cpu_count()}
    for n in SIZES:
        with tempfile.TemporaryDirectory(prefix="cxm-bench-analytics-") as tmp:
            with Store(Path(tmp) / "analytics.duckdb") as store:
                info = generate(store, n)
                info["file_mb"] = round((Path(tmp) / "analytics.duckdb").stat().st_size / 2**20, 1)
                info.update(measure(store))
            results[f"{n:,}_responses".replace(",", "_")] = info
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
