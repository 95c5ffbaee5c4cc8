"""Use cases for outreach: queue a message on the customer's preferred allowed channel (or record
why not), deliver queued messages idempotently with retries, templates, proactive notices.

Messages are an outbox: a case event and the message it causes are stored in one transaction;
delivery happens after commit (at once in the request's background, and by the worker)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxm.accounts.models import User
from cxm.cases import services as cases
from cxm.cases.domain import CaseStatus
from cxm.cases.models import Case
from cxm.consent.domain import (
    ConsentDecision,
    ContactChannel,
    Purpose,
    consent_state,
)
from cxm.consent.models import ChannelPreference, ConsentEntry
from cxm.customers import services as customers
from cxm.customers.domain import IdentityKind
from cxm.customers.models import Customer, Holding, Identity
from cxm.interactions import services as interactions
from cxm.interactions.domain import Direction, NewInteraction
from cxm.outreach import quality, templates
from cxm.outreach.channels import (
    ChannelAdapter,
    Outbound,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from cxm.outreach.domain import (
    MessageKind,
    MessageStatus,
    retry_at,
    salutation,
    should_retry,
)
from cxm.outreach.models import MessageTemplate, Notice, OutboundMessage
from cxm.segments import services as segments
from cxm.shared import events
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.surveys import services as surveys
from cxm.surveys.domain import InvitationStatus
from cxm.surveys.models import SurveyInvitation
from cxm.touchpoints.domain import Channel

# A sender that died mid-send leaves its claim; after this long another run takes it over and
# sends again with the same message id (providers and mail systems deduplicate on it).
STALE_CLAIM = timedelta(minutes=10)
NOTICE_FATIGUE = timedelta(days=7)

_ADDRESS_KIND = {
    ContactChannel.EMAIL: IdentityKind.EMAIL,
    ContactChannel.SMS: IdentityKind.PHONE,
    ContactChannel.MESSENGER: IdentityKind.PHONE,
}
_TIMELINE_CHANNEL = {
    ContactChannel.EMAIL: Channel.EMAIL,
    ContactChannel.SMS: Channel.PHONE,
    ContactChannel.MESSENGER: Channel.CHAT,
    ContactChannel.APP: Channel.APP,
}


@dataclass(frozen=True)
class DeliveryContext:
    """What delivery needs from the running server: adapters and the values for links."""

    adapters: Mapping[ContactChannel, ChannelAdapter]
    base_url: str
    secret: str
    company_name: str = "cxm"


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    channel: ContactChannel | None
    address: str | None
    reason: str


# --- choosing the channel ------------------------------------------------------------------


def choose_channels(
    db: Session,
    customer_ids: Sequence[uuid.UUID],
    *,
    purpose: Purpose,
    available: Iterable[ContactChannel],
) -> dict[uuid.UUID, ChannelChoice]:
    """For each customer: the most preferred channel that the consent ledger allows for the
    purpose, that cxm can deliver on and where an address is known; or None with every reason."""
    usable = set(available)
    ids = list(customer_ids)
    ledgers: dict[uuid.UUID, list[ConsentDecision]] = defaultdict(list)
    prefs: dict[uuid.UUID, list[ContactChannel]] = defaultdict(list)
    addresses: dict[tuple[uuid.UUID, IdentityKind], str] = {}
    for chunk in _chunks(ids, 900):
        for e in db.scalars(select(ConsentEntry).where(ConsentEntry.customer_id.in_(chunk))):
            ledgers[e.customer_id].append(
                ConsentDecision(e.purpose, e.channel, e.granted, e.at, e.source)
            )
        for p in db.scalars(
            select(ChannelPreference)
            .where(ChannelPreference.customer_id.in_(chunk))
            .order_by(ChannelPreference.rank)
        ):
            prefs[p.customer_id].append(p.channel)
        for cid, kind, value in db.execute(
            select(Identity.customer_id, Identity.kind, Identity.value)
            .where(
                Identity.customer_id.in_(chunk),
                Identity.kind.in_([IdentityKind.EMAIL, IdentityKind.PHONE]),
            )
            .order_by(Identity.created_at)
        ):
            addresses.setdefault((cid, kind), value)
    out: dict[uuid.UUID, ChannelChoice] = {}
    for cid in ids:
        reasons: list[str] = []
        chosen: ChannelChoice | None = None
        for channel in prefs.get(cid) or [ContactChannel.EMAIL]:
            state = consent_state(ledgers.get(cid, []), purpose=purpose, channel=channel)
            if not state.allowed:
                reasons.append(f"{channel.value}: {state.reason}")
                continue
            if channel not in usable:
                reasons.append(f"{channel.value}: no delivery adapter")
                continue
            address_kind = _ADDRESS_KIND.get(channel)
            address = addresses.get((cid, address_kind)) if address_kind else str(cid)
            if address is None:
                reasons.append(f"{channel.value}: no address known")
                continue
            chosen = ChannelChoice(channel, address, state.reason)
            break
        out[cid] = chosen or ChannelChoice(None, None, "; ".join(reasons) or "no channel")
    return out


def _chunks(items: Sequence[uuid.UUID], size: int) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- queueing ------------------------------------------------------------------------------


def queue_message(
    db: Session,
    *,
    customer_id: uuid.UUID,
    kind: MessageKind,
    purpose: Purpose,
    dedupe_key: str,
    now: datetime,
    available: Iterable[ContactChannel],
    variables: Mapping[str, Any] | None = None,
    case_id: uuid.UUID | None = None,
    notice_id: uuid.UUID | None = None,
    sent_by: uuid.UUID | None = None,
    choice: ChannelChoice | None = None,
    refuse_reason: str | None = None,
) -> tuple[OutboundMessage, bool]:
    """Stores one logical message once (same dedupe key → the first row, created=False); it is
    queued on the chosen channel, or recorded as refused with the reason. Flushes only."""
    existing = db.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing, False
    cid = customers.resolve_id(db, customer_id)
    language = _languages(db, [cid])[cid]
    if choice is None:
        choice = choose_channels(db, [cid], purpose=purpose, available=available)[cid]
    message = _message(
        dedupe_key=dedupe_key,
        customer_id=cid,
        language=language,
        kind=kind,
        purpose=purpose,
        choice=choice,
        refuse_reason=refuse_reason,
        now=now,
        case_id=case_id,
        notice_id=notice_id,
        sent_by=sent_by,
        variables=variables,
    )
    db.add(message)
    db.flush()
    return message, True


def _message(
    *,
    dedupe_key: str,
    customer_id: uuid.UUID,
    language: str,
    kind: MessageKind,
    purpose: Purpose,
    choice: ChannelChoice,
    refuse_reason: str | None,
    now: datetime,
    case_id: uuid.UUID | None = None,
    notice_id: uuid.UUID | None = None,
    sent_by: uuid.UUID | None = None,
    variables: Mapping[str, Any] | None = None,
) -> OutboundMessage:
    reason = refuse_reason or (None if choice.channel else f"no allowed channel ({choice.reason})")
    return OutboundMessage(
        dedupe_key=dedupe_key,
        customer_id=customer_id,
        case_id=case_id,
        notice_id=notice_id,
        kind=kind,
        purpose=purpose,
        channel=None if reason else choice.channel,
        to_address=None if reason else choice.address,
        language=language,
        variables=dict(variables or {}),
        status=MessageStatus.REFUSED if reason else MessageStatus.QUEUED,
        refused_reason=reason,
        next_attempt_at=None if reason else now,
        created_at=now,
        sent_by=sent_by,
    )


def _languages(db: Session, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each customer's language (only that column: customers load identities eagerly)."""
    out: dict[uuid.UUID, str] = {}
    for chunk in _chunks(list(customer_ids), 900):
        for cid, language in db.execute(
            select(Customer.id, Customer.language).where(Customer.id.in_(chunk))
        ):
            out[cid] = str(language)
    missing = [cid for cid in customer_ids if cid not in out]
    if missing:
        raise NotFound("customer not found", field="customer_id")
    return out


