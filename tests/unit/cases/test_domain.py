from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxm.cases.domain import (
    DEFAULT_POLICIES,
    MAX_SEARCH,
    PAUSING_STATUSES,
    POLICY_CATEGORIES,
    BusinessCalendar,
    CaseStatus,
    ClockKind,
    ClockState,
    Priority,
    PromiseState,
    SlaPolicy,
    SlaState,
    SlaTargets,
    add_business_time,
    allowed_transitions,
    business_time_between,
    calendar_from_code,
    can_transition,
    escalation_level,
    is_duplicate,
    is_open,
    is_open_at,
    is_reopen,
    open_intervals,
    pause_intervals,
    policy_for,
    promise_reminder_at,
    promise_state,
    sla_clock,
)

BERLIN = ZoneInfo("Europe/Berlin")
S = CaseStatus
H = timedelta(hours=1)
M = timedelta(minutes=1)


def berlin(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


BE = calendar_from_code("DE-BE")
BY = calendar_from_code("DE-BY")
NW = calendar_from_code("DE-NW")
ALWAYS = BusinessCalendar.always_open()
BERLIN_24X7 = BusinessCalendar(
    timezone="Europe/Berlin", hours={d: ((time(0), time(0)),) for d in range(7)}, country=None
)
SPLIT = BusinessCalendar(
    timezone="Europe/Berlin",
    hours={
        **{d: ((time(8), time(12)), (time(13), time(17, 30))) for d in range(5)},
        5: ((time(9), time(13)),),
    },
    subdivision="BY",
)

# ---------------------------------------------------------------------------------------------
# Lifecycle

WAITING = {S.WAITING_CUSTOMER, S.WAITING_THIRD_PARTY}
LEGAL = {
    S.NEW: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED} | WAITING,
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.RESOLVED} | WAITING,
    S.IN_PROGRESS: {S.RESOLVED} | WAITING,
    S.WAITING_CUSTOMER: {S.IN_PROGRESS, S.RESOLVED, S.WAITING_THIRD_PARTY},
    S.WAITING_THIRD_PARTY: {S.IN_PROGRESS, S.RESOLVED, S.WAITING_CUSTOMER},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: {S.IN_PROGRESS},
}
ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))


def test_status_values_are_the_lower_case_names():
    assert [s.value for s in CaseStatus] == [s.name.lower() for s in CaseStatus]


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p[1] in LEGAL[p[0]]])
def test_legal_transition_is_allowed(current, target):
    assert can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p[1] not in LEGAL[p[0]]])
def test_every_illegal_transition_is_rejected(current, target):
    assert not can_transition(current, target)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_allowed_transitions_match_can_transition_in_declaration_order(status):
    expected = tuple(t for t in CaseStatus if can_transition(status, t))
    assert allowed_transitions(status) == expected


def test_no_status_may_transition_to_itself():
    assert not any(can_transition(s, s) for s in CaseStatus)


def test_resolved_and_closed_cases_can_be_reopened_into_in_progress():
    assert is_reopen(S.RESOLVED, S.IN_PROGRESS)
    assert is_reopen(S.CLOSED, S.IN_PROGRESS)


def test_closing_a_resolved_case_is_not_a_reopen():
    assert not is_reopen(S.RESOLVED, S.CLOSED)
    assert not is_reopen(S.IN_PROGRESS, S.RESOLVED)


def test_reopening_cannot_skip_to_waiting():
    assert not is_reopen(S.CLOSED, S.WAITING_CUSTOMER)


def test_only_resolved_and_closed_cases_are_not_open():
    assert [s for s in CaseStatus if not is_open(s)] == [S.RESOLVED, S.CLOSED]


def test_waiting_on_the_customer_pauses_but_waiting_on_a_third_party_does_not():
    assert S.WAITING_CUSTOMER in PAUSING_STATUSES
    assert S.WAITING_THIRD_PARTY not in PAUSING_STATUSES


