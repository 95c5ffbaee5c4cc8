"""The dashboard's figures from the analytical store: KPI tiles with their change against the
previous period (and whether it is significant), NPS and CSAT by month, NPS by touchpoint,
complaint rate by topic and month, and the most frequent text topics with their sentiment;
filtered by period, touchpoint and segment (an attribute value or a saved segment's members).
And what drives loyalty: the top key drivers of NPS and moments of truth (cxm.insights)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from cachetools import TTLCache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.analytics import drivers, kpi
from cxm.analytics.engine import Engine
from cxm.analytics.store import Store, table
from cxm.insights import services as insights
from cxm.segments import services as segments
from cxm.shared.errors import Invalid, NotFound
from cxm.textanalytics.domain import Sentiment
from cxm.textanalytics.models import TextAnalysis, TextTopic
from cxm.touchpoints.models import Touchpoint

PERIOD_MONTHS = (3, 6, 12, 24)
DEFAULT_MONTHS = 6
TOPIC_TAXONOMY = "customer_service"


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    value: float | None
    unit: str
    delta: float | None
    significant: bool | None
    n: int


@dataclass(frozen=True, slots=True)
class SavedSegment:
    """A saved segment chosen as the filter, with its members now."""

    id: uuid.UUID
    name: str
    members: kpi.Members

    @property
    def value(self) -> str:
        return saved_value(self.id)


def saved_value(segment_id: uuid.UUID) -> str:
    """The segment filter's URL value for a saved segment."""
    return f"saved:{segment_id}"


@dataclass(frozen=True, slots=True)
class Selection:
    """What the dashboard's filters chose: the last `months` calendar months (the current one
    included), a touchpoint, and a customer segment: an attribute=value pair or a saved
    segment (its members)."""

    months: int = DEFAULT_MONTHS
    touchpoint: str | None = None
    segment: tuple[str, str] | None = None
    saved: SavedSegment | None = None

    def start(self, now: datetime) -> datetime:
        first = kpi.period_start(now.astimezone(UTC).date(), "month")
        for _ in range(self.months - 1):
            first = kpi.period_start(first - timedelta(days=1), "month")
        return datetime.combine(first, time.min, UTC)

    def end(self, now: datetime) -> datetime:
        """Midnight after today: whole days are the analytical store's cheap case."""
        return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time.min, UTC)

    def filters(self, now: datetime | None = None) -> kpi.Filters:
        return kpi.Filters(
            start=self.start(now) if now else None,
            end=self.end(now) if now else None,
            touchpoints=(self.touchpoint,) if self.touchpoint else (),
            segment=(self.segment,) if self.segment else (),
            members=self.saved.members if self.saved else None,
        )

    @property
    def segmented(self) -> bool:
        return self.segment is not None or self.saved is not None

    def month_starts(self, now: datetime) -> list[date]:
        out, p = [], self.start(now).date()
        while p <= now.astimezone(UTC).date():
            out.append(p)
            p = kpi.next_period(p, "month")
        return out


@dataclass(frozen=True, slots=True)
class Trend:
    """NPS and CSAT per month (None where suppressed below min_n or without answers)."""

    months: list[date]
    nps: list[float | None]
    nps_n: list[int]
    csat: list[float | None]
    csat_n: list[int]

    @property
    def empty(self) -> bool:
        return not any(self.nps_n) and not any(self.csat_n)


@dataclass(frozen=True, slots=True)
class TopicSentiment:
    topic: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _value(metric: str, result: Any) -> tuple[float | None, int]:
    if metric == "ces":
        return result.mean, result.n
    return result.value, result.n


def tiles(
    store: Store,
    *,
    now: datetime,
    days: int = 30,
    min_n: int = 30,
    filters: kpi.Filters | None = None,
) -> list[Tile]:
    """NPS, CSAT, CES and response rate of the last `days` against the `days` before."""
    out = []
    for metric, unit in (("nps", ""), ("csat", "%"), ("ces", ""), ("response_rate", "%")):
        result = kpi.compare(
            store,
            metric,
            current=(now - timedelta(days=days), now),
            filters=filters or kpi.Filters(),
            min_n=min_n,
        )
        if not result.rows:
            out.append(Tile(metric, None, unit, None, None, 0))
            continue
        row = result.rows[0]
        value, n = _value(metric, row.current)
        out.append(Tile(metric, value, unit, row.change.delta, row.change.significant, n))
    return out


