"""Journey analytics over the analytical store: instances reconstructed in DuckDB SQL with window
functions (a customer's events ordered by time and id), then the funnel, paths, channel switches,
lost journeys, the emotion curve and website visits aggregated from them.

The rules are those of `cxm.journeys.domain` (pure Python); the tests check that both give the
same results on random data. The SQL follows them step by step:

1. `raw`: interactions in the period (plus case resolutions when the journey uses them), each
   customer mapped to its merge survivor;
2. `ev`: the stage (highest matching position) and goal flag of each relevant event;
3. `_jev` (temp): row number per customer in (time, id) order, a new-instance flag (first event,
   gap over the timeout, or the previous event reached the goal) and its running sum;
4. `_jin` (temp): one row per instance (first time per stage, goal time, channels, last
   touchpoint), from which every figure is counted.

The same SQL runs on Apache Spark over the Parquet copy of the store (`JourneyQuery(engine, ...)`
with a `cxm.analytics.spark.SparkEngine`) for the reconstruction and every figure
(`SPARK_FIGURES`). The few spots where DuckDB's and Spark's SQL differ (epoch microseconds,
arg_min/min_by, quantiles, timestamp literals, ordered lists, the collapsed path prefix — list
lambdas vs higher-order functions —, the ASOF join of the emotion curve — a window over both
sides on Spark —, temporary tables vs cached views) are methods of a `Dialect`; the rest of each
statement is written once. (sqlglot's duckdb→spark transpiler was tried and rejected: it keeps
`epoch_us`, writes `PERCENTILE_CONT(x, q)` that Spark cannot parse and drops the ORDER BY of
`list(x ORDER BY y)` without a word.)

This module also registers four small tables with the sync (on import): search result counts,
interactions marked resolved, resolved cases and text sentiment (as thousandths: the store's
column types have no floats). None copies free text.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import duckdb
import ibis  # type: ignore[import-untyped]
from sqlalchemy import String, cast, select

from cxm.analytics import metrics, sync
from cxm.analytics.engine import Engine
from cxm.analytics.store import Store
from cxm.cases.models import Case
from cxm.interactions.models import Interaction
from cxm.journeys import domain
from cxm.journeys.domain import JourneySpec, Outcome, PathLevel
from cxm.textanalytics.models import TextAnalysis

SEARCHES = "journey_search_results"
RESOLVED = "journey_resolved_interactions"
CASES = "journey_case_resolutions"
SENTIMENT = "journey_text_sentiment"
# the tables the reconstruction and the figures read (the Parquet copy must carry them for Spark)
TABLES = ("interactions", "customer_survivors", "touchpoints", "touchpoint_numbers", RESOLVED,
          CASES, "survey_answers", SENTIMENT, SEARCHES)  # fmt: skip
# the figures (JourneyQuery methods) that run on Spark too: all of them
SPARK_FIGURES = frozenset(
    {"instances", "funnel", "funnel_counts", "paths", "path_counts", "channel_switches", "lost",
     "emotion", "visit_groups", "web_visits"}
)  # fmt: skip
PATH_ROWS = 5000  # distinct paths fetched for ranking; the top N come from these
_LATER = 1 << 40  # added to a row number: ranks the row after every row without it


# --- tables registered with the sync -----------------------------------------------------------


def _searches() -> sync.AnySelect:
    return select(Interaction.id, Interaction.properties).where(Interaction.type == "search")


def _search_results(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """properties.results (or result_count) when it is a whole number; else unknown."""
    out = []
    for props in columns.pop("properties"):
        props = props or {}
        value = props.get("results", props.get("result_count"))
        ok = isinstance(value, int) and not isinstance(value, bool)
        out.append(value if ok else None)
    columns["results"] = out
    return columns


def _resolved() -> sync.AnySelect:
    # a cheap text pre-filter that works on SQLite and PostgreSQL alike; the flag is read below
    return select(Interaction.id, Interaction.properties).where(
        cast(Interaction.properties, String).contains('"resolved"')
    )


def _resolved_flag(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    columns["resolved"] = [(p or {}).get("resolved") is True for p in columns.pop("properties")]
    return columns


def _cases() -> sync.AnySelect:
    return select(Case.id, Case.customer_id, Case.touchpoint_id, Case.resolved_at).where(
        Case.resolved_at.is_not(None)
    )


def _sentiments() -> sync.AnySelect:
    t = TextAnalysis
    return select(t.id, t.customer_id, t.occurred_at, t.sentiment_score).where(
        t.customer_id.is_not(None)
    )


def _milli(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    columns["sentiment_milli"] = [
        None if v is None else round(float(v) * 1000) for v in columns.pop("sentiment_score")
    ]
    return columns


sync.register(
    sync.TableSpec(
        SEARCHES,
        ibis.schema({"id": "uuid", "results": "int32"}),
        sync.Mode.APPEND,
        _searches,
        id_column=Interaction.id,
        transform=_search_results,
    )
)
sync.register(
    sync.TableSpec(
        RESOLVED,
        ibis.schema({"id": "uuid", "resolved": "boolean"}),
        sync.Mode.APPEND,
        _resolved,
        id_column=Interaction.id,
        transform=_resolved_flag,
    )
)
sync.register(
    sync.TableSpec(
        CASES,
        ibis.schema(
            {
                "id": "uuid",
                "customer_id": "uuid",
                "touchpoint_id": "uuid",
                "resolved_at": "timestamp",
            }
        ),
        sync.Mode.REFRESH,
        _cases,
    )
)
sync.register(
    sync.TableSpec(
        SENTIMENT,
        ibis.schema(
            {
                "id": "uuid",
                "customer_id": "uuid",
                "occurred_at": "timestamp",
                "sentiment_milli": "int32",
            }
        ),
        sync.Mode.APPEND,
        _sentiments,
        id_column=TextAnalysis.id,
        transform=_milli,
    )
)


# --- queries -----------------------------------------------------------------------------------


def naive_utc(value: datetime | None) -> datetime | None:
    """The store's convention: naive UTC timestamps."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Latest:
    """One side of `Dialect.latest_before`: a table (or CTE) and the columns it contributes."""

    table: str
    columns: tuple[str, ...]


