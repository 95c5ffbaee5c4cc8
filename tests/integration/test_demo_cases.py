"""The demo's closed loop: the dropped-calls case end to end, the notice about the fix, a queue
of cases from recent signals, and the recovery of detractors after their cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cxm import migrate
from cxm.accounts.models import Department, User
from cxm.cases import services as cases
from cxm.cases.domain import CaseSource, CaseStatus
from cxm.cases.models import Case, CaseEvent, CaseTask, Promise
from cxm.consent.domain import Purpose
from cxm.customers.models import Holding
from cxm.db import make_engine, make_session_factory
from cxm.demo import FAULTY_MODEL, DemoSummary, build_demo
from cxm.demo import cases as demo_cases
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.outreach import services as outreach
from cxm.outreach.domain import MessageKind, MessageStatus
from cxm.outreach.models import Notice, OutboundMessage
from cxm.surveys.domain import InvitationStatus, QuestionType
from cxm.surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
# Big enough for a few open cases and answered re-surveys from the signals of the last weeks.
SIZE = 500
DELIVERED = (MessageStatus.SENT, MessageStatus.DELIVERED)


@dataclass
class Loaded:
    engine: Engine
    summary: DemoSummary


def _load(path: Path, customers: int = SIZE) -> Loaded:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as db:
        summary = build_demo(db, now=NOW, seed=7, customers=customers)
    return Loaded(engine, summary)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    loaded = _load(tmp_path_factory.mktemp("demo-cases") / "demo.db")
    yield loaded
    loaded.engine.dispose()


@pytest.fixture
def db(demo: Loaded) -> Iterator[Session]:
    with make_session_factory(demo.engine)() as session:
        yield session


def _hero(db: Session, demo: Loaded) -> Case:
    assert demo.summary.hero_case is not None
    return cases.get_by_reference(db, demo.summary.hero_case)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_summary_counts_the_cases_notices_and_sent_messages(demo: Loaded, db: Session) -> None:
    s = demo.summary
    assert s.cases == _count(db, Case) > 10
    assert s.open_cases == db.scalar(
        select(func.count()).select_from(Case).where(Case.is_open.is_(True))
    )
    assert s.notices == _count(db, Notice) == 1
    sent = db.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.status.in_(DELIVERED))
    )
    assert s.messages == sent and sent > 0
    assert demo_cases.hero_case(db) == _hero(db, demo)


def test_the_hero_case_tells_the_dropped_calls_story_end_to_end(demo: Loaded, db: Session) -> None:
    case = _hero(db, demo)
    assert case.source is CaseSource.COMPLAINT and case.status is CaseStatus.CLOSED
    assert case.product_model == FAULTY_MODEL and case.topic == "network_quality"
    assert case.root_cause == "device_software"
    assert (case.goodwill, case.goodwill_value_eur) == ("100 Freiminuten", 5.0)
    complaint = db.get(Feedback, case.feedback_id)
    assert complaint is not None and complaint.customer_id == case.customer_id
    assert complaint.product_model == FAULTY_MODEL and complaint.interaction_id is not None
    owned = db.scalars(select(Holding.model).where(Holding.customer_id == case.customer_id))
    assert FAULTY_MODEL in set(owned)
    agent = db.get(User, case.assignee_id)
    team = db.get(Department, case.team_id)
    assert agent is not None and team is not None and agent.department_id == team.id
    assert team.key == "technik"

    history = cases.history(db, case.id)
    kinds = [
        e.to_status.value if e.kind in ("transition", "reopened") and e.to_status else e.kind
        for e in history
    ]
    story = ["opened", "check_opened", "promise", "check_answered", "promise_kept"]
    story += ["resolved", "closed", "resurvey"]
    # Closing sends the re-survey in the same instant; ids of one moment keep the order the
    # rows were written in, so the history tells the story in order.
    positions = [kinds.index(step) for step in story]
    assert positions == sorted(positions), kinds
    assert kinds.index("waiting_third_party") < kinds.index("check_answered")
    assert any("Kein Netzfehler" in (e.note or "") for e in history)
    assert any("2.3.1" in (e.note or "") for e in history if e.kind == "note")
    resolved = next(e for e in history if e.to_status is CaseStatus.RESOLVED)
    assert resolved.data["root_cause"] == "device_software"
    assert resolved.data["goodwill"] == "100 Freiminuten" and resolved.data["value"] == 5.0

    (task,) = db.scalars(select(CaseTask).where(CaseTask.case_id == case.id))
    assert task.party == demo_cases.MAKER and task.question == demo_cases.HERO_QUESTION
    assert task.status == "answered" and task.answered_at is not None
    assert task.answered_at <= task.due_at and "2.3.1" in (task.answer or "")
    (promise,) = db.scalars(select(Promise).where(Promise.case_id == case.id))
    assert promise.kept_at is not None and promise.kept_at <= promise.due_at
    assert (promise.due_at - case.opened_at).total_seconds() == 24 * 3600
    invitation = db.get(SurveyInvitation, case.resurvey_invitation_id)
    assert invitation is not None and invitation.status is InvitationStatus.RESPONDED

    kinds_sent = {
        m.kind
        for m in outreach.list_messages(db, case_id=case.id)
        if m.status in DELIVERED and m.interaction_id is not None
    }
    assert {
        MessageKind.CASE_ACKNOWLEDGEMENT,
        MessageKind.CASE_UPDATE,
        MessageKind.AGENT_REPLY,
        MessageKind.CASE_RESOLVED,
        MessageKind.RESURVEY,
    } <= kinds_sent


def test_the_notice_about_the_fix_reached_the_owners_of_the_model_only(
    demo: Loaded, db: Session
) -> None:
    hero = _hero(db, demo)
    (notice,) = db.scalars(select(Notice))
    assert notice.case_id == hero.id and notice.root_cause == "device_software"
    assert notice.update_link == demo_cases.UPDATE_LINK
    assert notice.title_de and notice.title_en and notice.body_de and notice.body_en
    assert notice.sent_at is not None and hero.resolved_at is not None
    assert notice.sent_at > hero.resolved_at
    day = notice.sent_at.date()
    held = db.execute(
        select(Holding.customer_id, Holding.started_on, Holding.ended_on).where(
            Holding.model == FAULTY_MODEL
        )
    ).all()
    owners = {
        c
        for c, start, end in held
        if (start is None or start <= day) and (end is None or end >= day)
    }
    former = {c for c, _, _ in held} - owners
    assert former, "the demo has customers who gave the model back before the fix"
    messages = outreach.list_messages(db, notice_id=notice.id, limit=10_000)
    assert {m.customer_id for m in messages} == owners
    sent = [m for m in messages if m.status in DELIVERED]
    assert len(sent) > len(owners) / 2
    reachable = outreach.choose_channels(
        db, list(owners), purpose=Purpose.SERVICE, available=outreach.QUEUEABLE
    )
    for message in messages:
        if message.status is MessageStatus.REFUSED:
            assert message.refused_reason and reachable[message.customer_id].channel is None
        else:
            assert message.channel == reachable[message.customer_id].channel
            assert message.body and demo_cases.UPDATE_LINK in message.body
    timeline = db.scalars(
        select(Interaction).where(Interaction.id.in_([m.interaction_id for m in sent]))
    ).all()
    assert len(timeline) == len(sent)
    assert all(i.type == "notice" and i.direction == "out" for i in timeline)
    assert notice.counts["holders"] == len(owners)


def test_the_queue_holds_open_cases_with_running_sla_clocks(db: Session) -> None:
    statuses = set(db.scalars(select(Case.status)))
    assert {CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS} <= statuses
    rows, _ = cases.queue(db, now=NOW, limit=500)
    assert rows
    for row in rows:
        assert row.case.is_open and row.case.next_due_at is not None
        assert row.clocks.resolution.due_at is not None
    assert all(r.case.team_id for r in rows)


def test_cases_come_from_recent_detractor_answers_and_complaints(db: Session) -> None:
    all_cases = db.scalars(select(Case)).all()
    assert {c.source for c in all_cases} == {CaseSource.DETRACTOR, CaseSource.COMPLAINT}
    for case in all_cases:
        if case.source is CaseSource.DETRACTOR:
            score = db.scalar(
                select(SurveyAnswer.score).where(
                    SurveyAnswer.response_id == case.response_id,
                    SurveyAnswer.type == QuestionType.NPS,
                )
            )
            assert score is not None and score <= 6
        else:
            assert case.feedback_id is not None
        assert case.opened_at < NOW and case.team_id is not None
    assert len({c.topic for c in all_cases}) >= 3
    assert all(e.at < NOW for e in db.scalars(select(CaseEvent)))


def test_closed_cases_were_re_surveyed_for_the_recovery_report(db: Session) -> None:
    closed = db.scalars(select(Case).where(Case.status == CaseStatus.CLOSED)).all()
    assert closed and all(c.resurvey_invitation_id for c in closed)
    answers = db.scalars(
        select(SurveyResponse).where(
            SurveyResponse.invitation_id.in_([c.resurvey_invitation_id for c in closed])
        )
    ).all()
    assert answers
    assert {a.question_key for r in answers for a in r.answers} >= {"solved", "ces", "nps"}
    report = cases.recovery(db)
    assert report and sum(r.detractors for r in report) > 0
    assert all(r.recovered <= r.answered <= r.detractors for r in report)
    assert sum(r.recovered for r in report) > 0


def test_every_sent_message_is_on_the_customers_timeline_at_its_moment(db: Session) -> None:
    sent = db.scalars(select(OutboundMessage).where(OutboundMessage.status.in_(DELIVERED))).all()
    timeline = {
        i.id: i
        for i in db.scalars(select(Interaction).where(Interaction.event_id.like("outreach:%")))
    }
    assert len(timeline) == len(sent)
    for message in sent:
        assert message.interaction_id is not None
        event = timeline[message.interaction_id]
        assert event.customer_id == message.customer_id and event.occurred_at == message.sent_at
        assert (event.id.int >> 80) == int(event.occurred_at.timestamp() * 1000)
    queued = db.scalars(
        select(OutboundMessage).where(OutboundMessage.status == MessageStatus.QUEUED)
    ).all()
    assert all(m.kind is MessageKind.CASE_ACKNOWLEDGEMENT for m in queued)


def test_the_same_seed_gives_the_same_cases(tmp_path: Path) -> None:
    first, again = _load(tmp_path / "first.db", 150), _load(tmp_path / "again.db", 150)
    try:

        def snapshot(session: Session) -> tuple[object, ...]:
            return (
                session.execute(
                    select(Case.id, Case.reference, Case.status, Case.opened_at).order_by(Case.id)
                ).all(),
                session.execute(
                    select(CaseEvent.id, CaseEvent.kind, CaseEvent.at).order_by(CaseEvent.id)
                ).all(),
                session.execute(
                    select(OutboundMessage.id, OutboundMessage.status).order_by(OutboundMessage.id)
                ).all(),
            )

        with (
            make_session_factory(first.engine)() as one,
            make_session_factory(again.engine)() as other,
        ):
            assert again.summary == first.summary and first.summary.cases > 0
            assert snapshot(other) == snapshot(one)
    finally:
        first.engine.dispose()
        again.engine.dispose()