def test_pause_intervals_follow_the_status_history_and_leave_the_last_open():
    history = [
        (utc(2026, 2, 2, 9), S.NEW),
        (utc(2026, 2, 2, 10), S.WAITING_CUSTOMER),
        (utc(2026, 2, 2, 11), S.WAITING_THIRD_PARTY),
        (utc(2026, 2, 2, 12), S.WAITING_CUSTOMER),
        (utc(2026, 2, 2, 12, 30), S.WAITING_CUSTOMER),
    ]
    assert pause_intervals(history) == (
        (utc(2026, 2, 2, 10), utc(2026, 2, 2, 11)),
        (utc(2026, 2, 2, 12), None),
    )


def test_pause_intervals_sort_an_unordered_history():
    history = [(utc(2026, 2, 2, 11), S.IN_PROGRESS), (utc(2026, 2, 2, 10), S.WAITING_CUSTOMER)]
    assert pause_intervals(history) == ((utc(2026, 2, 2, 10), utc(2026, 2, 2, 11)),)


# ---------------------------------------------------------------------------------------------
# Calendars


def test_calendar_from_code_builds_the_bavarian_office_calendar():
    cal = calendar_from_code("DE-BY")
    assert (cal.timezone, cal.country, cal.subdivision) == ("Europe/Berlin", "DE", "BY")
    assert cal.hours[0] == ((time(8), time(18)),)
    assert 5 not in cal.hours and 6 not in cal.hours


def test_calendar_codes_are_case_insensitive():
    assert calendar_from_code("de-nw") == calendar_from_code("DE-NW")
    assert calendar_from_code("24X7") == BusinessCalendar.always_open()


def test_24x7_code_is_always_open_in_utc_without_holidays():
    cal = calendar_from_code("24x7")
    assert cal.timezone == "UTC" and cal.country is None
    assert business_time_between(cal, utc(2026, 12, 24), utc(2026, 12, 27)) == 72 * H


@pytest.mark.parametrize("code", ["FR-75", "DE", "DE-XX", "", "24/7", "Berlin"])
def test_unknown_calendar_code_is_rejected_naming_the_valid_choices(code):
    with pytest.raises(ValueError, match="DE-BY") as err:
        calendar_from_code(code)
    assert "24x7" in str(err.value)


def test_unknown_german_state_is_rejected_naming_the_states():
    with pytest.raises(ValueError, match="NW"):
        BusinessCalendar.german("XX")


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(timezone="Mars/Olympus", hours={})


def test_unknown_subdivision_is_rejected():
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Europe/Berlin", hours={}, subdivision="XX")


@pytest.mark.parametrize(
    "hours",
    [
        {7: ((time(8), time(9)),)},
        {0: ((time(9), time(8)),)},
        {0: ((time(8), time(12)), (time(11), time(14)))},
        {0: ((time(8), time(0)), (time(20), time(22)))},
        {0: ((time(8, tzinfo=UTC), time(9)),)},
    ],
)
def test_invalid_opening_hours_are_rejected(hours):
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Europe/Berlin", hours=hours)


def test_calendars_are_hashable_and_equal_by_value():
    again = BusinessCalendar.german("BE")
    assert again == BE and hash(again) == hash(BE)


def test_calendar_hours_cannot_be_mutated_after_construction():
    hours = {0: ((time(8), time(18)),)}
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=hours)
    hours[1] = ((time(8), time(18)),)
    assert 1 not in cal.hours
    with pytest.raises(TypeError):
        cal.hours[2] = ()  # type: ignore[index]


def test_german_calendar_can_open_on_saturday():
    cal = BusinessCalendar.german("BE", saturday=(time(9), time(14)))
    assert business_time_between(cal, berlin(2026, 2, 14), berlin(2026, 2, 15)) == 5 * H