class Dialect:
    """DuckDB's spelling of what the engines' SQL dialects write differently; `SparkDialect`
    (cxm.analytics.journeys_spark) overrides it."""

    name = "duckdb"

    def epoch_us(self, expr: str) -> str:
        return f"epoch_us({expr})"

    def timestamp(self, value: datetime) -> str:
        """A naive UTC timestamp literal."""
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"

    def arg_min(self, value: str, order: str) -> str:
        return f"arg_min({value}, {order})"

    def arg_max(self, value: str, order: str) -> str:
        return f"arg_max({value}, {order})"

    def quantiles(self, expr: str, qs: Sequence[float]) -> str:
        """The continuous (interpolated) quantiles of `expr` as a list."""
        return f"quantile_cont({expr}, [{', '.join(map(str, qs))}])"

    def array(self, items: Sequence[str]) -> str:
        return f"[{', '.join(items)}]"

    def ordered_list(self, value: str, order: str) -> str:
        """The non-null values in `order` (an aggregate)."""
        return f"list({value} ORDER BY {order}) FILTER (WHERE {value} IS NOT NULL)"

    def distinct_list(self, value: str) -> str:
        return f"list(DISTINCT {value})"

    def collapsed_prefix(self, seq: str, depth: int) -> str:
        """The list `seq` (NULL: empty) without the elements equal to their predecessor, its
        first `depth` of them."""
        kept = f"list_filter(coalesce({seq}, []), lambda x, n: n = 1 OR x != {seq}[n - 1])"
        return f"{kept}[1:{int(depth)}]"

    def latest_before(self, left: Latest, right: Latest, key: str, time: str) -> str:
        """A query (an ASOF join): `key`, `time` and the columns of each row of the `left`
        table, then the columns of the latest row of the `right` table with the same `key` and
        `time` at or before its own, and that row's time as `matched_ts`; left rows without one
        are left out. The column names of the two sides differ."""
        picked = ", ".join([f"l.{c}" for c in left.columns] + [f"r.{c}" for c in right.columns])
        return f"""SELECT l.{key}, l.{time}, {picked}, r.{time} AS matched_ts
                   FROM {left.table} l ASOF JOIN {right.table} r
                        ON l.{key} = r.{key} AND l.{time} >= r.{time}"""


DUCKDB = Dialect()


