"""Incremental, idempotent sync from the operational database into the analytical store.

Reads only through the given SQLAlchemy session (SQLite or PostgreSQL), moves rows in through
Arrow, and never copies free text (the text analysis's masked text only). After the DuckDB
store is up to date, the Parquet copy is refreshed when settings ask for it
(cxm.analytics.parquet: only the months that changed are rewritten).
Four modes, one per kind of table:

- ``append``: append-only tables with time-ordered UUIDv7 ids (interactions, responses, answers,
  feedback). Chunks of ``id > watermark`` in id order; each chunk's insert and its watermark
  update commit in one DuckDB transaction, so a crash loses nothing and doubles nothing. Each
  run re-reads ``overlap_seconds`` before the watermark (a transaction that took its ids earlier
  but committed later is not missed) and drops the ids it already has.
- ``updated``: mutable tables with ``updated_at`` (customers, holdings): rows changed since the
  watermark minus the overlap are upserted; every ``full_refresh_seconds`` the table is
  reloaded whole (removing rows deleted at the source), in one transaction.
- ``window``: survey invitations change (sent, responded) until they expire, cases until they
  close: new ids plus every row that could still change at the previous sync (not expired, not
  closed: the spec's ``changing`` condition) are upserted.
- ``refresh``: small catalogue tables are replaced whole in one transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import ibis  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Select,
    String,
    Uuid,
    cast,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import QueryableAttribute, Session

from cxm.accounts.models import Department
from cxm.analytics import store as store_mod
from cxm.analytics.settings import AnalyticsSettings, parquet_path
from cxm.analytics.store import Store
from cxm.cases.models import Case
from cxm.customers.models import Customer, Holding
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from cxm.touchpoints.models import JourneyStage, Touchpoint

if TYPE_CHECKING:
    AnySelect = Select[*tuple[Any, ...]]

Column = QueryableAttribute[Any]
MAX_ATTRIBUTE_CHARS = 64  # longer attribute values look like free text and stay behind
MAX_TOPIC_CHARS = 64


class Mode(StrEnum):
    APPEND = "append"
    UPDATED = "updated"
    WINDOW = "window"
    REFRESH = "refresh"


Deferred = dict[str, dict[str, Any]]
Transform = Callable[[dict[str, list[Any]]], dict[str, list[Any]]]


@dataclass(frozen=True)
class TableSpec:
    """How one analytical table is filled from the operational database.

    ``query`` returns a SELECT whose labelled columns are the table's columns (before
    ``transform``, which may turn source columns into table columns chunk by chunk).
    """

    name: str
    schema: ibis.Schema
    mode: Mode
    query: Callable[[], AnySelect]
    id_column: Column | None = None
    updated_column: Column | None = None
    expires_column: Column | None = None
    transform: Transform | None = None
    # (day column, timestamp column): the UTC day, derived chunk-wise
    days: tuple[tuple[str, str], ...] = ()
    # window mode: the rows that may have changed since a time (default: not yet expired)
    changing: Callable[[datetime], ColumnElement[bool]] | None = None
    # the Parquet copy: one file per month of this (immutable) date/timestamp column
    partition: str | None = None


# --- the operational selects -------------------------------------------------------------------


def _departments() -> AnySelect:
    return select(Department.id, Department.key, Department.name)


def _stages() -> AnySelect:
    return select(JourneyStage.id, JourneyStage.key, JourneyStage.position)


def _touchpoints() -> AnySelect:
    t = Touchpoint
    return select(
        t.id, t.key, t.name_de, t.name_en, t.channel, t.stage_id, t.department_id,
        t.controllable, t.active,
    )  # fmt: skip


def _surveys() -> AnySelect:
    return select(Survey.id, Survey.key, Survey.status, Survey.touchpoint_id)


def _customers() -> AnySelect:
    c = Customer
    return select(
        c.id, c.type, c.language, c.region, c.attributes, c.merged_into_id, c.created_at,
        c.updated_at,
    )  # fmt: skip


def _holdings() -> AnySelect:
    h = Holding
    return select(
        h.id, h.customer_id, h.kind, h.product_code, h.product_name, h.model, h.started_on,
        h.ended_on, h.updated_at,
    )  # fmt: skip


def _invitations() -> AnySelect:
    i = SurveyInvitation
    return select(
        i.id, i.survey_id, i.customer_id, i.touchpoint_id, i.channel, i.status, i.created_at,
        i.send_at, i.sent_at, i.expires_at, i.responded_at,
    )  # fmt: skip


def _cases() -> AnySelect:
    c = Case
    return select(
        c.id, c.customer_id, c.status, c.priority, c.category, c.topic, c.team_id,
        c.touchpoint_id, c.product_model, c.source, c.escalation_level, c.opened_at,
        c.first_response_at, c.resolved_at, c.closed_at,
    )  # fmt: skip


def _cases_changing(since: datetime) -> ColumnElement[bool]:
    """Open cases can still change; closed ones only when reopened (a new status change)."""
    return or_(Case.is_open.is_(True), Case.status_changed_at >= since)


def _interactions() -> AnySelect:
    i = Interaction
    return select(
        i.id, i.customer_id, i.touchpoint_id, i.channel, i.direction, i.type, i.occurred_at
    )


def _responses() -> AnySelect:
    r = SurveyResponse
    return select(
        r.id, r.survey_id, r.invitation_id, r.customer_id, r.touchpoint_id, r.channel,
        r.language, r.submitted_at,
    )  # fmt: skip


def _answers() -> AnySelect:
    a, r = SurveyAnswer, SurveyResponse
    return (
        select(
            a.id,
            a.response_id,
            a.question_key,
            a.type,
            a.score,
            a.choices,
            r.survey_id,
            r.customer_id,
            r.touchpoint_id,
            r.channel,
            r.submitted_at,
        )  # fmt: skip
        .join(r, r.id == a.response_id)
        .where(a.type != "text")  # free text stays in the operational store
    )


def _feedback() -> AnySelect:
    f = Feedback
    return select(
        f.id, f.source, f.customer_id, f.touchpoint_id, f.interaction_id, f.occurred_at,
        f.rating, f.rating_scale, f.language, f.product_model, f.properties,
    )  # fmt: skip


# --- transforms (chunk-wise, columns as lists) --------------------------------------------------


def _scalar_attributes(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Keeps scalar attribute values only, as short text: segment keys, never free text."""
    out = []
    for attrs in columns["attributes"]:
        items = []
        for key, value in (attrs or {}).items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | float | str):
                text = str(value)
            else:
                continue
            if len(text) <= MAX_ATTRIBUTE_CHARS:
                items.append((str(key), text))
        out.append(items)
    columns["attributes"] = out
    return columns


