"""Journey rules (pure): definitions and their validation, default journeys from the touchpoint
catalogue, the reconstruction of journey instances from a customer's ordered interactions, and
the funnel, path, channel-switch, lost-journey, emotion-curve and website-visit figures.

Definitions used throughout (the API docs and the page notes repeat them for users):

- An *event* is one interaction (or a case resolution) of one customer. It belongs to the
  journey's stage with the **highest** position whose touchpoint keys contain its touchpoint
  **or** whose interaction types contain its type; it is a *goal event* when the goal matches it
  the same way, or (goal ``resolved``) when it was marked resolved / is a case resolution.
  Events that match neither are ignored.
- A customer's relevant events, ordered by (time, id), form *instances*: a new instance starts
  with the first event, after a gap longer than the timeout, and after a goal event (the goal
  ends its instance).
- An instance's *level* is 1 + the highest stage position reached (1..k), or k + 1 when it
  reached the goal. The funnel counts, per step, the instances whose level is at least that
  step ("reached this stage or a later one"): entering at stage 3 counts for stages 1 and 2 too,
  so the funnel never rises.
- An instance without the goal is *open* while its last event is no older than the timeout at
  the as-of time (it may still go on); otherwise it is *lost* (stopped before the goal).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CASE_RESOLVED = "case_resolved"
"""The type of the pseudo-event a resolved case contributes (usable in stages and goals)."""
MAX_STAGES = 12
DEFAULT_TIMEOUT_HOURS = 30 * 24
GOAL_NAME = ("Ziel erreicht", "Goal reached")
T = TypeVar("T")
VISIT_GAP = timedelta(minutes=30)
"""A website visit ends after 30 minutes without a web interaction (the web-analytics rule)."""


class Outcome(StrEnum):
    GOAL = "goal"
    OPEN = "open"
    LOST = "lost"


class PathLevel(StrEnum):
    STAGE = "stage"
    TOUCHPOINT = "touchpoint"


# --- definitions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a journey: the union of its touchpoints and its interaction types."""

    key: str
    name_de: str
    name_en: str
    touchpoints: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def matches(self, touchpoint: str | None, type_: str) -> bool:
        return (touchpoint is not None and touchpoint in self.touchpoints) or type_ in self.types

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "touchpoints": list(self.touchpoints),
            "types": list(self.types),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stage:
        return cls(
            key=str(data["key"]),
            name_de=str(data.get("name_de") or data["key"]),
            name_en=str(data.get("name_en") or data.get("name_de") or data["key"]),
            touchpoints=tuple(data.get("touchpoints") or ()),
            types=tuple(data.get("types") or ()),
        )