class Runner(Protocol):
    """Where a JourneyQuery's SQL runs: a DuckDB cursor, or a Spark session."""

    dialect: Dialect

    def temp_name(self, base: str) -> str:
        """The name of this query's temporary table `base`."""
        ...

    def materialise(self, name: str, sql: str) -> None:
        """Computes `sql` now and keeps it as the temporary table `name`."""
        ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


class DuckRunner:
    """A cursor of the store: its temporary tables are its own."""

    dialect = DUCKDB

    def __init__(self, store: Store) -> None:
        self.cur: duckdb.DuckDBPyConnection = store.cursor()

    def temp_name(self, base: str) -> str:
        return base

    def materialise(self, name: str, sql: str) -> None:
        self.cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.cur.execute(sql, list(params)).fetchall()

    def close(self) -> None:
        self.cur.close()


def runner_for(source: Store | Engine) -> Runner:
    """DuckDB for the store, Spark for a SparkEngine (over the store's Parquet copy)."""
    if isinstance(source, Store):
        return DuckRunner(source)
    from cxm.analytics import journeys_spark

    return journeys_spark.SparkRunner(source)


@dataclass(frozen=True)
class _Catalogue:
    numbers: dict[str, int]  # touchpoint key → touchpoint_no
    keys: dict[int, str]


