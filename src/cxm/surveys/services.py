"""Use cases for surveys: definitions and versions, triggers, invitations, responses."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.customers import services as customers
from cxm.customers.domain import IdentityKind
from cxm.customers.models import Identity
from cxm.interactions import services as interactions
from cxm.interactions.domain import Direction, NewInteraction
from cxm.interactions.models import Interaction
from cxm.shared.errors import Conflict, Gone, Invalid, NotFound
from cxm.shared.mail import Mailer
from cxm.surveys.domain import (
    AnswerError,
    FatiguePolicy,
    InvitationStatus,
    Question,
    QuestionType,
    ResponseChannel,
    SurveyStatus,
    fatigue_allows,
    first_admitting,
    validate_answers,
)
from cxm.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    TriggerRuleRow,
)
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.domain import Channel

_SALT = "survey-invitation"


# --- definitions -------------------------------------------------------------------------------


def questions_of(version: SurveyVersion) -> list[Question]:
    """The version's questions as domain objects."""
    return [
        Question(
            key=q["key"],
            type=QuestionType(q["type"]),
            text_de=q["text_de"],
            text_en=q["text_en"],
            required=bool(q.get("required", False)),
            options=tuple((str(o[0]), str(o[1]), str(o[2])) for o in q.get("options") or ()),
            scale_min=q.get("scale_min"),
            scale_max=q.get("scale_max"),
        )
        for q in version.questions
    ]


def _check_questions(questions: list[dict[str, Any]]) -> None:
    keys = [q["key"] for q in questions]
    if not questions:
        raise Invalid("a survey needs at least one question", field="questions")
    if len(set(keys)) != len(keys):
        raise Invalid("question keys must be unique", field="questions")
    for q in questions:
        kind = QuestionType(q["type"])
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE) and not q.get(
            "options"
        ):
            raise Invalid(f"question '{q['key']}' needs options", field="questions")


def _touchpoint_id(db: Session, key: str | None) -> uuid.UUID | None:
    return None if key is None else touchpoints.get_touchpoint(db, key).id


def create_survey(
    db: Session,
    *,
    key: str,
    name: str,
    title_de: str,
    title_en: str,
    questions: list[dict[str, Any]],
    now: datetime,
    intro_de: str | None = None,
    intro_en: str | None = None,
    touchpoint: str | None = None,
    anonymous_enabled: bool = False,
    invitation_valid_days: int = 14,
    commit: bool = True,
) -> Survey:
    """A new draft survey with its first version."""
    if db.scalar(select(Survey.id).where(Survey.key == key)):
        raise Conflict(f"survey '{key}' exists", field="key")
    _check_questions(questions)
    survey = Survey(
        key=key,
        name=name,
        touchpoint_id=_touchpoint_id(db, touchpoint),
        anonymous_enabled=anonymous_enabled,
        invitation_valid_days=invitation_valid_days,
        created_at=now,
        updated_at=now,
    )
    db.add(survey)
    db.flush()
    version = SurveyVersion(
        survey_id=survey.id,
        number=1,
        title_de=title_de,
        title_en=title_en,
        intro_de=intro_de,
        intro_en=intro_en,
        questions=questions,
        created_at=now,
    )
    db.add(version)
    db.flush()
    survey.current_version_id = version.id
    if commit:
        db.commit()
    else:
        db.flush()
    return survey


def get_survey(db: Session, key: str) -> Survey:
    survey = db.scalar(select(Survey).where(Survey.key == key))
    if survey is None:
        raise NotFound(f"survey '{key}' not found", field="survey")
    return survey


def current_version(db: Session, survey: Survey) -> SurveyVersion:
    version = db.get(SurveyVersion, survey.current_version_id)
    assert version is not None
    return version


def list_surveys(db: Session) -> Sequence[Survey]:
    return db.scalars(select(Survey).order_by(Survey.key)).all()


def list_versions(db: Session, survey: Survey) -> Sequence[SurveyVersion]:
    return db.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.number)
    ).all()