def trend(store: Store, *, now: datetime, selection: Selection, min_n: int = 30) -> Trend:
    """NPS and CSAT per calendar month of the selection, every month present (gaps as None)."""
    months = selection.month_starts(now)
    filters = selection.filters(now)
    args: dict[str, Any] = {"period": "month", "filters": filters, "min_n": min_n}
    nps = {r.period: r.result for r in kpi.nps(store, **args).rows}
    csat = {r.period: r.result for r in kpi.csat(store, **args).rows}
    return Trend(
        months=months,
        nps=[_round(nps[m].value) if m in nps else None for m in months],
        nps_n=[nps[m].n if m in nps else 0 for m in months],
        csat=[_round(csat[m].value) if m in csat else None for m in months],
        csat_n=[csat[m].n if m in csat else 0 for m in months],
    )


def nps_by_touchpoint(
    store: Store,
    *,
    now: datetime,
    days: int = 90,
    min_n: int = 30,
    filters: kpi.Filters | None = None,
) -> list[Any]:
    """NPS per touchpoint over the last `days` (or the filters' period), weakest first
    (suppressed ones last)."""
    chosen = filters or kpi.Filters(start=now - timedelta(days=days), end=now)
    result = kpi.nps(store, by=["touchpoint"], filters=chosen, min_n=min_n)
    return sorted(
        result.rows,
        key=lambda r: (r.result.value is None, r.result.value if r.result.value is not None else 0),
    )


def complaint_rate_by_topic(
    store: Store,
    *,
    now: datetime,
    months: int = 6,
    min_n: int = 30,
    filters: kpi.Filters | None = None,
) -> list[Any]:
    """Complaints per 1,000 interactions by topic and month over the last months (or the
    filters' period); suppressed in months with fewer than `min_n` interactions."""
    result = kpi.complaint_rate(
        store,
        period="month",
        by=["topic"],
        filters=filters or kpi.Filters(start=now - timedelta(days=31 * months), end=now),
        exposure="interactions",
        min_n=min_n,
    )
    return result.rows


def topic_sentiment(
    db: Session,
    *,
    start: datetime,
    end: datetime,
    touchpoint: str | None = None,
    limit: int = 10,
) -> list[TopicSentiment]:
    """The most frequent customer-service topics of analysed texts in [start, end), each with
    how often it was said negatively, neutrally and positively (the topic's own sentiment)."""
    query = (
        select(TextTopic.topic, TextTopic.sentiment, func.count())
        .where(
            TextTopic.taxonomy == TOPIC_TAXONOMY,
            TextTopic.occurred_at >= start,
            TextTopic.occurred_at < end,
        )
        .group_by(TextTopic.topic, TextTopic.sentiment)
    )
    if touchpoint:
        query = (
            query.join(TextAnalysis, TextAnalysis.id == TextTopic.analysis_id)
            .join(Touchpoint, Touchpoint.id == TextAnalysis.touchpoint_id)
            .where(Touchpoint.key == touchpoint)
        )
    found: dict[str, dict[str, int]] = {}
    for topic, sentiment, n in db.execute(query):
        counts = found.setdefault(topic, {s.value: 0 for s in Sentiment})
        counts[sentiment] = counts.get(sentiment, 0) + int(n)
    rows = [TopicSentiment(topic, counts) for topic, counts in found.items()]
    rows.sort(key=lambda r: (-r.total, r.topic))
    return rows[:limit]


T = TypeVar("T")

# Dashboard figures that read many rows are kept for a short while (CXM_DASHBOARD_CACHE_SECONDS,
# like the analytical store's own lag): a CX dashboard is refreshed far more often than it changes.
_cache: TTLCache[Hashable, tuple[float, Any]] = TTLCache(maxsize=512, ttl=3600)
_cache_lock = threading.Lock()