def _feedback_topic(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    topics = []
    for props in columns.pop("properties"):
        topic = (props or {}).get("topic")
        ok = isinstance(topic, str) and 0 < len(topic) <= MAX_TOPIC_CHARS
        topics.append(topic if ok else None)
    columns["topic"] = topics
    return columns


def _choices(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    columns["choices"] = [
        [str(c) for c in value] if isinstance(value, list) else None for value in columns["choices"]
    ]
    return columns


S = store_mod.SCHEMAS
SPECS: list[TableSpec] = [
    TableSpec("departments", S["departments"], Mode.REFRESH, _departments),
    TableSpec("journey_stages", S["journey_stages"], Mode.REFRESH, _stages),
    TableSpec("touchpoints", S["touchpoints"], Mode.REFRESH, _touchpoints),
    TableSpec("surveys", S["surveys"], Mode.REFRESH, _surveys),
    TableSpec(
        "customers",
        S["customers"],
        Mode.UPDATED,
        _customers,
        id_column=Customer.id,
        updated_column=Customer.updated_at,
        transform=_scalar_attributes,
    ),
    TableSpec(
        "holdings",
        S["holdings"],
        Mode.UPDATED,
        _holdings,
        id_column=Holding.id,
        updated_column=Holding.updated_at,
    ),
    TableSpec(
        "survey_invitations",
        S["survey_invitations"],
        Mode.WINDOW,
        _invitations,
        id_column=SurveyInvitation.id,
        expires_column=SurveyInvitation.expires_at,
        days=(("sent_on", "sent_at"),),
        partition="created_at",
    ),
    TableSpec(
        "cases",
        S["cases"],
        Mode.WINDOW,
        _cases,
        id_column=Case.id,
        changing=_cases_changing,
        days=(("opened_on", "opened_at"),),
        partition="opened_at",
    ),
    TableSpec(
        "interactions",
        S["interactions"],
        Mode.APPEND,
        _interactions,
        id_column=Interaction.id,
        days=(("occurred_on", "occurred_at"),),
        partition="occurred_on",
    ),
    TableSpec(
        "survey_responses",
        S["survey_responses"],
        Mode.APPEND,
        _responses,
        id_column=SurveyResponse.id,
        partition="submitted_at",
    ),
    TableSpec(
        "survey_answers",
        S["survey_answers"],
        Mode.APPEND,
        _answers,
        id_column=SurveyAnswer.id,
        transform=_choices,
        days=(("submitted_on", "submitted_at"),),
        partition="submitted_on",
    ),
    TableSpec(
        "feedback",
        S["feedback"],
        Mode.APPEND,
        _feedback,
        id_column=Feedback.id,
        transform=_feedback_topic,
        days=(("occurred_on", "occurred_at"),),
        partition="occurred_on",
    ),
]


def register(spec: TableSpec) -> None:
    """Adds a table to every later sync (e.g. the text analysis's masked text and topics).

    Call before the store is opened: its schema joins the store's schemas and its table is
    created on open. Its query must copy masked text only; see docs/metrics.md.
    """
    if spec.name in store_mod.SCHEMAS and store_mod.SCHEMAS[spec.name] != spec.schema:
        raise ValueError(f"table {spec.name} is already defined with another schema")
    store_mod.SCHEMAS[spec.name] = spec.schema
    SPECS[:] = [s for s in SPECS if s.name != spec.name] + [spec]


# --- the sync ----------------------------------------------------------------------------------


@dataclass
class TableReport:
    mode: str
    rows_read: int = 0
    rows_written: int = 0
    rows_total: int = 0
    full: bool = False
    watermark: str | None = None


def sync(
    db: Session,
    *,
    duckdb_path: Path | str | None = None,
    store: Store | None = None,
    settings: AnalyticsSettings | None = None,
    now: datetime | None = None,
    full: bool = False,
    tables: Sequence[str] | None = None,
    parquet_dir: Path | str | None = None,
) -> dict[str, Any]:
    """Brings the analytical store up to date with what `db` sees; safe to re-run at any time
    (after a crash too): no row is lost or doubled. Returns per-table counts and the lag.

    With `parquet_dir`, or settings that ask for it (engine spark, parquet), the Parquet copy
    is brought up to date afterwards (report key "parquet")."""
    if store is None:
        if duckdb_path is None:
            raise ValueError("give duckdb_path or store")
        with Store(duckdb_path) as own:
            return sync(
                db, store=own, settings=settings, now=now, full=full, tables=tables,
                parquet_dir=parquet_dir,
            )  # fmt: skip
    cfg = settings or AnalyticsSettings()
    now = _naive_utc(now or datetime.now(UTC))
    started = time.perf_counter()
    with store.lock:
        store.ensure_tables()
        previous = store.last_synced_at()
        reports: dict[str, TableReport] = {}
        deferred: Deferred = {}
        states = store.sync_state()
        for spec in SPECS:
            if tables is not None and spec.name not in tables:
                continue
            reports[spec.name] = _sync_table(
                db, store, spec, cfg, states.get(spec.name, {}), now=now, full=full,
                deferred=deferred,
            )  # fmt: skip
        changed = {n for n, r in reports.items() if r.rows_written or r.full}
        if changed & {"customers", "holdings"} or full:
            rebuild_derived(store)
        with store.transaction() as cur:
            # watermarks that only move once all of a table's rows are in, in one commit
            for name, marks in deferred.items():
                _write_state(cur, name, now=now, **marks)
            cur.execute(
                "INSERT OR REPLACE INTO analytics_meta VALUES ('last_sync_finished_at', ?)",
                [now.isoformat()],
            )
        totals = {n: st["rows_total"] for n, st in store.sync_state().items()}
        for name, report in reports.items():
            report.rows_total = int(totals.get(name) or 0)
        exported: dict[str, Any] | None = None
        if parquet_dir is None and cfg.writes_parquet:
            parquet_dir = parquet_path(store.path, cfg)
        if parquet_dir is not None:
            from cxm.analytics import parquet

            exported = parquet.export(store, parquet_dir, now=now)
    out: dict[str, Any] = {
        "synced_at": now.replace(tzinfo=UTC).isoformat(),
        "previous_sync_at": previous.replace(tzinfo=UTC).isoformat() if previous else None,
        "lag_seconds_before": (now - previous).total_seconds() if previous else None,
        "seconds": round(time.perf_counter() - started, 3),
        "tables": {name: vars(r) for name, r in reports.items()},
    }
    if exported is not None:
        out["parquet"] = exported
    return out


def status(
    store: Store, *, now: datetime | None = None, settings: AnalyticsSettings | None = None
) -> dict[str, Any]:
    """When the store was last synced, how far behind it is, and each table's watermark; with
    settings, also the engine and the state of the Parquet copy."""
    now = _naive_utc(now or datetime.now(UTC))
    last = store.last_synced_at()
    tables = {}
    for name, state in store.sync_state().items():
        tables[name] = {
            "rows": state["rows_total"],
            "id_watermark": state["id_watermark"],
            "time_watermark": _iso(state["time_watermark"]),
            "full_refresh_at": _iso(state["full_refresh_at"]),
            "synced_at": _iso(state["synced_at"]),
        }
    out: dict[str, Any] = {
        "path": str(store.path),
        "last_sync_at": _iso(last),
        "lag_seconds": (now - last).total_seconds() if last else None,
        "tables": tables,
    }
    if settings is not None:
        from cxm.analytics import parquet

        out["engine"] = settings.engine
        directory = parquet_path(store.path, settings)
        manifest = parquet.read_manifest(directory)
        if settings.writes_parquet or manifest:
            synced = manifest.get("last_sync_at")
            out["parquet"] = {
                "dir": str(directory),
                "exported_at": manifest.get("exported_at"),
                "last_sync_at": _iso(datetime.fromisoformat(synced)) if synced else None,
                "rows": {n: t.get("rows") for n, t in manifest.get("tables", {}).items()},
            }
    return out


def is_stale(store: Store, *, max_lag_seconds: float, now: datetime | None = None) -> bool:
    """Whether the store should be synced before answering (never when max_lag is negative)."""
    if max_lag_seconds < 0:
        return False
    last = store.last_synced_at()
    if last is None:
        return True
    return (_naive_utc(now or datetime.now(UTC)) - last).total_seconds() > max_lag_seconds


def ensure_fresh(
    db: Session, store: Store, *, settings: AnalyticsSettings, now: datetime | None = None
) -> dict[str, Any] | None:
    """Syncs when the store is older than settings.max_lag_seconds (or was never synced);
    concurrent callers wait for one sync instead of running several. The sync report, or
    None when the store was fresh enough."""
    if not is_stale(store, max_lag_seconds=settings.max_lag_seconds, now=now):
        return None
    with store.lock:
        if not is_stale(store, max_lag_seconds=settings.max_lag_seconds, now=now):
            return None
        return sync(db, store=store, settings=settings, now=now)


def rebuild_derived(store: Store) -> None:
    """Recomputes merge survivors and holding spans from customers and holdings."""
    with store.transaction() as cur:
        cur.execute("DELETE FROM customer_survivors")
        cur.execute(
            """
            INSERT INTO customer_survivors
            WITH RECURSIVE chain(customer_id, survivor_id, depth) AS (
                SELECT id, merged_into_id, 1 FROM customers WHERE merged_into_id IS NOT NULL
                UNION ALL
                SELECT chain.customer_id, c.merged_into_id, chain.depth + 1
                FROM chain JOIN customers c ON c.id = chain.survivor_id
                WHERE c.merged_into_id IS NOT NULL AND chain.depth < 32
            )
            SELECT customer_id, arg_max(survivor_id, depth) FROM chain GROUP BY customer_id
            """
        )
        cur.execute("DELETE FROM holding_spans")
        cur.execute(
            """
            INSERT INTO holding_spans
            SELECT coalesce(s.survivor_id, h.customer_id), h.model, h.product_code,
                   min(coalesce(h.started_on, DATE '0001-01-01')),
                   max(coalesce(h.ended_on, DATE '9999-12-31'))
            FROM holdings h LEFT JOIN customer_survivors s ON s.customer_id = h.customer_id
            GROUP BY ALL
            """
        )
        cur.execute("DELETE FROM customer_spans")
        cur.execute(
            """
            INSERT INTO customer_spans
            SELECT customer_id, min(started_on), max(ended_on) FROM holding_spans GROUP BY ALL
            """
        )


# --- per mode ----------------------------------------------------------------------------------


def _sync_table(
    db: Session,
    store: Store,
    spec: TableSpec,
    cfg: AnalyticsSettings,
    state: dict[str, Any],
    *,
    now: datetime,
    full: bool,
    deferred: Deferred,
) -> TableReport:
    report = TableReport(mode=spec.mode.value)
    if spec.mode is Mode.REFRESH:
        _refresh(db, store, spec, cfg, report, now=now)
    elif spec.mode is Mode.APPEND:
        _append(db, store, spec, cfg, report, state, now=now, deferred=deferred)
    elif spec.mode is Mode.UPDATED:
        due = state.get("full_refresh_at") is None or (
            cfg.full_refresh_seconds >= 0
            and (now - state["full_refresh_at"]).total_seconds() > cfg.full_refresh_seconds
        )
        if full or due:
            _refresh(db, store, spec, cfg, report, now=now)
        else:
            _upsert_changed(db, store, spec, cfg, report, state, now=now, deferred=deferred)
    else:
        _window(db, store, spec, cfg, report, state, now=now, deferred=deferred)
    return report


def _refresh(
    db: Session, store: Store, spec: TableSpec, cfg: AnalyticsSettings, report: TableReport,
    *, now: datetime,
) -> None:  # fmt: skip
    """Replaces the table whole, atomically: readers see the old rows until the commit."""
    report.full = True
    newest: datetime | None = None
    with store.transaction() as cur:
        cur.execute(f'DELETE FROM "{spec.name}"')
        for chunk in _chunks(db, spec.query(), cfg.chunk_rows):
            table = _to_arrow(spec, chunk)
            report.rows_read += table.num_rows
            report.rows_written += _insert(cur, spec, table)
            newest = _max_time(table, "updated_at", newest)
        _write_state(cur, spec.name, now=now, time_watermark=newest, full_refresh_at=now)


def _upsert_changed(
    db: Session, store: Store, spec: TableSpec, cfg: AnalyticsSettings, report: TableReport,
    state: dict[str, Any], *, now: datetime, deferred: Deferred,
) -> None:  # fmt: skip
    assert spec.updated_column is not None
    watermark: datetime | None = state.get("time_watermark")
    query = spec.query()
    if watermark is not None:
        since = (watermark - timedelta(seconds=cfg.overlap_seconds)).replace(tzinfo=UTC)
        query = query.where(spec.updated_column >= since)
    newest = watermark
    # Upserts are idempotent: the watermark moves only after the last chunk (with the end of
    # the sync), so a crash in between re-reads the same rows next time.
    for chunk in _chunks(db, query, cfg.chunk_rows):
        table = _to_arrow(spec, chunk)
        report.rows_read += table.num_rows
        with store.transaction() as cur:
            report.rows_written += _upsert(cur, spec, table)
        newest = _max_time(table, "updated_at", newest)
    deferred[spec.name] = {"time_watermark": newest}


def _window(
    db: Session, store: Store, spec: TableSpec, cfg: AnalyticsSettings, report: TableReport,
    state: dict[str, Any], *, now: datetime, deferred: Deferred,
) -> None:  # fmt: skip
    assert spec.id_column is not None
    query = spec.query()
    id_watermark = _parse_id(state.get("id_watermark"))
    last_sync: datetime | None = state.get("synced_at")
    if id_watermark is not None and last_sync is not None:
        since = (last_sync - timedelta(seconds=cfg.overlap_seconds)).replace(tzinfo=UTC)
        if spec.changing is not None:
            changing = spec.changing(since)
        else:
            assert spec.expires_column is not None
            changing = spec.expires_column >= since
        query = query.where(or_(spec.id_column > _id_floor(id_watermark, cfg), changing))
    newest = id_watermark
    for chunk in _chunks(db, query, cfg.chunk_rows):
        table = _to_arrow(spec, chunk)
        report.rows_read += table.num_rows
        with store.transaction() as cur:
            report.rows_written += _upsert(cur, spec, table)
        newest = _max_v7(table, newest)
    report.watermark = str(newest) if newest else None
    deferred[spec.name] = {"id_watermark": newest}


def _append(
    db: Session, store: Store, spec: TableSpec, cfg: AnalyticsSettings, report: TableReport,
    state: dict[str, Any], *, now: datetime, deferred: Deferred,
) -> None:  # fmt: skip
    assert spec.id_column is not None
    watermark = _parse_id(state.get("id_watermark"))
    after = watermark
    if watermark is not None:
        _late_rows(db, store, spec, cfg, watermark, report)
    while True:
        query = spec.query()
        if after is not None:
            query = query.where(spec.id_column > after)
        rows = _fetch(db, query.order_by(spec.id_column).limit(cfg.chunk_rows))
        if not rows:
            break
        table = _to_arrow(spec, rows)
        report.rows_read += table.num_rows
        watermark = _max_v7(table, watermark, ordered=True)
        _commit_append(store, spec, table, watermark, now=now, report=report)
        after = uuid.UUID(str(rows.rows[-1][0]))
        if len(rows) < cfg.chunk_rows:
            break
    if report.rows_read == 0:
        deferred[spec.name] = {"id_watermark": watermark}
    report.watermark = str(watermark) if watermark else None


def _late_rows(
    db: Session, store: Store, spec: TableSpec, cfg: AnalyticsSettings, watermark: uuid.UUID,
    report: TableReport,
) -> None:  # fmt: skip
    """Rows with ids in the overlap before the watermark that the store lacks: a transaction
    took them before the last sync and committed after it. Only ids are read to find them."""
    assert spec.id_column is not None
    floor = _id_floor(watermark, cfg)
    window = spec.query().where(spec.id_column > floor, spec.id_column <= watermark)
    ids = db.connection().scalars(window.with_only_columns(cast(spec.id_column, String))).all()
    if not ids:
        return
    cur = store.cursor()
    cur.register("_window_ids", pa.table({"id": pa.array(ids, pa.string())}))
    try:
        missing = [
            r[0]
            for r in cur.execute(
                f"""SELECT CAST(id AS UUID) FROM _window_ids
                    WHERE CAST(id AS UUID) NOT IN
                          (SELECT id FROM "{spec.name}" WHERE id > CAST(? AS UUID))""",
                [str(floor)],
            ).fetchall()
        ]
    finally:
        cur.unregister("_window_ids")
        cur.close()
    for start in range(0, len(missing), 500):
        batch = missing[start : start + 500]
        rows = _fetch(db, spec.query().where(spec.id_column.in_(batch)))
        if rows:
            table = _to_arrow(spec, rows)
            report.rows_read += table.num_rows
            with store.transaction() as tx:
                report.rows_written += _insert(tx, spec, table, skip_existing=True)


def _commit_append(
    store: Store, spec: TableSpec, table: pa.Table, watermark: uuid.UUID | None, *,
    now: datetime, report: TableReport,
) -> None:  # fmt: skip
    """One chunk and its watermark in one transaction; ids already there are skipped."""
    with store.transaction() as cur:
        report.rows_written += _insert(cur, spec, table, skip_existing=True)
        _write_state(cur, spec.name, now=now, id_watermark=watermark)


# --- helpers -----------------------------------------------------------------------------------


@dataclass
class _Rows:
    """Plain DBAPI rows of one chunk and their column names."""

    keys: list[str]
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)


def _chunks(db: Session, query: AnySelect, size: int) -> Iterator[_Rows]:
    # Core, not the ORM: plain rows, read through the session's own connection/transaction
    raw = _raw(db, query)
    if db.get_bind().dialect.name != "sqlite":
        # a server-side cursor, through SQLAlchemy's buffer (it reads ahead of the cursor)
        streamed = db.connection().execute(raw.execution_options(yield_per=size))
        keys = list(streamed.keys())
        for part in streamed.partitions(size):
            yield _Rows(keys, [tuple(r) for r in part])
        return
    # SQLite reads lazily anyway: straight from the DBAPI cursor, without Row objects
    decode = _decoders(db, raw)
    result = db.connection().execute(raw)
    try:
        keys = list(result.keys())
        while batch := result.cursor.fetchmany(size):
            yield _Rows(keys, _decoded(batch, decode))
    finally:
        result.close()


def _fetch(db: Session, query: AnySelect) -> _Rows:
    """All rows of a (limited) SELECT, straight from the DBAPI cursor."""
    raw = _raw(db, query)
    result = db.connection().execute(raw)
    try:
        return _Rows(list(result.keys()), _decoded(result.cursor.fetchall(), _decoders(db, raw)))
    finally:
        result.close()


def _decoders(db: Session, query: AnySelect) -> dict[int, Callable[[Any], Any]]:
    """What SQLAlchemy would do to the few columns that need it (JSON text, SQLite's 0/1
    booleans); every other column is read as the driver gives it (see _raw)."""
    sqlite = db.get_bind().dialect.name == "sqlite"
    out: dict[int, Callable[[Any], Any]] = {}
    for i, col in enumerate(getattr(query, "selected_columns", ())):
        if isinstance(col.type, JSON):
            out[i] = _json
        elif sqlite and isinstance(col.type, Boolean):
            out[i] = _bool
    return out


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _decoded(rows: Sequence[Any], decode: dict[int, Callable[[Any], Any]]) -> list[tuple[Any, ...]]:
    if not decode:
        return rows if isinstance(rows, list) else list(rows)
    out = []
    for row in rows:
        values = list(row)
        for i, fn in decode.items():
            values[i] = fn(values[i])
        out.append(tuple(values))
    return out


def _raw(db: Session, query: AnySelect) -> AnySelect:
    """The same SELECT with values as the driver gives them (UUIDs and enums as text, SQLite
    timestamps as text): building Python UUID, enum and datetime objects only to turn them
    back into text for DuckDB would cost most of the sync's time."""
    if not isinstance(query, Select):
        return query  # e.g. a UNION from a registered table: taken as it is
    sqlite = db.get_bind().dialect.name == "sqlite"
    columns = []
    for col in query.selected_columns:
        kind = col.type
        impl = getattr(kind, "impl", kind)
        expr: Any = col
        if isinstance(kind, Uuid):
            expr = cast(col, String)
        elif isinstance(impl, DateTime):
            expr = type_coerce(col, String() if sqlite else DateTime(timezone=True))
        elif isinstance(impl, String) and impl is not kind:
            expr = type_coerce(col, String())  # an enum read back as a member
        columns.append(expr.label(col.key) if expr is not col else col)
    return query.with_only_columns(*columns, maintain_column_froms=True)


_ARROW: dict[str, pa.DataType] = {
    "uuid": pa.string(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "int16": pa.int64(),
    "int32": pa.int64(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "array<string>": pa.list_(pa.string()),
    "map<string, string>": pa.map_(pa.string(), pa.string()),
}


def _to_arrow(spec: TableSpec, chunk: _Rows) -> pa.Table:
    columns: dict[str, Sequence[Any]] = dict(
        zip(chunk.keys, zip(*chunk.rows, strict=True), strict=True)
    )
    if spec.transform is not None:
        columns = dict(spec.transform({k: list(v) for k, v in columns.items()}))
    days = dict(spec.days)
    arrays: dict[str, pa.Array] = {}
    for name, dtype in spec.schema.items():
        if name == NUMBERED or name in days:
            continue  # derived on insert (_select_chunk)
        kind = str(dtype).removesuffix("!").lower()
        arrays[name] = _array(columns[name], kind)
    return pa.table(arrays)


def _array(values: Sequence[Any], kind: str) -> pa.Array:
    """One column for DuckDB; text (ids, enums, SQLite timestamps) is cast by DuckDB on insert."""
    first = next((v for v in values if v is not None), None)
    if kind in ("uuid", "string", "timestamp", "date") and isinstance(first, str):
        return pa.array(values, type=pa.string())
    if kind in ("uuid", "string"):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
    array = pa.array(values, type=_ARROW[kind])
    if kind == "timestamp":
        array = array.cast(pa.timestamp("us"))  # naive UTC
    return array


NUMBERED = "touchpoint_no"


def _select_chunk(spec: TableSpec, view: str) -> str:
    """The chunk with the table's derived columns: UTC days and the touchpoint's number."""
    extra = [f"CAST(CAST(c.{at} AS TIMESTAMP) AS DATE) AS {day}" for day, at in spec.days]
    join = ""
    if NUMBERED in spec.schema:
        extra.append(f"n.no AS {NUMBERED}")
        join = " LEFT JOIN touchpoint_numbers n ON n.id = CAST(c.touchpoint_id AS UUID)"
    return f"SELECT c.*{''.join(', ' + e for e in extra)} FROM {view} c{join}"


def _number_touchpoints(cur: duckdb.DuckDBPyConnection, source: str) -> None:
    """Gives every touchpoint id that `source` (a query of `id`) names a number, for good."""
    cur.execute(
        f"""
        INSERT INTO touchpoint_numbers
        SELECT id, (SELECT coalesce(max(no), 0) FROM touchpoint_numbers)
                   + CAST(row_number() OVER (ORDER BY id) AS INTEGER)
        FROM (SELECT DISTINCT CAST(id AS UUID) AS id FROM ({source}) s WHERE id IS NOT NULL) s
        WHERE id NOT IN (SELECT id FROM touchpoint_numbers)
        """
    )


def _insert(
    cur: duckdb.DuckDBPyConnection, spec: TableSpec, table: pa.Table, *, skip_existing: bool = False
) -> int:
    view = f"_chunk_{spec.name}"
    cur.register(view, table)
    try:
        if NUMBERED in spec.schema:
            _number_touchpoints(cur, f"SELECT touchpoint_id AS id FROM {view}")
        sql = f'INSERT INTO "{spec.name}" BY NAME {_select_chunk(spec, view)}'
        if skip_existing and table.num_rows:
            sql = (
                f'INSERT INTO "{spec.name}" BY NAME SELECT * FROM ({_select_chunk(spec, view)}) x'
                f' WHERE CAST(x.id AS UUID) NOT IN (SELECT id FROM "{spec.name}"'
                f" WHERE id >= (SELECT min(CAST(id AS UUID)) FROM {view}))"
            )
        row = cur.execute(sql).fetchone()
        if spec.name == "touchpoints":
            _number_touchpoints(cur, "SELECT id FROM touchpoints")
    finally:
        cur.unregister(view)
    return int(row[0]) if row else 0


def _upsert(cur: duckdb.DuckDBPyConnection, spec: TableSpec, table: pa.Table) -> int:
    view = f"_chunk_{spec.name}"
    cur.register(view, table)
    try:
        if NUMBERED in spec.schema:
            _number_touchpoints(cur, f"SELECT touchpoint_id AS id FROM {view}")
        cur.execute(f'DELETE FROM "{spec.name}" WHERE id IN (SELECT CAST(id AS UUID) FROM {view})')
        sql = f'INSERT INTO "{spec.name}" BY NAME {_select_chunk(spec, view)}'
        row = cur.execute(sql).fetchone()
    finally:
        cur.unregister(view)
    return int(row[0]) if row else 0


def _write_state(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    *,
    now: datetime,
    id_watermark: uuid.UUID | None = None,
    time_watermark: datetime | None = None,
    full_refresh_at: datetime | None = None,
) -> None:
    cur.execute(
        """
        INSERT INTO sync_state (table_name, id_watermark, time_watermark, full_refresh_at,
                                synced_at, rows_total)
        VALUES (?, ?, ?, ?, ?, (SELECT count(*) FROM "{name}"))
        ON CONFLICT (table_name) DO UPDATE SET
            id_watermark = coalesce(excluded.id_watermark, sync_state.id_watermark),
            time_watermark = coalesce(excluded.time_watermark, sync_state.time_watermark),
            full_refresh_at = coalesce(excluded.full_refresh_at, sync_state.full_refresh_at),
            synced_at = excluded.synced_at,
            rows_total = excluded.rows_total
        """.replace("{name}", name),
        [name, str(id_watermark) if id_watermark else None, time_watermark, full_refresh_at, now],
    )


def _max_time(table: pa.Table, column: str, current: datetime | None) -> datetime | None:
    if column not in table.column_names or table.num_rows == 0:
        return current
    value = pc.max(table[column]).as_py()
    if value is None:
        return current
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    value = _naive_utc(value)
    return value if current is None or value > current else current


def _max_v7(
    table: pa.Table, current: uuid.UUID | None, *, ordered: bool = False
) -> uuid.UUID | None:
    """The highest time-ordered id: ids of other versions (or from the future) never move the
    watermark, so a random UUIDv4 cannot make later UUIDv7 rows look already synced.
    With rows in id order, the scan stops at the last time-ordered id."""
    # ids carry the wall-clock time they were made at (cxm.db.new_id), whatever `now` says
    limit_ms = int((time.time() + 86_400) * 1000)
    best = current
    values = table["id"].to_pylist()
    for value in reversed(values) if ordered else values:
        u = uuid.UUID(value)
        if u.version == 7 and (u.int >> 80) <= limit_ms:
            if best is None or u > best:
                best = u
            if ordered:
                break
    return best


def _id_floor(watermark: uuid.UUID, cfg: AnalyticsSettings) -> uuid.UUID:
    """The smallest UUIDv7 of the watermark's millisecond minus the overlap."""
    millis = max((watermark.int >> 80) - int(cfg.overlap_seconds * 1000), 0)
    return uuid.UUID(int=millis << 80)


def _parse_id(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat()