@dataclass(frozen=True, slots=True)
class Goal:
    """What completes a journey: touchpoints or types (like a stage), and/or a resolution (an
    interaction with ``properties.resolved = true`` or a resolved case)."""

    name_de: str = GOAL_NAME[0]
    name_en: str = GOAL_NAME[1]
    touchpoints: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    resolved: bool = False

    def matches(self, touchpoint: str | None, type_: str, resolved: bool) -> bool:
        hit = (touchpoint is not None and touchpoint in self.touchpoints) or type_ in self.types
        return hit or (self.resolved and resolved)

    @property
    def empty(self) -> bool:
        return not (self.touchpoints or self.types or self.resolved)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name_de": self.name_de,
            "name_en": self.name_en,
            "touchpoints": list(self.touchpoints),
            "types": list(self.types),
            "resolved": self.resolved,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Goal:
        return cls(
            name_de=str(data.get("name_de") or GOAL_NAME[0]),
            name_en=str(data.get("name_en") or GOAL_NAME[1]),
            touchpoints=tuple(data.get("touchpoints") or ()),
            types=tuple(data.get("types") or ()),
            resolved=bool(data.get("resolved", False)),
        )


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Website visits for this journey: the pages that mean "found it" and the orientation pages
    (home, overviews, search, help) whose exits mean "gave up while still looking"."""

    goal_pages: tuple[str, ...] = ()
    orientation_pages: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal_pages": list(self.goal_pages),
            "orientation_pages": list(self.orientation_pages),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> WebSettings:
        data = data or {}
        return cls(
            goal_pages=tuple(data.get("goal_pages") or ()),
            orientation_pages=tuple(data.get("orientation_pages") or ()),
        )


@dataclass(frozen=True, slots=True)
class JourneySpec:
    """A journey definition as the rules need it."""

    key: str
    name_de: str
    name_en: str
    stages: tuple[Stage, ...]
    goal: Goal
    timeout: timedelta = timedelta(hours=DEFAULT_TIMEOUT_HOURS)
    web: WebSettings = field(default_factory=WebSettings)

    def stage_of(self, touchpoint: str | None, type_: str) -> int | None:
        """The highest stage position (0-based) the event matches, or None."""
        for index in range(len(self.stages) - 1, -1, -1):
            if self.stages[index].matches(touchpoint, type_):
                return index
        return None

    @property
    def steps(self) -> int:
        """Funnel steps: the stages and the goal."""
        return len(self.stages) + 1

    def step_keys(self) -> list[str]:
        return [s.key for s in self.stages] + [Outcome.GOAL.value]


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str


def validate(
    *,
    key: str | None,
    stages: Sequence[Stage],
    goal: Goal,
    timeout_hours: int,
    web: WebSettings,
    known_touchpoints: set[str] | None,
) -> list[Problem]:
    """Everything wrong with a definition, each naming its field (empty when valid)."""
    problems: list[Problem] = []
    if key is not None and not KEY_PATTERN.match(key):
        problems.append(Problem("key", "use lower-case letters, digits and _ (max. 64)"))
    if not stages:
        problems.append(Problem("stages", "a journey needs at least one stage"))
    if len(stages) > MAX_STAGES:
        problems.append(Problem("stages", f"at most {MAX_STAGES} stages"))
    seen: set[str] = set()
    for n, stage in enumerate(stages):
        where = f"stages[{n}]"
        if not KEY_PATTERN.match(stage.key):
            problems.append(Problem(f"{where}.key", "use lower-case letters, digits and _"))
        elif stage.key in seen or stage.key == Outcome.GOAL.value:
            problems.append(Problem(f"{where}.key", f"duplicate stage key '{stage.key}'"))
        seen.add(stage.key)
        if not stage.touchpoints and not stage.types:
            problems.append(Problem(where, "a stage needs touchpoints or interaction types"))
        problems += _unknown(f"{where}.touchpoints", stage.touchpoints, known_touchpoints)
        problems += _bad_types(f"{where}.types", stage.types)
    if goal.empty:
        problems.append(Problem("goal", "a goal needs touchpoints, interaction types or resolved"))
    problems += _unknown("goal.touchpoints", goal.touchpoints, known_touchpoints)
    problems += _bad_types("goal.types", goal.types)
    if timeout_hours < 1:
        problems.append(Problem("timeout_hours", "the timeout must be at least one hour"))
    problems += _unknown("web.goal_pages", web.goal_pages, known_touchpoints)
    problems += _unknown("web.orientation_pages", web.orientation_pages, known_touchpoints)
    return problems


def _unknown(where: str, keys: Iterable[str], known: set[str] | None) -> list[Problem]:
    if known is None:
        return []
    missing = sorted(set(keys) - known)
    if not missing:
        return []
    return [Problem(where, f"unknown touchpoint(s): {', '.join(missing)}")]


def _bad_types(where: str, types: Iterable[str]) -> list[Problem]:
    bad = sorted(t for t in types if not KEY_PATTERN.match(t))
    return [Problem(where, f"invalid interaction type(s): {', '.join(bad)}")] if bad else []


# --- defaults from the touchpoint catalogue ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """A touchpoint as the defaults need it: key, channel and catalogue stage key."""

    key: str
    channel: str
    stage: str | None


_CONTACT_CHANNELS = ("phone", "email", "chat", "web", "app", "letter", "social")


def default_journeys(catalogue: Sequence[CatalogueEntry]) -> list[JourneySpec]:
    """The three starting journeys, their stages filled from the catalogue's stages and channels
    (each stage also names interaction types, so it is valid with an empty catalogue)."""

    def keys(pred: Callable[[CatalogueEntry], bool]) -> tuple[str, ...]:
        return tuple(sorted(e.key for e in catalogue if pred(e)))

    web = "web"
    orientation = keys(lambda e: e.channel == web and e.stage in ("awareness", "consideration"))
    service_pages = keys(lambda e: e.channel == web and e.stage == "service")
    field_service = keys(lambda e: e.channel == "field_service" and e.stage != "purchase")
    month = timedelta(days=30)
    purchase_types = ("purchase", "order")
    return [
        JourneySpec(
            key="new_contract",
            name_de="Neuvertrag / Kauf",
            name_en="New contract / purchase",
            stages=(
                Stage(
                    "orientation",
                    "Suche & Information",
                    "Search & information",
                    keys(lambda e: e.stage in ("awareness", "consideration")),
                    ("search",),
                ),
                Stage(
                    "shop",
                    "Shop & Beratung",
                    "Shop & advice",
                    keys(
                        lambda e: (
                            e.channel == "store"
                            or (
                                e.stage == "purchase"
                                and e.channel in ("web", "phone", "chat", "app")
                            )
                        )
                    ),
                    ("visit",),
                ),
                Stage("purchase", "Kauf", "Purchase", (), purchase_types),
            ),
            goal=Goal("Gekauft", "Purchased", (), purchase_types),
            timeout=month,
            web=WebSettings(
                keys(lambda e: e.channel == web and e.stage == "purchase"), orientation
            ),
        ),
        JourneySpec(
            key="complaint_service",
            name_de="Beschwerde / Service",
            name_en="Complaint / service",
            stages=(
                Stage(
                    "contact",
                    "Kontakt (Hotline, Formular, E-Mail)",
                    "Contact (hotline, form, e-mail)",
                    keys(lambda e: e.stage == "service" and e.channel in _CONTACT_CHANNELS),
                    ("complaint",),
                ),
                Stage(
                    "handling",
                    "Fall & Techniker",
                    "Case & technician",
                    field_service,
                    ("technician_visit",),
                ),
            ),
            goal=Goal("Gelöst", "Resolved", (), (CASE_RESOLVED,), resolved=True),
            timeout=month,
            web=WebSettings(service_pages, orientation),
        ),
        JourneySpec(
            key="device_repair",
            name_de="Gerätereparatur",
            name_en="Device repair",
            stages=(
                Stage(
                    "report",
                    "Störungsmeldung",
                    "Fault report",
                    keys(lambda e: e.stage == "service" and e.channel in ("phone", "chat", "app")),
                    ("repair_request",),
                ),
                Stage(
                    "repair",
                    "Reparatur (Shop, Techniker)",
                    "Repair (shop, technician)",
                    keys(lambda e: e.channel == "store") + field_service,
                    ("technician_visit", "repair"),
                ),
            ),
            goal=Goal("Repariert", "Repaired", (), ("repair_completed", CASE_RESOLVED), True),
            timeout=timedelta(days=21),
            web=WebSettings(service_pages, orientation),
        ),
    ]


# --- reconstruction ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """One interaction of a customer as the journey rules see it; `seq` breaks time ties (the
    interaction's id)."""

    customer: Hashable
    at: datetime
    seq: str
    type: str
    touchpoint: str | None = None
    channel: str | None = None
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class Instance:
    """One journey of one customer."""

    customer: Hashable
    number: int  # 1, 2, ... per customer
    started_at: datetime
    ended_at: datetime
    stage_reached: int | None  # highest 0-based stage position; None: only goal events
    first_at: tuple[datetime | None, ...]  # per stage: its first event
    goal_at: datetime | None
    events: int
    channels: tuple[str, ...]  # distinct, sorted
    first_channel: str | None
    last_channel: str | None
    last_touchpoint: str | None
    stage_path: tuple[int, ...]  # stage positions in order, repeats collapsed
    touchpoint_path: tuple[str, ...]  # touchpoints in order, repeats collapsed

    @property
    def goal_reached(self) -> bool:
        return self.goal_at is not None

    def level(self, stages: int) -> int:
        """Funnel steps reached: 1 + highest stage, or stages + 1 with the goal."""
        if self.goal_reached:
            return stages + 1
        return 0 if self.stage_reached is None else self.stage_reached + 1

    def outcome(self, as_of: datetime, timeout: timedelta) -> Outcome:
        if self.goal_reached:
            return Outcome.GOAL
        return Outcome.OPEN if self.ended_at + timeout > as_of else Outcome.LOST


def judged_at(now: datetime, end: datetime | None, synced: datetime | None) -> datetime:
    """When open journeys are told from lost ones: the end of the period, the data's last sync
    or now, whichever is earliest (so the figures do not change between two syncs)."""
    return min([now, *(t for t in (end, synced) if t is not None)])


def reconstruct(events: Iterable[Event], spec: JourneySpec) -> list[Instance]:
    """Every customer's journey instances, by the rules in this module's docstring; grouped by
    customer (in order of first appearance), each customer's in time order."""
    by_customer: dict[Hashable, list[Event]] = defaultdict(list)
    for event in events:
        by_customer[event.customer].append(event)
    out: list[Instance] = []
    for customer, items in by_customer.items():
        items.sort(key=lambda e: (e.at, e.seq))
        current: list[tuple[Event, int | None, bool]] = []
        number = 0
        for event in items:
            stage = spec.stage_of(event.touchpoint, event.type)
            goal = spec.goal.matches(event.touchpoint, event.type, event.resolved)
            if stage is None and not goal:
                continue
            if current and (current[-1][2] or event.at - current[-1][0].at > spec.timeout):
                number += 1
                out.append(_instance(customer, number, current, spec))
                current = []
            current.append((event, stage, goal))
        if current:
            out.append(_instance(customer, number + 1, current, spec))
    return out


def _instance(
    customer: Hashable, number: int, items: list[tuple[Event, int | None, bool]], spec: JourneySpec
) -> Instance:
    first_at: list[datetime | None] = [None] * len(spec.stages)
    stages = [s for _, s, _ in items if s is not None]
    for event, stage, _ in items:
        if stage is not None and first_at[stage] is None:
            first_at[stage] = event.at
    goal_at = next((e.at for e, _, g in items if g), None)
    channels = [e.channel for e, _, _ in items if e.channel is not None]
    touchpoints = [e.touchpoint for e, _, _ in items if e.touchpoint is not None]
    return Instance(
        customer=customer,
        number=number,
        started_at=items[0][0].at,
        ended_at=items[-1][0].at,
        stage_reached=max(stages) if stages else None,
        first_at=tuple(first_at),
        goal_at=goal_at,
        events=len(items),
        channels=tuple(sorted(set(channels))),
        first_channel=channels[0] if channels else None,
        last_channel=channels[-1] if channels else None,
        last_touchpoint=touchpoints[-1] if touchpoints else None,
        stage_path=tuple(_collapse(stages)),
        touchpoint_path=tuple(_collapse(touchpoints)),
    )


def _collapse(values: Sequence[T]) -> list[T]:
    return [v for n, v in enumerate(values) if n == 0 or v != values[n - 1]]


# --- statistics helpers ------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between order statistics (numpy's default,
    DuckDB's quantile_cont); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True, slots=True)
class Durations:
    """Seconds between two steps: n, median and 90th percentile."""

    n: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Durations:
        return cls(len(seconds), quantile(seconds, 0.5), quantile(seconds, 0.9))


@dataclass(frozen=True, slots=True)
class MeanInterval:
    """A mean with its two-sided 95 % Student-t interval: mean ± t(0.975, n−1)·s/√n."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    suppressed: bool = False


def mean_interval(
    n: int,
    mean: float | None,
    sd: float | None,
    *,
    t_quantile: Callable[[float, float], float],
    min_n: int = 1,
) -> MeanInterval:
    """The t interval from n, mean and sample standard deviation; no interval below n = 2;
    nothing shown (suppressed) below min_n. `t_quantile(q, df)` is Student's t quantile."""
    if n == 0 or mean is None:
        return MeanInterval(n, None, None, None, n < min_n)
    if n < min_n:
        return MeanInterval(n, None, None, None, True)
    if n < 2 or sd is None:
        return MeanInterval(n, mean, None, None)
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return MeanInterval(n, mean, mean - half, mean + half)


def mean_sd(values: Sequence[float]) -> tuple[int, float | None, float | None]:
    """n, mean and sample standard deviation (None where undefined)."""
    n = len(values)
    if n == 0:
        return 0, None, None
    mean = math.fsum(values) / n
    if n < 2:
        return n, mean, None
    return n, mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))