def cached(key: Hashable, compute: Callable[[], T], *, ttl: float) -> T:
    """compute() once per key within ttl seconds (ttl <= 0: always compute)."""
    if ttl <= 0:
        return compute()
    now = datetime.now(UTC).timestamp()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _cache_lock:
        _cache[key] = (now, value)
    return value


_refreshing: set[Hashable] = set()
_log = logging.getLogger(__name__)


def cached_in_background(
    key: Hashable,
    compute: Callable[[Session], T],
    *,
    ttl: float,
    db: Session,
    new_session: Callable[[], Session],
) -> T | None:
    """Like `cached`, for figures too slow for a request (the driver analysis takes seconds at
    a million answers): a missing or expired value is computed in a background thread with a
    session of its own, while the request gets the last value, or None until the first is
    ready. ttl <= 0 (tests): computed now with `db`."""
    if ttl <= 0:
        return compute(db)
    now = datetime.now(UTC).timestamp()
    with _cache_lock:
        hit = _cache.get(key)
        fresh = hit is not None and now - hit[0] < ttl
        start = not fresh and key not in _refreshing
        if start:
            _refreshing.add(key)

    def refresh() -> None:
        try:
            with new_session() as own:
                value = compute(own)
            with _cache_lock:
                _cache[key] = (datetime.now(UTC).timestamp(), value)
        except Exception:  # the page keeps its last value; the next request tries again
            _log.exception("dashboard figure %r could not be computed", key)
        finally:
            with _cache_lock:
                _refreshing.discard(key)

    if start:
        threading.Thread(target=refresh, name="cxm-dashboard-refresh", daemon=True).start()
    return hit[1] if hit is not None else None


def interactions_since(store: Store, since: datetime) -> int:
    """Interactions that occurred since the instant, counted in the analytical store (the
    operational log has no time index, by design: reports read the store)."""
    i = table("interactions")
    rows = store.execute(i.filter(i.occurred_at >= since).aggregate(n=i.id.count()))
    return int(rows[0]["n"]) if rows else 0


def segment_options(store: Store, *, max_values: int = 12) -> list[tuple[str, str]]:
    """(attribute, value) pairs to filter by: customer attributes with 2 to `max_values`
    distinct values (free-text-like attributes such as a city or a date are left out)."""
    c = table("customers")
    c = c.filter(c.merged_into_id.isnull())
    keyed = c.select(c.attributes, k=c.attributes.keys().unnest())
    pairs = keyed.select(keyed.k, v=keyed.attributes.get(keyed.k))
    counted = pairs.group_by(["k", "v"]).aggregate(n=pairs.k.count())
    values: dict[str, list[str]] = {}
    for row in store.execute(counted.order_by(["k", "v"])):
        if row["k"] is not None and row["v"] is not None:
            values.setdefault(str(row["k"]), []).append(str(row["v"]))
    return [(k, v) for k, vs in sorted(values.items()) if 2 <= len(vs) <= max_values for v in vs]


def saved_segment(
    db: Session, value: str, *, now: datetime, ttl: float, cache_key: Hashable = None
) -> SavedSegment | None:
    """The saved segment a filter value ("saved:<id>") names, with its members now (kept for
    `ttl` seconds per segment version); None for any other value."""
    prefix, _, raw = value.partition(":")
    if prefix != "saved":
        return None
    try:
        segment_id = uuid.UUID(raw)
        segment = segments.get_segment(db, segment_id)
    except (ValueError, NotFound):  # a malformed or unknown id selects nothing
        return None
    try:
        members = cached(
            ("members", cache_key, segment.id, segment.updated_at),
            lambda: kpi.Members.of(segments.member_ids(db, segment.id, now=now)),
            ttl=ttl,
        )
    except Invalid:  # a rule saved before its field changed: offer everyone, not an error page
        return None
    return SavedSegment(segment.id, segment.name, members)


def saved_segment_options(db: Session) -> list[tuple[str, str]]:
    """(filter value, name) of every saved segment, by name."""
    return [(saved_value(s.id), s.name) for s in segments.list_segments(db)]