def list_messages(
    db: Session,
    *,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    notice_id: uuid.UUID | None = None,
    limit: int = 100,
) -> Sequence[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.created_at.desc()).limit(limit)
    if case_id is not None:
        query = query.where(OutboundMessage.case_id == case_id)
    if customer_id is not None:
        query = query.where(OutboundMessage.customer_id == customers.resolve_id(db, customer_id))
    if notice_id is not None:
        query = query.where(OutboundMessage.notice_id == notice_id)
    return db.scalars(query).all()


def get_message(db: Session, message_id: uuid.UUID) -> OutboundMessage:
    message = db.get(OutboundMessage, message_id)
    if message is None:
        raise NotFound("message not found", field="message_id")
    return message


# --- delivery ------------------------------------------------------------------------------


def deliver(
    db: Session, ctx: DeliveryContext, *, now: datetime, limit: int = 500
) -> dict[str, int]:
    """Sends queued messages that are due (and takes over stale claims of a crashed sender).
    Each message is claimed in its own committed step before the send, so two workers never
    send the same one; transient failures are retried with back-off, permanent ones fail."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = db.scalars(
        select(OutboundMessage.id)
        .where(
            or_(
                (OutboundMessage.status == MessageStatus.QUEUED)
                & (OutboundMessage.next_attempt_at <= now),
                (OutboundMessage.status == MessageStatus.SENDING)
                & (OutboundMessage.claimed_at <= now - STALE_CLAIM),
            )
        )
        .order_by(OutboundMessage.next_attempt_at)
        .limit(limit)
    ).all()
    with ExitStack() as stack:
        for adapter in {id(a): a for a in ctx.adapters.values()}.values():
            batch = getattr(adapter, "batch", None)
            if batch is not None:
                stack.enter_context(batch())
        for message_id in due:
            outcome = _deliver_one(db, ctx, message_id, now=now)
            if outcome:
                counts[outcome] += 1
    return counts


def _claim(db: Session, message_id: uuid.UUID, *, now: datetime) -> bool:
    result = db.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message_id,
            or_(
                OutboundMessage.status == MessageStatus.QUEUED,
                (OutboundMessage.status == MessageStatus.SENDING)
                & (OutboundMessage.claimed_at <= now - STALE_CLAIM),
            ),
        )
        .values(
            status=MessageStatus.SENDING,
            claimed_at=now,
            attempts=OutboundMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount) == 1


def _deliver_one(
    db: Session, ctx: DeliveryContext, message_id: uuid.UUID, *, now: datetime
) -> str | None:
    if not _claim(db, message_id, now=now):
        db.rollback()
        return None
    message = get_message(db, message_id)
    db.refresh(message)
    try:
        if message.body is None:
            message.subject, message.body = _render(db, ctx, message)
        # The claim (and the rendered text) is committed before the send: another worker
        # never takes this message, and a crash leaves a claim that goes stale.
        db.commit()
        assert message.channel is not None and message.to_address is not None
        adapter = ctx.adapters.get(message.channel)
        if adapter is None:
            raise PermanentDeliveryError(f"no adapter for {message.channel.value}")
        receipt = adapter.send(
            Outbound(
                message_id=str(message.id),
                channel=message.channel,
                to=message.to_address,
                subject=message.subject,
                body=message.body or "",
                html=templates.render_html(message.body or "")
                if message.channel is ContactChannel.EMAIL
                else None,
                metadata={"kind": message.kind.value},
            )
        )
    except TransientDeliveryError as error:
        message.last_error = error.reason[:500]
        if should_retry(message.attempts):
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = retry_at(message.attempts, now)
            db.commit()
            return "retry"
        message.status = MessageStatus.FAILED
        db.commit()
        return "failed"
    except (PermanentDeliveryError, templates.TemplateError) as error:
        message.last_error = str(getattr(error, "reason", error))[:500]
        message.status = MessageStatus.FAILED
        db.commit()
        return "failed"
    message.status = receipt.status
    message.provider_id = receipt.provider_id[:200]
    message.sent_at = now
    message.last_error = None
    _after_send(db, message, now=now)
    db.commit()
    return "sent"


def _after_send(db: Session, message: OutboundMessage, *, now: datetime) -> None:
    """The message joins the customer's timeline; the case and survey learn it went out."""
    assert message.channel is not None
    interaction, _key, _new = interactions.record(
        db,
        NewInteraction(
            type="notice" if message.kind is MessageKind.PROACTIVE_NOTICE else "message",
            occurred_at=now,
            direction=Direction.OUT,
            event_id=f"outreach:{message.id}",
            customer_id=message.customer_id,
            channel=_TIMELINE_CHANNEL.get(message.channel),
            employee_id=message.sent_by,
            text=(message.subject + "\n\n" if message.subject else "") + (message.body or ""),
            properties={
                "kind": message.kind.value,
                "contact_channel": message.channel.value,
                "message_id": str(message.id),
                **({"case_id": str(message.case_id)} if message.case_id else {}),
                **({"notice_id": str(message.notice_id)} if message.notice_id else {}),
            },
        ),
        now=now,
        commit=False,
    )
    message.interaction_id = interaction.id
    if message.case_id is not None:
        if message.kind is MessageKind.CASE_ACKNOWLEDGEMENT:
            cases.acknowledge(db, message.case_id, now=now, by_message=message.id)
        elif message.kind is MessageKind.AGENT_REPLY:
            cases.record_first_response(
                db, message.case_id, now=now, actor_id=message.sent_by, how="reply"
            )
        cases.log_message(
            db,
            message.case_id,
            message_id=message.id,
            kind=message.kind.value,
            channel=message.channel.value,
            at=now,
        )
    invitation_id = message.variables.get("invitation_id")
    if message.kind is MessageKind.RESURVEY and invitation_id:
        invitation = db.get(SurveyInvitation, uuid.UUID(str(invitation_id)))
        if invitation is not None and invitation.status is InvitationStatus.HELD:
            invitation.status = InvitationStatus.SENT
            invitation.sent_at = now


