"""Use cases for service cases: open (or link a duplicate), move through the lifecycle, keep the
SLA deadlines, promises and third-party checks, resolve, close and re-survey."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from cxm.accounts.models import Department, User
from cxm.cases.domain import (
    PAUSING_STATUSES,
    CaseSource,
    CaseStatus,
    ClockKind,
    ClockState,
    Priority,
    PromiseState,
    SlaState,
    add_business_time,
    allowed_transitions,
    business_time_between,
    calendar_from_code,
    can_transition,
    escalation_level,
    is_duplicate,
    is_open,
    policy_for,
    promise_state,
    sla_clock,
)
from cxm.cases.models import Case, CaseEvent, CaseNumber, CasePause, CaseSignal, CaseTask, Promise
from cxm.customers import services as customers
from cxm.shared import events
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.shared.mail import Mailer
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, InvitationStatus, QuestionType
from cxm.surveys.models import SurveyAnswer, SurveyResponse
from cxm.touchpoints.models import Touchpoint

DUPLICATE_WINDOW = timedelta(days=14)
WARN_RATIO = 0.8
_calendar = lru_cache(maxsize=32)(calendar_from_code)
RESURVEY_KEY = "case-followup"
PROMISE_REMINDER_LEAD = timedelta(hours=1)

# Who the customer is can raise a new case's priority one level (never to urgent, which is kept
# for faults that run around the clock). Higher features register the reasons: cxm.insights
# raises it for customers of high value at risk, so their cases move up the agent's queue.
PriorityRaiser = Callable[[Session, uuid.UUID], str | None]
_RAISERS: list[PriorityRaiser] = []
_RAISED = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH}


def register_priority_raiser(raiser: PriorityRaiser) -> None:
    """Adds a hook that returns why a customer's new cases need a higher priority, or None."""
    if raiser not in _RAISERS:
        _RAISERS.append(raiser)


def _raised_for(db: Session, customer_id: uuid.UUID) -> str | None:
    return next((r for r in (raiser(db, customer_id) for raiser in _RAISERS) if r), None)


Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class OpenResult:
    case: Case
    created: bool


@dataclass(frozen=True, slots=True)
class CaseClocks:
    acknowledgement: ClockState
    first_response: ClockState
    resolution: ClockState

    def all(self) -> tuple[ClockState, ClockState, ClockState]:
        return (self.acknowledgement, self.first_response, self.resolution)


# --- opening -------------------------------------------------------------------------------