# --- funnel ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunnelCounts:
    """What the funnel arithmetic needs, from instances or from SQL: instances per (level,
    outcome) and the seconds from each step to the next (step i → i+1, the last to the goal)."""

    levels: Mapping[tuple[int, Outcome], int]
    customers: int
    durations: Sequence[Durations]


@dataclass(frozen=True, slots=True)
class FunnelStep:
    key: str
    position: int  # 1-based
    reached: int  # instances at this step or further
    share_of_start: float | None  # reached / reached at step 1
    conversion: float | None  # reached / reached at the previous step
    stopped: int  # instances whose furthest step is this one (not the goal)
    open: int  # ... of which still open
    lost: int  # ... of which lost (dropped off here)
    to_next: Durations | None  # seconds until the next step; None for the goal


@dataclass(frozen=True, slots=True)
class Funnel:
    instances: int
    customers: int
    goal: int
    open: int
    lost: int
    steps: list[FunnelStep]


def funnel_counts(
    instances: Sequence[Instance], spec: JourneySpec, *, as_of: datetime
) -> FunnelCounts:
    """Counts and durations of instances (the pure twin of the SQL aggregation)."""
    k = len(spec.stages)
    levels: Counter[tuple[int, Outcome]] = Counter(
        (i.level(k), i.outcome(as_of, spec.timeout)) for i in instances
    )
    durations: list[Durations] = []
    for step in range(k):
        seconds = []
        for i in instances:
            start = i.first_at[step]
            end = i.first_at[step + 1] if step + 1 < k else i.goal_at
            if start is not None and end is not None and end >= start:
                seconds.append((end - start).total_seconds())
        durations.append(Durations.of(seconds))
    return FunnelCounts(levels, len({i.customer for i in instances}), durations)


