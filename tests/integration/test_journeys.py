"""Journeys on the analytical store and in the operational database: the DuckDB reconstruction
and every figure equal the pure-Python rules on random data; the hand-built funnel's numbers in
SQL; the tables the sync adds; the definitions' use cases (defaults, validation, changes)."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from sqlalchemy.orm import Session

import cxm.journeys.models  # noqa: F401  (registers the table until cxm.features imports it)
from cxm.analytics import journeys as aj
from cxm.analytics import metrics, sync
from cxm.analytics.store import Store
from cxm.cases import services as cases
from cxm.interactions.models import Interaction
from cxm.journeys import domain as d
from cxm.journeys import services
from cxm.journeys.domain import Event, Observation, Outcome, PathLevel, WebEvent
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.textanalytics.models import TextAnalysis
from tests import factories
from tests.unit.journeys.test_domain import AS_OF, SPEC, example

CHANNELS = {
    "web_home": "web", "web_tariffs": "web", "web_checkout": "web", "web_search": "web",
    "shop": "store", "hotline": "phone", "mail": "email", "tech": "field_service",
}  # fmt: skip


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


@dataclasses.dataclass
class World:
    events: list[Event]
    answers: list[Observation]
    sentiments: list[Observation]
    results: dict[str, int]  # search interaction id → results
    merged: dict[str, str]  # old customer id → survivor


def fill(store: Store, world: World, *, cases_: Sequence[Event] = ()) -> None:
    """Writes the world into the store's tables as the sync would (ids as the events' seq)."""
    numbers = {key: n for n, key in enumerate(sorted(CHANNELS), start=1)}
    tp_id = {key: str(uuid.uuid5(uuid.NAMESPACE_URL, key)) for key in CHANNELS}
    old = {new: o for o, new in world.merged.items()}  # one merged-away id per survivor

    def stored(customer: Any) -> str:
        return old.get(str(customer), str(customer))

    interactions = [e for e in world.events if e.type != d.CASE_RESOLVED]
    with store.transaction() as cur:
        for key, channel in CHANNELS.items():
            cur.execute(
                "INSERT INTO touchpoints (id, key, name_de, name_en, channel) "
                "VALUES (?, ?, ?, ?, ?)",
                [tp_id[key], key, key.upper(), key.title(), channel],
            )
            cur.execute("INSERT INTO touchpoint_numbers VALUES (?, ?)", [tp_id[key], numbers[key]])
        cur.register(
            "x",
            pa.table(
                {
                    "id": [e.seq for e in interactions],
                    "customer_id": [stored(e.customer) for e in interactions],
                    "tp": [tp_id.get(e.touchpoint or "") for e in interactions],
                    "no": [numbers.get(e.touchpoint or "") for e in interactions],
                    "channel": [e.channel for e in interactions],
                    "type": [e.type for e in interactions],
                    "ts": [e.at for e in interactions],
                    "resolved": [e.resolved for e in interactions],
                }
            ),
        )
        cur.execute(
            """INSERT INTO interactions BY NAME
               SELECT CAST(id AS UUID) AS id, CAST(customer_id AS UUID) AS customer_id,
                      CAST(tp AS UUID) AS touchpoint_id, channel, 'in' AS direction, type,
                      ts AS occurred_at, CAST(ts AS DATE) AS occurred_on,
                      CAST(no AS INTEGER) AS touchpoint_no FROM x"""
        )
        cur.execute(
            f"INSERT INTO {aj.RESOLVED} SELECT CAST(id AS UUID), resolved FROM x "
            "WHERE resolved OR hash(id) % 3 = 0"
        )
        cur.unregister("x")
        for search_id, results in world.results.items():
            cur.execute(f"INSERT INTO {aj.SEARCHES} VALUES (?, ?)", [search_id, results])
        for e in [*(e for e in world.events if e.type == d.CASE_RESOLVED), *cases_]:
            cur.execute(
                f"INSERT INTO {aj.CASES} VALUES (?, ?, ?, ?)",
                [e.seq, stored(e.customer), tp_id.get(e.touchpoint or ""), e.at],
            )
        for o in world.answers:
            cur.execute(
                """INSERT INTO survey_answers (id, customer_id, type, score, submitted_at)
                   VALUES (uuid(), ?, 'nps', ?, ?)""",
                [stored(o.customer), int(o.value), o.at],
            )
        for o in world.sentiments:
            cur.execute(
                f"INSERT INTO {aj.SENTIMENT} VALUES (uuid(), ?, ?, ?)",
                [stored(o.customer), o.at, round(o.value * 1000)],
            )
        for merged, survivor in world.merged.items():
            cur.execute("INSERT INTO customer_survivors VALUES (?, ?)", [merged, survivor])


T0 = datetime(2025, 1, 1)
TYPES = ("page_view", "search", "call", "visit", "purchase", "order", "email", "complaint")


def random_world(seed: int, customers: int = 300) -> World:
    rng = random.Random(seed)
    events: list[Event] = []
    answers: list[Observation] = []
    sentiments: list[Observation] = []
    results: dict[str, int] = {}
    ids = [_uuid(rng) for _ in range(customers)]
    merged = {_uuid(rng): c for c in rng.sample(ids, customers // 10)}
    for customer in ids:
        at = T0 + timedelta(hours=rng.randrange(0, 24 * 30))
        for _ in range(rng.randrange(1, 25)):
            # many gaps near the 30-minute visit rule and the 4-day timeout, and some ties
            at += rng.choice(
                [timedelta(0), timedelta(minutes=1), timedelta(minutes=30), timedelta(minutes=31),
                 timedelta(hours=5), timedelta(days=4), timedelta(days=4, seconds=1),
                 timedelta(days=9)]
            )  # fmt: skip
            seq = _uuid(rng)
            if rng.random() < 0.05:
                tp = rng.choice([None, "hotline"])
                events.append(
                    Event(customer, at, seq, d.CASE_RESOLVED, tp, CHANNELS.get(tp or ""), True)
                )
                continue
            tp = rng.choice([*CHANNELS, None])
            type_ = rng.choice(TYPES)
            channel = CHANNELS[tp] if tp else rng.choice([None, "app"])
            events.append(Event(customer, at, seq, type_, tp, channel, rng.random() < 0.08))
            if type_ == "search" and rng.random() < 0.8:
                results[seq] = rng.choice([0, 0, 3, 12])
            if rng.random() < 0.25:
                when = at + rng.choice([timedelta(0), timedelta(hours=2), timedelta(days=5)])
                answers.append(Observation(customer, when, float(rng.randrange(0, 11))))
            if rng.random() < 0.15:
                when = at + timedelta(minutes=rng.randrange(0, 3000))
                sentiments.append(Observation(customer, when, rng.randrange(-1000, 1001) / 1000))
    return World(events, answers, sentiments, results, merged)


RANDOM_SPECS = [
    d.JourneySpec(
        "buy", "Kauf", "Buy",
        (
            d.Stage("orient", "O", "O", ("web_home", "web_tariffs", "web_search"), ("search",)),
            d.Stage("shop", "S", "S", ("shop", "web_checkout")),
            d.Stage("buy", "B", "B", (), ("purchase", "order")),
        ),
        d.Goal(types=("purchase",)),
        timedelta(days=4),
        d.WebSettings(("web_checkout",), ("web_home", "web_tariffs")),
    ),
    d.JourneySpec(
        "service", "Service", "Service",
        (
            d.Stage("contact", "K", "C", ("hotline", "mail"), ("complaint",)),
            d.Stage("fix", "F", "F", ("tech",), ("visit", d.CASE_RESOLVED)),
        ),
        d.Goal(resolved=True),
        timedelta(days=4),
        d.WebSettings(("web_search",), ("web_home",)),
    ),
]  # fmt: skip


def _norm(value: Any) -> Any:
    """Dataclasses as dicts with floats rounded, for comparisons across SQL and Python."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _norm(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 6)
    return value