class JourneyQuery:
    """The figures of one journey over one period of the store, on one cursor (its temporary
    tables live as long as the query). Use as a context manager. `source` is the DuckDB store,
    or a SparkEngine over its Parquet copy."""

    def __init__(
        self,
        source: Store | Engine,
        spec: JourneySpec,
        *,
        as_of: datetime,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        self.source, self.spec = source, spec
        self.start, self.end = naive_utc(start), naive_utc(end)
        self.as_of = naive_utc(as_of)
        self.runner = runner_for(source)
        self.sql = self.runner.dialect
        self.jev, self.jin = self.runner.temp_name("_jev"), self.runner.temp_name("_jin")
        self._cat: _Catalogue | None = None
        self._built: set[str] = set()
        self.timeout_us = int(spec.timeout.total_seconds() * 1_000_000)

    def __enter__(self) -> JourneyQuery:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.runner.close()

    # --- building blocks ---

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.runner.rows(sql, params)

    @property
    def catalogue(self) -> _Catalogue:
        if self._cat is None:
            rows = self._rows(
                "SELECT t.key, n.no FROM touchpoints t JOIN touchpoint_numbers n ON n.id = t.id"
            )
            self._cat = _Catalogue({k: int(n) for k, n in rows}, {int(n): k for k, n in rows})
        return self._cat

    def _match(self, touchpoints: Sequence[str], types: Sequence[str]) -> list[str]:
        parts = []
        numbers = sorted(
            {self.catalogue.numbers[k] for k in touchpoints if k in self.catalogue.numbers}
        )
        if numbers:
            parts.append(f"tp IN ({', '.join(map(str, numbers))})")
        if types:
            parts.append(f"type IN ({', '.join(_lit(t) for t in sorted(set(types)))})")
        return parts

    def _stage_expr(self) -> str:
        whens = []
        for index in range(len(self.spec.stages) - 1, -1, -1):
            stage = self.spec.stages[index]
            parts = self._match(stage.touchpoints, stage.types)
            if parts:
                whens.append(f"WHEN {' OR '.join(parts)} THEN {index}")
        return f"CASE {' '.join(whens)} END" if whens else "CAST(NULL AS INTEGER)"

    def _goal_expr(self) -> str:
        goal = self.spec.goal
        parts = self._match(goal.touchpoints, goal.types)
        if goal.resolved:
            parts.append("resolved")
        return f"({' OR '.join(parts)})" if parts else "FALSE"

    def _period(self, column: str) -> tuple[str, list[Any]]:
        """The condition on `column` for the period (literals: Spark takes no parameters)."""
        where: list[str] = []
        if self.start is not None:
            where.append(f"{column} >= {self.sql.timestamp(self.start)}")
        if self.end is not None:
            where.append(f"{column} < {self.sql.timestamp(self.end)}")
        return (" AND ".join(where) or "TRUE"), []

    def _uses_cases(self) -> bool:
        spec = self.spec
        named = any(domain.CASE_RESOLVED in s.types for s in spec.stages)
        return spec.goal.resolved or named or domain.CASE_RESOLVED in spec.goal.types

    def _events_cte(self) -> tuple[str, list[Any]]:
        """`raw` and `ev`: the journey's relevant events with stage and goal flag."""
        period, params = self._period("i.occurred_at")
        resolved, join = "FALSE", ""
        if self.spec.goal.resolved:
            # a join, not `IN (subquery)`: Spark takes subqueries in filters only
            resolved = "r.resolved_id IS NOT NULL"
            join = f"""LEFT JOIN (SELECT DISTINCT id AS resolved_id FROM {RESOLVED}
                                  WHERE resolved) r ON r.resolved_id = i.id"""
        raw = f"""
            SELECT coalesce(s.survivor_id, i.customer_id) AS customer_id, i.occurred_at AS ts,
                   i.id AS id, i.touchpoint_no AS tp, i.channel AS channel, i.type AS type,
                   {resolved} AS resolved
            FROM interactions i LEFT JOIN customer_survivors s ON s.customer_id = i.customer_id
                 {join}
            WHERE i.customer_id IS NOT NULL AND {period}"""
        if self._uses_cases():
            case_period, case_params = self._period("c.resolved_at")
            raw += f"""
            UNION ALL
            SELECT coalesce(s.survivor_id, c.customer_id), c.resolved_at, c.id, n.no, t.channel,
                   {_lit(domain.CASE_RESOLVED)}, TRUE
            FROM {CASES} c LEFT JOIN customer_survivors s ON s.customer_id = c.customer_id
                 LEFT JOIN touchpoint_numbers n ON n.id = c.touchpoint_id
                 LEFT JOIN touchpoints t ON t.id = c.touchpoint_id
            WHERE c.customer_id IS NOT NULL AND {case_period}"""
            params += case_params
        stage, goal = self._stage_expr(), self._goal_expr()
        sql = f"""
            raw AS ({raw}),
            ev AS (
                SELECT customer_id, ts, id, tp, channel, {stage} AS stage, {goal} AS goal
                FROM raw WHERE {self._relevant_expr()}
            )"""
        return sql, params

    def _relevant_expr(self) -> str:
        """Whether an event matches any stage or the goal: one cheap test before the CASE."""
        spec = self.spec
        touchpoints = [k for s in spec.stages for k in s.touchpoints] + list(spec.goal.touchpoints)
        types = [t for s in spec.stages for t in s.types] + list(spec.goal.types)
        parts = self._match(touchpoints, types)
        if spec.goal.resolved:
            parts.append("resolved")
        return f"({' OR '.join(parts)})" if parts else "FALSE"

    def _events(self) -> None:
        if "_jev" in self._built:
            return
        cte, _ = self._events_cte()
        gap = f"{self.sql.epoch_us('ts')} - {self.sql.epoch_us('lag(ts) OVER w')}"
        self.runner.materialise(
            self.jev,
            f"""
            WITH {cte},
            marked AS (
                SELECT *, row_number() OVER w AS rn,
                       CASE WHEN lag(ts) OVER w IS NULL OR lag(goal) OVER w
                                 OR {gap} > {self.timeout_us}
                            THEN 1 ELSE 0 END AS new
                FROM ev WINDOW w AS (PARTITION BY customer_id ORDER BY ts, id)
            )
            SELECT customer_id, ts, id, tp, channel, stage, goal, rn,
                   sum(new) OVER (PARTITION BY customer_id ORDER BY rn
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS inst
            FROM marked
            """,
        )
        self._built.add("_jev")

    def _instances(self) -> None:
        if "_jin" in self._built:
            return
        self._events()
        k, q = len(self.spec.stages), self.sql
        firsts = "".join(f"min(ts) FILTER (WHERE stage = {i}) AS f{i}, " for i in range(k))
        as_of = q.epoch_us(q.timestamp(self.as_of)) if self.as_of is not None else "NULL"
        self.runner.materialise(
            self.jin,
            f"""
            SELECT *,
                   CASE WHEN goal_at IS NOT NULL THEN 'goal'
                        WHEN {q.epoch_us("ended_at")} + {self.timeout_us} > {as_of}
                        THEN 'open' ELSE 'lost' END AS outcome,
                   CASE WHEN goal_at IS NOT NULL THEN {k + 1}
                        ELSE coalesce(stage_reached + 1, 0) END AS level
            FROM (
                SELECT customer_id, inst, min(ts) AS started_at, max(ts) AS ended_at,
                       max(stage) AS stage_reached, {firsts}
                       min(ts) FILTER (WHERE goal) AS goal_at, count(*) AS events,
                       min(channel) IS DISTINCT FROM max(channel) AS multichannel,
                       {q.arg_min("channel", "rn")} FILTER (WHERE channel IS NOT NULL)
                           AS first_channel,
                       {q.arg_max("channel", "rn")} FILTER (WHERE channel IS NOT NULL)
                           AS last_channel,
                       {q.arg_max("tp", "rn")} FILTER (WHERE tp IS NOT NULL) AS last_tp
                FROM {self.jev} GROUP BY customer_id, inst
            ) g
            """,
        )
        self._built.add("_jin")

    # --- results ---

    def instances(self) -> list[domain.Instance]:
        """Every instance, as the domain describes it (for checks and small exports)."""
        self._instances()
        k, q = len(self.spec.stages), self.sql
        keys = self.catalogue.keys
        rows = self._rows(
            f"""
            SELECT i.customer_id, i.inst, i.started_at, i.ended_at, i.stage_reached,
                   {q.array([f"i.f{n}" for n in range(k)])} AS firsts, i.goal_at, i.events,
                   i.first_channel, i.last_channel, i.last_tp, e.channels, e.stages, e.tps
            FROM {self.jin} i JOIN (
                SELECT customer_id AS e_customer, inst AS e_inst,
                       {q.distinct_list("channel")} AS channels,
                       {q.ordered_list("stage", "rn")} AS stages,
                       {q.ordered_list("tp", "rn")} AS tps
                FROM {self.jev} GROUP BY customer_id, inst
            ) e ON e.e_customer = i.customer_id AND e.e_inst = i.inst
            ORDER BY i.customer_id, i.inst
            """
        )
        out = []
        for r in rows:
            stages = [int(s) for s in (r[12] or [])]
            tps = [keys.get(int(t), str(t)) for t in (r[13] or [])]
            out.append(
                domain.Instance(
                    customer=str(r[0]),
                    number=int(r[1]),
                    started_at=r[2],
                    ended_at=r[3],
                    stage_reached=None if r[4] is None else int(r[4]),
                    first_at=tuple(r[5]) if k else (),
                    goal_at=r[6],
                    events=int(r[7]),
                    channels=tuple(sorted(c for c in (r[11] or []) if c is not None)),
                    first_channel=r[8],
                    last_channel=r[9],
                    last_touchpoint=None if r[10] is None else keys.get(int(r[10])),
                    stage_path=tuple(_collapse(stages)),
                    touchpoint_path=tuple(_collapse(tps)),
                )
            )
        return out

    def funnel_counts(self) -> domain.FunnelCounts:
        self._instances()
        q = self.sql
        levels = {
            (int(level), Outcome(outcome)): int(n)
            for level, outcome, n in self._rows(
                f"SELECT level, outcome, count(*) FROM {self.jin} GROUP BY level, outcome"
            )
        }
        customers = self._rows(f"SELECT count(DISTINCT customer_id) FROM {self.jin}")[0][0]
        k = len(self.spec.stages)
        durations: list[domain.Durations] = []
        if k:
            ends = [f"f{i + 1}" for i in range(k - 1)] + ["goal_at"]
            gaps = ", ".join(
                f"({q.epoch_us(end)} - {q.epoch_us(f'f{i}')}) / 1e6 AS d{i}"
                for i, end in enumerate(ends)
            )
            stats = ", ".join(
                f"count(d{i}) FILTER (WHERE d{i} >= 0), "
                f"{q.quantiles(f'd{i}', (0.5, 0.9))} FILTER (WHERE d{i} >= 0)"
                for i in range(k)
            )
            row = self._rows(f"SELECT {stats} FROM (SELECT {gaps} FROM {self.jin}) g")[0]
            for i in range(k):
                n, quantiles = row[2 * i : 2 * i + 2]
                median, p90 = quantiles if quantiles else (None, None)
                durations.append(domain.Durations(int(n), median, p90))
        return domain.FunnelCounts(levels, int(customers), durations)

    def funnel(self) -> domain.Funnel:
        """Conversion, drop-off and time between the stages (see the domain's rules)."""
        return domain.funnel(self.funnel_counts(), self.spec)

    def path_counts(
        self, *, level: PathLevel, depth: int, limit: int = PATH_ROWS
    ) -> tuple[Counter[tuple[tuple[str, ...], Outcome]], int]:
        """Instances per (path, outcome) for the `limit` most common, and all instances."""
        self._instances()
        column = "stage" if level is PathLevel.STAGE else "tp"
        rows = self._rows(
            f"""
            WITH p AS (
                SELECT customer_id, inst, {self.sql.ordered_list(column, "rn")} AS seq
                FROM {self.jev} GROUP BY customer_id, inst
            )
            SELECT path, outcome, count(*) AS n
            FROM (
                SELECT {self.sql.collapsed_prefix("p.seq", depth)} AS path, i.outcome
                FROM p JOIN {self.jin} i USING (customer_id, inst)
            ) c
            GROUP BY path, outcome ORDER BY n DESC LIMIT {int(limit)}
            """
        )
        total = int(self._rows(f"SELECT count(*) FROM {self.jin}")[0][0])
        stages = self.spec.stages
        keys = self.catalogue.keys
        counts: Counter[tuple[tuple[str, ...], Outcome]] = Counter()
        for path, outcome, n in rows:
            if level is PathLevel.STAGE:
                steps = tuple(stages[int(s)].key for s in path)
            else:
                steps = tuple(keys.get(int(t), str(t)) for t in path)
            counts[(steps, Outcome(outcome))] += int(n)
        return counts, total

    def paths(
        self, *, level: PathLevel = PathLevel.STAGE, top: int = 10, depth: int = 6
    ) -> domain.Paths:
        """The most common paths and their Sankey graph."""
        counts, total = self.path_counts(level=level, depth=depth)
        return domain.paths(counts, level=level, top=top, total=total)

    def channel_switches(self) -> domain.ChannelSwitches:
        """First → last channel of each instance."""
        self._instances()
        rows = self._rows(
            f"""SELECT first_channel, last_channel, count(*) FROM {self.jin}
                WHERE first_channel IS NOT NULL GROUP BY first_channel, last_channel"""
        )
        multi = self._rows(f"SELECT count(*) FROM {self.jin} WHERE multichannel")[0][0]
        return domain.channel_switches({(a, b): int(n) for a, b, n in rows}, int(multi))

    def lost(self) -> domain.Lost:
        """Instances that stopped before the goal, by last touchpoint and by stage reached."""
        self._instances()
        total = int(self._rows(f"SELECT count(*) FROM {self.jin}")[0][0])
        keys = self.catalogue.keys
        by_tp: Counter[str | None] = Counter()
        for tp, n in self._rows(
            f"SELECT last_tp, count(*) FROM {self.jin} WHERE outcome = 'lost' GROUP BY last_tp"
        ):
            by_tp[None if tp is None else keys.get(int(tp))] += int(n)
        by_stage: Counter[str | None] = Counter()
        for stage, n in self._rows(
            f"SELECT stage_reached, count(*) FROM {self.jin} WHERE outcome = 'lost' "
            "GROUP BY stage_reached"
        ):
            by_stage[None if stage is None else self.spec.stages[int(stage)].key] += int(n)
        return domain.lost(total, by_tp, by_stage)

    def _attributed(
        self, observations: str, params: Sequence[Any] = ()
    ) -> dict[int, dict[int, domain.ScoreStats]]:
        """Observations (`kind`, `customer_id`, `ts`, `value`) by the stage of the customer's
        latest relevant event at or before them, within the timeout (see domain.attribute):
        kind → stage position → statistics. Only the observers' events are read."""
        k, q = len(self.spec.stages), self.sql
        if "_jev" in self._built:
            events, source = "", self.jev
        else:
            cte, _ = self._events_cte()
            events, source = f"{cte},", "ev"
        joined = q.latest_before(
            Latest("obs", ("kind", "value")), Latest("steps", ("bucket",)), "customer_id", "ts"
        )
        rows = self._rows(
            f"""
            WITH {events}
            obs AS ({observations}),
            steps AS (
                SELECT customer_id, ts,
                       {q.arg_max(f"CASE WHEN stage IS NULL THEN {k} ELSE stage END", "id")}
                           AS bucket
                FROM {source}
                WHERE customer_id IN (SELECT DISTINCT customer_id FROM obs)
                GROUP BY customer_id, ts
            )
            SELECT kind, bucket, count(*), avg(value), stddev_samp(value),
                   count(*) FILTER (WHERE value >= 9), count(*) FILTER (WHERE value <= 6)
            FROM ({joined}) j
            WHERE {q.epoch_us("ts")} - {q.epoch_us("matched_ts")} <= {self.timeout_us}
            GROUP BY kind, bucket
            """,
            params,
        )
        out: dict[int, dict[int, domain.ScoreStats]] = {0: {}, 1: {}}
        for kind, bucket, n, mean, sd, promoters, detractors in rows:
            stats = domain.ScoreStats(int(n), mean, sd, int(promoters), int(detractors))
            out[int(kind)][int(bucket)] = stats
        return out

    def emotion(self, *, question_type: str = "nps", min_n: int = 1) -> list[domain.EmotionPoint]:
        """Per stage: mean survey score (of `question_type` answers) and mean text sentiment with
        95 % t intervals; NPS (−100..100) for NPS questions."""
        answers, answer_params = self._period("a.submitted_at")
        texts, text_params = self._period("x.occurred_at")
        found = self._attributed(
            f"""SELECT 0 AS kind, coalesce(s.survivor_id, a.customer_id) AS customer_id,
                       a.submitted_at AS ts, CAST(a.score AS DOUBLE) AS value
                FROM survey_answers a LEFT JOIN customer_survivors s
                     ON s.customer_id = a.customer_id
                WHERE a.type = {_lit(question_type)} AND a.score IS NOT NULL
                      AND a.customer_id IS NOT NULL AND {answers}
                UNION ALL
                SELECT 1, coalesce(s.survivor_id, x.customer_id), x.occurred_at,
                       CAST(x.sentiment_milli AS DOUBLE) / 1000
                FROM {SENTIMENT} x LEFT JOIN customer_survivors s
                     ON s.customer_id = x.customer_id
                WHERE x.sentiment_milli IS NOT NULL AND {texts}""",
            [*answer_params, *text_params],
        )
        return domain.emotion_curve(
            self.spec,
            found[0],
            found[1],
            nps_question=question_type == "nps",
            t_quantile=metrics.t_ppf,
            min_n=min_n,
        )

    def visit_groups(self) -> dict[str | None, domain.VisitGroup]:
        """Website visits (30 minutes of inactivity end one) grouped by entry page."""
        web, q = self.spec.web, self.sql
        numbers = self.catalogue.numbers
        goal = sorted({numbers[k] for k in web.goal_pages if k in numbers})
        orientation = sorted({numbers[k] for k in web.orientation_pages if k in numbers})
        goal_expr = f"tp IN ({', '.join(map(str, goal))})" if goal else "FALSE"
        exits = f"exit_tp IN ({', '.join(map(str, orientation))})" if orientation else "FALSE"
        gap_us = int(domain.VISIT_GAP.total_seconds() * 1_000_000)
        period, params = self._period("i.occurred_at")
        rows = self._rows(
            f"""
            WITH web AS (
                SELECT coalesce(s.survivor_id, i.customer_id) AS customer_id,
                       i.occurred_at AS ts, i.id, i.type, i.touchpoint_no AS tp, r.results,
                       CASE WHEN i.type = 'page_view' THEN 1 ELSE 0 END AS pv,
                       CASE WHEN i.type = 'search' THEN 1 ELSE 0 END AS search
                FROM interactions i
                     LEFT JOIN customer_survivors s ON s.customer_id = i.customer_id
                     LEFT JOIN {SEARCHES} r ON r.id = i.id
                WHERE i.channel = 'web' AND i.customer_id IS NOT NULL AND {period}
            ),
            marked AS (
                SELECT *, row_number() OVER w AS rn,
                       CASE WHEN lag(ts) OVER w IS NULL
                                 OR {q.epoch_us("ts")} - {q.epoch_us("lag(ts) OVER w")} > {gap_us}
                            THEN 1 ELSE 0 END AS new,
                       sum(pv) OVER (PARTITION BY customer_id ORDER BY ts, id
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                           - pv AS pv_before,
                       {goal_expr} AS is_goal
                FROM web WINDOW w AS (PARTITION BY customer_id ORDER BY ts, id)
            ),
            numbered AS (
                SELECT *, sum(new) OVER (PARTITION BY customer_id ORDER BY rn
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                              AS visit
                FROM marked
            ),
            visits AS (
                -- page views rank before other interactions for the entry and the exit page
                SELECT customer_id, visit,
                       {q.arg_min("tp", f"rn + (1 - pv) * {_LATER}")}
                           FILTER (WHERE tp IS NOT NULL) AS entry_tp,
                       {q.arg_max("tp", f"rn + pv * {_LATER}")}
                           FILTER (WHERE tp IS NOT NULL) AS exit_tp,
                       sum(pv) AS page_views,
                       min(ts) FILTER (WHERE is_goal) AS goal_ts,
                       {q.arg_min("pv_before", "rn")} FILTER (WHERE is_goal) - min(pv_before)
                           AS clicks,
                       min(ts) AS start_ts,
                       sum(search) AS searches,
                       sum(search * CAST(results = 0 AS INTEGER)) AS zero
                FROM numbered GROUP BY customer_id, visit
            ),
            figures AS (
                SELECT entry_tp, exit_tp, page_views, goal_ts IS NOT NULL AS goal, clicks,
                       ({q.epoch_us("goal_ts")} - {q.epoch_us("start_ts")}) / 1e6 AS seconds,
                       searches, zero
                FROM visits
            )
            SELECT GROUPING(entry_tp) AS total, entry_tp, count(*),
                   count(*) FILTER (WHERE goal), sum(page_views), sum(searches), sum(zero),
                   count(*) FILTER (WHERE NOT goal AND {exits}),
                   {q.quantiles("clicks", (0.5,))}, {q.quantiles("seconds", (0.5, 0.9))}
            FROM figures GROUP BY GROUPING SETS ((entry_tp), ())
            """,
            params,
        )
        keys = self.catalogue.keys
        out: dict[str | None, domain.VisitGroup] = {}
        for total, tp, n, goal_n, views, searches, zero, exits_n, click_qs, sec_qs in rows:
            if not total and tp is None:
                continue
            (clicks,) = click_qs or (None,)
            sec, p90 = sec_qs or (None, None)
            group = domain.VisitGroup(
                visits=int(n),
                goal_reached=int(goal_n),
                page_views=int(views or 0),
                searches=int(searches or 0),
                searches_without_result=int(zero or 0),
                orientation_exits=int(exits_n),
                clicks_median=clicks,
                seconds_median=sec,
                seconds_p90=p90,
            )
            out[None if total else keys.get(int(tp), str(tp))] = group
        return out

    def web_visits(self, *, top: int = 20) -> list[domain.VisitSummary]:
        """The visit figures: all visits, then the `top` entry pages."""
        return domain.visit_summary(self.visit_groups(), top=top)


# --- a small cache: the figures only change when the store is synced ---------------------------

CACHE_SIZE = 64
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_cache_lock = threading.Lock()


def figures(
    source: Store | Engine,
    spec: JourneySpec,
    wanted: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    as_of: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Any]:
    """The wanted figures — (JourneyQuery method, keyword options) — in order, from the store
    or a SparkEngine over its Parquet copy. Figures of a synced store are
    kept until its next sync (the last CACHE_SIZE of them); the missing ones are computed in one
    query, so they share its instance tables."""
    synced = source.last_synced_at()
    where = getattr(source, "path", None) or getattr(source, "directory", None)
    base = (id(source), str(where), synced, spec, naive_utc(start), naive_utc(end))
    keys = [(*base, naive_utc(as_of), name, tuple(sorted(opts.items()))) for name, opts in wanted]
    out: list[Any] = [None] * len(wanted)
    missing = []
    with _cache_lock:
        for n, key in enumerate(keys):
            if synced is not None and key in _cache:
                _cache.move_to_end(key)
                out[n] = _cache[key]
            else:
                missing.append(n)
    if missing:
        with JourneyQuery(source, spec, as_of=as_of, start=start, end=end) as q:
            for n in missing:
                name, opts = wanted[n]
                out[n] = getattr(q, name)(**opts)
        if synced is not None:
            with _cache_lock:
                for n in missing:
                    _cache[keys[n]] = out[n]
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
    return out


def _collapse(values: Sequence[Any]) -> list[Any]:
    return [v for n, v in enumerate(values) if n == 0 or v != values[n - 1]]