def open_case(
    db: Session,
    *,
    customer_id: uuid.UUID,
    subject: str,
    now: datetime,
    calendar_code: str,
    category: str = "complaint",
    priority: Priority = Priority.NORMAL,
    source: CaseSource = CaseSource.AGENT,
    description: str | None = None,
    touchpoint_id: uuid.UUID | None = None,
    feedback_id: uuid.UUID | None = None,
    response_id: uuid.UUID | None = None,
    topic: str | None = None,
    topics: Sequence[str] = (),
    product_model: str | None = None,
    team_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    opened_by: uuid.UUID | None = None,
    signal_kind: str | None = None,
    signal_ref: str | None = None,
    duplicate_window: timedelta = DUPLICATE_WINDOW,
    commit: bool = True,
) -> OpenResult:
    """Opens a case with its SLA deadlines, or links the signal to the customer's case on the
    same topic when one is open or was opened within the window (never two cases for one issue)."""
    customer = customers.get_customer(db, customer_id)
    if not subject.strip():
        raise Invalid("the subject must not be empty", field="subject")
    if assignee_id is not None and db.get(User, assignee_id) is None:
        raise Invalid("unknown assignee", field="assignee_id")
    if team_id is not None and db.get(Department, team_id) is None:
        raise Invalid("unknown team", field="team_id")
    topic = topic or (topics[0] if topics else None)
    kind = signal_kind or source.value
    if signal_ref is not None:
        known = db.scalar(
            select(CaseSignal.case_id).where(
                CaseSignal.kind == kind, CaseSignal.ref_id == signal_ref
            )
        )
        if known is not None:
            return OpenResult(get_case(db, known), False)
    if topic is not None:
        existing = _duplicate_of(db, customer.id, topic, now=now, window=duplicate_window)
        if existing is not None:
            _add_signal(db, existing, kind=kind, ref=signal_ref, at=now, summary=subject)
            _event(
                db,
                existing,
                "duplicate_linked",
                at=now,
                actor=opened_by,
                note=subject,
                data={"source": source.value, "ref": signal_ref},
            )
            if commit:
                db.commit()
            return OpenResult(existing, False)

    raised_for = _raised_for(db, customer.id) if priority in _RAISED else None
    if raised_for is not None:
        priority = _RAISED[priority]
    policy = policy_for(category, priority)
    # The installation's calendar applies, except where the policy runs around the clock.
    code = policy.calendar_code if policy.calendar_code == "24x7" else calendar_code
    calendar = _calendar(code)
    if team_id is None and touchpoint_id is not None:
        team_id = db.scalar(select(Touchpoint.department_id).where(Touchpoint.id == touchpoint_id))
    case = Case(
        customer_id=customer.id,
        reference="",
        subject=subject.strip()[:300],
        description=description,
        category=category,
        priority=priority,
        status=CaseStatus.NEW,
        is_open=True,
        source=source,
        language=str(customer.language),
        touchpoint_id=touchpoint_id,
        feedback_id=feedback_id,
        response_id=response_id,
        topic=topic,
        topics=list(dict.fromkeys([*([topic] if topic else []), *topics])),
        product_model=product_model,
        team_id=team_id,
        assignee_id=assignee_id,
        opened_by=opened_by,
        calendar_code=code,
        ack_target_s=int(policy.targets.acknowledgement.total_seconds()),
        first_response_target_s=int(policy.targets.first_response.total_seconds()),
        resolution_target_s=int(policy.targets.resolution.total_seconds()),
        opened_at=now,
        status_changed_at=now,
    )
    db.add(case)
    db.flush()
    number = CaseNumber(case_id=case.id)
    db.add(number)
    db.flush()
    case.reference = f"CASE-{number.number:06d}"
    _recompute(case, [], calendar, now=now)
    _add_signal(db, case, kind=kind, ref=signal_ref, at=now, summary=subject)
    _event(
        db,
        case,
        "opened",
        at=now,
        actor=opened_by,
        to_status=CaseStatus.NEW,
        data={
            "source": source.value,
            "priority": priority.value,
            "category": category,
            **({"priority_raised_for": raised_for} if raised_for else {}),
        },
    )
    db.flush()
    events.publish(db, events.CaseOpened(case.id, now))
    if commit:
        db.commit()
    return OpenResult(case, True)


def _duplicate_of(
    db: Session, customer_id: uuid.UUID, topic: str, *, now: datetime, window: timedelta
) -> Case | None:
    candidates = db.scalars(
        select(Case)
        .where(
            Case.customer_id == customer_id,
            Case.topic == topic,
            or_(Case.is_open.is_(True), Case.opened_at >= now - window),
        )
        .order_by(Case.opened_at.desc())
        .limit(5)
    ).all()
    for case in candidates:
        if is_duplicate(
            existing_opened_at=case.opened_at, existing_status=case.status, now=now, window=window
        ):
            return case
    return None


def _add_signal(
    db: Session, case: Case, *, kind: str, ref: str | None, at: datetime, summary: str | None
) -> None:
    db.add(
        CaseSignal(
            case_id=case.id, kind=kind, ref_id=ref, at=at, summary=(summary or "")[:300] or None
        )
    )


def _event(
    db: Session,
    case: Case,
    kind: str,
    *,
    at: datetime,
    actor: uuid.UUID | None = None,
    note: str | None = None,
    from_status: CaseStatus | None = None,
    to_status: CaseStatus | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        at=at,
        actor_id=actor,
        kind=kind,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    db.add(event)
    return event


# --- reading -------------------------------------------------------------------------------


def get_case(db: Session, case_id: uuid.UUID) -> Case:
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound("case not found", field="case_id")
    return case


def get_by_reference(db: Session, reference: str) -> Case:
    case = db.scalar(select(Case).where(Case.reference == reference.upper()))
    if case is None:
        raise NotFound("case not found", field="reference")
    return case


def history(db: Session, case_id: uuid.UUID) -> Sequence[CaseEvent]:
    """Every event of the case, oldest first."""
    return db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)
    ).all()


def pauses_of(db: Session, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Pause]]:
    out: dict[uuid.UUID, list[Pause]] = defaultdict(list)
    ids = list(case_ids)
    if not ids:
        return out
    for row in db.execute(
        select(CasePause.case_id, CasePause.started_at, CasePause.ended_at)
        .where(CasePause.case_id.in_(ids))
        .order_by(CasePause.started_at)
    ):
        out[row.case_id].append((row.started_at, row.ended_at))
    return out


