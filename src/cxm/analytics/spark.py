"""Apache Spark as the analytical engine: the KPI layer's Ibis expressions, compiled to Spark
SQL by Ibis' PySpark backend, over the Parquet copy of the store (cxm.analytics.parquet).

Needs the `spark` extra (`pip install "cxm[spark]"`, PySpark < 4.1 for Ibis) and Java 17.
A SparkSession is started once per process and master (that takes seconds); each engine works
in a session of its own on that context (its own temporary views), re-reading the copy's
folders whenever the manifest says a sync has changed them.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from cxm.analytics import parquet
from cxm.analytics import store as store_mod
from cxm.shared.errors import CxmError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Loads Ibis' PySpark backend: its compiler reads ibis.options.pyspark, set up on load.
IBIS_BACKEND = ibis.pyspark

_sessions: dict[str, SparkSession] = {}
_engines: dict[tuple[str, str], SparkEngine] = {}
_lock = threading.Lock()


class NoParquetCopy(CxmError):
    """The Parquet copy has not been written yet (sync with the spark engine first)."""

    status_code = 503


def _alive(session: SparkSession) -> bool:
    """Whether the session's context still runs (a stopped one has dropped its JVM handle)."""
    handle = session.sparkContext._jsc
    return handle is not None and not handle.sc().isStopped()


def spark_session(
    master: str = "local[2]", conf: dict[str, str] | None = None, *, app_name: str = "cxm"
) -> SparkSession:
    """The process's SparkSession for `master`, started on first use. Local masters listen on
    loopback only and run their Python workers with this interpreter."""
    from pyspark.sql import SparkSession

    with _lock:
        session = _sessions.get(master)
        if session is not None and _alive(session):
            return session
        settings = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
        }
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            settings |= {
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
                # a few cores: 200 shuffle partitions would be mostly scheduling
                "spark.sql.shuffle.partitions": "8",
            }
        settings |= conf or {}
        builder = SparkSession.builder.master(master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _sessions[master] = session
        return session


class SparkEngine:
    """The same queries as the DuckDB store, on Spark over the Parquet copy in `directory`."""

    dialect = "pyspark"

    def __init__(self, directory: Path | str, session: SparkSession) -> None:
        self.directory = Path(directory)
        self.spark = session.newSession()
        self._loaded: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, directory: Path | str, *, master: str = "local[2]", conf: dict[str, str] | None = None
    ) -> SparkEngine:
        """The engine for a Parquet copy, shared by every caller in the process."""
        key = (str(Path(directory).resolve()), master)
        session = spark_session(master, conf)
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = cls(directory, session)
            return engine

    def refresh(self) -> None:
        """(Re)registers every table's folder when the copy changed since the last query."""
        manifest = parquet.read_manifest(self.directory)
        if not manifest:
            raise NoParquetCopy(
                f"no Parquet copy of the analytical store in {self.directory} yet: run "
                "`cxm analytics sync --parquet` (or sync with CXM_ANALYTICS_ENGINE=spark)"
            )
        stamp = str(manifest.get("export_id"))
        with self._lock:
            if stamp == self._loaded:
                return
            for name in manifest.get("tables", {}):
                reader = self.spark.read
                if name in store_mod.SCHEMAS:  # given, Spark need not open files to infer it
                    reader = reader.schema(spark_schema(store_mod.SCHEMAS[name]))
                reader.parquet(str(self.directory / name)).createOrReplaceTempView(name)
            self._loaded = stamp

    def compile(self, expr: ir.Table) -> str:
        return str(ibis.to_sql(expr, dialect=self.dialect))

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        if params:
            raise ValueError("the Spark engine takes compiled SQL without parameters")
        self.refresh()
        rows: list[dict[str, Any]] = self.spark.sql(sql).toArrow().to_pylist()
        return rows

    def execute(self, expr: ir.Table) -> list[dict[str, Any]]:
        return self.query(self.compile(expr))

    def last_synced_at(self) -> datetime | None:
        value = parquet.read_manifest(self.directory).get("last_sync_at")
        return datetime.fromisoformat(value) if value else None


_SPARK_TYPES = {
    "uuid": "string",  # written as text (cxm.analytics.parquet)
    "string": "string",
    "timestamp": "timestamp_ntz",  # naive UTC, as DuckDB writes it
    "date": "date",
    "int16": "smallint",
    "int32": "int",
    "int64": "bigint",
    "float64": "double",
    "boolean": "boolean",
    "array<string>": "array<string>",
    "map<string, string>": "map<string,string>",
}


def spark_schema(schema: ibis.Schema) -> str:
    """The Spark DDL schema of one of the store's tables as the Parquet copy holds it."""
    columns = []
    for name, dtype in schema.items():
        kind = str(dtype).removesuffix("!").lower()
        columns.append(f"`{name}` {_SPARK_TYPES[kind]}")
    return ", ".join(columns)