def _render(db: Session, ctx: DeliveryContext, message: OutboundMessage) -> tuple[str | None, str]:
    customer = db.execute(
        select(
            Customer.salutation, Customer.first_name, Customer.last_name, Customer.attributes
        ).where(Customer.id == message.customer_id)
    ).one()
    language = message.language if message.language in ("de", "en") else "de"
    values: dict[str, Any] = {
        "salutation": salutation(
            salutation=customer.salutation,
            first_name=customer.first_name,
            last_name=customer.last_name,
            title=(customer.attributes or {}).get("title"),
            language=language,
        ),
        "customer_first_name": customer.first_name or "",
        "customer_last_name": customer.last_name or "",
        "company_name": ctx.company_name,
        "unsubscribe_link": f"{ctx.base_url.rstrip('/')}/preferences",
    }
    if message.case_id is not None:
        case = cases.get_case(db, message.case_id)
        values.update(
            case_reference=case.reference,
            case_subject=case.subject,
            case_status=templates.status_text(case.status.value, language),
            due_text=_due_text(case.first_response_due_at, language),
            agent_name=_agent_name(db, case, message),
        )
    invitation_id = message.variables.get("invitation_id")
    if invitation_id:
        token = surveys.token_for(uuid.UUID(str(invitation_id)), secret=ctx.secret)
        values["survey_link"] = f"{ctx.base_url.rstrip('/')}/s/{token}"
    notice_id = message.variables.get("notice_id")
    if notice_id:
        values.update(notice_variables(get_notice(db, uuid.UUID(str(notice_id))), language))
    values.update({k: v for k, v in message.variables.items() if k in templates.TEMPLATE_VARIABLES})
    for name in templates.TEMPLATE_VARIABLES:
        values.setdefault(name, "")
    subject, body = template_for(db, message.kind, language)
    return templates.render(subject, body, values)