def revise_survey(
    db: Session,
    key: str,
    *,
    now: datetime,
    questions: list[dict[str, Any]] | None = None,
    title_de: str | None = None,
    title_en: str | None = None,
    intro_de: str | None = None,
    intro_en: str | None = None,
    name: str | None = None,
    touchpoint: str | None = None,
    anonymous_enabled: bool | None = None,
    invitation_valid_days: int | None = None,
) -> Survey:
    """Changes a survey. Content changes to a survey that has been live make a new version,
    so answers already given keep the questions they answered; a draft is edited in place."""
    survey = get_survey(db, key)
    if name is not None:
        survey.name = name
    if touchpoint is not None:
        survey.touchpoint_id = _touchpoint_id(db, touchpoint)
    if anonymous_enabled is not None:
        survey.anonymous_enabled = anonymous_enabled
    if invitation_valid_days is not None:
        survey.invitation_valid_days = invitation_valid_days
    content = {
        "questions": questions,
        "title_de": title_de,
        "title_en": title_en,
        "intro_de": intro_de,
        "intro_en": intro_en,
    }
    changes = {k: v for k, v in content.items() if v is not None}
    if changes:
        if questions is not None:
            _check_questions(questions)
        version = current_version(db, survey)
        used = db.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.version_id == version.id)
        ) or db.scalar(
            select(func.count())
            .select_from(SurveyInvitation)
            .where(SurveyInvitation.version_id == version.id)
        )
        if survey.status is SurveyStatus.DRAFT and not used:
            for name_, value in changes.items():
                setattr(version, name_, value)
        else:
            fresh = SurveyVersion(
                survey_id=survey.id,
                number=version.number + 1,
                title_de=changes.get("title_de", version.title_de),
                title_en=changes.get("title_en", version.title_en),
                intro_de=changes.get("intro_de", version.intro_de),
                intro_en=changes.get("intro_en", version.intro_en),
                questions=changes.get("questions", version.questions),
                created_at=now,
            )
            db.add(fresh)
            db.flush()
            survey.current_version_id = fresh.id
    survey.updated_at = now
    db.commit()
    db.refresh(survey)
    return survey


def set_status(
    db: Session, key: str, status: SurveyStatus, *, now: datetime, commit: bool = True
) -> Survey:
    """Publishes (live) or closes a survey; a closed survey takes no answers."""
    survey = get_survey(db, key)
    survey.status = SurveyStatus(status)
    survey.updated_at = now
    if commit:
        db.commit()
    else:
        db.flush()
    return survey


# --- segments ----------------------------------------------------------------------------------
# Segments are a higher feature (they read survey answers); it registers itself here at import,
# as event handlers do, so trigger rules can ask for membership without importing it.


class SegmentDirectory(Protocol):
    def name(self, db: Session, segment_id: uuid.UUID) -> str:
        """The segment's name; Invalid (422, field segment_id) when there is none."""
        ...

    def names(self, db: Session) -> dict[uuid.UUID, str]:
        """Every saved segment's name by id."""
        ...

    def contains(
        self,
        db: Session,
        segment_id: uuid.UUID,
        customer_ids: Iterable[uuid.UUID],
        *,
        now: datetime,
    ) -> set[uuid.UUID]:
        """The candidates that are members now."""
        ...


_segments: list[SegmentDirectory] = []


def use_segments(directory: SegmentDirectory) -> None:
    """Sets where trigger rules look segments up (cxm.segments does this when imported)."""
    _segments[:] = [directory]


def _directory() -> SegmentDirectory:
    if not _segments:
        raise RuntimeError("segments are not loaded: import cxm.features first")
    return _segments[0]


def segment_names(db: Session) -> dict[uuid.UUID, str]:
    """Saved segments by id (for the trigger form and list)."""
    return _directory().names(db) if _segments else {}


# --- triggers and invitations ------------------------------------------------------------------


def add_trigger(
    db: Session,
    key: str,
    *,
    interaction_type: str,
    touchpoint: str | None = None,
    delay_minutes: int = 60,
    segment_id: uuid.UUID | None = None,
    now: datetime,
) -> TriggerRuleRow:
    """'After an interaction of this type (at this touchpoint), by a member of this segment,
    invite after the delay.' An unknown segment is refused (422, field segment_id)."""
    survey = get_survey(db, key)
    if segment_id is not None:
        _directory().name(db, segment_id)
    rule = TriggerRuleRow(
        survey_id=survey.id,
        interaction_type=interaction_type,
        touchpoint_id=_touchpoint_id(db, touchpoint),
        delay_minutes=delay_minutes,
        segment_id=segment_id,
        created_at=now,
    )
    db.add(rule)
    try:
        db.commit()
    except IntegrityError:
        # the segment was deleted between the check and the insert
        db.rollback()
        raise Invalid("unknown segment", field="segment_id") from None
    return rule


