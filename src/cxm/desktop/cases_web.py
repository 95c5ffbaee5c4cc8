"""The agent desktop's case pages: the queue by SLA urgency and the case page with its history,
transitions, promises, third-party checks, resolution and the reply composer."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import Department, User
from cxm.cases import services
from cxm.cases.domain import (
    POLICY_CATEGORIES,
    CaseSource,
    CaseStatus,
    Priority,
    allowed_transitions,
    promise_state,
)
from cxm.customers import services as customers
from cxm.deps import ClockDep, DbSession, SettingsDep, web_require
from cxm.desktop.case_labels import LABELS
from cxm.i18n import register
from cxm.insights import services as insights
from cxm.outreach import services as outreach
from cxm.outreach.labels import LABELS as NOTICE_LABELS
from cxm.segments import services as segments
from cxm.shared.errors import CxmError, Invalid
from cxm.web_support import csrf_ok, page

register(LABELS)
register(NOTICE_LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.CASES_READ))]
Writer = Annotated[User, Depends(web_require(Permission.CASES_WRITE))]

LOCAL = ZoneInfo("Europe/Berlin")
CATEGORIES = tuple(c for c in POLICY_CATEGORIES if c != "*")


@router.get("/app/cases")
def queue(
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    status: str = Query(default="", max_length=32),
    team: str = Query(default="", max_length=64),
    mine: bool = False,
) -> Response:
    chosen = CaseStatus(status) if status in set(CaseStatus) else None
    teams = list(db.scalars(select(Department).order_by(Department.name)))
    team_id = next((t.id for t in teams if str(t.id) == team), None)
    rows, _ = services.queue(
        db,
        now=clock.now(),
        status=chosen,
        team_id=team_id,
        assignee_id=user.id if mine else None,
        limit=100,
    )
    return page(
        request,
        "cases/queue.html",
        {
            "rows": rows,
            "priority": insights.priority_ids(db, (r.case.customer_id for r in rows)),
            "statuses": list(CaseStatus),
            "status": status,
            "teams": teams,
            "team": team,
            "mine": mine,
            "open_count": services.open_count(db),
            "now": clock.now(),
            "local": LOCAL,
        },
        user=user,
    )


def _case_page(
    request: Request,
    db: Session,
    user: User,
    case_id: uuid.UUID,
    now: datetime,
    *,
    error: str | None = None,
    status_code: int = 200,
    draft: str = "",
    quality: dict[str, Any] | None = None,
) -> Response:
    case = services.get_case(db, case_id)
    pauses = services.pauses_of(db, [case.id]).get(case.id, [])
    promises = [
        (p, promise_state(p.due_at, p.kept_at, now).value)
        for p in services.promises_of(db, case.id)
    ]
    names = {r.id: r.name for r in db.execute(select(User.id, User.name))}
    return page(
        request,
        "cases/case.html",
        {
            "case": case,
            "customer": customers.get_customer(db, case.customer_id),
            "clocks": services.clocks(case, pauses, now=now).all(),
            "allowed": allowed_transitions(case.status),
            "events": list(reversed(services.history(db, case.id))),
            "promises": promises,
            "checks": services.tasks_of(db, case.id),
            "messages": outreach.list_messages(db, case_id=case.id),
            "names": names,
            "can_write": role_allows(user.role, Permission.CASES_WRITE),
            "error": error,
            "done": request.query_params.get("done"),
            "draft": draft,
            "quality": quality,
            "local": LOCAL,
            "now": now,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/cases/{case_id}")
def case_page(
    case_id: uuid.UUID, request: Request, db: DbSession, user: Reader, clock: ClockDep
) -> Response:
    return _case_page(request, db, user, case_id, clock.now())


def _act(
    request: Request,
    db: Session,
    user: User,
    case_id: uuid.UUID,
    now: datetime,
    csrf: str,
    done: str,
    action: Callable[[], object],
) -> Response:
    """Runs one change; a domain error shows the case page again with the reason."""
    if not csrf_ok(request, csrf):
        return _case_page(request, db, user, case_id, now, error="csrf.failed", status_code=400)
    try:
        action()
    except CxmError as exc:
        db.rollback()
        if exc.status_code == 404:
            raise
        return _case_page(
            request, db, user, case_id, now, error=exc.message, status_code=exc.status_code
        )
    hook = getattr(request.app.state, "deliver_now", None)
    if hook is not None:
        hook(request.app)
    query = urlencode({"done": done})
    return RedirectResponse(f"/app/cases/{case_id}?{query}", status_code=303)


def _local_due(value: str, field: str) -> datetime:
    """A datetime-local form value, read in the business calendar's zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("give a date and time", field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed


@router.post("/app/cases/{case_id}/transition")
def transition(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    to: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    root_cause: Annotated[str, Form(max_length=64)] = "",
    resolution_note: Annotated[str, Form(max_length=5000)] = "",
    goodwill: Annotated[str, Form(max_length=300)] = "",
    goodwill_value_eur: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def run() -> None:
        if to not in set(CaseStatus):
            raise Invalid("choose a status", field="to")
        value = None
        if goodwill_value_eur.strip():
            try:
                value = float(goodwill_value_eur.replace(",", "."))
            except ValueError:
                raise Invalid("the value must be a number", field="goodwill_value_eur") from None
        services.transition(
            db,
            case_id,
            CaseStatus(to),
            now=clock.now(),
            actor_id=user.id,
            note=note.strip() or None,
            root_cause=root_cause.strip() or None,
            resolution_note=resolution_note.strip() or None,
            goodwill=goodwill.strip() or None,
            goodwill_value_eur=value,
        )

    return _act(request, db, user, case_id, clock.now(), csrf, "moved", run)


@router.post("/app/cases/{case_id}/note")
def note(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "noted",
        lambda: services.add_note(db, case_id, text=text, now=clock.now(), actor_id=user.id),
    )


@router.post("/app/cases/{case_id}/promise")
def promise(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    description: Annotated[str, Form(max_length=500)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "promised",
        lambda: services.make_promise(
            db,
            case_id,
            description=description,
            due_at=_local_due(due, "due"),
            now=clock.now(),
            made_by=user.id,
        ),
    )


@router.post("/app/cases/{case_id}/promises/{promise_id}/keep")
def keep(
    case_id: uuid.UUID,
    promise_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "kept",
        lambda: services.keep_promise(db, promise_id, now=clock.now(), actor_id=user.id),
    )


@router.post("/app/cases/{case_id}/check")
def check(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    party: Annotated[str, Form(max_length=200)] = "",
    question: Annotated[str, Form(max_length=5000)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "checked",
        lambda: services.add_task(
            db,
            case_id,
            party=party,
            question=question,
            due_at=_local_due(due, "due"),
            now=clock.now(),
            created_by=user.id,
        ),
    )


@router.post("/app/cases/{case_id}/checks/{task_id}/answer")
def answer(
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    answer: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "answered",
        lambda: services.answer_task(db, task_id, answer=answer, now=clock.now(), actor_id=user.id),
    )


@router.post("/app/cases/{case_id}/reply")
def reply(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    body: Annotated[str, Form(max_length=20_000)] = "",
    action: Annotated[str, Form(max_length=10)] = "check",
) -> Response:
    """Checks the draft (score and hints) or sends it on the customer's channel."""
    if not csrf_ok(request, csrf):
        return _case_page(
            request, db, user, case_id, clock.now(), error="csrf.failed", status_code=400
        )
    if not body.strip():
        return _case_page(
            request, db, user, case_id, clock.now(), error="cases.reply_empty", status_code=422
        )
    if action != "send":
        quality = outreach.assess(db, body, case_id=case_id)
        return _case_page(request, db, user, case_id, clock.now(), draft=body, quality=quality)
    return _act(
        request,
        db,
        user,
        case_id,
        clock.now(),
        csrf,
        "replied",
        lambda: outreach.send_reply(db, case_id, body=body, now=clock.now(), sent_by=user.id),
    )


# --- proactive notices ---------------------------------------------------------------------

Manager = Annotated[User, Depends(web_require(Permission.OUTREACH_MANAGE))]


def _notices_page(
    request: Request,
    db: Session,
    user: User,
    *,
    form: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "cases/notices.html",
        {
            "notices": outreach.list_notices(db),
            "segments": segments.list_segments(db),
            "form": form,
            "error": error,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/notices")
def notices(request: Request, db: DbSession, user: Manager) -> Response:
    return _notices_page(request, db, user, form={})


_NOTICE_ERRORS = {"segment_id": "notices.bad_segment", "product_model": "notices.need_audience"}


@router.post("/app/notices")
def create_notice(
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    product_model: Annotated[str, Form(max_length=200)] = "",
    segment_id: Annotated[str, Form(max_length=64)] = "",
    title_de: Annotated[str, Form(max_length=300)] = "",
    title_en: Annotated[str, Form(max_length=300)] = "",
    body_de: Annotated[str, Form(max_length=10_000)] = "",
    body_en: Annotated[str, Form(max_length=10_000)] = "",
    update_link: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = {
        "product_model": product_model,
        "segment_id": segment_id,
        "title_de": title_de,
        "title_en": title_en,
        "body_de": body_de,
        "body_en": body_en,
        "update_link": update_link,
    }
    if not csrf_ok(request, csrf):
        return _notices_page(request, db, user, form=form, error="csrf.failed", status_code=400)
    try:
        segment: uuid.UUID | None = uuid.UUID(segment_id) if segment_id.strip() else None
    except ValueError:
        return _notices_page(
            request, db, user, form=form, error="notices.bad_segment", status_code=422
        )
    try:
        notice = outreach.create_notice(
            db,
            product_model=product_model or None,
            segment_id=segment,
            title_de=title_de,
            title_en=title_en,
            body_de=body_de,
            body_en=body_en,
            update_link=update_link.strip() or None,
            now=clock.now(),
            created_by=user.id,
        )
    except CxmError as exc:
        db.rollback()
        error = _NOTICE_ERRORS.get(exc.field or "", exc.message)
        return _notices_page(request, db, user, form=form, error=error, status_code=422)
    return RedirectResponse(f"/app/notices/{notice.id}", status_code=303)


@router.get("/app/notices/{notice_id}")
def notice_page(
    notice_id: uuid.UUID, request: Request, db: DbSession, user: Manager, clock: ClockDep
) -> Response:
    notice = outreach.get_notice(db, notice_id)
    rule_as_sent = None
    if notice.segment_rule is not None:
        try:
            rule_as_sent = segments.describe(notice.segment_rule, language=user.language)
        except CxmError:
            # A rule saved under fields that no longer exist is still shown, as stored.
            rule_as_sent = json.dumps(notice.segment_rule, ensure_ascii=False)
    return page(
        request,
        "cases/notice.html",
        {
            "notice": notice,
            "rule_as_sent": rule_as_sent,
            "preview": outreach.preview_notice(db, notice.id, now=clock.now()),
            "messages": outreach.list_messages(db, notice_id=notice.id, limit=50),
            "done": request.query_params.get("done"),
        },
        user=user,
    )


@router.post("/app/notices/{notice_id}/send")
def send_notice(
    notice_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, csrf):
        return RedirectResponse(f"/app/notices/{notice_id}", status_code=303)
    outreach.send_notice(db, notice_id, now=clock.now(), sent_by=user.id)
    hook = getattr(request.app.state, "deliver_now", None)
    if hook is not None:
        hook(request.app)
    return RedirectResponse(f"/app/notices/{notice_id}?done=sent", status_code=303)


@router.post("/app/customers/{customer_id}/cases")
def open_case(
    customer_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Writer,
    clock: ClockDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    subject: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    category: Annotated[str, Form(max_length=64)] = "complaint",
    priority: Annotated[str, Form(max_length=16)] = "normal",
    topic: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """An agent opens a case for the customer on the phone (or joins the open one on the topic)."""
    if not csrf_ok(request, csrf):
        return RedirectResponse(f"/app/customers/{customer_id}", status_code=303)
    if not subject.strip() or category not in CATEGORIES or priority not in set(Priority):
        field = "subject" if not subject.strip() else "category/priority"
        raise Invalid("give a subject, a known category and a priority", field=field)
    result = services.open_case(
        db,
        customer_id=customer_id,
        subject=subject,
        description=description.strip() or None,
        category=category,
        priority=Priority(priority),
        topic=topic.strip() or None,
        source=CaseSource.AGENT,
        opened_by=user.id,
        assignee_id=user.id,
        now=clock.now(),
        calendar_code=settings.business_calendar,
    )
    hook = getattr(request.app.state, "deliver_now", None)
    if hook is not None:
        hook(request.app)
    return RedirectResponse(f"/app/cases/{result.case.id}", status_code=303)