@pytest.fixture(scope="module")
def world() -> World:
    return random_world(7)


@pytest.fixture(scope="module")
def store(world: World) -> Iterator[Store]:
    with Store(":memory:") as s:
        fill(s, world)
        yield s


def _in(events: Sequence[Event], start: datetime | None, end: datetime | None) -> list[Event]:
    return [e for e in events if (start is None or e.at >= start) and (end is None or e.at < end)]


PERIODS = [(None, None), (T0 + timedelta(days=10), T0 + timedelta(days=40))]


@pytest.mark.parametrize("spec", RANDOM_SPECS, ids=lambda s: s.key)
@pytest.mark.parametrize("period", PERIODS, ids=["all", "period"])
def test_duckdb_reconstruction_equals_the_python_rules_on_random_data(
    store: Store, world: World, spec: d.JourneySpec, period: tuple[datetime | None, datetime | None]
) -> None:
    start, end = period
    as_of = end or T0 + timedelta(days=60)
    expected = d.reconstruct(_in(world.events, start, end), spec)
    assert len(expected) > 200
    with aj.JourneyQuery(store, spec, as_of=as_of, start=start, end=end) as q:
        got = q.instances()
        assert got == sorted(expected, key=lambda i: (str(i.customer), i.number))
        counts = d.funnel_counts(expected, spec, as_of=as_of)
        assert _norm(q.funnel()) == _norm(d.funnel(counts, spec))
        for level in PathLevel:
            mine = d.path_counts(expected, spec, level=level, depth=4, as_of=as_of)
            assert _norm(q.paths(level=level, top=10, depth=4)) == _norm(
                d.paths(mine, level=level, top=10)
            )
        assert q.channel_switches() == d.channel_switches(*d.switch_counts(expected))
        assert q.lost() == d.lost(*d.lost_counts(expected, spec, as_of=as_of))


