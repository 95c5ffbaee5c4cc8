"""The engines behind the one query layer: DuckDB (embedded, the default) and Apache Spark.

Every analytic is an Ibis expression over the store's tables (`cxm.analytics.store.table`);
an engine compiles it to its SQL dialect and runs it. The DuckDB `Store` is an engine itself;
`cxm.analytics.spark.SparkEngine` runs the same expressions over the Parquet copy. A new
analytics module needs nothing else:

    def churn_by_month(engine: Engine) -> list[dict[str, Any]]:
        t = table("interactions")
        return engine.execute(t.group_by(m=t.occurred_on.truncate("M")).aggregate(n=t.count()))

and gets the engine the settings choose with `query_engine(store, settings)` (the API's
`Analytics.fresh()` and `cxm kpi` do this already).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import ibis.expr.types as ir  # type: ignore[import-untyped]

from cxm.analytics.settings import AnalyticsSettings, parquet_path
from cxm.analytics.store import Store


class Engine(Protocol):
    """Runs Ibis expressions (or SQL compiled from them) over the analytical tables."""

    dialect: str  # the sqlglot dialect `compile` writes: "duckdb", "pyspark"

    def compile(self, expr: ir.Table) -> str:
        """The SQL of an expression over the store's tables, in this engine's dialect."""
        ...

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Runs SQL (compiled by `compile`) and returns the rows as dicts."""
        ...

    def execute(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Runs an Ibis expression and returns its rows as dicts."""
        ...

    def last_synced_at(self) -> datetime | None:
        """When the data this engine reads was last synced (naive UTC)."""
        ...


def query_engine(store: Store, settings: AnalyticsSettings) -> Engine:
    """The engine that answers queries: the store itself, or Spark over its Parquet copy."""
    if settings.engine == "duckdb":
        return store
    return spark_engine(settings, parquet_path(store.path, settings))


def spark_engine(settings: AnalyticsSettings, directory: Path) -> Engine:
    """Spark (settings.spark_master) over the Parquet copy in `directory`: for hosts that only
    query, without a DuckDB file of their own."""
    from cxm.analytics import spark

    return spark.SparkEngine.open(directory, master=settings.spark_master, conf=settings.spark_conf)