def _agent_name(db: Session, case: Case, message: OutboundMessage) -> str:
    user_id = message.sent_by or case.assignee_id
    user = db.get(User, user_id) if user_id else None
    return user.name if user else ""


def _due_text(due: datetime | None, language: str) -> str:
    if due is None:
        return ""
    from zoneinfo import ZoneInfo

    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    if language == "en":
        return local.strftime("%d %B %Y, %H:%M")
    months = (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    )
    return f"{local.day}. {months[local.month - 1]} {local.year}, {local:%H:%M} Uhr"


# --- templates -----------------------------------------------------------------------------


def template_for(db: Session, kind: MessageKind, language: str) -> tuple[str | None, str]:
    """The company's own template for the kind and language, else the default."""
    own = db.scalar(
        select(MessageTemplate).where(
            MessageTemplate.kind == kind, MessageTemplate.language == language
        )
    )
    if own is not None:
        return own.subject, own.body
    return templates.DEFAULT_TEMPLATES[(kind, language)]


def save_template(
    db: Session,
    *,
    kind: MessageKind,
    language: str,
    subject: str | None,
    body: str,
    now: datetime,
    by: uuid.UUID | None,
) -> MessageTemplate:
    """Stores the company's wording; an unknown variable or a syntax error is refused now
    (422 naming the field), never at send time."""
    if language not in ("de", "en"):
        raise Invalid("language must be de or en", field="language")
    try:
        templates.validate_template(subject, body)
    except templates.TemplateError as error:
        raise Invalid(str(error), field=error.field, names=list(error.names)) from error
    own = db.scalar(
        select(MessageTemplate).where(
            MessageTemplate.kind == kind, MessageTemplate.language == language
        )
    )
    if own is None:
        own = MessageTemplate(kind=kind, language=language, body=body)
        db.add(own)
    own.subject = subject
    own.body = body
    own.updated_at = now
    own.updated_by = by
    db.commit()
    return own