def funnel(counts: FunnelCounts, spec: JourneySpec) -> Funnel:
    """Conversion and drop-off between the steps (stages, then the goal)."""
    k = len(spec.stages)
    keys = spec.step_keys()
    total = sum(counts.levels.values())

    def at_least(level: int) -> int:
        return sum(v for (lv, _), v in counts.levels.items() if lv >= level)

    steps: list[FunnelStep] = []
    start = at_least(1)
    for pos in range(1, k + 2):
        reached = at_least(pos)
        previous = steps[-1].reached if steps else None
        is_goal = pos == k + 1
        open_here = 0 if is_goal else counts.levels.get((pos, Outcome.OPEN), 0)
        lost_here = 0 if is_goal else counts.levels.get((pos, Outcome.LOST), 0)
        steps.append(
            FunnelStep(
                key=keys[pos - 1],
                position=pos,
                reached=reached,
                share_of_start=_ratio(reached, start),
                conversion=None if previous is None else _ratio(reached, previous),
                stopped=open_here + lost_here,
                open=open_here,
                lost=lost_here,
                to_next=None if is_goal else counts.durations[pos - 1],
            )
        )
    by_outcome = Counter[Outcome]()
    for (_, outcome), v in counts.levels.items():
        by_outcome[outcome] += v
    return Funnel(
        instances=total,
        customers=counts.customers,
        goal=by_outcome[Outcome.GOAL],
        open=by_outcome[Outcome.OPEN],
        lost=by_outcome[Outcome.LOST],
        steps=steps,
    )


