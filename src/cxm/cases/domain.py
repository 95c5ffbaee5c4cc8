"""Service-case rules: lifecycle, business calendars, business-time SLA clocks, promises (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from cxm.shared.clock import ensure_utc

# ---------------------------------------------------------------------------------------------
# Lifecycle


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_THIRD_PARTY = "waiting_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseSource(StrEnum):
    DETRACTOR = "detractor"  # a low NPS/CSAT answer
    COMPLAINT = "complaint"
    TEXT_ANALYSIS = "text_analysis"  # raised by text analytics (e.g. churn or legal threat)
    AGENT = "agent"
    API = "api"
    NOTICE = "notice"  # a formal notice, e.g. a cancellation or a regulator letter


class ClockKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


_S = CaseStatus
_WAITING = (_S.WAITING_CUSTOMER, _S.WAITING_THIRD_PARTY)
_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        _S.NEW: frozenset({_S.ACKNOWLEDGED, _S.IN_PROGRESS, *_WAITING, _S.RESOLVED}),
        _S.ACKNOWLEDGED: frozenset({_S.IN_PROGRESS, *_WAITING, _S.RESOLVED}),
        _S.IN_PROGRESS: frozenset({*_WAITING, _S.RESOLVED}),
        _S.WAITING_CUSTOMER: frozenset({_S.IN_PROGRESS, _S.WAITING_THIRD_PARTY, _S.RESOLVED}),
        _S.WAITING_THIRD_PARTY: frozenset({_S.IN_PROGRESS, _S.WAITING_CUSTOMER, _S.RESOLVED}),
        # Reopening always lands in in_progress: someone owns the case again at once.
        _S.RESOLVED: frozenset({_S.IN_PROGRESS, _S.CLOSED}),
        _S.CLOSED: frozenset({_S.IN_PROGRESS}),
    }
)
CLOSED_STATUSES: frozenset[CaseStatus] = frozenset({_S.RESOLVED, _S.CLOSED})
# Waiting on the customer stops the clocks; waiting on a third party does not (our supplier,
# our responsibility towards the customer).
PAUSING_STATUSES: frozenset[CaseStatus] = frozenset({_S.WAITING_CUSTOMER})


def allowed_transitions(status: CaseStatus) -> tuple[CaseStatus, ...]:
    """The statuses a case may move to next, in declaration order of CaseStatus."""
    targets = _TRANSITIONS[status]
    return tuple(s for s in CaseStatus if s in targets)


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    """Whether the lifecycle allows moving from current to target (never to itself)."""
    return target in _TRANSITIONS[current]


def is_reopen(current: CaseStatus, target: CaseStatus) -> bool:
    """Whether this allowed move brings a resolved or closed case back to work."""
    return can_transition(current, target) and current in CLOSED_STATUSES and is_open(target)


def is_open(status: CaseStatus) -> bool:
    """Whether a case in this status still needs work (neither resolved nor closed)."""
    return status not in CLOSED_STATUSES


Pause = tuple[datetime, datetime | None]


def pause_intervals(changes: Iterable[tuple[datetime, CaseStatus]]) -> tuple[Pause, ...]:
    """The SLA pauses implied by a status history of (at, new status); the last may be open."""
    result: list[Pause] = []
    since: datetime | None = None
    for at, status in sorted(((ensure_utc(a), s) for a, s in changes), key=lambda c: c[0]):
        if status in PAUSING_STATUSES and since is None:
            since = at
        elif status not in PAUSING_STATUSES and since is not None:
            result.append((since, at))
            since = None
    if since is not None:
        result.append((since, None))
    return tuple(result)


# ---------------------------------------------------------------------------------------------
# Business calendar

MIDNIGHT = time(0)
GERMAN_STATES: tuple[str, ...] = (
    "BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV",
    "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH",
)  # fmt: skip
ALWAYS_OPEN_CODE = "24x7"

Hours = Mapping[int, tuple[tuple[time, time], ...]]


@lru_cache(maxsize=512)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def _normalise_hours(hours: Hours) -> Hours:
    normalised: dict[int, tuple[tuple[time, time], ...]] = {}
    for weekday, intervals in hours.items():
        if weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        ordered = tuple(sorted(intervals))
        previous_end: time | None = None
        for opens, closes in ordered:
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("opening hours are local wall-clock times without tzinfo")
            if closes != MIDNIGHT and closes <= opens:
                raise ValueError(f"opening interval {opens}-{closes} must end after it starts")
            if previous_end is not None and (previous_end == MIDNIGHT or opens < previous_end):
                raise ValueError(f"opening intervals overlap on weekday {weekday}")
            previous_end = closes
        if ordered:
            normalised[weekday] = ordered
    return MappingProxyType(normalised)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours in a time zone, closed on public holidays and extra days.

    `hours` maps weekday (0 = Monday) to local opening intervals; an interval ending at
    time(0) runs until midnight, so (time(0), time(0)) is a whole day.
    """

    timezone: str
    hours: Hours
    country: str | None = "DE"
    subdivision: str | None = None
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if self.country is None and self.subdivision is not None:
            raise ValueError("a subdivision needs a country")
        if self.country is not None:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError as exc:
                raise ValueError(str(exc)) from exc
        object.__setattr__(self, "hours", _normalise_hours(self.hours))
        object.__setattr__(self, "extra_closed_days", frozenset(self.extra_closed_days))
        # Calendars key the per-day cache below: hash once, not on every lookup.
        hours = tuple(sorted(self.hours.items()))
        key = (self.timezone, hours, self.country, self.subdivision, self.extra_closed_days)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return int(self.__dict__["_hash"])

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    def is_closed_day(self, day: date) -> bool:
        """Whether the local date is a public holiday or an extra closed day."""
        if day in self.extra_closed_days:
            return True
        if self.country is None:
            return False
        return day in _holiday_dates(self.country, self.subdivision, day.year)

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        """Around the clock, every day, no holidays (UTC)."""
        whole_day = ((MIDNIGHT, MIDNIGHT),)
        return cls(timezone="UTC", hours={d: whole_day for d in range(7)}, country=None)

    @classmethod
    def german(
        cls,
        state: str,
        opens: time = time(8),
        closes: time = time(18),
        saturday: tuple[time, time] | None = None,
    ) -> BusinessCalendar:
        """Weekdays opens–closes (optional Saturday), Berlin time, the state's public holidays."""
        code = state.strip().upper()
        if code not in GERMAN_STATES:
            raise ValueError(
                f"unknown German state {state!r}; choose one of {', '.join(GERMAN_STATES)}"
            )
        hours: dict[int, tuple[tuple[time, time], ...]] = {d: ((opens, closes),) for d in range(5)}
        if saturday is not None:
            hours[5] = (saturday,)
        return cls(timezone="Europe/Berlin", hours=hours, country="DE", subdivision=code)