def test_extra_closed_days_are_closed():
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=BE.hours,
        subdivision="BE",
        extra_closed_days=frozenset({date(2026, 12, 24), date(2026, 12, 31)}),
    )
    assert cal.is_closed_day(date(2026, 12, 24))
    assert business_time_between(cal, berlin(2026, 12, 21), berlin(2027, 1, 2)) == 6 * 10 * H


def test_epiphany_is_closed_in_bavaria_but_open_in_berlin():
    assert BY.is_closed_day(date(2026, 1, 6))
    assert not BE.is_closed_day(date(2026, 1, 6))
    start = berlin(2026, 1, 5, 17)
    assert add_business_time(BY, start, 4 * H) == berlin(2026, 1, 7, 11)
    assert add_business_time(BE, start, 4 * H) == berlin(2026, 1, 6, 11)


@pytest.mark.parametrize("code", ["DE-BE", "DE-BY", "DE-NW", "DE-HH", "DE-SN"])
def test_good_friday_and_easter_monday_are_closed_everywhere(code):
    cal = calendar_from_code(code)
    assert add_business_time(cal, berlin(2026, 4, 2, 17), 4 * H) == berlin(2026, 4, 7, 11)


def test_corpus_christi_is_closed_in_north_rhine_westphalia_but_open_in_berlin():
    start = berlin(2026, 6, 3, 17)
    assert add_business_time(NW, start, 4 * H) == berlin(2026, 6, 5, 11)
    assert add_business_time(BE, start, 4 * H) == berlin(2026, 6, 4, 11)


def test_womens_day_on_a_weekday_is_closed_in_berlin_but_open_in_bavaria():
    day = date(2027, 3, 8)
    assert day.weekday() == 0
    assert BE.is_closed_day(day) and not BY.is_closed_day(day)


def test_always_open_calendar_has_no_holidays():
    assert not ALWAYS.is_closed_day(date(2026, 12, 25))


def test_is_open_at_respects_hours_and_holidays():
    assert is_open_at(BE, berlin(2026, 2, 2, 8))
    assert not is_open_at(BE, berlin(2026, 2, 2, 18))
    assert not is_open_at(BE, berlin(2026, 2, 2, 7, 59))
    assert not is_open_at(BE, berlin(2026, 1, 1, 12))


# ---------------------------------------------------------------------------------------------
# Arithmetic


def test_case_opened_friday_at_five_with_four_hours_is_due_monday_at_eleven():
    due = add_business_time(BE, berlin(2026, 2, 13, 17), 4 * H)
    assert due == utc(2026, 2, 16, 10)


def test_opening_before_hours_starts_the_clock_at_opening_time():
    assert add_business_time(BE, berlin(2026, 2, 16, 6), 2 * H) == berlin(2026, 2, 16, 10)


def test_due_time_that_fills_a_day_exactly_is_that_days_closing_time():
    assert add_business_time(BE, berlin(2026, 2, 16, 8), 10 * H) == berlin(2026, 2, 16, 18)


def test_zero_duration_is_due_at_the_start_even_outside_hours():
    start = berlin(2026, 2, 14, 3)
    assert add_business_time(BE, start, timedelta(0)) == start


def test_negative_duration_is_rejected():
    with pytest.raises(ValueError):
        add_business_time(BE, utc(2026, 2, 2), -H)


def test_naive_datetimes_are_rejected_everywhere():
    naive = datetime(2026, 2, 2, 9)
    with pytest.raises(ValueError):
        add_business_time(BE, naive, H)
    with pytest.raises(ValueError):
        business_time_between(BE, naive, utc(2026, 2, 3))
    with pytest.raises(ValueError):
        list(open_intervals(BE, utc(2026, 2, 1), naive))
    with pytest.raises(ValueError):
        business_time_between(BE, utc(2026, 2, 1), utc(2026, 2, 3), [(naive, None)])
    with pytest.raises(ValueError):
        promise_state(naive, None, utc(2026, 2, 2))


def test_non_utc_aware_inputs_give_utc_outputs():
    start = datetime(2026, 2, 13, 17, tzinfo=BERLIN)
    due = add_business_time(BE, start, 4 * H)
    assert due.tzinfo is UTC and due == utc(2026, 2, 16, 10)


