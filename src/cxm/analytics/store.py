"""The analytical store: a DuckDB file with columnar copies of the operational tables.

The schemas below are the one description of the analytical tables: DuckDB's DDL is made from
them and the KPI queries (cxm.analytics.kpi) are written against them with Ibis, so the same
queries can later run on another Ibis backend over the same tables (e.g. Parquet on Spark).

All timestamps are naive UTC (TIMESTAMP, not TIMESTAMPTZ) so that period buckets never depend
on a session time zone. Each fact also carries its UTC day (`*_on`) and a small touchpoint
number: the dashboard queries group 10M rows by (day, touchpoint number) and only then map
days to weeks/months and numbers to touchpoints, stages and departments.
No free text is copied: only ids, codes, scores and timestamps, and the text analysis's
masked text (cxm.analytics.text_topics). With CXM_ANALYTICS_ENGINE=spark (or
CXM_ANALYTICS_PARQUET=true) each sync also refreshes a Parquet copy (cxm.analytics.parquet)
that Spark reads through the same Ibis queries (cxm.analytics.spark).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
from ibis.backends.duckdb import Backend as DuckDBBackend  # type: ignore[import-untyped]

from cxm.shared.errors import CxmError

SCHEMA_VERSION = "2"

SCHEMAS: dict[str, ibis.Schema] = {
    # --- catalogue (small; full refresh) ---
    "departments": ibis.schema({"id": "uuid", "key": "string", "name": "string"}),
    "journey_stages": ibis.schema({"id": "uuid", "key": "string", "position": "int32"}),
    "touchpoints": ibis.schema(
        {
            "id": "uuid",
            "key": "string",
            "name_de": "string",
            "name_en": "string",
            "channel": "string",
            "stage_id": "uuid",
            "department_id": "uuid",
            "controllable": "boolean",
            "active": "boolean",
        }
    ),
    "surveys": ibis.schema(
        {"id": "uuid", "key": "string", "status": "string", "touchpoint_id": "uuid"}
    ),
    # --- mutable (by updated_at, reloaded whole now and then) ---
    "customers": ibis.schema(
        {
            "id": "uuid",
            "type": "string",
            "language": "string",
            "region": "string",
            # scalar attributes only, as text (segment keys such as tier, tenure_band)
            "attributes": "map<string, string>",
            "merged_into_id": "uuid",
            "created_at": "timestamp",
            "updated_at": "timestamp",
        }
    ),
    "holdings": ibis.schema(
        {
            "id": "uuid",
            "customer_id": "uuid",
            "kind": "string",
            "product_code": "string",
            "product_name": "string",
            "model": "string",
            "started_on": "date",
            "ended_on": "date",
            "updated_at": "timestamp",
        }
    ),
    # invitations change (sent, responded) until they expire
    "survey_invitations": ibis.schema(
        {
            "id": "uuid",
            "survey_id": "uuid",
            "customer_id": "uuid",
            "touchpoint_id": "uuid",
            "channel": "string",
            "status": "string",
            "created_at": "timestamp",
            "send_at": "timestamp",
            "sent_at": "timestamp",
            "expires_at": "timestamp",
            "responded_at": "timestamp",
            "sent_on": "date",
            "touchpoint_no": "int32",
        }
    ),
    # --- append-only (by UUIDv7 id watermark) ---
    "interactions": ibis.schema(
        {
            "id": "uuid",
            "customer_id": "uuid",
            "touchpoint_id": "uuid",
            "channel": "string",
            "direction": "string",
            "type": "string",
            "occurred_at": "timestamp",
            "occurred_on": "date",
            "touchpoint_no": "int32",
        }
    ),
    "survey_responses": ibis.schema(
        {
            "id": "uuid",
            "survey_id": "uuid",
            "invitation_id": "uuid",
            "customer_id": "uuid",
            "touchpoint_id": "uuid",
            "channel": "string",
            "language": "string",
            "submitted_at": "timestamp",
        }
    ),
    # one row per scored/choice answer, carrying its (immutable) response's columns so that
    # the dashboard queries scan one table without a join
    "survey_answers": ibis.schema(
        {
            "id": "uuid",
            "response_id": "uuid",
            "question_key": "string",
            "type": "string",
            "score": "int16",
            "choices": "array<string>",
            "survey_id": "uuid",
            "customer_id": "uuid",
            "touchpoint_id": "uuid",
            "channel": "string",
            "submitted_at": "timestamp",
            "submitted_on": "date",
            "touchpoint_no": "int32",
        }
    ),
    "feedback": ibis.schema(
        {
            "id": "uuid",
            "source": "string",
            "customer_id": "uuid",
            "touchpoint_id": "uuid",
            "interaction_id": "uuid",
            "occurred_at": "timestamp",
            "rating": "int16",
            "rating_scale": "int16",
            "language": "string",
            "product_model": "string",
            # properties->>'topic' when it is a short code; the text-analysis topics join in
            # through a TopicSource (cxm.analytics.kpi)
            "topic": "string",
            "occurred_on": "date",
            "touchpoint_no": "int32",
        }
    ),
    # service cases change (status, escalation) until they are closed; no subject or notes
    "cases": ibis.schema(
        {
            "id": "uuid",
            "customer_id": "uuid",
            "status": "string",
            "priority": "string",
            "category": "string",
            "topic": "string",
            "team_id": "uuid",
            "touchpoint_id": "uuid",
            "product_model": "string",
            "source": "string",
            "escalation_level": "int32",
            "opened_at": "timestamp",
            "first_response_at": "timestamp",
            "resolved_at": "timestamp",
            "closed_at": "timestamp",
            "opened_on": "date",
            "touchpoint_no": "int32",
        }
    ),
    # small stable numbers for touchpoint ids: the facts group by these (a 4-byte key
    # hashes several times faster than a 16-byte UUID) and by day
    "touchpoint_numbers": ibis.schema({"id": "uuid", "no": "int32"}),
    # --- derived after each sync (cxm.analytics.sync.rebuild_derived) ---
    "customer_survivors": ibis.schema({"customer_id": "uuid", "survivor_id": "uuid"}),
    # one span per (surviving customer, model, product): when they held it
    "holding_spans": ibis.schema(
        {
            "customer_id": "uuid",
            "model": "string",
            "product_code": "string",
            "started_on": "date",
            "ended_on": "date",
        }
    ),
    # one span per surviving customer: when they held any product
    "customer_spans": ibis.schema(
        {"customer_id": "uuid", "started_on": "date", "ended_on": "date"}
    ),
}

_STATE_DDL = [
    """CREATE TABLE IF NOT EXISTS analytics_meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS sync_state (
        table_name VARCHAR PRIMARY KEY,
        id_watermark VARCHAR,
        time_watermark TIMESTAMP,
        full_refresh_at TIMESTAMP,
        synced_at TIMESTAMP,
        rows_total BIGINT
    )""",
]


class StoreBusy(CxmError):
    """The DuckDB file is held by another process (DuckDB allows one writer process)."""

    status_code = 503


def table(name: str) -> ir.Table:
    """An unbound Ibis table of the analytical store (bound when executed)."""
    return ibis.table(SCHEMAS[name], name=name)


class Store:
    """One open analytical store. Queries take a cursor each; syncs hold the store's lock.

    Also the embedded query engine (cxm.analytics.engine.Engine): the KPI layer compiles its
    Ibis expressions to `dialect` and runs them with `query`."""

    dialect = "duckdb"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock = threading.RLock()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise StoreBusy(
                f"the analytical store {path} is in use by another process ({exc}); "
                "sync through that process (POST /api/v1/analytics/sync) or stop it first"
            ) from None
        self.con.execute("SET TimeZone = 'UTC'")
        self._ensure_schema()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- querying ---

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the shared database instance; one per thread or request."""
        return self.con.cursor()

    def backend(self) -> DuckDBBackend:
        """An Ibis backend on a fresh cursor (thread-safe to use from one request)."""
        return ibis.duckdb.from_connection(self.cursor())

    def compile(self, expr: ir.Table) -> str:
        """The DuckDB SQL of an Ibis expression over the store's tables."""
        return str(ibis.to_sql(expr, dialect=self.dialect))

    def execute(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Runs an Ibis expression over the store and returns its rows as dicts."""
        rows: list[dict[str, Any]] = self.backend().to_pyarrow(expr).to_pylist()
        return rows

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Runs SQL (compiled from the Ibis layer) on a fresh cursor; rows as dicts."""
        cur = self.cursor()
        try:
            cur.execute(sql, params or [])
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()

    # --- state ---

    def sync_state(self) -> dict[str, dict[str, Any]]:
        cur = self.cursor()
        cols = ["table_name", "id_watermark", "time_watermark", "full_refresh_at", "synced_at"]
        rows = cur.execute(f"SELECT {', '.join(cols)}, rows_total FROM sync_state").fetchall()
        return {r[0]: dict(zip([*cols, "rows_total"], r, strict=True)) for r in rows}

    def meta(self, key: str) -> str | None:
        row = (
            self.cursor()
            .execute("SELECT value FROM analytics_meta WHERE key = ?", [key])
            .fetchone()
        )
        return None if row is None else str(row[0])

    def last_synced_at(self) -> datetime | None:
        """When the last complete sync finished (naive UTC), or None before the first."""
        value = self.meta("last_sync_finished_at")
        return datetime.fromisoformat(value) if value else None

    def row_count(self, name: str) -> int:
        row = self.cursor().execute(f'SELECT count(*) FROM "{name}"').fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One DuckDB transaction on a cursor: committed on success, rolled back on error."""
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    # --- schema ---

    def ensure_tables(self) -> None:
        """Creates the tables registered since the store was opened (cxm.analytics.sync.register
        after open: e.g. a feature imported later by a command)."""
        known = {
            r[0] for r in self.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if set(SCHEMAS) - known:
            self._ensure_schema()

    def _ensure_schema(self) -> None:
        with self.lock, self.transaction() as cur:
            for ddl in _STATE_DDL:
                cur.execute(ddl)
            row = cur.execute(
                "SELECT value FROM analytics_meta WHERE key = 'schema_version'"
            ).fetchone()
            if row is not None and row[0] != SCHEMA_VERSION:
                # A new layout: start over; the next sync reloads everything.
                for name in SCHEMAS:
                    cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                cur.execute("DELETE FROM sync_state")
            existing = {
                r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            create = []
            for name, schema in SCHEMAS.items():
                if name not in existing:
                    defs = schema.to_sqlglot_column_defs("duckdb")
                    columns = ", ".join(d.sql("duckdb") for d in defs)
                    create.append(f'CREATE TABLE "{name}" ({columns});')
            if create:
                cur.execute("\n".join(create))
            cur.execute(
                "INSERT OR REPLACE INTO analytics_meta VALUES ('schema_version', ?)",
                [SCHEMA_VERSION],
            )