def _ratio(part: int, whole: int | None) -> float | None:
    return None if not whole else part / whole


# --- paths (Sankey) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathRow:
    steps: tuple[str, ...]  # stage or touchpoint keys
    outcome: Outcome
    instances: int
    share: float


@dataclass(frozen=True, slots=True)
class SankeyNode:
    id: str  # "<position>:<key>" so that a path never loops back (ECharts needs a DAG)
    key: str
    position: int


@dataclass(frozen=True, slots=True)
class SankeyLink:
    source: str
    target: str
    value: int


@dataclass(frozen=True, slots=True)
class Paths:
    level: PathLevel
    instances: int
    top: list[PathRow]
    other: int  # instances on paths outside the top
    nodes: list[SankeyNode]
    links: list[SankeyLink]


def path_counts(
    instances: Sequence[Instance],
    spec: JourneySpec,
    *,
    level: PathLevel,
    depth: int,
    as_of: datetime,
) -> Counter[tuple[tuple[str, ...], Outcome]]:
    """Instances per (path truncated to `depth` steps, outcome)."""
    counts: Counter[tuple[tuple[str, ...], Outcome]] = Counter()
    for i in instances:
        if level is PathLevel.STAGE:
            steps = tuple(spec.stages[s].key for s in i.stage_path[:depth])
        else:
            steps = i.touchpoint_path[:depth]
        counts[(steps, i.outcome(as_of, spec.timeout))] += 1
    return counts