def list_triggers(db: Session, key: str) -> Sequence[TriggerRuleRow]:
    survey = get_survey(db, key)
    return db.scalars(select(TriggerRuleRow).where(TriggerRuleRow.survey_id == survey.id)).all()


def deactivate_trigger(db: Session, key: str, trigger_id: uuid.UUID) -> TriggerRuleRow:
    survey = get_survey(db, key)
    rule = db.get(TriggerRuleRow, trigger_id)
    if rule is None or rule.survey_id != survey.id:
        raise NotFound("trigger not found", field="trigger_id")
    rule.active = False
    db.commit()
    return rule


def token_for(invitation_id: uuid.UUID, *, secret: str) -> str:
    """The personal link token: the invitation id signed with the server's secret."""
    return URLSafeSerializer(secret, salt=_SALT).dumps(str(invitation_id))


def invitation_for_token(db: Session, token: str, *, secret: str) -> SurveyInvitation:
    """The invitation behind a link token; 404 if the token is forged or unknown."""
    try:
        raw = URLSafeSerializer(secret, salt=_SALT).loads(token)
        invitation_id = uuid.UUID(str(raw))
    except (BadSignature, ValueError):
        raise NotFound("this survey link is not valid", field="token") from None
    invitation = db.get(SurveyInvitation, invitation_id)
    if invitation is None:
        raise NotFound("this survey link is not valid", field="token")
    return invitation


def invite(
    db: Session,
    *,
    survey_key: str,
    customer_id: uuid.UUID,
    now: datetime,
    policy: FatiguePolicy,
    delay: timedelta = timedelta(0),
    touchpoint_id: uuid.UUID | None = None,
    trigger_interaction_id: uuid.UUID | None = None,
    skip_reason: str | None = None,
    commit: bool = True,
) -> SurveyInvitation:
    """Schedules an invitation, or records it as skipped (with the reason) when the survey is
    not live, the caller gives a reason (e.g. not in the trigger's segment), the
    contact-fatigue policy or the customer's consent forbids it."""
    survey = get_survey(db, survey_key)
    customer = customers.get_customer(db, customer_id)
    send_at = now + delay
    reason = None
    channel: ContactChannel | None = None
    if survey.status is not SurveyStatus.LIVE:
        reason = f"survey is {survey.status.value}"
    elif skip_reason:
        reason = skip_reason[:500]
    else:
        recent = db.scalars(
            select(SurveyInvitation.send_at).where(
                SurveyInvitation.customer_id == customer.id,
                SurveyInvitation.status != InvitationStatus.SKIPPED,
                SurveyInvitation.send_at > send_at - policy.window,
            )
        ).all()
        if not fatigue_allows(policy, recent, at=send_at):
            reason = (
                f"contact fatigue: {len(recent)} invitation(s) within {policy.window.days} days"
            )
        else:
            channel, why = consent.first_allowed_channel(db, customer.id, purpose=Purpose.SURVEY)
            if channel is None:
                reason = f"no consent for surveys ({why})"
    invitation = SurveyInvitation(
        survey_id=survey.id,
        version_id=survey.current_version_id,
        customer_id=customer.id,
        touchpoint_id=touchpoint_id or survey.touchpoint_id,
        trigger_interaction_id=trigger_interaction_id,
        channel=channel.value if channel else None,
        language=str(customer.language),
        status=InvitationStatus.SKIPPED if reason else InvitationStatus.SCHEDULED,
        skip_reason=reason,
        created_at=now,
        send_at=send_at,
        expires_at=send_at + timedelta(days=survey.invitation_valid_days),
    )
    db.add(invitation)
    if commit:
        db.commit()
    else:
        db.flush()
    return invitation