@pytest.mark.parametrize("spec", RANDOM_SPECS, ids=lambda s: s.key)
def test_duckdb_emotion_curve_equals_the_python_attribution(
    store: Store, world: World, spec: d.JourneySpec
) -> None:
    scores = d.attribute(world.events, world.answers, spec)
    sentiments = d.attribute(world.events, world.sentiments, spec)
    assert sum(len(v) for v in scores.values()) > 100
    expected = d.emotion_curve(
        spec,
        {k: d.ScoreStats.of(v) for k, v in scores.items()},
        {k: d.ScoreStats.of(v) for k, v in sentiments.items()},
        nps_question=True,
        t_quantile=metrics.t_ppf,
    )
    with aj.JourneyQuery(store, spec, as_of=T0 + timedelta(days=60)) as q:
        assert _norm(q.emotion()) == _norm(expected)
        q.funnel()  # from now on the steps come from the materialised events
        assert _norm(q.emotion()) == _norm(expected)


@pytest.mark.parametrize("spec", RANDOM_SPECS, ids=lambda s: s.key)
def test_duckdb_website_visits_equal_the_python_visits(
    store: Store, world: World, spec: d.JourneySpec
) -> None:
    web = [
        WebEvent(e.customer, e.at, e.seq, e.type, e.touchpoint, world.results.get(e.seq))
        for e in world.events
        if e.channel == "web" and e.type != d.CASE_RESOLVED
    ]
    expected = d.visit_summary(d.visit_groups(d.visits(web, spec.web)), top=10)
    assert expected[0].searches_without_result > 0 and expected[0].goal_reached > 0
    with aj.JourneyQuery(store, spec, as_of=T0 + timedelta(days=60)) as q:
        assert _norm(q.web_visits(top=10)) == _norm(expected)


def test_the_hand_built_funnel_has_the_same_numbers_in_sql() -> None:
    events = [dataclasses.replace(e, seq=str(uuid.UUID(int=int(e.seq) + 1))) for e in example()]
    customers = {
        c: str(uuid.UUID(int=n + 1000)) for n, c in enumerate(sorted({e.customer for e in events}))
    }
    events = [dataclasses.replace(e, customer=customers[str(e.customer)]) for e in events]
    with Store(":memory:") as s:
        fill(s, World(events, [], [], {}, {}))
        with aj.JourneyQuery(s, SPEC, as_of=AS_OF) as q:
            funnel = q.funnel()
            paths = q.paths(level=PathLevel.STAGE, top=3)
            switches = q.channel_switches()
            lost = q.lost()
    assert [s.reached for s in funnel.steps] == [7, 4, 3, 3]
    assert (funnel.goal, funnel.open, funnel.lost, funnel.customers) == (3, 1, 3, 5)
    assert funnel.steps[0].to_next == d.Durations(3, 86400.0, pytest.approx(155520.0))
    assert [(p.steps, p.outcome, p.instances) for p in paths.top] == [
        (("a",), Outcome.LOST, 2), (("a", "b", "c"), Outcome.GOAL, 2), (("a",), Outcome.OPEN, 1),
    ]  # fmt: skip
    assert (switches.switched, switches.multichannel) == (2, 3)
    assert [(r.key, r.instances) for r in lost.by_touchpoint] == [("web_home", 2), ("shop", 1)]