# --- case messages (subscribed to case events) ---------------------------------------------


# Channels a message may be queued for: delivery adapters exist for these (e-mail always;
# SMS and messenger through the provider or its console twin; the app only by webhook, which
# is checked again at delivery).
QUEUEABLE = (ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.MESSENGER, ContactChannel.APP)


@events.subscribe(events.CaseOpened)
def _acknowledge_case(db: Session, event: events.CaseOpened) -> dict[str, int]:
    """The acknowledgement is queued with the case, in its transaction (an outbox)."""
    case = cases.get_case(db, event.case_id)
    queue_message(
        db,
        customer_id=case.customer_id,
        kind=MessageKind.CASE_ACKNOWLEDGEMENT,
        purpose=Purpose.SERVICE,
        dedupe_key=f"ack:{case.id}",
        now=event.at,
        available=QUEUEABLE,
        case_id=case.id,
    )
    return {"messages_queued": 1}


_UPDATE_ON = {
    CaseStatus.WAITING_THIRD_PARTY.value: MessageKind.CASE_UPDATE,
    CaseStatus.RESOLVED.value: MessageKind.CASE_RESOLVED,
}


@events.subscribe(events.CaseStatusChanged)
def _inform_customer(db: Session, event: events.CaseStatusChanged) -> dict[str, int]:
    """The customer hears how it goes: when we ask a third party, when it is resolved, when a
    case is reopened; and gets the re-survey when it is closed."""
    case = cases.get_case(db, event.case_id)
    kind = _UPDATE_ON.get(event.to_status)
    if event.from_status in ("resolved", "closed") and event.to_status == "in_progress":
        kind = MessageKind.CASE_UPDATE
    variables: dict[str, Any] = {}
    if event.to_status == CaseStatus.CLOSED.value and case.resurvey_invitation_id is not None:
        invitation = db.get(SurveyInvitation, case.resurvey_invitation_id)
        if invitation is not None and invitation.status is InvitationStatus.HELD:
            kind = MessageKind.RESURVEY
            variables = {"invitation_id": str(invitation.id)}
    if kind is None:
        return {}
    queue_message(
        db,
        customer_id=case.customer_id,
        kind=kind,
        purpose=Purpose.SURVEY if kind is MessageKind.RESURVEY else Purpose.SERVICE,
        dedupe_key=f"{kind.value}:{case.id}:{event.to_status}:{event.at.isoformat()}",
        now=event.at,
        available=QUEUEABLE,
        case_id=case.id,
        variables=variables,
    )
    return {"messages_queued": 1}