def apply_triggers(
    db: Session,
    *,
    now: datetime,
    policy: FatiguePolicy,
    after_id: uuid.UUID | None = None,
    limit: int = 10_000,
) -> tuple[int, uuid.UUID | None]:
    """Creates invitations for interactions recorded after `after_id` that fire a trigger rule.

    Interaction ids are time-ordered, so the last id seen is the watermark for the next call;
    an interaction never creates two invitations to the same survey (unique constraint). A rule
    with a segment admits only its members: when no matching rule admits the customer, the
    invitation is recorded as skipped with the segment named."""
    rules = db.execute(
        select(TriggerRuleRow, Survey.key)
        .join(Survey, Survey.id == TriggerRuleRow.survey_id)
        .where(TriggerRuleRow.active.is_(True), Survey.status == SurveyStatus.LIVE)
        .order_by(TriggerRuleRow.created_at, TriggerRuleRow.id)
    ).all()
    query = (
        select(Interaction.id, Interaction.customer_id, Interaction.type, Interaction.touchpoint_id)
        .order_by(Interaction.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(Interaction.id > after_id)
    rows = db.execute(query).all()
    # Each interaction fires each survey once: the rules that match it, grouped by survey.
    fired: list[tuple[Any, str, list[TriggerRuleRow]]] = []
    candidates: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for row in rows:
        by_survey: dict[str, list[TriggerRuleRow]] = {}
        for rule, survey_key in rules:
            if rule.interaction_type != row.type:
                continue
            if rule.touchpoint_id is not None and rule.touchpoint_id != row.touchpoint_id:
                continue
            by_survey.setdefault(survey_key, []).append(rule)
            if rule.segment_id is not None:
                candidates[rule.segment_id].add(row.customer_id)
        fired += [(row, key, matched) for key, matched in by_survey.items()]
    # One membership query per segment for the whole batch, not one per rule and customer.
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    names: dict[uuid.UUID, str] = {}
    if candidates:
        directory = _directory()
        members = {
            segment_id: directory.contains(db, segment_id, ids, now=now)
            for segment_id, ids in candidates.items()
        }
        names = directory.names(db)
    created = 0
    for row, survey_key, matched in fired:
        exists = db.scalar(
            select(SurveyInvitation.id).where(
                SurveyInvitation.trigger_interaction_id == row.id,
                SurveyInvitation.survey_id == matched[0].survey_id,
            )
        )
        if exists:
            continue
        admitted = first_admitting([r.segment_id for r in matched], row.customer_id, members)
        rule = matched[admitted or 0]
        reason = None
        if admitted is None:
            segment = rule.segment_id
            assert segment is not None
            reason = f"not in segment '{names.get(segment, segment)}'"
        invite(
            db,
            survey_key=survey_key,
            customer_id=row.customer_id,
            now=now,
            policy=policy,
            delay=timedelta(minutes=rule.delay_minutes),
            touchpoint_id=row.touchpoint_id,
            trigger_interaction_id=row.id,
            skip_reason=reason,
            commit=False,
        )
        created += 1
    db.commit()
    return created, (rows[-1].id if rows else after_id)


def send_due(
    db: Session, *, now: datetime, mailer: Mailer, secret: str, base_url: str, limit: int = 1000
) -> int:
    """Sends scheduled invitations whose time has come by e-mail. Invitations for a channel
    without a delivery adapter yet (SMS, phone, letter, app) are skipped with that reason,
    never marked as sent."""
    due = db.scalars(
        select(SurveyInvitation)
        .where(
            SurveyInvitation.status == InvitationStatus.SCHEDULED, SurveyInvitation.send_at <= now
        )
        .order_by(SurveyInvitation.send_at)
        .limit(limit)
    ).all()
    sent = 0
    for invitation in due:
        survey = db.get(Survey, invitation.survey_id)
        version = db.get(SurveyVersion, invitation.version_id)
        customer = customers.get_customer(db, invitation.customer_id)
        assert survey is not None and version is not None
        if invitation.expires_at <= now:
            invitation.status = InvitationStatus.SKIPPED
            invitation.skip_reason = "expired before it could be sent"
            continue
        link = f"{base_url.rstrip('/')}/s/{token_for(invitation.id, secret=secret)}"
        if invitation.channel == ContactChannel.EMAIL.value:
            address = db.scalar(
                select(Identity.value).where(
                    Identity.customer_id == customer.id, Identity.kind == IdentityKind.EMAIL
                )
            )
            if address is None:
                invitation.status = InvitationStatus.SKIPPED
                invitation.skip_reason = "no e-mail address"
                continue
            subject, body = invitation_text(
                language=invitation.language,
                salutation=str(customer.salutation),
                last_name=customer.last_name,
                title=version.title_en if invitation.language == "en" else version.title_de,
                link=link,
            )
            mailer.send(to=address, subject=subject, body=body)
        else:
            invitation.status = InvitationStatus.SKIPPED
            invitation.skip_reason = f"no delivery adapter for channel {invitation.channel} yet"
            continue
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        sent += 1
        db.commit()
    db.commit()
    return sent


def invitation_text(
    *, language: str, salutation: str, last_name: str | None, title: str, link: str
) -> tuple[str, str]:
    """Subject and body of an invitation, with a personal salutation where the name is known."""
    if language == "en":
        greeting = (
            {
                "ms": f"Dear Ms {last_name}",
                "mr": f"Dear Mr {last_name}",
            }.get(salutation, "Hello")
            if last_name
            else "Hello"
        )
        return (
            f"{title}: two minutes for your opinion?",
            f"{greeting},\n\nthank you for your recent contact with us. How did we do? "
            f"Your answers help us get better:\n\n{link}\n\nKind regards\nYour customer service",
        )
    greeting = (
        {
            "ms": f"Guten Tag, Frau {last_name}",
            "mr": f"Guten Tag, Herr {last_name}",
        }.get(salutation, "Guten Tag")
        if last_name
        else "Guten Tag"
    )
    return (
        f"{title}: Zwei Minuten für Ihre Meinung?",
        f"{greeting},\n\nvielen Dank für Ihren Kontakt mit uns. Wie zufrieden waren Sie? "
        f"Ihre Antworten helfen uns, besser zu werden:\n\n{link}\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    )


def list_invitations(
    db: Session,
    *,
    survey_key: str | None = None,
    customer_id: uuid.UUID | None = None,
    status: InvitationStatus | None = None,
    limit: int = 100,
) -> Sequence[SurveyInvitation]:
    query = select(SurveyInvitation).order_by(SurveyInvitation.created_at.desc()).limit(limit)
    if survey_key:
        query = query.where(SurveyInvitation.survey_id == get_survey(db, survey_key).id)
    if customer_id:
        query = query.where(SurveyInvitation.customer_id == customers.resolve_id(db, customer_id))
    if status:
        query = query.where(SurveyInvitation.status == status)
    return db.scalars(query).all()


# --- responses ---------------------------------------------------------------------------------


def open_invitation(db: Session, token: str, *, secret: str, now: datetime) -> SurveyInvitation:
    """The invitation a link opens; 409 if already answered, 410 if expired."""
    invitation = invitation_for_token(db, token, secret=secret)
    if invitation.responded_at is not None or invitation.status is InvitationStatus.RESPONDED:
        raise Conflict("this survey has already been answered", field="token")
    if invitation.expires_at <= now:
        raise Gone("this survey link has expired", field="token")
    survey = db.get(Survey, invitation.survey_id)
    assert survey is not None
    if survey.status is SurveyStatus.CLOSED:
        raise Gone("this survey is closed", field="token")
    return invitation


def respond_with_token(
    db: Session,
    token: str,
    *,
    answers: dict[str, Any],
    now: datetime,
    secret: str,
    language: str | None = None,
) -> SurveyResponse:
    """Records the answers to a personal invitation: one response per token."""
    invitation = open_invitation(db, token, secret=secret, now=now)
    version = db.get(SurveyVersion, invitation.version_id)
    assert version is not None
    response = _record(
        db,
        survey_id=invitation.survey_id,
        version=version,
        answers=answers,
        now=now,
        channel=ResponseChannel.LINK,
        language=language or invitation.language,
        customer_id=invitation.customer_id,
        touchpoint_id=invitation.touchpoint_id,
        invitation_id=invitation.id,
    )
    invitation.status = InvitationStatus.RESPONDED
    invitation.responded_at = now
    db.commit()
    return response


def respond_anonymously(
    db: Session,
    survey_key: str,
    *,
    answers: dict[str, Any],
    now: datetime,
    channel: ResponseChannel = ResponseChannel.ANONYMOUS,
    language: str = "de",
    properties: dict[str, Any] | None = None,
) -> SurveyResponse:
    """Records answers given on the survey's public link or the website widget."""
    survey = get_survey(db, survey_key)
    if survey.status is not SurveyStatus.LIVE:
        raise Gone(f"survey '{survey_key}' is not open", field="survey")
    if channel is ResponseChannel.ANONYMOUS and not survey.anonymous_enabled:
        raise NotFound(f"survey '{survey_key}' has no public link", field="survey")
    response = _record(
        db,
        survey_id=survey.id,
        version=current_version(db, survey),
        answers=answers,
        now=now,
        channel=channel,
        language=language,
        touchpoint_id=survey.touchpoint_id,
        properties=properties,
    )
    db.commit()
    return response


def record_response(
    db: Session,
    survey_key: str,
    *,
    answers: dict[str, Any],
    submitted_at: datetime,
    now: datetime,
    customer_id: uuid.UUID | None = None,
    touchpoint: str | None = None,
    language: str = "de",
    external_id: str | None = None,
    channel: ResponseChannel = ResponseChannel.API,
    commit: bool = True,
) -> tuple[SurveyResponse, bool]:
    """A response collected elsewhere (API, import); idempotent by external id."""
    if external_id:
        existing = db.scalar(
            select(SurveyResponse).where(SurveyResponse.external_id == external_id)
        )
        if existing is not None:
            return existing, False
    survey = get_survey(db, survey_key)
    cid = customers.resolve_id(db, customer_id) if customer_id else None
    response = _record(
        db,
        survey_id=survey.id,
        version=current_version(db, survey),
        answers=answers,
        now=submitted_at,
        channel=channel,
        language=language,
        customer_id=cid,
        touchpoint_id=_touchpoint_id(db, touchpoint) or survey.touchpoint_id,
        external_id=external_id,
    )
    if commit:
        db.commit()
    return response, True


def _record(
    db: Session,
    *,
    survey_id: uuid.UUID,
    version: SurveyVersion,
    answers: dict[str, Any],
    now: datetime,
    channel: ResponseChannel,
    language: str,
    customer_id: uuid.UUID | None = None,
    touchpoint_id: uuid.UUID | None = None,
    invitation_id: uuid.UUID | None = None,
    external_id: str | None = None,
    properties: dict[str, Any] | None = None,
) -> SurveyResponse:
    try:
        valid = validate_answers(questions_of(version), answers)
    except AnswerError as exc:
        raise Invalid(exc.message, field=f"answers.{exc.question}") from None
    response = SurveyResponse(
        survey_id=survey_id,
        version_id=version.id,
        invitation_id=invitation_id,
        customer_id=customer_id,
        touchpoint_id=touchpoint_id,
        channel=channel,
        language=language if language in ("de", "en") else "de",
        submitted_at=now,
        external_id=external_id,
        properties=properties or {},
    )
    db.add(response)
    db.flush()
    for answer in valid:
        db.add(
            SurveyAnswer(
                response_id=response.id,
                question_key=answer.question_key,
                type=answer.type,
                score=answer.score,
                choices=list(answer.choices) or None,
                text=answer.text,
            )
        )
    if customer_id is not None:
        # The answer belongs on the customer's timeline like any other contact.
        scores = {a.question_key: a.score for a in valid if a.score is not None}
        interactions.ingest(
            db,
            [
                NewInteraction(
                    type="survey_response",
                    occurred_at=now,
                    direction=Direction.IN,
                    event_id=f"survey-response:{response.id}",
                    customer_id=customer_id,
                    channel=Channel.WEB,
                    text=next((a.text for a in valid if a.text), None),
                    properties={"survey_response_id": str(response.id), "scores": scores},
                )
            ],
            now=now,
            commit=False,
        )
    db.flush()
    return response


def get_response(db: Session, response_id: uuid.UUID) -> SurveyResponse:
    response = db.get(SurveyResponse, response_id)
    if response is None:
        raise NotFound("response not found", field="response_id")
    return response


def list_responses(
    db: Session, survey_key: str, *, limit: int = 100, since: datetime | None = None
) -> Sequence[SurveyResponse]:
    survey = get_survey(db, survey_key)
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.submitted_at.desc())
        .limit(limit)
    )
    if since:
        query = query.where(SurveyResponse.submitted_at >= since)
    return db.scalars(query).all()