def paths(
    counts: Mapping[tuple[tuple[str, ...], Outcome], int],
    *,
    level: PathLevel,
    top: int,
    total: int | None = None,
) -> Paths:
    """The `top` most common paths (ties by path, then outcome) and their Sankey graph: one node
    per (position, step), the outcome as the last node. `total`: all instances, when `counts`
    holds only the most common paths."""
    total = sum(counts.values()) if total is None else total
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1].value))[:top]
    rows = [PathRow(steps, outcome, n, n / total) for (steps, outcome), n in ranked]
    nodes: dict[str, SankeyNode] = {}
    links: Counter[tuple[str, str]] = Counter()
    for row in rows:
        chain = [*row.steps, row.outcome.value]
        ids = []
        for pos, key in enumerate(chain, start=1):
            node_id = f"{pos}:{key}"
            nodes.setdefault(node_id, SankeyNode(node_id, key, pos))
            ids.append(node_id)
        for a, b in zip(ids, ids[1:], strict=False):
            links[(a, b)] += row.instances
    return Paths(
        level=level,
        instances=total,
        top=rows,
        other=total - sum(r.instances for r in rows),
        nodes=sorted(nodes.values(), key=lambda n: (n.position, n.key)),
        links=[SankeyLink(a, b, v) for (a, b), v in sorted(links.items())],
    )


# --- channel switches --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SwitchRow:
    first_channel: str
    last_channel: str
    instances: int
    share: float


@dataclass(frozen=True, slots=True)
class ChannelSwitches:
    instances: int  # with a channel
    switched: int  # first channel ≠ last channel
    multichannel: int  # more than one channel used
    rows: list[SwitchRow]


def switch_counts(instances: Sequence[Instance]) -> tuple[Counter[tuple[str, str]], int]:
    """(first, last) channel counts and the number of instances using several channels."""
    pairs: Counter[tuple[str, str]] = Counter()
    multi = 0
    for i in instances:
        if i.first_channel is None or i.last_channel is None:
            continue
        pairs[(i.first_channel, i.last_channel)] += 1
        multi += len(i.channels) > 1
    return pairs, multi


