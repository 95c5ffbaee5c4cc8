"""Journey reconstruction on Apache Spark: the SQL of `cxm.analytics.journeys.JourneyQuery` in
Spark's spelling (`SparkDialect`), run in a SparkEngine's session over the Parquet copy of the
store (`SparkRunner`).

The intermediate tables (`_jev`, the events with their instance number; `_jin`, one row per
instance) are cached temporary views named per query, so queries sharing an engine never see
each other's; they are computed when created (so the reconstruction's time is spent there, as
on DuckDB) and dropped, with their cache, when the query closes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cxm.analytics import parquet
from cxm.analytics.engine import Engine
from cxm.analytics.journeys import TABLES, Dialect, Latest
from cxm.analytics.spark import NoParquetCopy, SparkEngine

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class SparkDialect(Dialect):
    """Spark SQL (4.x): the store's timestamps are TIMESTAMP_NTZ in naive UTC; the session's
    time zone is UTC (cxm.analytics.spark), so casting them to TIMESTAMP keeps the instant."""

    name = "spark"

    def epoch_us(self, expr: str) -> str:
        return f"unix_micros(CAST({expr} AS TIMESTAMP))"

    def timestamp(self, value: datetime) -> str:
        return f"TIMESTAMP_NTZ '{value.isoformat(sep=' ')}'"

    def arg_min(self, value: str, order: str) -> str:
        return f"min_by({value}, {order})"

    def arg_max(self, value: str, order: str) -> str:
        return f"max_by({value}, {order})"

    def quantiles(self, expr: str, qs: Sequence[float]) -> str:
        # exact, interpolated between the closest ranks like DuckDB's quantile_cont
        return f"percentile({expr}, array({', '.join(map(str, qs))}))"

    def array(self, items: Sequence[str]) -> str:
        return f"array({', '.join(items)})"

    def ordered_list(self, value: str, order: str) -> str:
        pairs = f"collect_list(named_struct('o', {order}, 'v', {value}))"
        return f"transform(array_sort({pairs} FILTER (WHERE {value} IS NOT NULL)), x -> x.v)"

    def distinct_list(self, value: str) -> str:
        return f"collect_set({value})"

    def collapsed_prefix(self, seq: str, depth: int) -> str:
        # `filter` with the (0-based) index; CASE, not OR, so that seq[-1] is never evaluated
        # (an error under ANSI mode); collect_list gives [] rather than NULL
        kept = f"filter({seq}, (x, n) -> CASE WHEN n = 0 THEN TRUE ELSE x != {seq}[n - 1] END)"
        return f"slice({kept}, 1, {int(depth)})"

    def latest_before(self, left: Latest, right: Latest, key: str, time: str) -> str:
        # no ASOF join in Spark: both sides in one stream per key, ordered by time with the
        # right rows first on ties (at or before), and for each left row the last right row
        # before it (a struct, so that its columns come from the same row)
        row = ", ".join(f"'{c}', {c}" for c in (time, *right.columns))
        nulls = "".join("NULL, " for _ in left.columns)
        lefts = "".join(f"{c}, " for c in left.columns)
        picked = ", ".join(
            [*left.columns, *(f"m.{c} AS {c}" for c in right.columns), f"m.{time} AS matched_ts"]
        )
        return f"""SELECT {key}, {time}, {picked}
                   FROM (
                       SELECT {key}, {time}, {lefts}side,
                              last(r, true) OVER (PARTITION BY {key} ORDER BY {time}, side
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS m
                       FROM (
                           SELECT {key}, {time}, {lefts}NULL AS r, 1 AS side FROM {left.table}
                           UNION ALL
                           SELECT {key}, {time}, {nulls}named_struct({row}), 0 FROM {right.table}
                       ) u
                   ) w
                   WHERE side = 1 AND m IS NOT NULL"""


SPARK = SparkDialect()


class SparkRunner:
    """A JourneyQuery's statements in the engine's Spark session."""

    dialect: Dialect = SPARK

    def __init__(self, engine: Engine) -> None:
        if not isinstance(engine, SparkEngine):
            raise TypeError(f"journeys run on the DuckDB store or a SparkEngine, not {engine!r}")
        engine.refresh()
        missing = [
            t for t in TABLES if t not in parquet.read_manifest(engine.directory).get("tables", {})
        ]
        if missing:
            raise NoParquetCopy(
                f"the Parquet copy in {engine.directory} lacks {', '.join(missing)}: "
                "run `cxm analytics sync --parquet` again"
            )
        self.spark = engine.spark
        self._suffix = uuid.uuid4().hex[:12]
        self._frames: dict[str, DataFrame] = {}

    def temp_name(self, base: str) -> str:
        return f"{base}_{self._suffix}"

    def materialise(self, name: str, sql: str) -> None:
        from pyspark import StorageLevel

        self._drop(name)
        frame = self.spark.sql(sql).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame
        frame.count()  # computes (and caches) it now

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if params:
            raise ValueError("the Spark runner takes SQL with literals, not parameters")
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def close(self) -> None:
        for name in list(self._frames):
            self._drop(name)

    def _drop(self, name: str) -> None:
        frame = self._frames.pop(name, None)
        if frame is not None:
            frame.unpersist()
            self.spark.catalog.dropTempView(name)