def clocks(case: Case, pauses: Sequence[Pause], *, now: datetime, exact: bool = True) -> CaseClocks:
    """The three SLA clocks of the case at `now`.

    With exact=False (the queue, 50+ rows at a time) a case that was never paused reuses its
    stored deadlines and computes the elapsed business time once instead of per clock; the
    states are the same, only `warn_at` is left out."""
    calendar = _calendar(case.calendar_code)
    specs = (
        (ClockKind.ACKNOWLEDGEMENT, case.ack_target_s, case.acknowledged_at, case.ack_due_at),
        (
            ClockKind.FIRST_RESPONSE,
            case.first_response_target_s,
            case.first_response_at,
            case.first_response_due_at,
        ),
        (ClockKind.RESOLUTION, case.resolution_target_s, case.resolved_at, case.resolution_due_at),
    )
    if exact or pauses:
        return CaseClocks(
            *(
                sla_clock(
                    calendar,
                    kind=kind,
                    started_at=case.opened_at,
                    target=timedelta(seconds=target_s),
                    pauses=pauses,
                    met_at=met_at,
                    now=now,
                    warn_ratio=WARN_RATIO,
                )
                for kind, target_s, met_at, _ in specs
            )
        )
    until_now = business_time_between(calendar, case.opened_at, max(now, case.opened_at))
    states = []
    for kind, target_s, met_at, due_at in specs:
        target = timedelta(seconds=target_s)
        if met_at is not None:
            elapsed = business_time_between(calendar, case.opened_at, max(met_at, case.opened_at))
            state = SlaState.MET if elapsed <= target else SlaState.MET_LATE
        else:
            elapsed = until_now
            if elapsed > target:
                state = SlaState.BREACHED
            elif elapsed >= target * WARN_RATIO:
                state = SlaState.WARNING
            else:
                state = SlaState.RUNNING
        states.append(
            ClockState(
                kind=kind,
                due_at=due_at,
                warn_at=None,
                elapsed=elapsed,
                target=target,
                remaining=target - elapsed,
                state=state,
            )
        )
    return CaseClocks(*states)


@dataclass(frozen=True, slots=True)
class QueueRow:
    case: Case
    clocks: CaseClocks
    customer_name: str