def channel_switches(pairs: Mapping[tuple[str, str], int], multichannel: int) -> ChannelSwitches:
    """ "Started on web, ended on the hotline": instances per first → last channel."""
    total = sum(pairs.values())
    rows = [
        SwitchRow(a, b, n, n / total)
        for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    switched = sum(n for (a, b), n in pairs.items() if a != b)
    return ChannelSwitches(total, switched, multichannel, rows)


# --- lost journeys -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LostRow:
    key: str | None  # touchpoint or stage key (None: none known)
    instances: int
    share: float


@dataclass(frozen=True, slots=True)
class Lost:
    """Journeys that stopped before the goal (lost sales, aborted consultations)."""

    instances: int
    lost: int
    by_touchpoint: list[LostRow]
    by_stage: list[LostRow]


def lost_counts(
    instances: Sequence[Instance], spec: JourneySpec, *, as_of: datetime
) -> tuple[int, Counter[str | None], Counter[str | None]]:
    by_tp: Counter[str | None] = Counter()
    by_stage: Counter[str | None] = Counter()
    for i in instances:
        if i.outcome(as_of, spec.timeout) is Outcome.LOST:
            by_tp[i.last_touchpoint] += 1
            by_stage[None if i.stage_reached is None else spec.stages[i.stage_reached].key] += 1
    return len(instances), by_tp, by_stage


def lost(
    total: int, by_touchpoint: Mapping[str | None, int], by_stage: Mapping[str | None, int]
) -> Lost:
    n = sum(by_touchpoint.values())

    def rows(counts: Mapping[str | None, int]) -> list[LostRow]:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        return [LostRow(k, v, v / n) for k, v in ordered]

    return Lost(total, n, rows(by_touchpoint), rows(by_stage))


# --- emotion curve -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """A score given by a customer at a time (a survey answer or a text's sentiment)."""

    customer: Hashable
    at: datetime
    value: float


def attribute(
    events: Iterable[Event], observations: Iterable[Observation], spec: JourneySpec
) -> dict[int, list[float]]:
    """Each observation goes to the stage of the customer's latest relevant event at or before
    it, if that event is no older than the timeout (a goal-only event: position k, "after the
    goal"); others are left out. Values per position."""
    k = len(spec.stages)
    steps: dict[Hashable, tuple[list[tuple[datetime, str]], list[int]]] = {}
    relevant: dict[Hashable, list[tuple[datetime, str, int]]] = defaultdict(list)
    for e in events:
        stage = spec.stage_of(e.touchpoint, e.type)
        goal = spec.goal.matches(e.touchpoint, e.type, e.resolved)
        if stage is not None or goal:
            relevant[e.customer].append((e.at, e.seq, k if stage is None else stage))
    for customer, items in relevant.items():
        items.sort()
        steps[customer] = ([(a, s) for a, s, _ in items], [b for _, _, b in items])
    out: dict[int, list[float]] = defaultdict(list)
    for obs in observations:
        found = steps.get(obs.customer)
        if found is None:
            continue
        keys, buckets = found
        # the last event at or before obs.at (a tie in time goes to the highest id)
        index = bisect.bisect_right(keys, (obs.at, "\uffff")) - 1
        if index < 0 or obs.at - keys[index][0] > spec.timeout:
            continue
        out[buckets[index]].append(obs.value)
    return dict(out)


@dataclass(frozen=True, slots=True)
class EmotionPoint:
    key: str  # stage key, or "goal"
    position: int  # 1-based
    score: MeanInterval  # survey score (0–10 for NPS questions)
    nps: float | None  # −100..100, NPS questions only
    nps_low: float | None
    nps_high: float | None
    sentiment: MeanInterval  # text sentiment, −1..1


@dataclass(frozen=True, slots=True)
class ScoreStats:
    """Sufficient statistics of one bucket: n, mean, sd, and NPS classes when 0–10."""

    n: int
    mean: float | None
    sd: float | None
    promoters: int = 0
    detractors: int = 0

    @classmethod
    def of(cls, values: Sequence[float]) -> ScoreStats:
        n, mean, sd = mean_sd(values)
        return cls(n, mean, sd, sum(v >= 9 for v in values), sum(v <= 6 for v in values))


def emotion_curve(
    spec: JourneySpec,
    scores: Mapping[int, ScoreStats],
    sentiments: Mapping[int, ScoreStats],
    *,
    nps_question: bool,
    t_quantile: Callable[[float, float], float],
    min_n: int = 1,
) -> list[EmotionPoint]:
    """Per stage (then "after the goal"): the mean score and mean sentiment with t intervals,
    and for NPS questions the NPS (−100..100) with its trinomial normal interval."""
    out = []
    empty = ScoreStats(0, None, None)
    for pos, key in enumerate(spec.step_keys()):
        s = scores.get(pos, empty)
        m = sentiments.get(pos, empty)
        score = mean_interval(s.n, s.mean, s.sd, t_quantile=t_quantile, min_n=min_n)
        nps = low = high = None
        if nps_question and s.n and not score.suppressed:
            p, d = s.promoters / s.n, s.detractors / s.n
            nps = (p - d) * 100
            half = 1.959963984540054 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / s.n) * 100
            low, high = nps - half, nps + half
        out.append(
            EmotionPoint(
                key=key,
                position=pos + 1,
                score=score,
                nps=nps,
                nps_low=low,
                nps_high=high,
                sentiment=mean_interval(m.n, m.mean, m.sd, t_quantile=t_quantile, min_n=min_n),
            )
        )
    return out


# --- website visits ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebEvent:
    """One web interaction: a page view (`type` page_view) at a page (touchpoint key), a search
    with its number of results (None: not reported), or another web interaction (a form, an
    order) that can reach a goal page but is not a click."""

    customer: Hashable
    at: datetime
    seq: str
    type: str
    page: str | None
    results: int | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    customer: Hashable
    started_at: datetime
    ended_at: datetime
    entry_page: str | None
    exit_page: str | None
    page_views: int
    goal_reached: bool
    clicks_to_goal: int | None  # page views before the first goal-page interaction
    seconds_to_goal: float | None
    searches: int
    searches_without_result: int
    orientation_exit: bool  # left from an orientation page without reaching a goal page


def visits(
    events: Iterable[WebEvent], web: WebSettings, *, gap: timedelta = VISIT_GAP
) -> list[Visit]:
    """Visits: a customer's web interactions split after `gap` of inactivity."""
    by_customer: dict[Hashable, list[WebEvent]] = defaultdict(list)
    for e in events:
        by_customer[e.customer].append(e)
    out = []
    for items in by_customer.values():
        items.sort(key=lambda e: (e.at, e.seq))
        current: list[WebEvent] = []
        for e in items:
            if current and e.at - current[-1].at > gap:
                out.append(_visit(current, web))
                current = []
            current.append(e)
        if current:
            out.append(_visit(current, web))
    return out