def test_end_before_start_is_rejected():
    with pytest.raises(ValueError):
        business_time_between(BE, utc(2026, 2, 3), utc(2026, 2, 2))


def test_business_time_over_a_normal_week_is_fifty_hours():
    assert business_time_between(BE, berlin(2026, 2, 9), berlin(2026, 2, 16)) == 50 * H


def test_split_shifts_count_only_the_open_parts():
    assert business_time_between(SPLIT, berlin(2026, 2, 9), berlin(2026, 2, 10)) == 8.5 * H
    assert business_time_between(SPLIT, berlin(2026, 2, 9, 11), berlin(2026, 2, 9, 14)) == 2 * H
    assert add_business_time(SPLIT, berlin(2026, 2, 9, 11), 2 * H) == berlin(2026, 2, 9, 14)


def test_open_intervals_are_merged_and_clipped_in_utc():
    intervals = list(open_intervals(BE, berlin(2026, 2, 13, 9), berlin(2026, 2, 16, 9)))
    assert intervals == [
        (utc(2026, 2, 13, 8), utc(2026, 2, 13, 17)),
        (utc(2026, 2, 16, 7), utc(2026, 2, 16, 8)),
    ]


def test_open_intervals_of_an_always_open_calendar_are_one_interval():
    assert list(open_intervals(ALWAYS, utc(2026, 1, 1), utc(2026, 3, 1))) == [
        (utc(2026, 1, 1), utc(2026, 3, 1))
    ]


def test_overnight_shifts_join_across_midnight():
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={0: ((time(22), time(0)),), 1: ((time(0), time(6)),)},
        country=None,
    )
    assert list(open_intervals(cal, berlin(2026, 2, 9), berlin(2026, 2, 11))) == [
        (berlin(2026, 2, 9, 22), berlin(2026, 2, 10, 6))
    ]


def test_spring_forward_friday_afternoon_case_is_due_monday_at_eleven_summer_time():
    assert add_business_time(BE, berlin(2026, 3, 27, 17), 4 * H) == utc(2026, 3, 30, 9)


def test_fall_back_friday_afternoon_case_is_due_monday_at_eleven_winter_time():
    assert add_business_time(BE, berlin(2026, 10, 23, 17), 4 * H) == utc(2026, 10, 26, 10)