def queue(
    db: Session,
    *,
    now: datetime,
    team_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> tuple[list[QueueRow], tuple[datetime, uuid.UUID] | None]:
    """Open cases by SLA urgency (the earliest unmet deadline first), with their clocks; paused
    cases are listed with status=waiting_customer. Returns the rows and the next keyset."""
    from cxm.customers.models import Customer

    query = select(Case, Customer.display_name).join(Customer, Customer.id == Case.customer_id)
    if status in PAUSING_STATUSES:
        query = query.where(Case.status == status).order_by(Case.opened_at, Case.id)
    else:
        query = query.where(Case.is_open.is_(True), Case.next_due_at.is_not(None))
        if status is not None:
            query = query.where(Case.status == status)
        if after is not None:
            # The redundant bound lets SQLite seek in the index instead of scanning to the key.
            query = query.where(Case.next_due_at >= after[0])
            query = query.where(
                or_(
                    Case.next_due_at > after[0],
                    and_(Case.next_due_at == after[0], Case.id > after[1]),
                )
            )
        query = query.order_by(Case.next_due_at, Case.id)
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    if assignee_id is not None:
        query = query.where(Case.assignee_id == assignee_id)
    rows = db.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    pauses = pauses_of(db, [c.id for c, _ in rows])
    out = [
        QueueRow(c, clocks(c, pauses.get(c.id, []), now=now, exact=False), name) for c, name in rows
    ]
    last = rows[-1][0] if rows else None
    next_key = (
        (last.next_due_at, last.id) if more and last is not None and last.next_due_at else None
    )
    return out, next_key


def cases_of_customer(db: Session, customer_id: uuid.UUID, *, limit: int = 50) -> Sequence[Case]:
    cid = customers.resolve_id(db, customer_id)
    return db.scalars(
        select(Case)
        .where(Case.customer_id == cid)
        .order_by(Case.is_open.desc(), Case.opened_at.desc())
        .limit(limit)
    ).all()


# --- lifecycle -----------------------------------------------------------------------------


def transition(
    db: Session,
    case_id: uuid.UUID,
    to: CaseStatus,
    *,
    now: datetime,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
    root_cause: str | None = None,
    resolution_note: str | None = None,
    goodwill: str | None = None,
    goodwill_value_eur: float | None = None,
    resurvey_policy: FatiguePolicy | None = None,
    commit: bool = True,
) -> Case:
    """Moves the case on; an illegal move is a 409 naming the allowed ones. Waiting on the
    customer pauses the SLA clocks; resolving needs a root cause; closing sends the re-survey."""
    case = get_case(db, case_id)
    to = CaseStatus(to)
    if not can_transition(case.status, to):
        allowed = [s.value for s in allowed_transitions(case.status)]
        raise Conflict(
            f"a case cannot go from {case.status.value} to {to.value}",
            field="status",
            allowed=allowed,
        )
    if to is CaseStatus.RESOLVED:
        if not (root_cause or "").strip():
            raise Invalid("resolving a case needs a root cause", field="root_cause")
        case.root_cause = (root_cause or "").strip()[:64]
        case.resolution_note = resolution_note
        case.goodwill = goodwill
        case.goodwill_value_eur = goodwill_value_eur
    previous = case.status
    reopening = previous in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and is_open(to)
    _close_pause(db, case, now)
    if to in PAUSING_STATUSES:
        db.add(CasePause(case_id=case.id, started_at=now))
        case.paused_since = now
    case.status = to
    case.status_changed_at = now
    case.is_open = is_open(to)
    if to is not CaseStatus.NEW and case.acknowledged_at is None:
        case.acknowledged_at = now
    if to is CaseStatus.RESOLVED:
        case.resolved_at = now
        if case.first_response_at is None:
            case.first_response_at = now
    elif to is CaseStatus.CLOSED:
        case.closed_at = now
    elif reopening:
        case.resolved_at = None
        case.closed_at = None
    db.flush()
    _recompute(case, pauses_of(db, [case.id]).get(case.id, []), None, now=now)
    kind = "reopened" if reopening else "transition"
    data: dict[str, Any] = {}
    if to is CaseStatus.RESOLVED:
        data = {"root_cause": case.root_cause, "goodwill": goodwill, "value": goodwill_value_eur}
    _event(
        db,
        case,
        kind,
        at=now,
        actor=actor_id,
        note=note,
        from_status=previous,
        to_status=to,
        data=data,
    )
    if to is CaseStatus.CLOSED:
        _resurvey(db, case, now=now, policy=resurvey_policy)
    db.flush()
    events.publish(db, events.CaseStatusChanged(case.id, previous.value, to.value, now, actor_id))
    if commit:
        db.commit()
    return case


def _close_pause(db: Session, case: Case, now: datetime) -> None:
    if case.paused_since is None:
        return
    pause = db.scalar(
        select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_at.is_(None))
    )
    if pause is not None:
        pause.ended_at = now
    case.paused_since = None


def _recompute(case: Case, pauses: Sequence[Pause], calendar: Any, *, now: datetime) -> None:
    """Stores each clock's deadline and the next one due; a paused case has no next deadline."""
    calendar = calendar or _calendar(case.calendar_code)
    closed = [(s, e) for s, e in pauses if e is not None]

    def due(target_s: int) -> datetime:
        return add_business_time(calendar, case.opened_at, timedelta(seconds=target_s), closed)

    case.ack_due_at = due(case.ack_target_s)
    case.first_response_due_at = due(case.first_response_target_s)
    case.resolution_due_at = due(case.resolution_target_s)
    if not case.is_open or case.paused_since is not None:
        case.next_due_at = None
        return
    unmet = [
        d
        for d, met in (
            (case.ack_due_at, case.acknowledged_at),
            (case.first_response_due_at, case.first_response_at),
            (case.resolution_due_at, case.resolved_at),
        )
        if met is None
    ]
    case.next_due_at = min(unmet) if unmet else None


def acknowledge(
    db: Session, case_id: uuid.UUID, *, now: datetime, by_message: uuid.UUID | None = None
) -> Case:
    """Marks the acknowledgement as given (the customer was told we have the request)."""
    case = get_case(db, case_id)
    if case.acknowledged_at is None:
        case.acknowledged_at = now
        if case.status is CaseStatus.NEW:
            case.status = CaseStatus.ACKNOWLEDGED
            case.status_changed_at = now
            _event(
                db,
                case,
                "transition",
                at=now,
                from_status=CaseStatus.NEW,
                to_status=CaseStatus.ACKNOWLEDGED,
                data={"message_id": str(by_message) if by_message else None},
            )
        _recompute(case, pauses_of(db, [case.id]).get(case.id, []), None, now=now)
    return case