def send_reply(
    db: Session,
    case_id: uuid.UUID,
    *,
    body: str,
    now: datetime,
    sent_by: uuid.UUID | None,
    idempotency_key: str | None = None,
) -> OutboundMessage:
    """Queues the agent's reply to the customer on their channel (the template wraps it)."""
    case = cases.get_case(db, case_id)
    if not body.strip():
        raise Invalid("the reply must not be empty", field="body")
    key = f"reply:{case.id}:{idempotency_key or uuid.uuid4()}"
    message, _ = queue_message(
        db,
        customer_id=case.customer_id,
        kind=MessageKind.AGENT_REPLY,
        purpose=Purpose.SERVICE,
        dedupe_key=key,
        now=now,
        available=QUEUEABLE,
        case_id=case.id,
        sent_by=sent_by,
        variables={"reply_body": body.strip()},
    )
    db.commit()
    return message


# --- proactive notices ---------------------------------------------------------------------


def create_notice(
    db: Session,
    *,
    title_de: str,
    title_en: str,
    body_de: str,
    body_en: str,
    now: datetime,
    product_model: str | None = None,
    segment_id: uuid.UUID | None = None,
    update_link: str | None = None,
    root_cause: str | None = None,
    case_id: uuid.UUID | None = None,
    created_by: uuid.UUID | None = None,
) -> Notice:
    """A draft notice to the holders of the model, the members of the segment, or the members
    who hold the model; nothing is sent before `send_notice`. An unknown segment is 422."""
    model = (product_model or "").strip() or None
    if model is None and segment_id is None:
        raise Invalid("give a product model, a segment or both", field="product_model")
    for name, value in (
        ("title_de", title_de),
        ("title_en", title_en),
        ("body_de", body_de),
        ("body_en", body_en),
    ):
        if not value.strip():
            raise Invalid(f"{name} must not be empty", field=name)
    if update_link and not update_link.startswith(("https://", "http://")):
        raise Invalid("the update link must be an http(s) address", field="update_link")
    if case_id is not None:
        cases.get_case(db, case_id)
    segment = segments.find_segment(db, segment_id) if segment_id is not None else None
    notice = Notice(
        product_model=model,
        segment_id=segment.id if segment else None,
        segment_name=segment.name if segment else None,
        title_de=title_de.strip(),
        title_en=title_en.strip(),
        body_de=body_de.strip(),
        body_en=body_en.strip(),
        update_link=update_link,
        root_cause=root_cause,
        case_id=case_id,
        created_by=created_by,
        created_at=now,
    )
    db.add(notice)
    try:
        db.commit()
    except IntegrityError:
        # the segment (or case) was deleted between the check and the insert
        db.rollback()
        field = "segment_id" if segment_id is not None else "case_id"
        raise Invalid(f"unknown {field.removesuffix('_id')}", field=field) from None
    return notice


def get_notice(db: Session, notice_id: uuid.UUID) -> Notice:
    notice = db.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice not found", field="notice_id")
    return notice


def list_notices(db: Session, *, limit: int = 50) -> Sequence[Notice]:
    return db.scalars(select(Notice).order_by(Notice.created_at.desc()).limit(limit)).all()


@dataclass
class NoticePlan:
    holders: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    refused_consent: int = 0
    refused_fatigue: int = 0
    already: int = 0
    choices: dict[uuid.UUID, tuple[ChannelChoice, str | None]] = field(default_factory=dict)

    @property
    def reachable(self) -> int:
        return sum(self.by_channel.values())

    def summary(self) -> dict[str, Any]:
        return {
            "holders": self.holders,
            "reachable": self.reachable,
            "by_channel": dict(sorted(self.by_channel.items())),
            "refused_consent": self.refused_consent,
            "refused_fatigue": self.refused_fatigue,
            "already_notified": self.already,
        }