def test_spring_forward_sunday_has_twenty_three_local_hours():
    assert business_time_between(BERLIN_24X7, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * H


def test_fall_back_sunday_has_twenty_five_local_hours():
    assert business_time_between(BERLIN_24X7, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * H


def test_office_hours_move_in_utc_across_the_dst_switch():
    before = list(open_intervals(BE, berlin(2026, 3, 27), berlin(2026, 3, 28)))
    after = list(open_intervals(BE, berlin(2026, 3, 30), berlin(2026, 3, 31)))
    assert before == [(utc(2026, 3, 27, 7), utc(2026, 3, 27, 17))]
    assert after == [(utc(2026, 3, 30, 6), utc(2026, 3, 30, 16))]


def test_pause_excludes_its_business_time():
    pauses = [(berlin(2026, 2, 9, 10), berlin(2026, 2, 9, 12))]
    day = (berlin(2026, 2, 9), berlin(2026, 2, 10))
    assert business_time_between(BE, *day, pauses=pauses) == 8 * H


def test_pause_outside_hours_excludes_nothing():
    pauses = [(berlin(2026, 2, 14, 10), berlin(2026, 2, 15, 12))]
    assert business_time_between(BE, berlin(2026, 2, 9), berlin(2026, 2, 16), pauses) == 50 * H


def test_overlapping_pauses_are_not_counted_twice():
    pauses = [
        (berlin(2026, 2, 9, 10), berlin(2026, 2, 9, 12)),
        (berlin(2026, 2, 9, 11), berlin(2026, 2, 9, 13)),
        (berlin(2026, 2, 9, 11, 30), berlin(2026, 2, 9, 11, 45)),
    ]
    assert business_time_between(BE, berlin(2026, 2, 9), berlin(2026, 2, 10), pauses) == 7 * H


def test_pause_spanning_a_weekend_excludes_only_open_hours():
    pauses = [(berlin(2026, 2, 13, 16), berlin(2026, 2, 16, 10))]
    assert business_time_between(BE, berlin(2026, 2, 13), berlin(2026, 2, 17), pauses) == 16 * H


def test_open_pause_stops_the_clock_from_its_start():
    pauses = [(berlin(2026, 2, 9, 10), None)]
    elapsed = business_time_between(BE, berlin(2026, 2, 9, 8), berlin(2026, 2, 20), pauses)
    assert elapsed == 2 * H


def test_pause_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        business_time_between(
            BE, utc(2026, 2, 9), utc(2026, 2, 10), [(utc(2026, 2, 9, 12), utc(2026, 2, 9, 11))]
        )


def test_closed_pause_pushes_the_due_time_back():
    pauses = [(berlin(2026, 2, 9, 9), berlin(2026, 2, 9, 11))]
    assert add_business_time(BE, berlin(2026, 2, 9, 8), 4 * H, pauses) == berlin(2026, 2, 9, 14)


def test_due_time_with_an_open_pause_needs_paused_until():
    pauses = [(berlin(2026, 2, 9, 9), None)]
    with pytest.raises(ValueError, match="paused_until"):
        add_business_time(BE, berlin(2026, 2, 9, 8), 4 * H, pauses)


def test_open_pause_is_treated_as_ending_at_paused_until():
    start, target = berlin(2026, 2, 9, 8), 4 * H
    open_pause = [(berlin(2026, 2, 9, 9), None)]
    closed_pause = [(berlin(2026, 2, 9, 9), berlin(2026, 2, 10, 9))]
    projected = add_business_time(
        BE, start, target, open_pause, paused_until=berlin(2026, 2, 10, 9)
    )
    assert (
        projected == add_business_time(BE, start, target, closed_pause) == berlin(2026, 2, 10, 12)
    )


def test_paused_until_before_the_open_pause_means_no_pause():
    pauses = [(berlin(2026, 2, 9, 12), None)]
    due = add_business_time(BE, berlin(2026, 2, 9, 8), 2 * H, pauses, paused_until=utc(2026, 1, 1))
    assert due == berlin(2026, 2, 9, 10)


def test_unreachable_duration_raises_instead_of_searching_forever():
    closed = BusinessCalendar(timezone="Europe/Berlin", hours={}, country=None)
    with pytest.raises(ValueError, match="not reached"):
        add_business_time(closed, utc(2026, 1, 1), M)
    with pytest.raises(ValueError):
        add_business_time(BE, utc(2026, 1, 1), 10_000 * H)


def test_search_cap_is_about_three_years():
    assert timedelta(days=3 * 365) <= MAX_SEARCH <= timedelta(days=3 * 366)
    assert add_business_time(BE, utc(2026, 1, 1), 5_000 * H) < utc(2029, 1, 1)


def test_a_year_long_due_time_is_computed_fast():
    due = add_business_time(BY, utc(2026, 1, 1), 2_400 * H)
    assert business_time_between(BY, utc(2026, 1, 1), due) == 2_400 * H


@pytest.mark.parametrize(
    "calendar", [BE, BY, SPLIT, ALWAYS, BERLIN_24X7], ids=["BE", "BY", "split", "24x7", "berlin"]
)
def test_adding_then_measuring_business_time_round_trips(calendar):
    rng = random.Random(20260329)
    base = utc(2025, 12, 1)
    for _ in range(150):
        start = base + timedelta(
            seconds=rng.randrange(0, 400 * 86_400), microseconds=rng.randrange(10**6)
        )
        duration = timedelta(minutes=rng.randrange(0, 120 * 60), microseconds=rng.randrange(10**6))
        due = add_business_time(calendar, start, duration)
        assert business_time_between(calendar, start, due) == duration
        if duration:
            # earliest: a moment earlier not enough time has passed
            assert (
                business_time_between(calendar, start, due - timedelta(microseconds=1)) < duration
            )


def test_round_trip_holds_with_random_overlapping_pauses():
    rng = random.Random(7)
    for _ in range(150):
        start = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 300 * 1440))
        pauses = []
        for _ in range(rng.randrange(0, 4)):
            p_start = start + timedelta(minutes=rng.randrange(-600, 20 * 1440))
            pauses.append((p_start, p_start + timedelta(minutes=rng.randrange(0, 3 * 1440))))
        duration = timedelta(minutes=rng.randrange(1, 60 * 60))
        due = add_business_time(SPLIT, start, duration, pauses)
        assert business_time_between(SPLIT, start, due, pauses) == duration


