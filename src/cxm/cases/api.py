"""Routes for cases: the agent's queue, the case with its history, transitions, promises,
third-party checks and the closed-loop reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.cases import services
from cxm.cases.domain import CaseStatus, allowed_transitions, promise_state
from cxm.cases.models import Promise
from cxm.cases.schemas import (
    AssignIn,
    CaseCreate,
    CaseDetail,
    CaseOpened,
    CaseOut,
    ClockOut,
    EventOut,
    NoteIn,
    PromiseIn,
    PromiseOut,
    PromiseStatsOut,
    QueueItem,
    QueuePage,
    RecoveryOut,
    TaskAnswerIn,
    TaskIn,
    TaskOut,
    TransitionIn,
)
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.shared.errors import Invalid
from cxm.shared.pagination import decode_cursor, encode_cursor

router = APIRouter(tags=["cases"])

Reader = Annotated[User, Depends(require(Permission.CASES_READ))]
Writer = Annotated[User, Depends(require(Permission.CASES_WRITE))]


def deliver_soon(request: Request, background: BackgroundTasks) -> None:
    """Sends what the request queued (the acknowledgement, an update) right after the response
    through the delivery hook the app installs; the worker retries whatever fails."""
    hook = getattr(request.app.state, "deliver_now", None)
    if hook is not None:
        background.add_task(hook, request.app)


@router.post("/cases", status_code=201)
def open_case(
    body: CaseCreate,
    request: Request,
    background: BackgroundTasks,
    response: Response,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
) -> CaseOpened:
    """Opens a case (the acknowledgement goes out at once); a second request for the same
    customer and topic within the window joins the open case (200, duplicate=true)."""
    fields = body.model_dump(exclude={"external_ref"})
    result = services.open_case(
        db,
        **fields,
        now=clock.now(),
        calendar_code=settings.business_calendar,
        opened_by=user.id,
        signal_kind="api",
        signal_ref=body.external_ref,
    )
    if not result.created:
        response.status_code = 200
    deliver_soon(request, background)
    return CaseOpened(
        **CaseOut.model_validate(result.case).model_dump(), duplicate=not result.created
    )


@router.get("/cases")
def queue(
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    team_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    mine: bool = False,
    status: CaseStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
) -> QueuePage:
    """Open cases, the most urgent SLA deadline first; waiting_customer lists paused cases."""
    after = None
    if cursor:
        try:
            due, case_id = decode_cursor(cursor)
            after = (datetime.fromisoformat(due), uuid.UUID(case_id))
        except (ValueError, TypeError):
            raise Invalid("the cursor is not valid", field="cursor") from None
    rows, next_key = services.queue(
        db,
        now=clock.now(),
        team_id=team_id,
        assignee_id=user.id if mine else assignee_id,
        status=status,
        after=after,
        limit=limit,
    )
    return QueuePage(
        items=[
            QueueItem(
                case=CaseOut.model_validate(r.case),
                customer_name=r.customer_name,
                clocks=[ClockOut.of(c) for c in r.clocks.all()],
            )
            for r in rows
        ],
        next_cursor=encode_cursor([next_key[0].isoformat(), str(next_key[1])])
        if next_key
        else None,
    )


def _detail(db: Any, case_id: uuid.UUID, now: datetime) -> CaseDetail:
    case = services.get_case(db, case_id)
    pauses = services.pauses_of(db, [case.id]).get(case.id, [])
    return CaseDetail(
        case=CaseOut.model_validate(case),
        allowed_transitions=list(allowed_transitions(case.status)),
        clocks=[ClockOut.of(c) for c in services.clocks(case, pauses, now=now).all()],
        events=[EventOut.model_validate(e) for e in services.history(db, case.id)],
        promises=[_promise(p, now) for p in services.promises_of(db, case.id)],
        checks=[TaskOut.model_validate(t) for t in services.tasks_of(db, case.id)],
    )


def _promise(promise: Promise, now: datetime) -> PromiseOut:
    out = PromiseOut.model_validate(promise)
    out.state = promise_state(promise.due_at, promise.kept_at, now).value
    return out


@router.get("/cases/{case_id}")
def get_case(case_id: uuid.UUID, db: DbSession, user: Reader, clock: ClockDep) -> CaseDetail:
    return _detail(db, case_id, clock.now())


@router.get("/cases/by-reference/{reference}")
def get_by_reference(reference: str, db: DbSession, user: Reader, clock: ClockDep) -> CaseDetail:
    return _detail(db, services.get_by_reference(db, reference).id, clock.now())


@router.post("/cases/{case_id}/transitions")
def transition(
    case_id: uuid.UUID,
    body: TransitionIn,
    request: Request,
    background: BackgroundTasks,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
) -> CaseDetail:
    """Moves the case on; 409 with `allowed` when the lifecycle forbids the move."""
    services.transition(
        db, case_id, body.to, now=clock.now(), actor_id=user.id, **body.model_dump(exclude={"to"})
    )
    deliver_soon(request, background)
    return _detail(db, case_id, clock.now())


@router.post("/cases/{case_id}/notes", status_code=201)
def add_note(
    case_id: uuid.UUID, body: NoteIn, db: DbSession, user: Writer, clock: ClockDep
) -> EventOut:
    return EventOut.model_validate(
        services.add_note(db, case_id, text=body.text, now=clock.now(), actor_id=user.id)
    )


@router.post("/cases/{case_id}/assign")
def assign(
    case_id: uuid.UUID, body: AssignIn, db: DbSession, user: Writer, clock: ClockDep
) -> CaseOut:
    return CaseOut.model_validate(
        services.assign(
            db,
            case_id,
            assignee_id=body.assignee_id,
            team_id=body.team_id,
            now=clock.now(),
            actor_id=user.id,
        )
    )


@router.post("/cases/{case_id}/promises", status_code=201)
def make_promise(
    case_id: uuid.UUID, body: PromiseIn, db: DbSession, user: Writer, clock: ClockDep
) -> PromiseOut:
    promise = services.make_promise(
        db,
        case_id,
        description=body.description,
        due_at=body.due_at,
        now=clock.now(),
        made_by=user.id,
    )
    return _promise(promise, clock.now())


@router.post("/promises/{promise_id}/keep")
def keep_promise(promise_id: uuid.UUID, db: DbSession, user: Writer, clock: ClockDep) -> PromiseOut:
    return _promise(
        services.keep_promise(db, promise_id, now=clock.now(), actor_id=user.id), clock.now()
    )


@router.post("/cases/{case_id}/checks", status_code=201)
def add_check(
    case_id: uuid.UUID, body: TaskIn, db: DbSession, user: Writer, clock: ClockDep
) -> TaskOut:
    return TaskOut.model_validate(
        services.add_task(
            db,
            case_id,
            party=body.party,
            question=body.question,
            due_at=body.due_at,
            now=clock.now(),
            created_by=user.id,
        )
    )


@router.post("/checks/{task_id}/answer")
def answer_check(
    task_id: uuid.UUID, body: TaskAnswerIn, db: DbSession, user: Writer, clock: ClockDep
) -> TaskOut:
    return TaskOut.model_validate(
        services.answer_task(db, task_id, answer=body.answer, now=clock.now(), actor_id=user.id)
    )


@router.get("/customers/{customer_id}/cases")
def cases_of_customer(customer_id: uuid.UUID, db: DbSession, user: Reader) -> list[CaseOut]:
    return [CaseOut.model_validate(c) for c in services.cases_of_customer(db, customer_id)]


@router.get("/reports/promises")
def promise_report(
    db: DbSession, user: Reader, clock: ClockDep, since: datetime | None = None
) -> list[PromiseStatsOut]:
    """Kept and broken promises per team (late counts as broken)."""
    return [
        PromiseStatsOut(
            team_id=s.team_id,
            team=s.team,
            kept=s.kept,
            broken=s.broken,
            pending=s.pending,
            kept_rate=s.kept_rate,
        )
        for s in services.promise_stats(db, now=clock.now(), since=since)
    ]


@router.get("/reports/recovery")
def recovery_report(
    db: DbSession,
    user: Reader,
    by: str = Query(default="team", pattern="^(team|topic)$"),
    since: datetime | None = None,
) -> list[RecoveryOut]:
    """Recovered detractors after closed cases, per team or topic."""
    return [
        RecoveryOut(
            group=r.group,
            detractors=r.detractors,
            answered=r.answered,
            recovered=r.recovered,
            rate=r.rate,
        )
        for r in services.recovery(db, by=by, since=since)
    ]


@router.post("/cases/watch")
def watch(request: Request, db: DbSession, user: Writer, clock: ClockDep) -> dict[str, int]:
    """Runs the SLA watch now (the worker runs it every minute)."""
    return services.watch(db, now=clock.now(), mailer=request.app.state.mailer)


@router.post("/cases/from-signals")
def from_signals(
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
    request: Request,
    background: BackgroundTasks,
) -> dict[str, int]:
    """Opens cases for new detractor answers, complaints and negative urgent texts now."""
    from cxm.cases import signals

    counts = signals.open_from_signals(
        db, now=clock.now(), calendar_code=settings.business_calendar
    )
    deliver_soon(request, background)
    return counts
