"""Cases on a real database: lifecycle, SLA deadlines with pauses, duplicates, promises,
third-party checks, the SLA watch, and cases opened from signals."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.accounts.models import Department
from cxm.cases import services as cases
from cxm.cases import signals
from cxm.cases.domain import CaseStatus, Priority, calendar_from_code
from cxm.cases.models import CaseSignal
from cxm.feedback import services as feedback
from cxm.outreach.domain import MessageKind, MessageStatus
from cxm.outreach.models import OutboundMessage
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid
from cxm.shared.mail import ConsoleMailer
from cxm.surveys import services as surveys
from tests import factories

CAL = "DE-BE"
_n = itertools.count(1)


def _customer(db: Session, clock: FixedClock, **kw: object) -> object:
    fields: dict[str, object] = {
        "salutation": "ms",
        "last_name": "Weber",
        "identities": [{"kind": "email", "value": f"weber{next(_n)}@example.com"}],
    }
    fields.update(kw)
    return factories.customer(db, now=clock.now(), **fields)


def _open(db: Session, clock: FixedClock, customer: object, **kw: object) -> cases.OpenResult:
    fields: dict[str, object] = {"subject": "Gespräche brechen ab", "topic": "network"}
    fields.update(kw)
    return cases.open_case(
        db,
        customer_id=customer.id,
        now=clock.now(),
        calendar_code=CAL,
        **fields,  # type: ignore[attr-defined, arg-type]
    )


def test_a_new_case_gets_a_reference_sla_deadlines_and_a_queued_acknowledgement(
    db: Session, clock: FixedClock
) -> None:
    customer = _customer(db, clock)
    result = _open(db, clock, customer, priority=Priority.HIGH)
    case = result.case
    assert result.created
    assert case.reference.startswith("CASE-")
    assert case.status is CaseStatus.NEW
    assert case.ack_due_at is not None and case.ack_due_at > clock.now()
    assert case.resolution_due_at is not None
    assert case.next_due_at == case.ack_due_at
    ack = db.scalar(select(OutboundMessage).where(OutboundMessage.case_id == case.id))
    assert ack is not None
    assert ack.kind is MessageKind.CASE_ACKNOWLEDGEMENT
    assert ack.status is MessageStatus.QUEUED
    assert ack.to_address and ack.to_address.endswith("@example.com")


def test_the_same_topic_for_the_same_customer_joins_the_open_case(
    db: Session, clock: FixedClock
) -> None:
    customer = _customer(db, clock)
    first = _open(db, clock, customer).case
    clock.advance(timedelta(hours=2))
    second = _open(db, clock, customer, subject="Immer noch Abbrüche")
    other_topic = _open(db, clock, customer, topic="billing", subject="Rechnung zu hoch")
    assert not second.created and second.case.id == first.id
    assert other_topic.created and other_topic.case.id != first.id
    kinds = [e.kind for e in cases.history(db, first.id)]
    assert "duplicate_linked" in kinds
    signals_of_first = db.scalars(select(CaseSignal).where(CaseSignal.case_id == first.id)).all()
    assert len(signals_of_first) == 2


def test_an_illegal_transition_is_a_conflict_naming_the_allowed_ones(
    db: Session, clock: FixedClock
) -> None:
    case = _open(db, clock, _customer(db, clock)).case
    with pytest.raises(Conflict) as caught:
        cases.transition(db, case.id, CaseStatus.CLOSED, now=clock.now())
    assert "in_progress" in caught.value.extra["allowed"]
    assert "closed" not in caught.value.extra["allowed"]


def test_resolving_needs_a_root_cause_and_records_goodwill(db: Session, clock: FixedClock) -> None:
    case = _open(db, clock, _customer(db, clock)).case
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=clock.now())
    with pytest.raises(Invalid) as caught:
        cases.transition(db, case.id, CaseStatus.RESOLVED, now=clock.now())
    assert caught.value.field == "root_cause"
    clock.advance(timedelta(hours=1))
    cases.transition(
        db,
        case.id,
        CaseStatus.RESOLVED,
        now=clock.now(),
        root_cause="device_software",
        goodwill="100 Freiminuten",
        goodwill_value_eur=5.0,
    )
    assert case.resolved_at == clock.now()
    assert not case.is_open and case.next_due_at is None
    assert case.goodwill == "100 Freiminuten"


def test_the_whole_lifecycle_is_recorded_with_who_and_when_and_reopen_works(
    db: Session, clock: FixedClock
) -> None:
    agent = factories.user(db, role=Role.AGENT)
    case = _open(db, clock, _customer(db, clock)).case
    steps = [
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING_THIRD_PARTY,
        CaseStatus.IN_PROGRESS,
    ]
    for status in steps:
        clock.advance(timedelta(minutes=10))
        cases.transition(db, case.id, status, now=clock.now(), actor_id=agent.id)
    cases.transition(
        db, case.id, CaseStatus.RESOLVED, now=clock.now(), root_cause="x", actor_id=agent.id
    )
    cases.transition(db, case.id, CaseStatus.CLOSED, now=clock.now(), actor_id=agent.id)
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=clock.now(), actor_id=agent.id)
    moves = [
        (e.from_status, e.to_status, e.actor_id)
        for e in cases.history(db, case.id)
        if e.kind in ("transition", "reopened")
    ]
    assert [m[1] for m in moves] == [
        *steps,
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
        CaseStatus.IN_PROGRESS,
    ]
    assert all(m[2] == agent.id for m in moves)
    assert case.is_open and case.resolved_at is None and case.closed_at is None


def test_waiting_on_the_customer_pauses_the_clocks_and_shifts_the_deadline(
    db: Session, clock: FixedClock
) -> None:
    case = _open(db, clock, _customer(db, clock)).case
    resolution_due = case.resolution_due_at
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=clock.now())
    cases.transition(db, case.id, CaseStatus.WAITING_CUSTOMER, now=clock.now())
    assert case.next_due_at is None and case.paused_since == clock.now()
    # Monday 10:00 Berlin → Monday 13:00 Berlin: three business hours on hold.
    clock.advance(timedelta(hours=3))
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=clock.now())
    assert case.paused_since is None
    assert resolution_due is not None and case.resolution_due_at is not None
    calendar = calendar_from_code(CAL)
    from cxm.cases.domain import business_time_between

    assert business_time_between(calendar, resolution_due, case.resolution_due_at) == timedelta(
        hours=3
    )


def test_promises_are_reminded_and_counted_kept_or_broken_per_team(
    db: Session, clock: FixedClock
) -> None:
    team = Department(key="hotline", name="Hotline")
    db.add(team)
    db.flush()
    agent = factories.user(db, role=Role.AGENT, department_key="hotline")
    customer = _customer(db, clock)
    case = _open(db, clock, customer).case
    kept = cases.make_promise(
        db,
        case.id,
        description="Rückruf bis morgen 12 Uhr",
        due_at=clock.now() + timedelta(hours=24),
        now=clock.now(),
        made_by=agent.id,
    )
    broken = cases.make_promise(
        db,
        case.id,
        description="Gutschrift prüfen",
        due_at=clock.now() + timedelta(hours=2),
        now=clock.now(),
        made_by=agent.id,
    )
    with pytest.raises(Invalid):
        cases.make_promise(
            db,
            case.id,
            description="zu spät",
            due_at=clock.now(),
            now=clock.now(),
            made_by=agent.id,
        )
    mailer = ConsoleMailer()
    clock.advance(timedelta(hours=1, minutes=30))
    counts = cases.watch(db, now=clock.now(), mailer=mailer)
    assert counts["promise_reminders"] == 1
    assert any("Gutschrift" in m.get_content() for m in mailer.sent)
    assert cases.watch(db, now=clock.now(), mailer=mailer)["promise_reminders"] == 0
    clock.advance(timedelta(hours=3))
    cases.keep_promise(db, kept.id, now=clock.now(), actor_id=agent.id)
    with pytest.raises(Conflict):
        cases.keep_promise(db, kept.id, now=clock.now(), actor_id=agent.id)
    (stats,) = [s for s in cases.promise_stats(db, now=clock.now()) if s.team_id == team.id]
    assert (stats.kept, stats.broken, stats.pending) == (1, 1, 0)
    assert stats.kept_rate == 0.5
    assert broken.kept_at is None


def test_a_third_party_check_has_its_own_due_time_and_answer(
    db: Session, clock: FixedClock
) -> None:
    case = _open(db, clock, _customer(db, clock)).case
    task = cases.add_task(
        db,
        case.id,
        party="Hersteller",
        question="Bekannter Softwarefehler?",
        due_at=clock.now() + timedelta(days=2),
        now=clock.now(),
        created_by=None,
    )
    clock.advance(timedelta(days=1))
    cases.answer_task(
        db, task.id, answer="Ja, Update 2.1 behebt es", now=clock.now(), actor_id=None
    )
    assert task.status == "answered"
    with pytest.raises(Conflict):
        cases.answer_task(db, task.id, answer="nochmal", now=clock.now(), actor_id=None)
    notes = [e.kind for e in cases.history(db, case.id)]
    assert "check_opened" in notes and "check_answered" in notes


def test_the_sla_watch_warns_then_escalates_once_per_level_and_mails_the_assignee(
    db: Session, clock: FixedClock
) -> None:
    agent = factories.user(db, role=Role.AGENT)
    case = _open(
        db, clock, _customer(db, clock), priority=Priority.URGENT, assignee_id=agent.id
    ).case
    mailer = ConsoleMailer()
    assert cases.watch(db, now=clock.now(), mailer=mailer)["warnings"] == 0
    assert case.ack_due_at is not None
    clock.set(case.ack_due_at - timedelta(minutes=5))
    assert cases.watch(db, now=clock.now(), mailer=mailer)["warnings"] == 1
    assert cases.watch(db, now=clock.now(), mailer=mailer)["warnings"] == 0
    clock.set(case.ack_due_at + timedelta(minutes=1))
    assert cases.watch(db, now=clock.now(), mailer=mailer)["breaches"] == 1
    assert case.escalation_level == 2
    assert [m["To"] for m in mailer.sent] == [agent.email, agent.email]
    kinds = [e.kind for e in cases.history(db, case.id)]
    assert kinds.count("sla_warning") == 1 and kinds.count("sla_breach") == 1


def test_the_queue_lists_open_cases_by_the_next_deadline(db: Session, clock: FixedClock) -> None:
    low = _open(db, clock, _customer(db, clock), priority=Priority.LOW, topic="a").case
    urgent = _open(db, clock, _customer(db, clock), priority=Priority.URGENT, topic="b").case
    paused = _open(db, clock, _customer(db, clock), topic="c").case
    cases.transition(db, paused.id, CaseStatus.WAITING_CUSTOMER, now=clock.now())
    rows, _ = cases.queue(db, now=clock.now())
    ids = [r.case.id for r in rows]
    assert ids.index(urgent.id) < ids.index(low.id)
    assert paused.id not in ids
    waiting, _ = cases.queue(db, now=clock.now(), status=CaseStatus.WAITING_CUSTOMER)
    assert [r.case.id for r in waiting] == [paused.id]
    page, next_key = cases.queue(db, now=clock.now(), limit=1)
    assert len(page) == 1 and next_key is not None
    rest, _ = cases.queue(db, now=clock.now(), after=next_key)
    assert page[0].case.id not in [r.case.id for r in rest]


def test_detractor_answers_and_complaints_open_cases_once(db: Session, clock: FixedClock) -> None:
    customer = _customer(db, clock)
    surveys.create_survey(
        db,
        key="nps-hotline",
        name="NPS",
        title_de="t",
        title_en="t",
        now=clock.now(),
        questions=[{"key": "nps", "type": "nps", "text_de": "?", "text_en": "?", "required": True}],
    )
    from cxm.surveys.domain import SurveyStatus

    surveys.set_status(db, "nps-hotline", SurveyStatus.LIVE, now=clock.now())
    surveys.record_response(
        db,
        "nps-hotline",
        customer_id=customer.id,
        answers={"nps": 2},
        submitted_at=clock.now(),
        now=clock.now(),
    )
    feedback.record_feedback(
        db,
        source="complaint",
        customer_id=customer.id,
        text="Seit dem Update bricht jedes Gespräch ab.",
        occurred_at=clock.now(),
        now=clock.now(),
    )
    first = signals.open_from_signals(db, now=clock.now(), calendar_code=CAL)
    again = signals.open_from_signals(db, now=clock.now(), calendar_code=CAL)
    assert first["opened"] + first["linked"] == 2
    assert again == {"opened": 0, "linked": 0}
    opened = cases.cases_of_customer(db, customer.id)
    assert any(c.priority is Priority.HIGH and c.response_id for c in opened)


def test_the_queue_s_fast_clocks_agree_with_the_exact_ones(db: Session, clock: FixedClock) -> None:
    case = _open(db, clock, _customer(db, clock), priority=Priority.HIGH).case
    cases.acknowledge(db, case.id, now=clock.now() + timedelta(minutes=30))
    for hours in (0, 1, 3, 7, 20, 60, 200):
        now = clock.now() + timedelta(hours=hours)
        exact = cases.clocks(case, [], now=now).all()
        fast = cases.clocks(case, [], now=now, exact=False).all()
        assert [(c.state, c.due_at, c.elapsed) for c in fast] == [
            (c.state, c.due_at, c.elapsed) for c in exact
        ], hours


def test_closing_a_resolved_case_is_a_transition_not_a_reopening(
    db: Session, clock: FixedClock
) -> None:
    case = _open(db, clock, _customer(db, clock)).case
    cases.transition(db, case.id, CaseStatus.RESOLVED, now=clock.now(), root_cause="x")
    cases.transition(db, case.id, CaseStatus.CLOSED, now=clock.now())
    kinds = [e.kind for e in cases.history(db, case.id) if e.to_status is CaseStatus.CLOSED]
    assert kinds == ["transition"]
    assert case.resolved_at is not None


def _score(db: Session, clock: FixedClock, customer: object, category: str) -> None:
    from cxm.segments.models import CustomerScore

    db.add(
        CustomerScore(
            customer_id=customer.id,  # type: ignore[attr-defined]
            clv=900.0 if category == "priority" else 40.0,
            value_tier="high" if category == "priority" else "low",
            churn_risk=0.4,
            experience="at_risk",
            category=category,
            computed_at=clock.now(),
        )
    )
    db.commit()


def test_a_high_value_customer_at_risk_gets_one_level_more_priority(
    db: Session, clock: FixedClock
) -> None:
    from cxm.insights import services as insights

    valuable, ordinary = _customer(db, clock), _customer(db, clock)
    _score(db, clock, valuable, "priority")
    _score(db, clock, ordinary, "retain_cheaply")

    raised = _open(db, clock, valuable).case
    plain = _open(db, clock, ordinary).case
    assert raised.priority is Priority.HIGH and plain.priority is Priority.NORMAL
    # the tighter policy of the higher priority: the acknowledgement is due sooner
    assert raised.ack_due_at is not None and plain.ack_due_at is not None
    assert raised.ack_due_at < plain.ack_due_at
    opened = next(e for e in cases.history(db, raised.id) if e.kind == "opened")
    assert opened.data["priority_raised_for"] == insights.PRIORITY_REASON
    assert (
        "priority_raised_for"
        not in next(e for e in cases.history(db, plain.id) if e.kind == "opened").data
    )
    # urgent stays urgent; low becomes normal
    urgent = _open(db, clock, valuable, topic="outage", priority=Priority.URGENT).case
    low = _open(db, clock, valuable, topic="billing", priority=Priority.LOW).case
    assert (urgent.priority, low.priority) == (Priority.URGENT, Priority.NORMAL)
    assert insights.priority_ids(db, [valuable.id, ordinary.id]) == {valuable.id}  # type: ignore[attr-defined]
