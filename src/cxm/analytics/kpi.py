"""The KPI queries, written once with Ibis over the analytical store's tables.

Each query counts additive sufficient statistics (n, promoters, detractors, sums ...) in one
SQL statement; the scores, intervals, suppression and tests are computed from those counts by
cxm.analytics.metrics. The statement first groups the fact table by UTC day and touchpoint
number (small integer keys, no join), then maps the few resulting rows to periods (week,
month, ...) and to touchpoint keys, stages, departments and surveys, summing the counts again.
Customer-derived dimensions (segment attribute, product/model) join the customer tables first.
Each query shape is compiled to SQL once per engine dialect (Ibis → sqlglot) and cached; see
`compiled_for`. The same expressions run on DuckDB (the Store) and on Spark over the Parquet
copy (cxm.analytics.spark): any `cxm.analytics.engine.Engine`.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, Literal, Protocol, TypeVar

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]

from cxm.analytics import metrics
from cxm.analytics.engine import Engine
from cxm.analytics.store import Store, table
from cxm.shared.errors import Invalid

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}

TOUCHPOINT_DIMS = ("touchpoint", "stage", "department")
FACT_DIMS = ("channel",)
CUSTOMER_DIMS = ("model", "product")
SEGMENT_PREFIX = "segment:"
SURVEY_DIMS = ("survey",) + TOUCHPOINT_DIMS + FACT_DIMS + CUSTOMER_DIMS
COMPLAINT_DIMS = ("topic", "source", "model") + TOUCHPOINT_DIMS

M = TypeVar("M", metrics.Nps, metrics.Proportion, metrics.Ces, metrics.Rate)
Measures = dict[str, Callable[[ir.Table], ir.Scalar]]
Grouped = list[tuple[date | None, dict[str, str | None], dict[str, Any]]]


@dataclass(frozen=True)
class Members:
    """A set of customers to keep (a saved segment's members). The query joins a temporary
    table of the ids that is registered with the engine for the query (never an IN list);
    `name`, made from a digest of the ids, names that table, so a compiled query is cached
    per set and two sets never share a table name."""

    name: str
    ids: tuple[str, ...] = field(compare=False, repr=False)

    @classmethod
    def of(cls, ids: Iterable[uuid.UUID | str]) -> Members:
        unique = tuple(sorted({str(uuid.UUID(str(i))) for i in ids}))
        digest = hashlib.blake2b("\n".join(unique).encode(), digest_size=12).hexdigest()
        return cls(f"cxm_members_{digest}", unique)

    def table(self) -> ir.Table:
        return ibis.table(ibis.schema({"customer_id": "uuid"}), name=self.name)


@dataclass(frozen=True)
class Filters:
    """What to count: [start, end) in UTC, and keys to keep (an empty tuple keeps all);
    `members` keeps the facts of those customers only (after merges, as the segment does)."""

    start: datetime | None = None
    end: datetime | None = None
    touchpoints: tuple[str, ...] = ()
    segment: tuple[tuple[str, str], ...] = ()  # (attribute key, value), all must match
    models: tuple[str, ...] = ()
    surveys: tuple[str, ...] = ()
    question: str | None = None  # a question key, when a survey asks two of a kind
    members: Members | None = None


@dataclass(frozen=True)
class KpiRow(Generic[M]):
    period: date | None
    group: dict[str, str | None]
    result: M


@dataclass(frozen=True)
class Kpi(Generic[M]):
    metric: str
    period: str | None
    by: tuple[str, ...]
    min_n: int
    rows: list[KpiRow[M]]
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison(Generic[M]):
    group: dict[str, str | None]
    current: M
    previous: M
    change: metrics.Change


@dataclass(frozen=True)
class ComparisonResult(Generic[M]):
    metric: str
    by: tuple[str, ...]
    current: tuple[datetime, datetime]
    previous: tuple[datetime, datetime]
    min_n: int
    rows: list[Comparison[M]]


# --- topics (pluggable) ------------------------------------------------------------------------


class TopicSource(Protocol):
    """Gives complaints their topic: returns the feedback table with a string column `topic`,
    one row per (feedback, topic) — several rows when a complaint has several topics."""

    def apply(self, feedback: ir.Table) -> ir.Table: ...

    def __hash__(self) -> int: ...  # compiled queries are cached by their arguments


@dataclass(frozen=True)
class PropertyTopic:
    """`feedback.properties->>'topic'` as copied by the sync (default)."""

    unassigned: str = "unassigned"

    def apply(self, feedback: ir.Table) -> ir.Table:
        return feedback.mutate(topic=feedback.topic.fill_null(self.unassigned))


@dataclass(frozen=True)
class SourceTopic:
    """The feedback source (complaint, review, social, ...) as the topic."""

    def apply(self, feedback: ir.Table) -> ir.Table:
        return feedback.mutate(topic=feedback.source)


@dataclass(frozen=True)
class TableTopic:
    """Topics from a table of the store, e.g. the text analysis's `(feedback_id, topic)` rows
    (register its sync with cxm.analytics.sync.register); multi-label by design."""

    name: str
    id_column: str = "feedback_id"
    topic_column: str = "topic"
    unassigned: str = "unassigned"

    def apply(self, feedback: ir.Table) -> ir.Table:
        topics = table(self.name)
        joined = feedback.left_join(topics, feedback.id == topics[self.id_column])
        keep = [joined[c] for c in feedback.columns if c != "topic"]
        return joined.select(*keep, topic=topics[self.topic_column].fill_null(self.unassigned))


TOPIC_SOURCES: dict[str, TopicSource] = {"property": PropertyTopic(), "source": SourceTopic()}
DEFAULT_TOPIC_SOURCE = "property"


def register_topic_source(name: str, source: TopicSource, *, default: bool = False) -> None:
    """Makes a topic source selectable by name (API/CLI `topics=`), optionally the default."""
    global DEFAULT_TOPIC_SOURCE
    TOPIC_SOURCES[name] = source
    if default:
        DEFAULT_TOPIC_SOURCE = name


# --- survey KPIs -------------------------------------------------------------------------------


def nps(
    store: Engine,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
) -> Kpi[metrics.Nps]:
    """NPS (with margin of error) of the NPS answers, by period and dimensions."""
    rows = _answer_counts(store, "nps", period, by, filters)
    out = [
        KpiRow(
            p,
            g,
            metrics.nps(
                m["promoters"],
                m["n"] - m["promoters"] - m["detractors"],
                m["detractors"],
                min_n=min_n,
            ),
        )  # fmt: skip
        for p, g, m in rows
    ]
    return Kpi("nps", period, tuple(by), min_n, out)


def csat(
    store: Engine,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
) -> Kpi[metrics.Proportion]:
    """CSAT (% 4–5 of 1–5 answers, Wilson CI) by period and dimensions."""
    rows = _answer_counts(store, "csat", period, by, filters)
    out = [KpiRow(p, g, metrics.csat(m["hits"], m["n"], min_n=min_n)) for p, g, m in rows]
    return Kpi("csat", period, tuple(by), min_n, out)


def ces(
    store: Engine,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
) -> Kpi[metrics.Ces]:
    """CES 2.0 (mean of 1–7 and % agree 5–7) by period and dimensions."""
    rows = _answer_counts(store, "ces", period, by, filters)
    out = [
        KpiRow(p, g, metrics.ces(m["n"], m["total"], m["total_sq"], m["agree"], min_n=min_n))
        for p, g, m in rows
    ]
    return Kpi("ces", period, tuple(by), min_n, out)


def response_rate(
    store: Engine,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
) -> Kpi[metrics.Proportion]:
    """Responses / invitations sent, by the period the invitation was sent in."""
    _check_dims(by, SURVEY_DIMS)
    rows = _run(store, "invitations", _period(period), tuple(by), filters, period=period, by=by)
    out = [KpiRow(p, g, metrics.response_rate(m["hits"], m["n"], min_n=min_n)) for p, g, m in rows]
    return Kpi("response_rate", period, tuple(by), min_n, out)


def _hits(condition: ir.BooleanValue) -> ir.Scalar:
    """How many rows meet the condition (a sum of 0/1 aggregates faster than COUNT FILTER)."""
    return condition.cast("int32").sum()


_INVITATION_MEASURES: Measures = {
    "n": lambda t: t.count(),
    "hits": lambda t: _hits(t.responded_at.notnull()),
}
_ANSWER_MEASURES: dict[str, Measures] = {
    "nps": {
        "n": lambda t: t.count(),
        "promoters": lambda t: _hits(t.score >= metrics.PROMOTER_MIN),
        "detractors": lambda t: _hits(t.score <= metrics.DETRACTOR_MAX),
    },
    "csat": {
        "n": lambda t: t.count(),
        "hits": lambda t: _hits(t.score >= metrics.CSAT_SATISFIED_MIN),
    },
    "ces": {
        "n": lambda t: t.count(),
        "total": lambda t: t.score.cast("float64").sum(),
        "total_sq": lambda t: (t.score.cast("float64") * t.score.cast("float64")).sum(),
        "agree": lambda t: _hits(t.score >= metrics.CES_AGREE_MIN),
    },
}
_MEASURE_NAMES = {m for ms in _ANSWER_MEASURES.values() for m in ms} | {"hits"}
_SCALES = {"nps": metrics.NPS_SCALE, "csat": metrics.CSAT_SCALE, "ces": metrics.CES_SCALE}
_COUNT: Measures = {"n": lambda t: t.count()}


def _answer_counts(
    store: Engine, qtype: str, period: str | None, by: Sequence[str], filters: Filters
) -> Grouped:
    _check_dims(by, SURVEY_DIMS)
    return _run(store, "answers", qtype, _period(period), tuple(by), filters, period=period, by=by)


# --- complaint rate ----------------------------------------------------------------------------

Exposure = Literal["holders", "interactions"]


def complaint_rate(
    store: Engine,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
    exposure: str | None = None,
    sources: Sequence[str] = ("complaint",),
    topics: str | TopicSource | None = None,
    per: int = 1000,
) -> Kpi[metrics.Rate]:
    """Complaints per `per` units of exposure: customers holding the product/model
    ("holders") or interactions at the touchpoint ("interactions"), by period and by topic,
    source, model or touchpoint. Periods without complaints count as 0; the rate is suppressed
    where the exposure is below min_n."""
    _check_dims(by, COMPLAINT_DIMS)
    kind = _exposure_kind(by, filters, exposure)
    topic_source = _topic_source(topics)
    exposure_dims = [d for d in by if d in (("model",) if kind == "holders" else TOUCHPOINT_DIMS)]
    other_dims = [d for d in by if d not in exposure_dims]

    period = _period(period)
    counted = _run(
        store, "complaints", period, tuple(by), filters, tuple(sources),
        topic_source if "topic" in by else None, period=period, by=by,
    )  # fmt: skip
    if kind == "holders":
        exposures = _holder_exposure(store, period, exposure_dims, filters, counted)
    else:
        got = _run(
            store, "interactions", period, tuple(exposure_dims), filters,
            period=period, by=exposure_dims,
        )  # fmt: skip
        exposures = {(p, _key(g, exposure_dims)): int(m["n"]) for p, g, m in got}

    complaints: dict[tuple[date | None, tuple[Any, ...]], int] = {}
    combos: set[tuple[Any, ...]] = set()
    for p, g, m in counted:
        complaints[(p, _key(g, list(by)))] = int(m["n"])
        combos.add(_key(g, list(by)))
    if not other_dims:
        combos |= {k for _, k in exposures}
    periods = _periods_for(period, filters, [p for p, _ in complaints] + [p for p, _ in exposures])
    rows: list[KpiRow[metrics.Rate]] = []
    for combo in sorted(combos, key=_sort_key):
        group = dict(zip(by, combo, strict=True))
        ekey = _key(group, exposure_dims)
        for p in periods:
            events = complaints.get((p, combo), 0)
            exp = exposures.get((p, ekey), 0)
            rows.append(KpiRow(p, group, metrics.rate(events, exp, per=per, min_exposure=min_n)))
    notes: dict[str, Any] = {"exposure": kind, "per": per, "sources": list(sources)}
    if "topic" in by:
        notes["topics"] = topics if isinstance(topics, str) else DEFAULT_TOPIC_SOURCE
    return Kpi("complaint_rate", period, tuple(by), min_n, rows, notes)


def _exposure_kind(by: Sequence[str], filters: Filters, exposure: str | None) -> Exposure:
    wants_tp = any(d in TOUCHPOINT_DIMS for d in by) or bool(filters.touchpoints)
    wants_model = "model" in by or bool(filters.models)
    if exposure is None:
        exposure = "interactions" if wants_tp else "holders"
    if exposure not in ("holders", "interactions"):
        raise Invalid("exposure must be 'holders' or 'interactions'", field="exposure")
    if exposure == "holders" and wants_tp:
        raise Invalid(
            "touchpoints are normalised by interactions: use exposure=interactions",
            field="exposure",
        )
    if exposure == "interactions" and wants_model:
        raise Invalid(
            "products/models are normalised by their holders: use exposure=holders",
            field="exposure",
        )
    return "holders" if exposure == "holders" else "interactions"


def _topic_source(topics: str | TopicSource | None) -> TopicSource:
    if topics is None:
        return TOPIC_SOURCES[DEFAULT_TOPIC_SOURCE]
    if isinstance(topics, str):
        if topics not in TOPIC_SOURCES:
            raise Invalid(f"unknown topic source; one of {sorted(TOPIC_SOURCES)}", field="topics")
        return TOPIC_SOURCES[topics]
    return topics


def _holder_exposure(
    store: Engine,
    period: str | None,
    dims: list[str],
    filters: Filters,
    counted: Grouped,
) -> dict[tuple[date | None, tuple[Any, ...]], int]:
    """Distinct customers holding the product/model (any product without one) in each period.

    Active in a period = started on or before its end and not ended before its start; counted
    as (spans started in buckets ≤ p) − (spans ended in buckets < p), so the holdings are
    scanned once whatever the number of periods."""
    if period is None:
        got = _rows(store, "holders_total", tuple(dims), filters)
        return {(None, _key(r, dims)): int(r["n"]) for r in got}
    started: dict[tuple[Any, ...], list[tuple[date, int]]] = {}
    ended: dict[tuple[Any, ...], list[tuple[date, int]]] = {}
    for r in _rows(store, "holders_moves", period, tuple(dims), filters):
        target = started if r["move"] == "start" else ended
        target.setdefault(_key(r, dims), []).append((_as_date(r["bucket"]), int(r["n"])))
    periods = _periods_for(period, filters, [p for p, _, _ in counted])
    out: dict[tuple[date | None, tuple[Any, ...]], int] = {}
    for key in started:
        s_sorted = sorted(started[key])
        e_sorted = sorted(ended.get(key, []))
        for p in periods:
            assert p is not None
            active = sum(n for b, n in s_sorted if b <= p) - sum(n for b, n in e_sorted if b < p)
            out[(p, key)] = active
    return out


def check_query(
    metric: str,
    *,
    period: str | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    exposure: str | None = None,
    topics: str | TopicSource | None = None,
) -> None:
    """Raises Invalid (naming the field) for a query the metric cannot answer, before any
    data is touched; the metric functions run the same checks."""
    if metric not in METRICS:
        raise Invalid(f"unknown metric; one of {sorted(METRICS)}", field="metric")
    _period(period)
    if metric == "complaint_rate":
        _check_dims(by, COMPLAINT_DIMS)
        _exposure_kind(by, filters, exposure)
        _topic_source(topics)
    else:
        _check_dims(by, SURVEY_DIMS)


# --- comparison --------------------------------------------------------------------------------

_CHANGE: dict[str, Callable[[Any, Any], metrics.Change]] = {
    "nps": metrics.nps_change,
    "csat": metrics.proportion_change,
    "ces": metrics.mean_change,
    "response_rate": metrics.proportion_change,
    "complaint_rate": metrics.rate_change,
}


def compare(
    store: Engine,
    metric: str,
    *,
    current: tuple[datetime, datetime],
    previous: tuple[datetime, datetime] | None = None,
    by: Sequence[str] = (),
    filters: Filters = Filters(),
    min_n: int = metrics.DEFAULT_MIN_N,
    **options: Any,
) -> ComparisonResult[Any]:
    """A metric in two periods (the previous defaults to the equally long one just before)
    per group, with the change and its significance test (see metrics.*_change)."""
    if metric not in METRICS:
        raise Invalid(f"unknown metric; one of {sorted(METRICS)}", field="metric")
    start, end = current
    if end <= start:
        raise Invalid("the current period must end after it starts", field="current")
    if previous is None:
        previous = (start - (end - start), start)
    query = METRICS[metric]
    results = {}
    for name, (a, b) in (("current", current), ("previous", previous)):
        scoped = Filters(**{**vars(filters), "start": a, "end": b})
        results[name] = query(store, period=None, by=by, filters=scoped, min_n=min_n, **options)
    cur = {_key(r.group, list(by)): r for r in results["current"].rows}
    prev = {_key(r.group, list(by)): r for r in results["previous"].rows}
    rows = []
    for key in sorted(set(cur) | set(prev), key=_sort_key):
        group = dict(zip(by, key, strict=True))
        c = cur[key].result if key in cur else _empty(metric, min_n)
        p = prev[key].result if key in prev else _empty(metric, min_n)
        rows.append(Comparison(group, c, p, _CHANGE[metric](c, p)))
    return ComparisonResult(metric, tuple(by), current, previous, min_n, rows)


def _empty(metric: str, min_n: int) -> Any:
    if metric == "nps":
        return metrics.nps(0, 0, 0, min_n=min_n)
    if metric == "ces":
        return metrics.ces(0, 0.0, 0.0, 0, min_n=min_n)
    if metric == "complaint_rate":
        return metrics.rate(0, 0, min_exposure=min_n)
    return metrics.proportion(0, 0, min_n=min_n)


METRICS: dict[str, Callable[..., Kpi[Any]]] = {
    "nps": nps,
    "csat": csat,
    "ces": ces,
    "response_rate": response_rate,
    "complaint_rate": complaint_rate,
}


# --- flat rows for JSON and tables -------------------------------------------------------------


_HIDDEN_WHEN_SUPPRESSED = {"promoters", "passives", "detractors", "hits", "events"}


def flatten(result: Any, prefix: str = "") -> dict[str, Any]:
    """A metric result (or comparison) as one flat dict: nested results get a prefix. The
    counts that would give a suppressed score away are left out (None)."""
    out: dict[str, Any] = {}
    if not is_dataclass(result):
        return {prefix.rstrip("_"): result}
    suppressed = bool(getattr(result, "suppressed", False))
    for f in fields(result):
        value = getattr(result, f.name)
        if is_dataclass(value):
            out.update(flatten(value, f"{prefix}{f.name}_"))
        elif suppressed and f.name in _HIDDEN_WHEN_SUPPRESSED:
            out[f"{prefix}{f.name}"] = None
        else:
            out[f"{prefix}{f.name}"] = value
    return out


def row_dict(row: KpiRow[Any]) -> dict[str, Any]:
    """period, the group's labels, and the metric's fields (nested ones prefixed)."""
    return {"period": row.period, **row.group, **flatten(row.result)}


def comparison_dict(row: Comparison[Any]) -> dict[str, Any]:
    return {
        **row.group,
        **flatten(row.current, "current_"),
        **flatten(row.previous, "previous_"),
        **flatten(row.change, "change_"),
    }


def split_by(value: str | Iterable[str] | None) -> tuple[str | None, tuple[str, ...]]:
    """'month,touchpoint' → ('month', ('touchpoint',)): a period name among the dimensions
    is the period (so `--by month` and `by=month,touchpoint` both work)."""
    period = None
    dims = []
    for part in parse_by(value):
        if part in _UNIT:
            if period is not None:
                raise Invalid("name one period only", field="by")
            period = part
        else:
            dims.append(part)
    return period, tuple(dims)


def parse_segment(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """['tier=gold', 'region:Berlin'] → (('tier', 'gold'), ('region', 'Berlin'))."""
    out = []
    for v in values:
        sep = "=" if "=" in v else ":"
        key, _, value = v.partition(sep)
        if not key.strip() or not _:
            raise Invalid("segment filters look like attribute=value", field="segment")
        out.append((key.strip(), value.strip()))
    return tuple(out)


# --- the shared grouping -----------------------------------------------------------------------


def _run(
    store: Engine, query: str, *args: Hashable, period: str | None, by: Sequence[str]
) -> Grouped:
    """Runs a grouped query (compiled once per shape, see `compiled`) and returns
    (period start, {dimension: label}, {measure: value}) per group, in order."""
    out = []
    for r in _rows(store, query, *args):
        if not r.get("n"):
            continue  # a total over no rows: no group at all
        for measure in _MEASURE_NAMES & r.keys():
            r[measure] = r[measure] or 0  # SUM over no matching rows is NULL
        group = {d: _label(r[_col(d)]) for d in by}
        out.append((_as_date(r["period"]) if period else None, group, r))
    out.sort(key=lambda x: (x[0] or date.min, _sort_key(_key(x[1], by))))
    return out


def _rows(store: Engine, query: str, *args: Hashable) -> list[dict[str, Any]]:
    """Runs one of the KPI expressions on the engine, compiled once per shape and dialect."""
    sql = compiled_for(store.dialect, query, *args)
    members = next((a.members for a in args if isinstance(a, Filters) and a.members), None)
    if members is None:
        return store.query(sql)
    return _query_with_members(store, sql, members)


def _query_with_members(store: Engine, sql: str, members: Members) -> list[dict[str, Any]]:
    """Runs SQL that reads the members' table, registered for this query: on DuckDB a
    temporary table of the cursor's own connection (dropped with it); on Spark a temporary
    view of the engine's session (its name is a digest of the ids: same name, same rows)."""
    if isinstance(store, Store):
        ids = pa.table({"customer_id": pa.array(members.ids, type=pa.string())})
        cur = store.cursor()
        raw = f"{members.name}_ids"
        try:
            cur.register(raw, ids)
            cur.execute(
                f'CREATE TEMP TABLE "{members.name}" AS '
                f'SELECT CAST(customer_id AS UUID) AS customer_id FROM "{raw}"'
            )
            cur.unregister(raw)
            cur.execute(sql)
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()
    spark = getattr(store, "spark", None)
    if store.dialect == "pyspark" and spark is not None:
        # the Parquet copy holds ids as text (cxm.analytics.parquet)
        rows = [(i,) for i in members.ids]
        spark.createDataFrame(rows, "customer_id string").createOrReplaceTempView(members.name)
        try:
            return store.query(sql)
        finally:
            # same name, same rows: a concurrent query of the same set loses nothing but time
            spark.catalog.dropTempView(members.name)
    raise Invalid(f"the {store.dialect} engine cannot filter by a saved segment", field="segment")


def compiled(query: str, *args: Hashable) -> str:
    """The DuckDB SQL of one of the KPI expressions, built with Ibis and cached by its
    arguments (a dashboard asks the same shapes again and again)."""
    return compiled_for("duckdb", query, *args)


@functools.lru_cache(maxsize=1024)
def compiled_for(dialect: str, query: str, *args: Hashable) -> str:
    """The SQL of one of the KPI expressions in an engine's dialect (duckdb, pyspark), built
    with Ibis and cached by its arguments."""
    return str(ibis.to_sql(expression(query, *args), dialect=dialect))


def expression(query: str, *args: Any) -> ir.Table:
    """The Ibis expression of a KPI query, for any Ibis backend holding the store's tables."""
    return _BUILDERS[query](*args)


def _answers_expr(
    qtype: str, period: str | None, by: tuple[str, ...], filters: Filters
) -> ir.Table:
    lo, hi = _SCALES[qtype]
    a = table("survey_answers")
    a = a.filter(a.type == qtype, a.score.between(lo, hi))
    if filters.question:
        a = a.filter(a.question_key == filters.question)
    a = _time_filter(a, "submitted_at", "submitted_on", filters)
    a = _common_filters(a, filters, day="submitted_on")
    return _grouped_expr(a, "submitted_on", period, by, _ANSWER_MEASURES[qtype])


def _invitations_expr(period: str | None, by: tuple[str, ...], filters: Filters) -> ir.Table:
    inv = table("survey_invitations")
    inv = inv.filter(inv.sent_at.notnull())
    inv = _time_filter(inv, "sent_at", "sent_on", filters)
    inv = _common_filters(inv, filters, day="sent_on")
    return _grouped_expr(inv, "sent_on", period, by, _INVITATION_MEASURES)


def _complaints_expr(
    period: str | None,
    by: tuple[str, ...],
    filters: Filters,
    sources: tuple[str, ...],
    topics: TopicSource | None,
) -> ir.Table:
    f = table("feedback")
    f = f.filter(f.source.isin(list(sources)))
    f = _time_filter(f, "occurred_at", "occurred_on", filters)
    f = _common_filters(f, filters)
    if filters.models:
        f = f.filter(f.product_model.isin(list(filters.models)))
    if topics is not None:
        f = topics.apply(f)
    f = f.mutate(model=f.product_model)
    return _grouped_expr(f, "occurred_on", period, by, _COUNT)


def _interactions_expr(period: str | None, dims: tuple[str, ...], filters: Filters) -> ir.Table:
    i = table("interactions")
    i = _time_filter(i, "occurred_at", "occurred_on", filters)
    i = _common_filters(i, filters)
    return _grouped_expr(i, "occurred_on", period, dims, _COUNT)


def _spans(dims: tuple[str, ...], filters: Filters) -> ir.Table:
    """One holding span per customer (and model, when broken down by model)."""
    if dims or filters.models:
        hs = table("holding_spans")
        hs = hs.filter(hs.model.notnull())
        if filters.models:
            hs = hs.filter(hs.model.isin(list(filters.models)))
        spans = hs.group_by(["customer_id", *dims]).aggregate(
            started_on=hs.started_on.min(), ended_on=hs.ended_on.max()
        )
    else:
        spans = table("customer_spans")
    return _segment_filter(spans, filters, spans.customer_id)


def _holders_total_expr(dims: tuple[str, ...], filters: Filters) -> ir.Table:
    spans = _spans(dims, filters)
    if filters.start is not None:
        spans = spans.filter(spans.ended_on >= _naive(filters.start).date())
    if filters.end is not None:
        spans = spans.filter(spans.started_on < _naive(filters.end).date())
    if dims:
        return spans.group_by(list(dims)).aggregate(n=spans.count())
    return spans.aggregate(n=spans.count())


def _holders_moves_expr(period: str, dims: tuple[str, ...], filters: Filters) -> ir.Table:
    """Spans started and ended per period bucket: counted by day first (cheap keys), then
    the few day rows are truncated to the period."""
    spans = _spans(dims, filters)
    unit = _UNIT[period]
    moves = []
    for move, column in (("start", "started_on"), ("end", "ended_on")):
        daily = spans.group_by([*dims, spans[column].name("on")]).aggregate(n=spans.count())
        bucket = daily.on.truncate(unit).name("bucket")
        per = daily.group_by([*dims, bucket]).aggregate(n=daily.n.sum())
        moves.append(per.mutate(move=ibis.literal(move)))
    return moves[0].union(moves[1])


_BUILDERS: dict[str, Callable[..., ir.Table]] = {
    "answers": _answers_expr,
    "invitations": _invitations_expr,
    "complaints": _complaints_expr,
    "interactions": _interactions_expr,
    "holders_total": _holders_total_expr,
    "holders_moves": _holders_moves_expr,
}


def _period(period: str | None) -> str | None:
    if period is not None and period not in _UNIT:
        raise Invalid(f"period must be one of {', '.join(PERIODS)}", field="period")
    return period


def _grouped_expr(
    fact: ir.Table, day: str, period: str | None, by: Sequence[str], measures: Measures
) -> ir.Table:
    by = list(by)
    segs = [d for d in by if d.startswith(SEGMENT_PREFIX)]
    # a fact with its own model column (feedback.product_model) is not joined to holdings
    holding_dims = [d for d in by if d in CUSTOMER_DIMS and d not in fact.columns]
    late = [d for d in by if d in TOUCHPOINT_DIMS or d == "survey"]

    if segs or holding_dims:
        fact = _with_customer(fact)
    if segs:
        c = table("customers")
        joined = fact.left_join(c, fact.cust == c.id)
        fact = joined.select(
            *[joined[col] for col in fact.columns],
            **{_col(d): c.attributes.get(d.removeprefix(SEGMENT_PREFIX)) for d in segs},
        )
    if holding_dims:
        hs = table("holding_spans")
        on = fact[day]
        joined = fact.inner_join(
            hs, [fact.cust == hs.customer_id, hs.started_on <= on, hs.ended_on >= on]
        )
        extra = {}
        if "model" in holding_dims:
            extra[_col("model")] = hs.model
        if "product" in holding_dims:
            extra[_col("product")] = hs.product_code
        fact = joined.select(*[joined[c] for c in fact.columns if c not in extra], **extra)
        if "model" in holding_dims:
            fact = fact.filter(fact[_col("model")].notnull())

    # first by day and touchpoint number (small keys over the big table) ...
    keys: dict[str, ir.Value] = {}
    if period is not None:
        keys["day"] = fact[day]
    for d in by:
        if d in TOUCHPOINT_DIMS:
            keys["touchpoint_no"] = fact.touchpoint_no
        elif d == "survey":
            keys["survey_id"] = fact.survey_id
        elif d in fact.columns:
            keys[_col(d)] = fact[d]
        else:
            keys[_col(d)] = fact[_col(d)]
    agg = {name: fn(fact) for name, fn in measures.items()}
    grouped = fact.group_by(**keys).aggregate(**agg) if keys else fact.aggregate(**agg)
    # ... then, over those few rows, days to periods and numbers to labels
    if late or period is not None:
        grouped = _second_stage(grouped, by, list(measures), period)
    return grouped


def nps_expression(
    *, period: str | None = None, by: Sequence[str] = (), filters: Filters = Filters()
) -> str:
    """The SQL (DuckDB dialect) that kpi.nps runs, built afresh: for inspection and the bench."""
    _check_dims(by, SURVEY_DIMS)
    return str(ibis.to_sql(_answers_expr("nps", _period(period), tuple(by), filters), "duckdb"))


def _second_stage(
    grouped: ir.Table, by: list[str], measures: list[str], period: str | None
) -> ir.Table:
    """Maps days to their period and touchpoint numbers / survey ids to their keys (and stage,
    department) on the aggregated rows, then sums the additive measures per label."""
    labels: dict[str, ir.Value] = {}
    t = grouped
    if any(d in TOUCHPOINT_DIMS for d in by):
        tn = table("touchpoint_numbers")
        tp = table("touchpoints")
        j = t.left_join(tn, t.touchpoint_no == tn.no).left_join(tp, tn.id == tp.id)
        if "touchpoint" in by:
            labels[_col("touchpoint")] = tp.key
        if "stage" in by:
            st = table("journey_stages")
            j = j.left_join(st, tp.stage_id == st.id)
            labels[_col("stage")] = st.key
        if "department" in by:
            dp = table("departments")
            j = j.left_join(dp, tp.department_id == dp.id)
            labels[_col("department")] = dp.key
        t = j.select(*[j[c] for c in grouped.columns], **labels)
    if "survey" in by:
        sv = table("surveys")
        j = t.left_join(sv, t.survey_id == sv.id)
        t = j.select(*[j[c] for c in t.columns], **{_col("survey"): sv.key})
    keys: list[Any] = [_col(d) for d in by]
    if period is not None:
        bucket = t.day if period == "day" else t.day.truncate(_UNIT[period])
        keys = [bucket.cast("date").name("period"), *keys]
    return t.group_by(keys).aggregate(**{m: t[m].sum() for m in measures})


def _with_customer(fact: ir.Table) -> ir.Table:
    """Adds `cust`: the customer id after merges (a merged record resolves to its survivor)."""
    s = table("customer_survivors")
    joined = fact.left_join(s, fact.customer_id == s.customer_id)
    resolved = joined.select(
        *[joined[c] for c in fact.columns], cust=ibis.coalesce(s.survivor_id, fact.customer_id)
    )
    # a relation of its own (not a join chain), so that later joins can refer to `cust`
    return resolved.view()


def _common_filters(fact: ir.Table, filters: Filters, *, day: str | None = None) -> ir.Table:
    """Touchpoint, survey and segment filters for any fact with those id columns; with `day`,
    also the model filter through the customer's holdings on that day."""
    if filters.touchpoints:
        tp = table("touchpoints")
        tn = table("touchpoint_numbers")
        ids = tp.filter(tp.key.isin(list(filters.touchpoints))).id
        fact = fact.filter(fact.touchpoint_no.isin(tn.filter(tn.id.isin(ids)).no))
    if filters.surveys and "survey_id" in fact.columns:
        sv = table("surveys")
        fact = fact.filter(fact.survey_id.isin(sv.filter(sv.key.isin(list(filters.surveys))).id))
    if filters.segment or filters.members:
        fact = _with_customer(fact)
        fact = _segment_filter(fact, filters, fact.cust)
        fact = fact.drop("cust")
    if filters.models and day is not None:
        fact = _model_filter(fact, filters, day)
    return fact


def _model_filter(fact: ir.Table, filters: Filters, day: str) -> ir.Table:
    """Keeps facts of customers who held one of the models on the day (each fact once)."""
    fact = _with_customer(fact)
    hs = table("holding_spans")
    hs = hs.filter(hs.model.isin(list(filters.models)))
    on = fact[day]
    fact = fact.semi_join(hs, [fact.cust == hs.customer_id, hs.started_on <= on, hs.ended_on >= on])
    return fact.drop("cust")


def _segment_filter(fact: ir.Table, filters: Filters, customer: ir.Value) -> ir.Table:
    if filters.members is not None:
        fact = fact.filter(customer.isin(filters.members.table().customer_id))
    if not filters.segment:
        return fact
    c = table("customers")
    wanted = c
    for key, value in filters.segment:
        wanted = wanted.filter(wanted.attributes.get(key) == value)
    return fact.filter(customer.isin(wanted.id))


def _time_filter(fact: ir.Table, at: str, day: str, filters: Filters) -> ir.Table:
    """[start, end): on the day column when the bounds are whole days (the usual case, and
    cheaper), else on the timestamp."""
    for bound, keep in ((filters.start, "ge"), (filters.end, "lt")):
        if bound is None:
            continue
        value = _naive(bound)
        if value.time() == datetime.min.time():
            column, limit = fact[day], value.date()
        else:
            column, limit = fact[at], value
        fact = fact.filter(column >= limit if keep == "ge" else column < limit)
    return fact


# --- small helpers -----------------------------------------------------------------------------


def parse_by(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """'touchpoint,segment:tier' or a list of them → a tuple of dimension names."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    return tuple(p.strip() for p in parts if p.strip())


def _check_dims(by: Sequence[str], allowed: Sequence[str]) -> None:
    for d in by:
        ok = d in allowed or (d.startswith(SEGMENT_PREFIX) and len(d) > len(SEGMENT_PREFIX))
        if not ok or (d.startswith(SEGMENT_PREFIX) and allowed is COMPLAINT_DIMS):
            raise Invalid(
                f"cannot break down by '{d}'; use {', '.join(allowed)}"
                + (" or segment:<attribute>" if allowed is SURVEY_DIMS else ""),
                field="by",
            )
    if len(set(by)) != len(by):
        raise Invalid("a dimension is named twice", field="by")


def _col(dim: str) -> str:
    return "d_" + dim.replace(":", "__")


def _key(group: dict[str, Any], dims: Sequence[str]) -> tuple[Any, ...]:
    return tuple(group.get(d, group.get(_col(d))) for d in dims)


def _label(value: Any) -> str | None:
    return None if value is None else str(value)


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, "" if v is None else str(v)) for v in key)


def _naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def period_start(day: date, period: str) -> date:
    """The first day of the period (ISO weeks start on Monday) that contains `day`."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    raise Invalid(f"period must be one of {', '.join(PERIODS)}", field="period")


def next_period(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1)


def _periods_for(
    period: str | None, filters: Filters, seen: Iterable[date | None]
) -> list[date | None]:
    """Every period start of the range (the filter's, else the data's), so gaps show as 0."""
    if period is None:
        return [None]
    dates = [d for d in seen if d is not None]
    first = period_start(_naive(filters.start).date(), period) if filters.start else None
    last_excl = _naive(filters.end) if filters.end else None
    if first is None:
        if not dates:
            return []
        first = min(dates)
    if last_excl is None:
        if not dates:
            return []
        stop = next_period(max(dates), period)
    else:
        stop = last_excl.date() if last_excl.time() == datetime.min.time() else (
            last_excl.date() + timedelta(days=1)
        )  # fmt: skip
    out: list[date | None] = []
    p = first
    while p < stop:
        out.append(p)
        p = next_period(p, period)
    return out