def plan_notice(db: Session, notice: Notice, *, now: datetime) -> NoticePlan:
    """Who would get the notice on which channel, and who not and why (the preview)."""
    holder_ids = _audience(db, notice, now=now)
    plan = NoticePlan(holders=len(holder_ids))
    done = {
        cid
        for chunk in _chunks(holder_ids, 900)
        for cid in db.scalars(
            select(OutboundMessage.customer_id).where(
                OutboundMessage.notice_id == notice.id, OutboundMessage.customer_id.in_(chunk)
            )
        )
    }
    recent = {
        cid
        for chunk in _chunks(holder_ids, 900)
        for cid in db.scalars(
            select(OutboundMessage.customer_id).where(
                OutboundMessage.kind == MessageKind.PROACTIVE_NOTICE,
                OutboundMessage.status.in_(
                    [
                        MessageStatus.QUEUED,
                        MessageStatus.SENDING,
                        MessageStatus.SENT,
                        MessageStatus.DELIVERED,
                    ]
                ),
                OutboundMessage.created_at > now - NOTICE_FATIGUE,
                OutboundMessage.notice_id != notice.id,
                OutboundMessage.customer_id.in_(chunk),
            )
        )
    }
    todo = [cid for cid in holder_ids if cid not in done]
    plan.already = len(done)
    choices = choose_channels(db, todo, purpose=Purpose.SERVICE, available=QUEUEABLE)
    for cid in todo:
        choice = choices[cid]
        refuse: str | None = None
        if cid in recent:
            refuse = f"contact fatigue: a notice within {NOTICE_FATIGUE.days} days"
            plan.refused_fatigue += 1
        elif choice.channel is None:
            plan.refused_consent += 1
        else:
            plan.by_channel[choice.channel.value] = plan.by_channel.get(choice.channel.value, 0) + 1
        plan.choices[cid] = (choice, refuse)
    return plan


def _audience(db: Session, notice: Notice, *, now: datetime) -> list[uuid.UUID]:
    """The living customers the notice is for: those who hold the model today (a holding that
    ended is a device returned or a contract left), members of the segment (by the rule it was
    sent with, once sent), or both at once."""
    rule = notice.segment_rule
    if rule is None and notice.segment_id is not None:
        rule = segments.get_segment(db, notice.segment_id).rule
    if rule is None:
        if not notice.product_model:
            return []
        holder_ids: list[uuid.UUID] = []
        cursor: str | None = None
        while True:
            page, cursor = customers.owners_of(
                db, model=notice.product_model, active_on=now.date(), limit=5000, cursor=cursor
            )
            holder_ids += [c.id for c in page]
            if cursor is None:
                return holder_ids
    among = None
    if notice.product_model:
        today = now.date()
        among = select(Holding.customer_id).where(
            Holding.model == notice.product_model,
            or_(Holding.started_on.is_(None), Holding.started_on <= today),
            or_(Holding.ended_on.is_(None), Holding.ended_on >= today),
        )
    return segments.audience(db, rule=rule, now=now, among=among)


def preview_notice(db: Session, notice_id: uuid.UUID, *, now: datetime) -> dict[str, Any]:
    """Counts before sending: holders, reachable per channel, refused by consent or fatigue."""
    return plan_notice(db, get_notice(db, notice_id), now=now).summary()