# --- what drives loyalty -----------------------------------------------------------------------

LOYALTY_WINDOW_DAYS = 365
# The insights page resamples 200 times; the start page needs the ranking, not the third digit
# of an interval, and is drawn far more often.
LOYALTY_BOOTSTRAP = 100
LOYALTY_TOP = 6


@dataclass(frozen=True, slots=True)
class DriverBar:
    key: str
    kind: str  # touchpoint | topic
    ref: str  # the touchpoint key or the topic code
    name_de: str
    name_en: str
    share: float  # % of R²
    low: float
    high: float
    r: float
    n: int


@dataclass(frozen=True, slots=True)
class Moment:
    touchpoint: str
    name_de: str
    name_en: str
    rank: int
    share: float
    low: float
    high: float
    performance: float
    n: int
    quadrant: str


@dataclass(frozen=True, slots=True)
class Loyalty:
    """The top key drivers of NPS and the top moments of truth, or why there are none
    (`problem`): small enough to keep in the cache (the analysis itself holds every row)."""

    drivers: list[DriverBar] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    n: int = 0
    r2: float | None = None
    total_drivers: int = 0
    problem: str | None = None

    @property
    def empty(self) -> bool:
        return not self.drivers


def loyalty(
    db: Session,
    *,
    now: datetime,
    engine: Engine | None = None,
    window_days: int = LOYALTY_WINDOW_DAYS,
    bootstrap: int = LOYALTY_BOOTSTRAP,
    top: int = LOYALTY_TOP,
) -> Loyalty:
    """The `top` key drivers of NPS over the window (relative weights with bootstrap intervals)
    and the `top` moments of truth; an empty Loyalty with the reason when the data do not
    support an analysis. Reads the analytical store through `engine` (see
    cxm.insights.services.driver_analysis)."""
    try:
        analysis = insights.driver_analysis(
            db, now=now, engine=engine, outcome="nps", window_days=window_days,
            bootstrap=bootstrap,
        )  # fmt: skip
    except Invalid as exc:
        return Loyalty(problem=exc.message)
    result = analysis.result
    if not result.weights:
        return Loyalty(problem="no driver kept")

    def info(key: str) -> drivers.DriverInfo:
        found = analysis.info(key)
        return found or drivers.DriverInfo(key, "touchpoint", key, key, key)

    bars = []
    for w in result.weights[:top]:
        d = info(w.key)
        bars.append(
            DriverBar(
                key=w.key,
                kind=d.kind,
                ref=d.ref,
                name_de=d.name_de,
                name_en=d.name_en,
                share=_r(w.share),
                low=_r(w.share_low),
                high=_r(w.share_high),
                r=_r(w.r, 2),
                n=w.n,
            )
        )
    moments = []
    for m in analysis.moments[:top]:
        d = info(f"touchpoint:{m.touchpoint}")
        moments.append(
            Moment(
                touchpoint=m.touchpoint,
                name_de=d.name_de,
                name_en=d.name_en,
                rank=m.rank,
                share=_r(m.share),
                low=_r(m.share_low),
                high=_r(m.share_high),
                performance=_r(m.performance),
                n=m.n,
                quadrant=m.quadrant.value,
            )
        )
    return Loyalty(
        drivers=bars,
        moments=moments,
        n=result.n,
        r2=drivers.finite(result.r2),
        total_drivers=len(result.weights),
    )


def _r(value: float, digits: int = 1) -> float:
    return round(float(value), digits) if value == value else 0.0


def touchpoint_options(db: Session) -> Sequence[Touchpoint]:
    return db.scalars(select(Touchpoint).order_by(Touchpoint.key)).all()


def pivot(rows: list[Any]) -> dict[str, Any]:
    """Complaint rate rows → {months: [...], topics: {topic: {month: rate}}}."""
    months = sorted({r.period for r in rows if r.period})
    topics: dict[str, dict[Any, Any]] = {}
    for r in rows:
        topics.setdefault(str(r.group.get("topic")), {})[r.period] = r.result
    return {"months": months, "topics": dict(sorted(topics.items()))}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)
