"""Routes for outreach: messages and their delivery, templates, proactive notices, agents'
replies with the reply-quality check."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, require
from cxm.outreach import jobs, services
from cxm.outreach.domain import MessageKind
from cxm.outreach.schemas import (
    MessageOut,
    NoticeCreate,
    NoticeOut,
    ReceiptIn,
    ReplyCheckIn,
    ReplyIn,
    TemplateIn,
    TemplateOut,
)

router = APIRouter(tags=["outreach"])

CaseReader = Annotated[User, Depends(require(Permission.CASES_READ))]
CaseWriter = Annotated[User, Depends(require(Permission.CASES_WRITE))]
Manager = Annotated[User, Depends(require(Permission.OUTREACH_MANAGE))]
Integration = Annotated[User, Depends(require(Permission.INTERACTIONS_WRITE))]


@router.get("/messages")
def list_messages(
    db: DbSession,
    user: CaseReader,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    notice_id: uuid.UUID | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[MessageOut]:
    rows = services.list_messages(
        db, case_id=case_id, customer_id=customer_id, notice_id=notice_id, limit=limit
    )
    return [MessageOut.model_validate(m) for m in rows]


@router.post("/messages/deliver")
def deliver(request: Request, db: DbSession, user: Manager, clock: ClockDep) -> dict[str, int]:
    """Sends every queued message that is due now (the worker does this every minute)."""
    return services.deliver(db, request.app.state.delivery, now=clock.now())


@router.post("/messages/receipts")
def delivery_receipt(
    body: ReceiptIn, db: DbSession, user: Integration, clock: ClockDep
) -> MessageOut:
    """A delivery report from the SMS/messaging provider or the app backend."""
    message = services.record_receipt(
        db,
        status=body.status,
        now=clock.now(),
        message_id=body.message_id,
        provider_id=body.provider_id,
        reason=body.reason,
    )
    return MessageOut.model_validate(message)


@router.get("/templates")
def list_templates(db: DbSession, user: Manager) -> list[TemplateOut]:
    out = []
    for kind in MessageKind:
        for language in ("de", "en"):
            out.append(_template(db, kind, language))
    return out


def _template(db: Any, kind: MessageKind, language: str) -> TemplateOut:
    subject, body = services.template_for(db, kind, language)
    from cxm.outreach.templates import DEFAULT_TEMPLATES

    return TemplateOut(
        kind=kind,
        language=language,
        subject=subject,
        body=body,
        custom=(subject, body) != DEFAULT_TEMPLATES[(kind, language)],
    )


@router.put("/templates/{kind}/{language}")
def save_template(
    kind: MessageKind,
    language: str,
    body: TemplateIn,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
) -> TemplateOut:
    """Stores your wording; unknown variables or syntax errors are a 422 now, not at send."""
    services.save_template(
        db,
        kind=kind,
        language=language,
        subject=body.subject,
        body=body.body,
        now=clock.now(),
        by=user.id,
    )
    return _template(db, kind, language)


@router.post("/notices", status_code=201)
def create_notice(body: NoticeCreate, db: DbSession, user: Manager, clock: ClockDep) -> NoticeOut:
    notice = services.create_notice(db, **body.model_dump(), now=clock.now(), created_by=user.id)
    return NoticeOut.model_validate(notice)


@router.get("/notices")
def list_notices(db: DbSession, user: CaseReader) -> list[NoticeOut]:
    return [NoticeOut.model_validate(n) for n in services.list_notices(db)]


@router.get("/notices/{notice_id}")
def get_notice(notice_id: uuid.UUID, db: DbSession, user: CaseReader) -> NoticeOut:
    return NoticeOut.model_validate(services.get_notice(db, notice_id))


@router.get("/notices/{notice_id}/preview")
def preview_notice(
    notice_id: uuid.UUID, db: DbSession, user: Manager, clock: ClockDep
) -> dict[str, Any]:
    """How many holders the notice reaches on which channel, and who not and why."""
    return services.preview_notice(db, notice_id, now=clock.now())


@router.post("/notices/{notice_id}/send")
def send_notice(
    notice_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
) -> dict[str, Any]:
    """Queues the notice for every holder (refusals recorded with the reason) and sends it."""
    summary = services.send_notice(db, notice_id, now=clock.now(), sent_by=user.id)
    background.add_task(jobs.deliver_now, request.app)
    return summary


@router.post("/cases/{case_id}/replies", status_code=201)
def send_reply(
    case_id: uuid.UUID,
    body: ReplyIn,
    request: Request,
    background: BackgroundTasks,
    db: DbSession,
    user: CaseWriter,
    clock: ClockDep,
) -> dict[str, Any]:
    """Sends the agent's reply on the customer's channel, with its quality assessment."""
    assessment = services.assess(db, body.body, case_id=case_id)
    message = services.send_reply(
        db,
        case_id,
        body=body.body,
        now=clock.now(),
        sent_by=user.id,
        idempotency_key=body.idempotency_key,
    )
    background.add_task(jobs.deliver_now, request.app)
    return {
        "message": MessageOut.model_validate(message).model_dump(mode="json"),
        "quality": assessment,
    }


@router.post("/replies/check")
def check_reply(body: ReplyCheckIn, db: DbSession, user: CaseReader) -> dict[str, Any]:
    """Scores a draft reply (salutation, reference, questions answered, readability, tone,
    next steps) with concrete hints in German and English."""
    return services.assess(
        db,
        body.body,
        case_id=body.case_id,
        customer_id=body.customer_id,
        request=body.request,
        language=body.language,
    )