def send_notice(
    db: Session, notice_id: uuid.UUID, *, now: datetime, sent_by: uuid.UUID | None
) -> dict[str, Any]:
    """Queues the notice for everyone in its audience not yet notified (refusals are recorded
    with their reason); running it again adds only those who were not reached before. The first
    send records the segment's rule, which later sends keep to."""
    notice = get_notice(db, notice_id)
    if notice.segment_id is not None and notice.segment_rule is None:
        segment = segments.get_segment(db, notice.segment_id)
        notice.segment_rule = dict(segment.rule)
        notice.segment_name = segment.name
    plan = plan_notice(db, notice, now=now)
    languages = _languages(db, list(plan.choices))
    # The plan left out holders this notice already reached, so every key here is new.
    db.add_all(
        _message(
            dedupe_key=f"notice:{notice.id}:{cid}",
            customer_id=cid,
            language=languages[cid],
            kind=MessageKind.PROACTIVE_NOTICE,
            purpose=Purpose.SERVICE,
            choice=choice,
            refuse_reason=refuse,
            now=now,
            notice_id=notice.id,
            sent_by=sent_by,
            variables={"notice_id": str(notice.id)},
        )
        for cid, (choice, refuse) in plan.choices.items()
    )
    summary = plan.summary()
    notice.sent_at = notice.sent_at or now
    notice.counts = summary
    db.commit()
    return summary


def _notice_usages(db: Session, segment_id: uuid.UUID) -> list[segments.Usage]:
    rows = db.execute(
        select(Notice.id, Notice.title_en)
        .where(Notice.segment_id == segment_id, Notice.sent_at.is_(None))
        .order_by(Notice.created_at)
    ).all()
    return [segments.Usage("notice", row.id, f"notice '{row.title_en}' (not sent)") for row in rows]


def _release_sent_notices(db: Session, segment_id: uuid.UUID) -> None:
    # A sent notice keeps the segment's name and rule as sent; the link itself may go.
    db.execute(
        update(Notice)
        .where(Notice.segment_id == segment_id, Notice.sent_at.is_not(None))
        .values(segment_id=None)
    )


segments.register_usage(_notice_usages, _release_sent_notices)


def notice_variables(notice: Notice, language: str) -> dict[str, str]:
    return {
        "notice_title": notice.title_en if language == "en" else notice.title_de,
        "notice_body": notice.body_en if language == "en" else notice.body_de,
        "update_link": notice.update_link or "",
    }


# --- reply quality -------------------------------------------------------------------------


def assess(
    db: Session,
    text: str,
    *,
    case_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    request: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The reply-quality assessment of a draft against the case's request and customer."""
    reference = None
    if case_id is not None:
        case = cases.get_case(db, case_id)
        customer_id = case.customer_id
        request = request or case.description or case.subject
        reference = case.reference
    if customer_id is None:
        raise Invalid("give a case_id or a customer_id", field="case_id")
    customer = customers.get_customer(db, customer_id)
    addressee = quality.Addressee(
        salutation=str(customer.salutation),
        first_name=customer.first_name,
        last_name=customer.last_name,
        title=(customer.attributes or {}).get("title"),
    )
    result = quality.assess_reply(
        text, request=request, addressee=addressee, language=language, case_reference=reference
    )
    return result.to_dict()


def record_receipt(
    db: Session,
    *,
    status: MessageStatus,
    now: datetime,
    message_id: uuid.UUID | None = None,
    provider_id: str | None = None,
    reason: str | None = None,
) -> OutboundMessage:
    """A provider's delivery report: a sent message becomes delivered or failed (once; a
    later report never turns a delivered message back)."""
    if status not in (MessageStatus.DELIVERED, MessageStatus.FAILED):
        raise Invalid("a receipt is delivered or failed", field="status")
    if message_id is not None:
        message = get_message(db, message_id)
    elif provider_id:
        found = db.scalar(select(OutboundMessage).where(OutboundMessage.provider_id == provider_id))
        if found is None:
            raise NotFound("no message with this provider id", field="provider_id")
        message = found
    else:
        raise Invalid("give message_id or provider_id", field="message_id")
    if message.status not in (MessageStatus.SENT, MessageStatus.DELIVERED):
        raise Conflict(f"a {message.status.value} message takes no delivery report", field="status")
    if message.status is MessageStatus.SENT:
        message.status = status
        if status is MessageStatus.FAILED:
            message.last_error = (reason or "reported failed by the provider")[:500]
        db.commit()
    return message