def record_first_response(
    db: Session, case_id: uuid.UUID, *, now: datetime, actor_id: uuid.UUID | None, how: str
) -> Case:
    """Marks the first real answer to the customer (a reply or a call), once."""
    case = get_case(db, case_id)
    if case.first_response_at is None:
        case.first_response_at = now
        if case.acknowledged_at is None:
            case.acknowledged_at = now
        _event(db, case, "first_response", at=now, actor=actor_id, data={"how": how})
        _recompute(case, pauses_of(db, [case.id]).get(case.id, []), None, now=now)
    return case


def log_message(
    db: Session,
    case_id: uuid.UUID,
    *,
    message_id: uuid.UUID,
    kind: str,
    channel: str,
    at: datetime,
) -> None:
    """Records on the case that a message went out to the customer (flushes only)."""
    case = get_case(db, case_id)
    _event(
        db,
        case,
        "message_sent",
        at=at,
        data={"message_id": str(message_id), "kind": kind, "channel": channel},
    )


def add_note(
    db: Session, case_id: uuid.UUID, *, text: str, now: datetime, actor_id: uuid.UUID | None
) -> CaseEvent:
    case = get_case(db, case_id)
    if not text.strip():
        raise Invalid("the note must not be empty", field="text")
    event = _event(db, case, "note", at=now, actor=actor_id, note=text.strip())
    db.commit()
    return event


def assign(
    db: Session,
    case_id: uuid.UUID,
    *,
    assignee_id: uuid.UUID | None,
    team_id: uuid.UUID | None,
    now: datetime,
    actor_id: uuid.UUID | None,
) -> Case:
    case = get_case(db, case_id)
    if assignee_id is not None and db.get(User, assignee_id) is None:
        raise Invalid("unknown assignee", field="assignee_id")
    if team_id is not None and db.get(Department, team_id) is None:
        raise Invalid("unknown team", field="team_id")
    case.assignee_id = assignee_id
    if team_id is not None:
        case.team_id = team_id
    _event(
        db,
        case,
        "assigned",
        at=now,
        actor=actor_id,
        data={
            "assignee_id": str(assignee_id) if assignee_id else None,
            "team_id": str(case.team_id) if case.team_id else None,
        },
    )
    db.commit()
    return case


# --- promises and third-party checks -------------------------------------------------------


def make_promise(
    db: Session,
    case_id: uuid.UUID,
    *,
    description: str,
    due_at: datetime,
    now: datetime,
    made_by: uuid.UUID | None,
) -> Promise:
    """Records what the agent promised and by when; cxm reminds the agent before it is due."""
    case = get_case(db, case_id)
    if not case.is_open:
        raise Conflict("promises can only be made on open cases", field="case_id")
    if not description.strip():
        raise Invalid("say what was promised", field="description")
    if due_at.tzinfo is None:
        raise Invalid("the due time needs a time zone", field="due_at")
    if due_at <= now:
        raise Invalid("the promise must be due in the future", field="due_at")
    team_id = case.team_id
    if made_by is not None:
        user = db.get(User, made_by)
        team_id = (user.department_id if user else None) or team_id
    promise = Promise(
        case_id=case.id,
        team_id=team_id,
        made_by=made_by,
        made_at=now,
        due_at=due_at,
        description=description.strip()[:500],
    )
    db.add(promise)
    db.flush()
    _event(
        db,
        case,
        "promise",
        at=now,
        actor=made_by,
        note=promise.description,
        data={"promise_id": str(promise.id), "due_at": due_at.isoformat()},
    )
    db.commit()
    return promise


def keep_promise(
    db: Session, promise_id: uuid.UUID, *, now: datetime, actor_id: uuid.UUID | None
) -> Promise:
    promise = db.get(Promise, promise_id)
    if promise is None:
        raise NotFound("promise not found", field="promise_id")
    if promise.kept_at is not None or promise.cancelled_at is not None:
        raise Conflict("the promise is already settled", field="promise_id")
    promise.kept_at = now
    state = promise_state(promise.due_at, now, now)
    case = get_case(db, promise.case_id)
    _event(
        db,
        case,
        "promise_kept" if state is PromiseState.KEPT else "promise_late",
        at=now,
        actor=actor_id,
        note=promise.description,
        data={"promise_id": str(promise.id)},
    )
    db.commit()
    return promise