def test_an_empty_store_gives_empty_figures() -> None:
    with Store(":memory:") as s, aj.JourneyQuery(s, SPEC, as_of=AS_OF) as q:
        funnel = q.funnel()
        assert funnel.instances == 0 and [st.reached for st in funnel.steps] == [0, 0, 0, 0]
        assert funnel.steps[1].conversion is None
        assert q.paths().top == [] and q.channel_switches().rows == [] and q.lost().lost == 0
        assert all(p.score.n == 0 for p in q.emotion())
        assert q.web_visits()[0].visits == 0


# --- the sync and the operational database ------------------------------------------------------


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "analytics.duckdb") as s:
        yield s


def test_the_sync_copies_search_results_resolutions_cases_and_sentiment(
    db: Session, clock: FixedClock, file_store: Store
) -> None:
    now = clock.now()
    customer = factories.customer(db, now=now)
    hotline = factories.touchpoint(db, now=now, key="hotline", stage="service")
    search = factories.touchpoint(
        db, now=now, key="web_search", channel="web", stage="consideration"
    )
    at = now - timedelta(days=3)

    def add(tp: Any, type_: str, minutes: int, **props: Any) -> Interaction:
        row = Interaction(
            customer_id=customer.id, touchpoint_id=tp.id, channel=tp.channel, direction="in",
            type=type_, occurred_at=at + timedelta(minutes=minutes), properties=props,
        )  # fmt: skip
        db.add(row)
        db.flush()
        return row

    empty = add(search, "search", 0, query="kündigung", results=0)
    found = add(search, "search", 1, query="tarif", result_count=7)
    add(hotline, "call", 10, resolved=False, note='says "resolved" in text')
    solved = add(hotline, "call", 20, resolved=True)
    case = cases.open_case(
        db, customer_id=customer.id, subject="Rechnung", now=at, calendar_code="DE-BE",
        touchpoint_id=hotline.id,
    ).case  # fmt: skip
    case.resolved_at = at + timedelta(days=1)
    db.add(
        TextAnalysis(
            subject_type="interaction", subject_id=solved.id, source="call",
            customer_id=customer.id, touchpoint_id=hotline.id,
            occurred_at=at + timedelta(minutes=25),
            language="de", masked_text="…", sentiment="negative", sentiment_score=-0.6254,
            topics=[], flags=[], products=[], urgent=False, model_version="test",
        )
    )  # fmt: skip
    db.flush()
    report = sync.sync(db, store=file_store, now=now)
    assert {aj.SEARCHES, aj.RESOLVED, aj.CASES, aj.SENTIMENT} <= set(report["tables"])
    searches = file_store.query(f"SELECT CAST(id AS VARCHAR) AS id, results FROM {aj.SEARCHES}")
    rows = {r["id"]: r["results"] for r in searches}
    assert rows == {str(empty.id): 0, str(found.id): 7}
    flags = file_store.query(f"SELECT CAST(id AS VARCHAR) AS id, resolved FROM {aj.RESOLVED}")
    assert {r["id"]: r["resolved"] for r in flags}[str(solved.id)] is True
    assert sorted(r["resolved"] for r in flags) == [False, True]
    (case_row,) = file_store.query(f"SELECT CAST(id AS VARCHAR) AS id FROM {aj.CASES}")
    assert case_row["id"] == str(case.id)
    (mood,) = file_store.query(f"SELECT sentiment_milli FROM {aj.SENTIMENT}")
    assert mood["sentiment_milli"] == -625

    service = d.JourneySpec(
        "s", "S", "S", (d.Stage("contact", "K", "C", ("hotline",)),), d.Goal(resolved=True),
        timedelta(days=30),
    )  # fmt: skip
    with aj.JourneyQuery(file_store, service, as_of=now) as q:
        instances = q.instances()
        curve = q.emotion()
    # the resolved call ends the first instance; the case resolution is one on its own
    assert [(i.events, i.goal_at is not None) for i in instances] == [(2, True), (1, True)]
    assert curve[0].sentiment.n == 1 and curve[0].sentiment.mean == pytest.approx(-0.625)