def test_business_time_is_additive_over_adjacent_ranges():
    rng = random.Random(42)
    for _ in range(100):
        a = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 365 * 1440))
        b = a + timedelta(minutes=rng.randrange(0, 30 * 1440))
        c = b + timedelta(minutes=rng.randrange(0, 30 * 1440))
        whole = business_time_between(BY, a, c)
        assert whole == business_time_between(BY, a, b) + business_time_between(BY, b, c)


# ---------------------------------------------------------------------------------------------
# Policies


@pytest.mark.parametrize(
    ("category", "priority"), list(itertools.product(POLICY_CATEGORIES, Priority))
)
def test_every_category_and_priority_has_a_policy_with_ordered_targets(category, priority):
    policy = policy_for(category, priority)
    assert policy.category == category and policy.priority == priority
    t = policy.targets
    assert t.acknowledgement <= t.first_response <= t.resolution
    calendar_from_code(policy.calendar_code)


@pytest.mark.parametrize("category", POLICY_CATEGORIES)
@pytest.mark.parametrize("opened", [berlin(2026, 2, 9, 9), berlin(2026, 2, 13, 17)])
def test_higher_priority_is_never_due_later(category, opened):
    order = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]

    def due(priority: Priority, kind: ClockKind) -> datetime:
        policy = policy_for(category, priority)
        calendar = calendar_from_code(policy.calendar_code)
        return add_business_time(calendar, opened, policy.targets.for_kind(kind))

    for lower, higher in itertools.pairwise(order):
        for kind in ClockKind:
            assert due(higher, kind) <= due(lower, kind)


def test_urgent_technical_faults_are_measured_around_the_clock():
    assert policy_for("technical", Priority.URGENT).calendar_code == "24x7"


def test_urgent_complaint_and_low_inquiry_use_the_documented_targets():
    urgent = policy_for("complaint", Priority.URGENT).targets
    assert (urgent.acknowledgement, urgent.first_response, urgent.resolution) == (H, 4 * H, 20 * H)
    low = policy_for("inquiry", Priority.LOW).targets
    assert (low.acknowledgement, low.first_response, low.resolution) == (8 * H, 20 * H, 100 * H)


def test_unknown_category_falls_back_to_the_catch_all_policy():
    policy = policy_for("roaming", Priority.HIGH)
    assert policy.category == "*" and policy.priority == Priority.HIGH


def test_category_lookup_ignores_case():
    assert policy_for("Billing", Priority.LOW).category == "billing"


def test_missing_policy_without_catch_all_raises():
    only = [SlaPolicy("billing", Priority.LOW, SlaTargets(H, H, H))]
    with pytest.raises(LookupError):
        policy_for("complaint", Priority.LOW, only)


def test_every_default_policy_is_unique():
    keys = [(p.category, p.priority) for p in DEFAULT_POLICIES]
    assert len(keys) == len(set(keys)) == 5 * 4