def promises_of(db: Session, case_id: uuid.UUID) -> Sequence[Promise]:
    return db.scalars(
        select(Promise).where(Promise.case_id == case_id).order_by(Promise.due_at)
    ).all()


@dataclass(frozen=True, slots=True)
class PromiseStats:
    team_id: uuid.UUID | None
    team: str | None
    kept: int
    broken: int
    pending: int

    @property
    def kept_rate(self) -> float | None:
        settled = self.kept + self.broken
        return self.kept / settled if settled else None


def promise_stats(
    db: Session, *, now: datetime, since: datetime | None = None
) -> list[PromiseStats]:
    """Kept and broken promises per team (a late promise counts as broken)."""
    query = select(Promise.team_id, Promise.due_at, Promise.kept_at).where(
        Promise.cancelled_at.is_(None)
    )
    if since is not None:
        query = query.where(Promise.made_at >= since)
    counts: dict[uuid.UUID | None, dict[PromiseState, int]] = defaultdict(lambda: defaultdict(int))
    for team_id, due_at, kept_at in db.execute(query):
        state = promise_state(due_at, kept_at, now)
        if state is PromiseState.DUE_SOON:
            state = PromiseState.PENDING
        counts[team_id][state] += 1
    names = {r.id: r.name for r in db.execute(select(Department.id, Department.name))}
    return [
        PromiseStats(
            team_id,
            names.get(team_id) if team_id else None,
            c[PromiseState.KEPT],
            c[PromiseState.BROKEN],
            c[PromiseState.PENDING],
        )
        for team_id, c in sorted(counts.items(), key=lambda kv: str(names.get(kv[0], "~")))
    ]


def add_task(
    db: Session,
    case_id: uuid.UUID,
    *,
    party: str,
    question: str,
    due_at: datetime,
    now: datetime,
    created_by: uuid.UUID | None,
) -> CaseTask:
    """Opens a third-party check (e.g. an inquiry at the device maker) with its own due time."""
    case = get_case(db, case_id)
    if not case.is_open:
        raise Conflict("checks can only be opened on open cases", field="case_id")
    if not party.strip():
        raise Invalid("name the third party", field="party")
    if not question.strip():
        raise Invalid("say what is to be checked", field="question")
    if due_at <= now:
        raise Invalid("the check must be due in the future", field="due_at")
    task = CaseTask(
        case_id=case.id,
        party=party.strip()[:200],
        question=question.strip(),
        created_by=created_by,
        created_at=now,
        due_at=due_at,
    )
    db.add(task)
    db.flush()
    _event(
        db,
        case,
        "check_opened",
        at=now,
        actor=created_by,
        note=task.question,
        data={"task_id": str(task.id), "party": task.party, "due_at": due_at.isoformat()},
    )
    db.commit()
    return task


def answer_task(
    db: Session, task_id: uuid.UUID, *, answer: str, now: datetime, actor_id: uuid.UUID | None
) -> CaseTask:
    task = db.get(CaseTask, task_id)
    if task is None:
        raise NotFound("check not found", field="task_id")
    if task.status != "open":
        raise Conflict(f"the check is already {task.status}", field="task_id")
    if not answer.strip():
        raise Invalid("record the answer", field="answer")
    task.status = "answered"
    task.answer = answer.strip()
    task.answered_at = now
    case = get_case(db, task.case_id)
    _event(
        db,
        case,
        "check_answered",
        at=now,
        actor=actor_id,
        note=task.answer,
        data={"task_id": str(task.id), "party": task.party, "late": now > task.due_at},
    )
    db.commit()
    return task


def tasks_of(db: Session, case_id: uuid.UUID) -> Sequence[CaseTask]:
    return db.scalars(
        select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.created_at)
    ).all()


# --- SLA watch (a job) ---------------------------------------------------------------------