CALENDAR_CODES: tuple[str, ...] = (ALWAYS_OPEN_CODE, *(f"DE-{s}" for s in GERMAN_STATES))


@lru_cache(maxsize=64)
def calendar_from_code(code: str) -> BusinessCalendar:
    """The calendar for "24x7" or "DE-<state>" (Mon–Fri 08–18 Berlin time, state holidays)."""
    normalised = code.strip().upper()
    if normalised == ALWAYS_OPEN_CODE.upper():
        return BusinessCalendar.always_open()
    country, _, state = normalised.partition("-")
    if country == "DE" and state in GERMAN_STATES:
        return BusinessCalendar.german(state)
    raise ValueError(f"unknown calendar code {code!r}; choose one of {', '.join(CALENDAR_CODES)}")


# ---------------------------------------------------------------------------------------------
# Business-time arithmetic

# Searches for a due time give up after this much calendar time (beyond start and the last pause).
MAX_SEARCH = timedelta(days=3 * 366)
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)
_DAY = timedelta(days=1)


@lru_cache(maxsize=65_536)
def _day_intervals(calendar: BusinessCalendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The opening intervals of one local date in UTC; wall times are resolved per day (DST).

    Cached: the agent's queue computes three clocks over weeks of days for every row shown."""
    if calendar.is_closed_day(day):
        return ()
    zone = calendar.zone
    result: list[tuple[datetime, datetime]] = []
    for opens, closes in calendar.hours.get(day.weekday(), ()):
        start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        end_day = day + _DAY if closes == MIDNIGHT else day
        end = datetime.combine(end_day, closes, tzinfo=zone).astimezone(UTC)
        if result:
            # Wall times inside a DST gap or fold can map out of order; never double-count.
            start = max(start, result[-1][1])
        if end > start:
            result.append((start, end))
    return tuple(result)


def _segments(
    calendar: BusinessCalendar, start: datetime, horizon: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals clipped to [start, horizon), day by day, not merged."""
    zone = calendar.zone
    day = start.astimezone(zone).date()
    last = horizon.astimezone(zone).date()
    while day <= last:
        for opens, closes in _day_intervals(calendar, day):
            opens, closes = max(opens, start), min(closes, horizon)
            if closes > opens:
                yield opens, closes
        day += _DAY


def _merged_pauses(
    pauses: Iterable[Pause], open_end: datetime = _END_OF_TIME
) -> list[tuple[datetime, datetime]]:
    spans: list[tuple[datetime, datetime]] = []
    for pause_start, pause_end in pauses:
        begin = ensure_utc(pause_start)
        end = open_end if pause_end is None else ensure_utc(pause_end)
        if pause_end is not None and end < begin:
            raise ValueError(f"pause ends ({end}) before it starts ({begin})")
        spans.append((begin, max(begin, end)))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _unpaused(
    segments: Iterable[tuple[datetime, datetime]], pauses: Sequence[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """The parts of sorted segments outside sorted, disjoint pauses."""
    first = 0
    for begin, end in segments:
        while first < len(pauses) and pauses[first][1] <= begin:
            first += 1
        cursor, index = begin, first
        while cursor < end and index < len(pauses) and pauses[index][0] < end:
            pause_start, pause_end = pauses[index]
            if pause_start > cursor:
                yield cursor, pause_start
            cursor = max(cursor, pause_end)
            index += 1
        if cursor < end:
            yield cursor, end


def open_intervals(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The calendar's open time within [start, end) as merged, ordered UTC intervals."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end < start:
        raise ValueError("end must not be before start")
    pending: tuple[datetime, datetime] | None = None
    for begin, finish in _segments(calendar, start, end):
        if pending is not None and begin <= pending[1]:
            pending = (pending[0], max(pending[1], finish))
            continue
        if pending is not None:
            yield pending
        pending = (begin, finish)
    if pending is not None:
        yield pending


def business_time_between(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> timedelta:
    """Open time in [start, end) outside the pauses; a pause ending in None is still running."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end < start:
        raise ValueError("end must not be before start")
    total = timedelta(0)
    for begin, finish in _unpaused(_segments(calendar, start, end), _merged_pauses(pauses)):
        total += finish - begin
    return total


def add_business_time(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: Iterable[Pause] = (),
    *,
    paused_until: datetime | None = None,
) -> datetime:
    """The earliest instant by which `duration` of unpaused open time has passed since start.

    A zero duration returns start itself (even outside opening hours). A pause still running
    (end None) stops the clock, so the due time is unknown: pass `paused_until` to get the due
    time as if that pause ended then; without it an open pause raises ValueError. Raises
    ValueError when the time cannot be found within MAX_SEARCH of start and the last pause.
    """
    start = ensure_utc(start)
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    pause_list = list(pauses)
    if any(end is None for _, end in pause_list) and paused_until is None:
        raise ValueError("the clock is paused (a pause has no end); pass paused_until")
    resume = _END_OF_TIME if paused_until is None else ensure_utc(paused_until)
    merged = _merged_pauses(pause_list, open_end=resume)
    if duration == timedelta(0):
        return start
    horizon = max([start, *(end for _, end in merged)]) + MAX_SEARCH
    remaining = duration
    for begin, finish in _unpaused(_segments(calendar, start, horizon), merged):
        if finish - begin >= remaining:
            return begin + remaining
        remaining -= finish - begin
    raise ValueError(f"{duration} of business time is not reached within {MAX_SEARCH.days} days")


def is_open_at(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Whether the calendar is open at this instant."""
    instant = ensure_utc(instant)
    return any(True for _ in _segments(calendar, instant, instant + timedelta(microseconds=1)))


# ---------------------------------------------------------------------------------------------
# SLA policies and clocks


@dataclass(frozen=True)
class SlaTargets:
    """Business-time targets, measured on the policy's calendar from the case's opening."""

    acknowledgement: timedelta
    first_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        if min(self.acknowledgement, self.first_response, self.resolution) <= timedelta(0):
            raise ValueError("SLA targets must be positive")

    def for_kind(self, kind: ClockKind) -> timedelta:
        """The target of one clock."""
        return {
            ClockKind.ACKNOWLEDGEMENT: self.acknowledgement,
            ClockKind.FIRST_RESPONSE: self.first_response,
            ClockKind.RESOLUTION: self.resolution,
        }[kind]


@dataclass(frozen=True)
class SlaPolicy:
    category: str
    priority: Priority
    targets: SlaTargets
    warn_ratio: float = 0.8
    calendar_code: str = "DE-BE"

    def __post_init__(self) -> None:
        if not 0 < self.warn_ratio <= 1:
            raise ValueError("warn_ratio must be in (0, 1]")


# One business day on the default calendars (Mon–Fri 08:00–18:00).
BUSINESS_DAY = timedelta(hours=10)
POLICY_CATEGORIES: tuple[str, ...] = ("complaint", "inquiry", "technical", "billing")
ANY_CATEGORY = "*"


def _targets(ack: timedelta, first: timedelta, resolve: timedelta) -> SlaTargets:
    return SlaTargets(acknowledgement=ack, first_response=first, resolution=resolve)


_H, _BD = timedelta(hours=1), BUSINESS_DAY
_P = Priority
_TABLE: dict[str, dict[Priority, SlaTargets]] = {
    "complaint": {
        _P.URGENT: _targets(1 * _H, 4 * _H, 2 * _BD),
        _P.HIGH: _targets(2 * _H, 8 * _H, 3 * _BD),
        _P.NORMAL: _targets(4 * _H, 1 * _BD, 5 * _BD),
        _P.LOW: _targets(8 * _H, 2 * _BD, 8 * _BD),
    },
    "inquiry": {
        _P.URGENT: _targets(1 * _H, 4 * _H, 2 * _BD),
        _P.HIGH: _targets(2 * _H, 1 * _BD, 3 * _BD),
        _P.NORMAL: _targets(4 * _H, 1 * _BD, 5 * _BD),
        _P.LOW: _targets(8 * _H, 2 * _BD, 10 * _BD),
    },
    "technical": {
        # Urgent faults (outages) are handled around the clock; see _CALENDARS.
        _P.URGENT: _targets(timedelta(minutes=30), 2 * _H, 24 * _H),
        _P.HIGH: _targets(1 * _H, 4 * _H, 2 * _BD),
        _P.NORMAL: _targets(4 * _H, 1 * _BD, 5 * _BD),
        _P.LOW: _targets(8 * _H, 2 * _BD, 10 * _BD),
    },
    "billing": {
        _P.URGENT: _targets(1 * _H, 4 * _H, 2 * _BD),
        _P.HIGH: _targets(2 * _H, 1 * _BD, 4 * _BD),
        _P.NORMAL: _targets(4 * _H, 2 * _BD, 7 * _BD),
        _P.LOW: _targets(8 * _H, 2 * _BD, 10 * _BD),
    },
}
_TABLE[ANY_CATEGORY] = _TABLE["inquiry"]
_CALENDARS: dict[tuple[str, Priority], str] = {("technical", _P.URGENT): ALWAYS_OPEN_CODE}

DEFAULT_POLICIES: tuple[SlaPolicy, ...] = tuple(
    SlaPolicy(
        category=category,
        priority=priority,
        targets=targets,
        calendar_code=_CALENDARS.get((category, priority), "DE-BE"),
    )
    for category, by_priority in _TABLE.items()
    for priority, targets in by_priority.items()
)


def policy_for(
    category: str, priority: Priority, policies: Iterable[SlaPolicy] = DEFAULT_POLICIES
) -> SlaPolicy:
    """The policy for the category and priority, else the "*" policy for that priority."""
    wanted = category.strip().casefold()
    fallback: SlaPolicy | None = None
    for policy in policies:
        if policy.priority != priority:
            continue
        if policy.category.casefold() == wanted:
            return policy
        if policy.category == ANY_CATEGORY:
            fallback = policy
    if fallback is None:
        raise LookupError(f"no SLA policy for category {category!r} at priority {priority}")
    return fallback


class SlaState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"


@dataclass(frozen=True)
class ClockState:
    """One SLA clock at an instant; remaining is negative once the target is exceeded."""

    kind: ClockKind
    due_at: datetime | None  # None while paused: unknown until the clock runs again
    warn_at: datetime | None
    elapsed: timedelta
    target: timedelta
    remaining: timedelta
    state: SlaState

    @property
    def overdue(self) -> timedelta:
        """How much business time past the target the clock ran (zero if within it)."""
        return max(-self.remaining, timedelta(0))


def sla_clock(
    calendar: BusinessCalendar,
    *,
    kind: ClockKind,
    started_at: datetime,
    target: timedelta,
    pauses: Iterable[Pause] = (),
    met_at: datetime | None = None,
    now: datetime,
    warn_ratio: float = 0.8,
) -> ClockState:
    """The clock's state at `now`: business time counts from started_at until met_at or now.

    A met clock is "met" when elapsed <= target, else "met_late". An unmet clock is "breached"
    once elapsed exceeds target (even while paused), else "paused" while a pause covers now,
    else "warning" from warn_ratio × target on, else "running".
    """
    if target <= timedelta(0):
        raise ValueError("target must be positive")
    if not 0 < warn_ratio <= 1:
        raise ValueError("warn_ratio must be in (0, 1]")
    started_at, now = ensure_utc(started_at), ensure_utc(now)
    stop = ensure_utc(met_at) if met_at is not None else max(now, started_at)
    stop = max(stop, started_at)
    pause_list = list(pauses)
    elapsed = business_time_between(calendar, started_at, stop, pause_list)
    paused = met_at is None and any(
        ensure_utc(begin) <= now and (end is None or ensure_utc(end) > now)
        for begin, end in pause_list
    )
    due_at: datetime | None = None
    warn_at: datetime | None = None
    if not paused:
        due_at = add_business_time(calendar, started_at, target, pause_list, paused_until=stop)
        warn_at = add_business_time(
            calendar, started_at, target * warn_ratio, pause_list, paused_until=stop
        )
    if met_at is not None:
        state = SlaState.MET if elapsed <= target else SlaState.MET_LATE
    elif elapsed > target:
        state = SlaState.BREACHED
    elif paused:
        state = SlaState.PAUSED
    elif elapsed >= target * warn_ratio:
        state = SlaState.WARNING
    else:
        state = SlaState.RUNNING
    return ClockState(
        kind=kind,
        due_at=due_at,
        warn_at=warn_at,
        elapsed=elapsed,
        target=target,
        remaining=target - elapsed,
        state=state,
    )


def escalation_level(states: Sequence[ClockState]) -> int:
    """0 all fine; 1 a clock warns; 2 one is breached (unmet); 3 one overran its target twice.

    Level 3 means an unmet clock's overdue time exceeds its whole target again
    (elapsed > 2 × target). Met, met-late and paused clocks never escalate on their own.
    """
    level = 0
    for clock in states:
        if clock.state == SlaState.BREACHED:
            level = max(level, 3 if clock.overdue > clock.target else 2)
        elif clock.state == SlaState.WARNING:
            level = max(level, 1)
    return level


# ---------------------------------------------------------------------------------------------
# Promises and duplicates


class PromiseState(StrEnum):
    PENDING = "pending"
    DUE_SOON = "due_soon"
    KEPT = "kept"
    BROKEN = "broken"


def promise_state(
    due_at: datetime,
    kept_at: datetime | None,
    now: datetime,
    *,
    soon: timedelta = timedelta(hours=1),
) -> PromiseState:
    """Kept if kept by due_at; broken if kept late or overdue; due_soon within `soon` of due_at."""
    due_at, now = ensure_utc(due_at), ensure_utc(now)
    if kept_at is not None:
        return PromiseState.KEPT if ensure_utc(kept_at) <= due_at else PromiseState.BROKEN
    if now > due_at:
        return PromiseState.BROKEN
    if due_at - now <= soon:
        return PromiseState.DUE_SOON
    return PromiseState.PENDING


def promise_reminder_at(due_at: datetime, lead: timedelta) -> datetime:
    """When to remind the promise's owner: `lead` before it is due (wall-clock time)."""
    if lead < timedelta(0):
        raise ValueError("lead must not be negative")
    return ensure_utc(due_at) - lead


def is_duplicate(
    *,
    existing_opened_at: datetime,
    existing_status: CaseStatus,
    now: datetime,
    window: timedelta,
) -> bool:
    """Whether a new case would duplicate an existing one for the same customer and topic."""
    if is_open(existing_status):
        return True
    return ensure_utc(existing_opened_at) >= ensure_utc(now) - window