def test_invalid_targets_and_warn_ratio_are_rejected():
    with pytest.raises(ValueError):
        SlaTargets(H, timedelta(0), H)
    with pytest.raises(ValueError):
        SlaPolicy("x", Priority.LOW, SlaTargets(H, H, H), warn_ratio=1.5)


def test_targets_are_looked_up_by_clock_kind():
    t = SlaTargets(H, 2 * H, 3 * H)
    assert [t.for_kind(k) for k in ClockKind] == [H, 2 * H, 3 * H]


# ---------------------------------------------------------------------------------------------
# SLA clocks

START = berlin(2026, 2, 9, 9)  # a Monday


def clock(now: datetime, **kw: object) -> ClockState:
    args: dict[str, object] = {
        "kind": ClockKind.FIRST_RESPONSE,
        "started_at": START,
        "target": 4 * H,
        "now": now,
    }
    args.update(kw)
    return sla_clock(BE, **args)  # type: ignore[arg-type]


def test_fresh_clock_is_running_with_due_and_warn_times():
    state = clock(berlin(2026, 2, 9, 10))
    assert state.state == SlaState.RUNNING == "running"
    assert (state.elapsed, state.remaining) == (H, 3 * H)
    assert state.due_at == berlin(2026, 2, 9, 13)
    assert state.warn_at == berlin(2026, 2, 9, 12, 12)


def test_clock_warns_from_the_warn_ratio():
    assert clock(berlin(2026, 2, 9, 12, 11)).state == SlaState.RUNNING
    assert clock(berlin(2026, 2, 9, 12, 12)).state == SlaState.WARNING


def test_clock_is_breached_after_the_target_with_negative_remaining():
    state = clock(berlin(2026, 2, 9, 13, 30))
    assert state.state == SlaState.BREACHED
    assert state.remaining == -30 * M and state.overdue == 30 * M


def test_clock_exactly_at_due_time_is_not_yet_breached():
    assert clock(berlin(2026, 2, 9, 13)).state == SlaState.WARNING


def test_clock_does_not_run_overnight():
    state = clock(berlin(2026, 2, 10, 7))
    assert state.elapsed == 9 * H
    assert state.state == SlaState.BREACHED


def test_clock_met_in_time_is_met_and_ignores_now():
    state = clock(berlin(2026, 2, 20), met_at=berlin(2026, 2, 9, 12))
    assert state.state == SlaState.MET and state.elapsed == 3 * H


def test_clock_met_exactly_at_due_time_is_met():
    assert clock(berlin(2026, 2, 20), met_at=berlin(2026, 2, 9, 13)).state == SlaState.MET


def test_clock_met_after_the_target_is_met_late():
    state = clock(berlin(2026, 2, 20), met_at=berlin(2026, 2, 9, 15))
    assert state.state == SlaState.MET_LATE and state.remaining == -2 * H


def test_paused_clock_has_no_due_time_and_stops_elapsing():
    pauses = [(berlin(2026, 2, 9, 10), None)]
    state = clock(berlin(2026, 2, 12, 12), pauses=pauses)
    assert state.state == SlaState.PAUSED
    assert state.elapsed == H and state.due_at is None and state.warn_at is None


def test_resumed_clock_runs_again_with_a_later_due_time():
    pauses = [(berlin(2026, 2, 9, 10), berlin(2026, 2, 9, 12))]
    state = clock(berlin(2026, 2, 9, 12, 30), pauses=pauses)
    assert state.state == SlaState.RUNNING
    assert state.elapsed == 90 * M and state.due_at == berlin(2026, 2, 9, 15)


def test_breached_clock_stays_breached_while_paused():
    pauses = [(berlin(2026, 2, 9, 14), None)]
    assert clock(berlin(2026, 2, 10, 12), pauses=pauses).state == SlaState.BREACHED


def test_clock_before_its_start_has_no_elapsed_time():
    state = clock(berlin(2026, 2, 9, 8))
    assert state.elapsed == timedelta(0) and state.state == SlaState.RUNNING