def watch(db: Session, *, now: datetime, mailer: Mailer, limit: int = 5000) -> dict[str, int]:
    """Warns before and escalates at a breach (once per level), reminds agents of promises due
    soon; each step is recorded on the case and mailed to the assignee or team."""
    counts = {"warnings": 0, "breaches": 0, "escalations": 0, "promise_reminders": 0}
    horizon = now + timedelta(days=3)
    candidates = db.scalars(
        select(Case)
        .where(Case.is_open.is_(True), Case.next_due_at.is_not(None), Case.next_due_at <= horizon)
        .order_by(Case.next_due_at)
        .limit(limit)
    ).all()
    pauses = pauses_of(db, [c.id for c in candidates])
    for case in candidates:
        state = clocks(case, pauses.get(case.id, []), now=now)
        level = escalation_level(state.all())
        if level <= case.escalation_level:
            continue
        worst = max(state.all(), key=lambda c: _severity(c.state))
        kind = "sla_warning" if level == 1 else ("sla_breach" if level == 2 else "escalation")
        counts[{"sla_warning": "warnings", "sla_breach": "breaches"}.get(kind, "escalations")] += 1
        case.escalation_level = level
        if level == 1:
            case.warned_at = now
        _event(
            db,
            case,
            kind,
            at=now,
            note=f"{worst.kind.value}: {worst.state}",
            data={"clock": worst.kind.value, "due_at": _iso(worst.due_at), "level": level},
        )
        _mail_escalation(db, case, kind, worst, mailer)
    due_promises = db.scalars(
        select(Promise).where(
            Promise.kept_at.is_(None),
            Promise.cancelled_at.is_(None),
            Promise.reminded_at.is_(None),
            Promise.due_at <= now + PROMISE_REMINDER_LEAD,
        )
    ).all()
    for promise in due_promises:
        promise.reminded_at = now
        case = get_case(db, promise.case_id)
        _event(
            db,
            case,
            "promise_reminder",
            at=now,
            note=promise.description,
            data={"promise_id": str(promise.id), "due_at": promise.due_at.isoformat()},
        )
        user = db.get(User, promise.made_by) if promise.made_by else None
        if user is not None:
            mailer.send(
                to=user.email,
                subject=(
                    f"Erinnerung: Zusage in {case.reference} fällig "
                    f"{promise.due_at:%d.%m. %H:%M} UTC"
                ),
                body=(
                    f"Sie haben zugesagt: {promise.description}\n"
                    f"Fall: {case.reference} – {case.subject}"
                ),
            )
        counts["promise_reminders"] += 1
    db.commit()
    return counts


def _severity(state: str) -> int:
    return {"breached": 3, "warning": 2, "running": 1}.get(state, 0)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _mail_escalation(db: Session, case: Case, kind: str, clock: ClockState, mailer: Mailer) -> None:
    recipients: list[str] = []
    if case.assignee_id is not None:
        user = db.get(User, case.assignee_id)
        if user is not None and user.active:
            recipients.append(user.email)
    if (kind != "sla_warning" or not recipients) and case.team_id is not None:
        from cxm.accounts.domain import Role

        recipients += db.scalars(
            select(User.email).where(
                User.department_id == case.team_id,
                User.active.is_(True),
                User.role.in_([Role.CX_MANAGER, Role.ADMIN]),
            )
        ).all()
    words = {
        "sla_warning": "droht zu reißen",
        "sla_breach": "ist gerissen",
        "escalation": "ist weit überschritten (Eskalation)",
    }
    for to in dict.fromkeys(recipients):
        mailer.send(
            to=to,
            subject=f"SLA {words[kind]}: {case.reference} ({clock.kind.value})",
            body=(
                f"Fall {case.reference}: {case.subject}\nFrist ({clock.kind.value}): "
                f"{_iso(clock.due_at)}\nPriorität: {case.priority.value}"
            ),
        )


# --- closed loop ---------------------------------------------------------------------------


def _resurvey(db: Session, case: Case, *, now: datetime, policy: FatiguePolicy | None) -> None:
    """Invites the customer to the short follow-up survey; outreach delivers it on the customer's
    channel (the invitation is held back from the survey e-mail run)."""
    if case.resurvey_invitation_id is not None:
        return
    survey = ensure_resurvey(db, now=now)
    invitation = surveys.invite(
        db,
        survey_key=survey.key,
        customer_id=case.customer_id,
        now=now,
        # The customer expects this one: only consent, not the fatigue limit, can stop it.
        policy=policy or FatiguePolicy(window=timedelta(0), max_invitations=1_000_000),
        touchpoint_id=case.touchpoint_id,
        commit=False,
    )
    case.resurvey_invitation_id = invitation.id
    if invitation.status is InvitationStatus.SCHEDULED:
        invitation.status = InvitationStatus.HELD
    _event(
        db,
        case,
        "resurvey",
        at=now,
        data={
            "invitation_id": str(invitation.id),
            "status": invitation.status.value,
            "reason": invitation.skip_reason,
        },
    )