def test_defaults_are_seeded_on_first_use_from_the_catalogue(
    db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    factories.touchpoint(db, now=now, key="web_home", channel="web", stage="awareness")
    factories.touchpoint(db, now=now, key="shop_koeln", channel="store", stage="purchase")
    factories.touchpoint(db, now=now, key="hotline", channel="phone", stage="service")
    rows = services.list_journeys(db, now=now)
    assert [j.key for j in rows] == ["new_contract", "complaint_service", "device_repair"]
    buy = services.spec_of(rows[0])
    assert buy.stages[0].touchpoints == ("web_home",) and buy.stages[1].touchpoints == (
        "shop_koeln",
    )  # fmt: skip
    assert buy.timeout == timedelta(days=30)
    assert len(services.list_journeys(db, now=now)) == 3  # seeded once


def test_a_journey_is_created_changed_and_removed(db: Session, clock: FixedClock) -> None:
    now = clock.now()
    factories.touchpoint(db, now=now, key="hotline", channel="phone", stage="service")
    stages = [
        d.Stage("call", "Anruf", "Call", ("hotline",)),
        d.Stage("fix", "Fix", "Fix", (), ("visit",)),
    ]
    journey = services.create_journey(
        db, key="fault", name_de="Störung", name_en="Fault", stages=stages,
        goal=d.Goal(resolved=True), timeout_hours=72, now=now,
    )  # fmt: skip
    assert journey.position == 3 and services.spec_of(journey).stages == tuple(stages)
    with pytest.raises(Conflict) as conflict:
        services.create_journey(
            db, key="fault", name_de="x", name_en="x", stages=stages, goal=d.Goal(resolved=True),
            now=now,
        )  # fmt: skip
    assert conflict.value.field == "key"
    changed = services.update_journey(
        db, "fault", now=now + timedelta(hours=1), stages=stages[:1], timeout_hours=24,
        description="kurz",
    )  # fmt: skip
    assert (
        changed.timeout_hours == 24 and len(changed.stages) == 1 and changed.description == "kurz"
    )
    with pytest.raises(Invalid) as invalid:
        services.update_journey(db, "fault", now=now, stages=[d.Stage("x", "X", "X", ("gone",))])
    assert invalid.value.field == "stages[0].touchpoints"
    assert invalid.value.extra["problems"][0]["field"] == "stages[0].touchpoints"
    services.delete_journey(db, "fault", now=now)
    with pytest.raises(NotFound):
        services.get_journey(db, "fault", now=now)


def test_an_invalid_journey_is_refused_naming_the_field(db: Session, clock: FixedClock) -> None:
    with pytest.raises(Invalid) as empty:
        services.create_journey(
            db, key="none", name_de="x", name_en="x", stages=[], goal=d.Goal(types=("x",)),
            now=clock.now(),
        )  # fmt: skip
    assert empty.value.field == "stages"


def test_timestamps_with_a_zone_are_read_as_utc() -> None:
    aware = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert aj.naive_utc(aware) == datetime(2026, 3, 2, 10, 0)
    assert aj.naive_utc(None) is None


def test_figures_of_a_synced_store_are_kept_until_the_next_sync(world: World) -> None:
    spec, as_of = RANDOM_SPECS[0], T0 + timedelta(days=60)
    wanted: list[tuple[str, dict[str, Any]]] = [("funnel", {}), ("paths", {"top": 3})]
    with Store(":memory:") as s:
        fill(s, world)
        unsynced = aj.figures(s, spec, wanted, as_of=as_of)
        assert aj.figures(s, spec, wanted, as_of=as_of)[0] is not unsynced[0]  # no sync: no cache

        def synced(at: datetime) -> None:
            with s.transaction() as cur:
                cur.execute(
                    "INSERT OR REPLACE INTO analytics_meta VALUES ('last_sync_finished_at', ?)",
                    [at.isoformat()],
                )

        synced(T0)
        funnel, paths = aj.figures(s, spec, wanted, as_of=as_of)
        assert _norm(funnel) == _norm(unsynced[0]) and len(paths.top) == 3
        again = aj.figures(s, spec, [("paths", {"top": 3}), ("lost", {})], as_of=as_of)
        assert again[0] is paths
        assert aj.figures(s, spec, wanted, as_of=as_of + timedelta(days=1))[0] is not funnel
        synced(T0 + timedelta(hours=1))
        assert aj.figures(s, spec, wanted, as_of=as_of)[0] is not funnel