def test_clock_rejects_a_non_positive_target():
    with pytest.raises(ValueError):
        clock(berlin(2026, 2, 9, 10), target=timedelta(0))


def fake(state: SlaState, elapsed: timedelta = H, target: timedelta = 4 * H) -> ClockState:
    return ClockState(
        kind=ClockKind.RESOLUTION,
        due_at=None,
        warn_at=None,
        elapsed=elapsed,
        target=target,
        remaining=target - elapsed,
        state=state,
    )


def test_no_clocks_and_healthy_clocks_do_not_escalate():
    assert escalation_level([]) == 0
    assert (
        escalation_level([fake(SlaState.RUNNING), fake(SlaState.MET), fake(SlaState.PAUSED)]) == 0
    )


def test_met_late_clocks_do_not_escalate():
    assert escalation_level([fake(SlaState.MET_LATE, elapsed=20 * H)]) == 0


def test_a_warning_clock_escalates_to_level_one():
    assert escalation_level([fake(SlaState.RUNNING), fake(SlaState.WARNING)]) == 1


def test_a_breached_clock_escalates_to_level_two():
    assert escalation_level([fake(SlaState.WARNING), fake(SlaState.BREACHED, elapsed=5 * H)]) == 2


def test_breached_by_exactly_its_target_is_still_level_two():
    assert escalation_level([fake(SlaState.BREACHED, elapsed=8 * H)]) == 2


def test_breached_by_more_than_its_whole_target_again_escalates_to_level_three():
    assert escalation_level([fake(SlaState.BREACHED, elapsed=8 * H + M)]) == 3


def test_escalation_from_real_clocks():
    ack = clock(berlin(2026, 2, 9, 12), kind=ClockKind.ACKNOWLEDGEMENT, target=H)
    resolution = clock(berlin(2026, 2, 9, 12), kind=ClockKind.RESOLUTION, target=20 * H)
    assert ack.state == SlaState.BREACHED and escalation_level([ack, resolution]) == 3


# ---------------------------------------------------------------------------------------------
# Promises and duplicates

DUE = utc(2026, 2, 9, 15)


def test_promise_kept_on_time_is_kept():
    assert promise_state(DUE, DUE, DUE + H) == PromiseState.KEPT


def test_promise_kept_late_is_broken():
    assert promise_state(DUE, DUE + M, DUE + H) == PromiseState.BROKEN


def test_overdue_unkept_promise_is_broken():
    assert promise_state(DUE, None, DUE + timedelta(seconds=1)) == PromiseState.BROKEN


def test_promise_within_the_soon_window_is_due_soon():
    assert promise_state(DUE, None, DUE - H) == PromiseState.DUE_SOON
    assert promise_state(DUE, None, DUE) == PromiseState.DUE_SOON


def test_promise_far_from_due_is_pending():
    assert promise_state(DUE, None, DUE - H - M) == PromiseState.PENDING
    assert promise_state(DUE, None, DUE - 3 * H, soon=4 * H) == PromiseState.DUE_SOON


def test_promise_reminder_comes_its_lead_before_the_due_time():
    assert promise_reminder_at(DUE, 2 * H) == DUE - 2 * H
    with pytest.raises(ValueError):
        promise_reminder_at(DUE, -H)


@pytest.mark.parametrize("status", [s for s in CaseStatus if is_open(s)])
def test_an_open_existing_case_is_a_duplicate_however_old(status):
    assert is_duplicate(
        existing_opened_at=utc(2020, 1, 1), existing_status=status, now=DUE, window=H
    )


def test_a_recently_opened_resolved_case_is_a_duplicate():
    assert is_duplicate(
        existing_opened_at=DUE - 2 * H, existing_status=S.RESOLVED, now=DUE, window=24 * H
    )


def test_an_old_closed_case_is_not_a_duplicate():
    assert not is_duplicate(
        existing_opened_at=DUE - 25 * H, existing_status=S.CLOSED, now=DUE, window=24 * H
    )