def _visit(items: list[WebEvent], web: WebSettings) -> Visit:
    views = [e for e in items if e.type == "page_view"]
    # the first page view that names its page, else the first interaction that does
    entry = next((e.page for e in views if e.page), None) or next(
        (e.page for e in items if e.page), None
    )
    exit_ = next((e.page for e in reversed(views) if e.page), None) or next(
        (e.page for e in reversed(items) if e.page), None
    )
    goal_index = next((n for n, e in enumerate(items) if e.page in web.goal_pages), None)
    clicks = seconds = None
    if goal_index is not None:
        clicks = sum(1 for e in items[:goal_index] if e.type == "page_view")
        seconds = (items[goal_index].at - items[0].at).total_seconds()
    searches = [e for e in items if e.type == "search"]
    return Visit(
        customer=items[0].customer,
        started_at=items[0].at,
        ended_at=items[-1].at,
        entry_page=entry,
        exit_page=exit_,
        page_views=len(views),
        goal_reached=goal_index is not None,
        clicks_to_goal=clicks,
        seconds_to_goal=seconds,
        searches=len(searches),
        searches_without_result=sum(1 for e in searches if e.results == 0),
        orientation_exit=goal_index is None and exit_ in web.orientation_pages,
    )


@dataclass(frozen=True, slots=True)
class VisitSummary:
    """Visits by entry page (`entry_page` None in the total row)."""

    entry_page: str | None
    visits: int
    goal_reached: int
    goal_rate: float | None
    clicks_median: float | None
    seconds_median: float | None
    seconds_p90: float | None
    page_views_mean: float | None
    searches: int
    searches_without_result: int
    orientation_exits: int
    orientation_exit_rate: float | None


@dataclass(frozen=True, slots=True)
class VisitGroup:
    """Additive figures of a group of visits, plus its clicks/seconds quantiles."""

    visits: int
    goal_reached: int
    page_views: int
    searches: int
    searches_without_result: int
    orientation_exits: int
    clicks_median: float | None
    seconds_median: float | None
    seconds_p90: float | None

    @classmethod
    def of(cls, items: Sequence[Visit]) -> VisitGroup:
        clicks = [float(v.clicks_to_goal) for v in items if v.clicks_to_goal is not None]
        seconds = [v.seconds_to_goal for v in items if v.seconds_to_goal is not None]
        return cls(
            visits=len(items),
            goal_reached=sum(v.goal_reached for v in items),
            page_views=sum(v.page_views for v in items),
            searches=sum(v.searches for v in items),
            searches_without_result=sum(v.searches_without_result for v in items),
            orientation_exits=sum(v.orientation_exit for v in items),
            clicks_median=quantile(clicks, 0.5),
            seconds_median=quantile(seconds, 0.5),
            seconds_p90=quantile(seconds, 0.9),
        )


def visit_groups(items: Sequence[Visit]) -> dict[str | None, VisitGroup]:
    """Per entry page, and the total under the key None."""
    groups: dict[str | None, list[Visit]] = defaultdict(list)
    for v in items:
        groups[v.entry_page].append(v)
    out: dict[str | None, VisitGroup] = {
        page: VisitGroup.of(vs) for page, vs in groups.items() if page is not None
    }
    out[None] = VisitGroup.of(items)
    return out


def visit_summary(groups: Mapping[str | None, VisitGroup], *, top: int) -> list[VisitSummary]:
    """The total first, then the `top` entry pages by visits."""
    pages = sorted(
        ((k, g) for k, g in groups.items() if k is not None), key=lambda kv: (-kv[1].visits, kv[0])
    )[:top]
    rows = []
    for page, g in [
        (None, groups.get(None, VisitGroup(0, 0, 0, 0, 0, 0, None, None, None))),
        *pages,
    ]:
        rows.append(
            VisitSummary(
                entry_page=page,
                visits=g.visits,
                goal_reached=g.goal_reached,
                goal_rate=_ratio(g.goal_reached, g.visits),
                clicks_median=g.clicks_median,
                seconds_median=g.seconds_median,
                seconds_p90=g.seconds_p90,
                page_views_mean=None if not g.visits else g.page_views / g.visits,
                searches=g.searches,
                searches_without_result=g.searches_without_result,
                orientation_exits=g.orientation_exits,
                orientation_exit_rate=_ratio(g.orientation_exits, g.visits),
            )
        )
    return rows
