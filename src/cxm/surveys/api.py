"""Routes for survey definitions, triggers, invitations and responses."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, SettingsDep, require
from cxm.surveys import dispatch, services
from cxm.surveys.domain import InvitationStatus, ResponseChannel
from cxm.surveys.schemas import (
    AnswersIn,
    InvitationCreate,
    InvitationOut,
    ResponseCreate,
    ResponseOut,
    StatusChange,
    SurveyCreate,
    SurveyOut,
    SurveyUpdate,
    TriggerCreate,
    TriggerOut,
    VersionOut,
)

router = APIRouter(tags=["surveys"])

Manager = Annotated[User, Depends(require(Permission.SURVEYS_MANAGE))]
Reader = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]


@router.get("/surveys")
def list_surveys(db: DbSession, user: Reader) -> list[SurveyOut]:
    return [SurveyOut.model_validate(s) for s in services.list_surveys(db)]


@router.post("/surveys", status_code=201)
def create_survey(body: SurveyCreate, db: DbSession, user: Manager, clock: ClockDep) -> SurveyOut:
    data = body.model_dump(exclude={"questions"})
    questions = [q.model_dump() for q in body.questions]
    survey = services.create_survey(db, questions=questions, now=clock.now(), **data)
    return SurveyOut.model_validate(survey)


@router.get("/surveys/{key}")
def get_survey(key: str, db: DbSession, user: Reader) -> SurveyOut:
    return SurveyOut.model_validate(services.get_survey(db, key))


@router.patch("/surveys/{key}")
def revise_survey(
    key: str, body: SurveyUpdate, db: DbSession, user: Manager, clock: ClockDep
) -> SurveyOut:
    """Edits a survey; once it has been live (or has invitations), edits make a new version."""
    changes = body.model_dump(exclude_unset=True, exclude={"questions"})
    if body.questions is not None:
        changes["questions"] = [q.model_dump() for q in body.questions]
    return SurveyOut.model_validate(services.revise_survey(db, key, now=clock.now(), **changes))


@router.post("/surveys/{key}/status")
def set_status(
    key: str, body: StatusChange, db: DbSession, user: Manager, clock: ClockDep
) -> SurveyOut:
    return SurveyOut.model_validate(services.set_status(db, key, body.status, now=clock.now()))


@router.get("/surveys/{key}/versions")
def list_versions(key: str, db: DbSession, user: Reader) -> list[VersionOut]:
    survey = services.get_survey(db, key)
    return [VersionOut.model_validate(v) for v in services.list_versions(db, survey)]


@router.get("/surveys/{key}/triggers")
def list_triggers(key: str, db: DbSession, user: Reader) -> list[TriggerOut]:
    return [TriggerOut.model_validate(t) for t in services.list_triggers(db, key)]


@router.post("/surveys/{key}/triggers", status_code=201)
def add_trigger(
    key: str, body: TriggerCreate, db: DbSession, user: Manager, clock: ClockDep
) -> TriggerOut:
    rule = services.add_trigger(db, key, now=clock.now(), **body.model_dump())
    return TriggerOut.model_validate(rule)


@router.delete("/surveys/{key}/triggers/{trigger_id}")
def deactivate_trigger(key: str, trigger_id: uuid.UUID, db: DbSession, user: Manager) -> TriggerOut:
    return TriggerOut.model_validate(services.deactivate_trigger(db, key, trigger_id))


def _invitation_out(invitation: object, *, secret: str, base_url: str) -> InvitationOut:
    out = InvitationOut.model_validate(invitation)
    if out.status is not InvitationStatus.SKIPPED:
        token = services.token_for(out.id, secret=secret)
        out.link = f"{base_url.rstrip('/')}/s/{token}"
    return out


@router.post("/surveys/{key}/invitations", status_code=201)
def invite(
    key: str,
    body: InvitationCreate,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
) -> InvitationOut:
    """Invites one customer; fatigue and consent apply (a skipped invitation says why)."""
    invitation = services.invite(
        db,
        survey_key=key,
        customer_id=body.customer_id,
        now=clock.now(),
        policy=dispatch.policy(settings),
        delay=timedelta(minutes=body.delay_minutes),
    )
    return _invitation_out(
        invitation, secret=settings.signing_key(), base_url=settings.public_base_url
    )


@router.get("/surveys/{key}/invitations")
def list_invitations(
    key: str,
    db: DbSession,
    user: Manager,
    settings: SettingsDep,
    status: InvitationStatus | None = None,
    customer_id: uuid.UUID | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[InvitationOut]:
    rows = services.list_invitations(
        db, survey_key=key, status=status, customer_id=customer_id, limit=limit
    )
    secret = settings.signing_key()
    return [_invitation_out(r, secret=secret, base_url=settings.public_base_url) for r in rows]


@router.post("/surveys/dispatch")
def run_dispatch(
    request: Request, db: DbSession, user: Manager, clock: ClockDep, settings: SettingsDep
) -> dict[str, int]:
    """Turns new interactions into invitations (trigger rules) and sends those that are due."""
    return dispatch.run(db, settings=settings, mailer=request.app.state.mailer, now=clock.now())


@router.get("/surveys/{key}/responses")
def list_responses(
    key: str, db: DbSession, user: Reader, limit: int = Query(default=100, ge=1, le=1000)
) -> list[ResponseOut]:
    return [ResponseOut.model_validate(r) for r in services.list_responses(db, key, limit=limit)]


@router.post("/surveys/{key}/responses", status_code=201)
def record_response(
    key: str, body: ResponseCreate, db: DbSession, user: Manager, clock: ClockDep
) -> ResponseOut:
    """A response collected elsewhere (idempotent by external_id)."""
    response, _ = services.record_response(
        db,
        key,
        answers=body.answers,
        submitted_at=body.submitted_at,
        now=clock.now(),
        customer_id=body.customer_id,
        touchpoint=body.touchpoint,
        language=body.language or "de",
        external_id=body.external_id,
    )
    return ResponseOut.model_validate(response)


@router.post("/public/surveys/{token}", status_code=201, tags=["public"])
def answer_invitation(
    token: str, body: AnswersIn, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> dict[str, str]:
    """Answers a personal invitation (no login: the signed token is the credential).
    409 if the link was used, 410 if it expired."""
    response = services.respond_with_token(
        db,
        token,
        answers=body.answers,
        now=clock.now(),
        secret=settings.signing_key(),
        language=body.language,
    )
    return {"id": str(response.id), "status": "thank you"}


__all__ = ["router", "ResponseChannel"]
