"""The Parquet copy of the analytical store: what Spark (or any Parquet reader) queries.

Layout: ``<dir>/<table>/part-<key>.parquet`` where the key is the month (``2026-02``) of the
table's partition column (``none`` for rows without one), a hash bucket of the id (``b07``) for
mutable tables without an immutable time, or ``all`` for small tables; ``part-empty.parquet``
holds the columns of a table without rows. ``<dir>/_manifest.json`` says what each file holds
and when the store it was copied from was last synced. UUIDs are written as text (Spark has no
UUID type); timestamps stay naive UTC (Spark reads them as TIMESTAMP_NTZ), so every engine buckets
the same instants into the same days.

Incremental, idempotent and crash-safe: each run fingerprints every partition in DuckDB (its
row count; for tables whose rows change in place also a hash of its rows) and rewrites only the
partitions whose fingerprint differs from the manifest or whose file is missing. Each file is
written under a hidden name (Spark skips names starting with "." or "_") and renamed over the
old one, so a reader sees a month old or new, never half of it. The manifest is written last:
a run killed in between leaves some months already rewritten and the manifest behind, and the
next run rewrites those months again from the store. Files of partitions that no longer exist
are removed, so every row of the store is in exactly one file.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis  # type: ignore[import-untyped]

from cxm.analytics import store as store_mod
from cxm.analytics.store import Store

MANIFEST = "_manifest.json"
FORMAT = 1
BUCKETS = 16
EMPTY = "empty"
# big tables without an immutable time of their own (mutable, or rebuilt whole after each
# change): hash buckets of a key column, so a change rewrites a sixteenth of them
BUCKETED = {
    "customers": "id",
    "holdings": "id",
    "customer_survivors": "customer_id",
    "holding_spans": "customer_id",
    "customer_spans": "customer_id",
}


@dataclass(frozen=True)
class Layout:
    """How one table is split into files: by month of `column`, by id bucket, or not at all."""

    name: str
    column: str | None = None
    buckets: int = 0
    bucket_column: str = "id"
    append_only: bool = False  # rows never change in place: the count is the fingerprint

    def key_sql(self) -> str:
        if self.column is not None:
            return f"coalesce(strftime(r_.\"{self.column}\", '%Y-%m'), 'none')"
        if self.buckets:
            bucket = f'hash(r_."{self.bucket_column}") % {self.buckets}'
            return f"'b' || lpad(CAST({bucket} AS VARCHAR), 2, '0')"
        return "'all'"

    def where_sql(self, key: str, kind: str) -> str:
        """The rows of one partition (a range on the column, so DuckDB can skip row groups)."""
        if key == EMPTY:
            return "false"
        if self.column is not None:
            if key == "none":
                return f'r_."{self.column}" IS NULL'
            year, month = (int(p) for p in key.split("-"))
            start = date(year, month, 1)
            end = date(year + month // 12, month % 12 + 1, 1)
            literal = "TIMESTAMP" if kind == "timestamp" else "DATE"
            col = f'r_."{self.column}"'
            return f"{col} >= {literal} '{start}' AND {col} < {literal} '{end}'"
        if self.buckets:
            bucket = f'hash(r_."{self.bucket_column}") % {self.buckets}'
            return f"{bucket} = {int(key.removeprefix('b'))}"
        return "true"


def layouts() -> dict[str, Layout]:
    """Every table of the store with its file layout (registered tables included: the journey
    tables of cxm.analytics.journeys always, Spark's journey reconstruction reads them)."""
    from cxm.analytics import journeys, sync  # noqa: F401  (journeys registers its tables)

    specs = {s.name: s for s in sync.SPECS}
    out = {}
    for name in store_mod.SCHEMAS:
        spec = specs.get(name)
        append_only = spec is not None and spec.mode is sync.Mode.APPEND
        if spec is not None and spec.partition is not None:
            out[name] = Layout(name, column=spec.partition, append_only=append_only)
        elif name in BUCKETED:
            out[name] = Layout(name, buckets=BUCKETS, bucket_column=BUCKETED[name])
        else:
            out[name] = Layout(name, append_only=append_only)
    return out


def export(store: Store, directory: Path | str, *, now: datetime | None = None) -> dict[str, Any]:
    """Brings the Parquet copy in `directory` up to date with the store (see the module doc).
    Returns per table the files written and removed and the rows written."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    all_layouts = layouts()
    store.ensure_tables()  # tables registered after the store was opened: empty, but present
    old = read_manifest(root)
    old_tables: dict[str, Any] = old.get("tables", {}) if old.get("format") == FORMAT else {}
    tables: dict[str, Any] = {}
    report: dict[str, Any] = {}
    with store.lock, store.transaction() as cur:
        # one snapshot: the fingerprints and the files describe the same rows
        for name, layout in all_layouts.items():
            schema = store_mod.SCHEMAS[name]
            folder = root / name
            folder.mkdir(exist_ok=True)
            _remove_temporary(folder)
            parts = _fingerprints(cur, layout)
            before = old_tables.get(name, {}).get("parts", {})
            written = rows = 0
            for key, fingerprint in parts.items():
                target = folder / f"part-{key}.parquet"
                if before.get(key) == fingerprint and target.exists():
                    continue
                rows += _write(cur, layout, schema, key, target)
                written += 1
            removed = 0
            for path in folder.glob("part-*.parquet"):
                if path.name.removeprefix("part-").removesuffix(".parquet") not in parts:
                    path.unlink(missing_ok=True)
                    removed += 1
            tables[name] = {
                "layout": _describe(layout),
                "parts": parts,
                "rows": sum(int(fp.split(":")[0]) for fp in parts.values()),
            }
            report[name] = {"files_written": written, "files_removed": removed, "rows": rows}
    synced = store.last_synced_at()
    changed = any(r["files_written"] or r["files_removed"] for r in report.values())
    manifest = {
        "format": FORMAT,
        "duckdb": duckdb.__version__,
        # readers (SparkEngine) list the files again when this changes
        "export_id": uuid.uuid4().hex if changed or not old else old.get("export_id"),
        "exported_at": (now or datetime.now()).isoformat(),
        "last_sync_at": synced.isoformat() if synced else None,
        "tables": tables,
    }
    _write_json(root / MANIFEST, manifest)
    return {
        "dir": str(root),
        "seconds": round(time.perf_counter() - started, 3),
        "files_written": sum(r["files_written"] for r in report.values()),
        "rows_written": sum(r["rows"] for r in report.values()),
        "tables": report,
    }


def read_manifest(directory: Path | str) -> dict[str, Any]:
    """The manifest of a Parquet copy ({} when there is none yet)."""
    path = Path(directory) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return data


def table_dirs(directory: Path | str) -> dict[str, Path]:
    """The folder of every table in the manifest of the copy in `directory`."""
    root = Path(directory)
    return {name: root / name for name in read_manifest(root).get("tables", {})}


# --- helpers -----------------------------------------------------------------------------------


def _fingerprints(cur: duckdb.DuckDBPyConnection, layout: Layout) -> dict[str, str]:
    measures = "count(*)"
    if not layout.append_only:
        # the whole row (r_ is the row as a struct; the alias must not be a column's name)
        measures += ", bit_xor(hash(r_)), sum(hash(r_) >> 11)"
    sql = f'SELECT {layout.key_sql()} AS k, {measures} FROM "{layout.name}" r_ GROUP BY 1'
    parts = {str(r[0]): ":".join(str(v) for v in r[1:]) for r in cur.execute(sql).fetchall()}
    return dict(sorted(parts.items())) or {EMPTY: "0"}


def _write(
    cur: duckdb.DuckDBPyConnection, layout: Layout, schema: ibis.Schema, key: str, target: Path
) -> int:
    columns = []
    for col, dtype in schema.items():
        kind = str(dtype).removesuffix("!").lower()
        columns.append(
            f'r_."{col}"::VARCHAR AS "{col}"' if kind == "uuid" else f'r_."{col}"'
        )  # Spark has no UUID type
    partition_kind = ""
    if layout.column is not None:
        partition_kind = str(schema[layout.column]).removesuffix("!").lower()
    where = layout.where_sql(key, partition_kind)
    temporary = target.with_name(f".{target.name}.tmp")
    row = cur.execute(
        f'COPY (SELECT {", ".join(columns)} FROM "{layout.name}" r_ WHERE {where}) '
        f"TO '{_quote(temporary)}' (FORMAT parquet)"
    ).fetchone()
    os.replace(temporary, target)
    return int(row[0]) if row else 0


def _remove_temporary(folder: Path) -> None:
    for path in folder.glob(".part-*.tmp"):
        path.unlink(missing_ok=True)


def _describe(layout: Layout) -> str:
    if layout.column is not None:
        return f"month:{layout.column}"
    if layout.buckets:
        return f"bucket:{layout.buckets}"
    return "single"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=1, default=str))
    os.replace(temporary, path)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