def ensure_resurvey(db: Session, *, now: datetime) -> Any:
    """The follow-up survey after a case ("Has it been solved? How easy was it?"), created live
    on first use so every installation has it."""
    from cxm.shared.errors import NotFound as _NotFound

    try:
        return surveys.get_survey(db, RESURVEY_KEY)
    except _NotFound:
        pass
    from cxm.surveys.domain import SurveyStatus

    survey = surveys.create_survey(
        db,
        key=RESURVEY_KEY,
        name="Nachbefragung nach Fallabschluss",
        title_de="Ihr Anliegen – ist es gelöst?",
        title_en="Your request – is it solved?",
        questions=[
            {
                "key": "solved",
                "type": "single_choice",
                "required": True,
                "text_de": "Ist Ihr Anliegen gelöst?",
                "text_en": "Has your issue been solved?",
                "options": [
                    ["yes", "Ja", "Yes"],
                    ["partly", "Teilweise", "Partly"],
                    ["no", "Nein", "No"],
                ],
            },
            {
                "key": "ces",
                "type": "ces",
                "required": True,
                "text_de": "Wie einfach war es, Ihr Anliegen zu klären?",
                "text_en": "How easy was it to get your issue resolved?",
            },
            {
                "key": "nps",
                "type": "nps",
                "required": False,
                "text_de": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?",
                "text_en": "How likely are you to recommend us?",
            },
            {
                "key": "comment",
                "type": "text",
                "required": False,
                "text_de": "Möchten Sie uns noch etwas sagen?",
                "text_en": "Anything else you would like to tell us?",
            },
        ],
        now=now,
        commit=False,
    )
    surveys.set_status(db, survey.key, SurveyStatus.LIVE, now=now, commit=False)
    return survey


@dataclass(frozen=True, slots=True)
class RecoveryRow:
    group: str
    detractors: int
    answered: int
    recovered: int

    @property
    def rate(self) -> float | None:
        return self.recovered / self.answered if self.answered else None


def recovery(db: Session, *, by: str = "team", since: datetime | None = None) -> list[RecoveryRow]:
    """Recovered detractors: customers who were detractors before the case (NPS 0–6 in the last
    answer before it opened) and promoters or passives in the re-survey after it, per team or
    topic. `answered` counts the detractors who answered the re-survey's NPS question."""
    if by not in ("team", "topic"):
        raise Invalid("group by team or topic", field="by")
    query = select(Case).where(Case.resurvey_invitation_id.is_not(None))
    if since is not None:
        query = query.where(Case.closed_at >= since)
    cases = db.scalars(query).all()
    names = {r.id: r.name for r in db.execute(select(Department.id, Department.name))}
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in cases:
        before = _last_nps(
            db, case.customer_id, before=case.opened_at, response_id=case.response_id
        )
        if before is None or before > 6:
            continue
        key = (
            (names.get(case.team_id, "—") if case.team_id else "—")
            if by == "team"
            else (case.topic or "—")
        )
        row = groups[key]
        row[0] += 1
        after = db.scalar(
            select(SurveyAnswer.score)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(
                SurveyResponse.invitation_id == case.resurvey_invitation_id,
                SurveyAnswer.type == QuestionType.NPS,
            )
        )
        if after is not None:
            row[1] += 1
            if after >= 7:
                row[2] += 1
    return [RecoveryRow(k, *v) for k, v in sorted(groups.items())]


def _last_nps(
    db: Session, customer_id: uuid.UUID, *, before: datetime, response_id: uuid.UUID | None
) -> int | None:
    query = (
        select(SurveyAnswer.score)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.type == QuestionType.NPS, SurveyAnswer.score.is_not(None))
    )
    if response_id is not None:
        score = db.scalar(query.where(SurveyResponse.id == response_id))
        if score is not None:
            return int(score)
    score = db.scalar(
        query.where(SurveyResponse.customer_id == customer_id, SurveyResponse.submitted_at < before)
        .order_by(SurveyResponse.submitted_at.desc())
        .limit(1)
    )
    return int(score) if score is not None else None


def open_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Case).where(Case.is_open.is_(True))) or 0)
