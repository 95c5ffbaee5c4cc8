"""Outreach on a real database with a real SMTP server: delivery of case messages, consent
refusals, retries, no double sending after a crash, the re-survey link, proactive notices."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.cases import services as cases
from cxm.cases.domain import CaseStatus
from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.customers import services as customers
from cxm.interactions.models import Interaction
from cxm.outreach import services as outreach
from cxm.outreach.channels import ConsoleSmsAdapter, EmailAdapter
from cxm.outreach.domain import MAX_ATTEMPTS, MessageKind, MessageStatus
from cxm.outreach.models import OutboundMessage
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Invalid
from cxm.shared.mail import SmtpMailer
from cxm.surveys import services as surveys
from cxm.surveys.domain import InvitationStatus
from cxm.surveys.models import SurveyInvitation
from tests import factories
from tests.fakes import RecordingHandler, smtp_server

CAL = "DE-BE"
SECRET = "test-secret"
_n = itertools.count(1)


@pytest.fixture
def smtp() -> Iterator[tuple[int, RecordingHandler]]:
    with smtp_server() as server:
        yield server


def _ctx(port: int, sms: ConsoleSmsAdapter | None = None) -> outreach.DeliveryContext:
    sms = sms or ConsoleSmsAdapter()
    return outreach.DeliveryContext(
        adapters={
            ContactChannel.EMAIL: EmailAdapter(SmtpMailer(host="127.0.0.1", port=port)),
            ContactChannel.SMS: sms,
            ContactChannel.MESSENGER: sms,
        },
        base_url="https://cx.example.com",
        secret=SECRET,
        company_name="Lindenfunk",
    )


def _customer(db: Session, clock: FixedClock, *, email: bool = True, **kw: Any) -> Any:
    n = next(_n)
    identities = [{"kind": "email", "value": f"kunde{n}@example.com"}] if email else []
    identities.append({"kind": "phone", "value": f"+4915112345{n:03d}"})
    fields: dict[str, Any] = {"salutation": "ms", "last_name": "Weber", "identities": identities}
    fields.update(kw)
    return factories.customer(db, now=clock.now(), **fields)


def _case(db: Session, clock: FixedClock, customer: Any, topic: str = "network") -> Any:
    return cases.open_case(
        db,
        customer_id=customer.id,
        subject="Gespräche brechen ab",
        topic=topic,
        now=clock.now(),
        calendar_code=CAL,
    ).case


def test_the_acknowledgement_goes_out_by_mail_with_salutation_and_reference(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, received = smtp
    customer = _customer(db, clock)
    case = _case(db, clock, customer)
    counts = outreach.deliver(db, _ctx(port), now=clock.now())
    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    (mail,) = received.messages
    body = (
        mail.get_payload(0).get_payload(decode=True).decode()
        if mail.is_multipart()
        else (mail.get_payload(decode=True).decode())
    )
    assert "Guten Tag, Frau Weber" in body
    assert case.reference in mail["Subject"] + body
    assert case.status is CaseStatus.ACKNOWLEDGED and case.acknowledged_at == clock.now()
    message = db.scalar(select(OutboundMessage).where(OutboundMessage.case_id == case.id))
    assert message is not None and message.status is MessageStatus.SENT
    timeline = db.scalars(select(Interaction).where(Interaction.customer_id == customer.id)).all()
    assert any(i.properties.get("message_id") == str(message.id) for i in timeline)
    assert outreach.deliver(db, _ctx(port), now=clock.now()) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(received.messages) == 1


def test_the_preferred_channel_is_used_when_consent_allows_it(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, received = smtp
    customer = _customer(db, clock)
    consent.set_preferred_channels(
        db, customer.id, [ContactChannel.SMS, ContactChannel.EMAIL], now=clock.now()
    )
    sms = ConsoleSmsAdapter()
    _case(db, clock, customer)
    outreach.deliver(db, _ctx(port, sms), now=clock.now())
    assert len(sms.sent) == 1 and sms.sent[0].to.startswith("+49")
    assert received.messages == []


def test_a_withdrawn_channel_falls_back_and_no_channel_at_all_is_refused_with_the_reason(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, _ = smtp
    customer = _customer(db, clock, email=False)
    for channel in (ContactChannel.EMAIL, ContactChannel.SMS):
        consent.record_consent(
            db,
            customer.id,
            purpose=Purpose.SERVICE,
            channel=channel,
            granted=False,
            source="hotline",
            now=clock.now(),
        )
    consent.set_preferred_channels(
        db, customer.id, [ContactChannel.SMS, ContactChannel.EMAIL], now=clock.now()
    )
    case = _case(db, clock, customer)
    message = db.scalar(select(OutboundMessage).where(OutboundMessage.case_id == case.id))
    assert message is not None and message.status is MessageStatus.REFUSED
    assert message.refused_reason and "sms: withdrawn via hotline" in message.refused_reason
    assert outreach.deliver(db, _ctx(port), now=clock.now())["sent"] == 0


def test_a_transient_failure_is_retried_with_back_off_and_then_given_up(
    db: Session, clock: FixedClock
) -> None:
    with smtp_server() as (port, _):
        pass  # the port is closed now: every connection fails
    _case(db, clock, _customer(db, clock))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = outreach.deliver(db, _ctx(port), now=clock.now())
        expected = "retry" if attempt < MAX_ATTEMPTS else "failed"
        assert counts[expected] == 1, (attempt, counts)
        message = db.scalar(select(OutboundMessage))
        assert message is not None and message.attempts == attempt
        if message.next_attempt_at:
            assert outreach.deliver(db, _ctx(port), now=clock.now())["retry"] == 0 or attempt == 0
            clock.set(message.next_attempt_at)
    assert message.status is MessageStatus.FAILED and message.last_error


def test_a_crashed_sender_is_resumed_once_with_the_same_message_id(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, received = smtp
    customers_ = [_customer(db, clock) for _ in range(3)]
    for c in customers_:
        _case(db, clock, c)
    # A sender claimed the first message and died before sending it.
    first = db.scalars(select(OutboundMessage).order_by(OutboundMessage.created_at)).first()
    assert first is not None
    assert outreach._claim(db, first.id, now=clock.now())
    db.commit()
    # A second run at once leaves the fresh claim alone and sends the other two.
    assert outreach.deliver(db, _ctx(port), now=clock.now())["sent"] == 2
    clock.advance(outreach.STALE_CLAIM + timedelta(seconds=1))
    assert outreach.deliver(db, _ctx(port), now=clock.now())["sent"] == 1
    assert outreach.deliver(db, _ctx(port), now=clock.now())["sent"] == 0
    ids = [m["Message-ID"] for m in received.messages]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert any(str(first.id) in i for i in ids)


def test_the_same_logical_message_is_stored_once(db: Session, clock: FixedClock) -> None:
    customer = _customer(db, clock)
    kwargs: dict[str, Any] = dict(
        customer_id=customer.id,
        kind=MessageKind.CASE_UPDATE,
        purpose=Purpose.SERVICE,
        dedupe_key="update:1",
        now=clock.now(),
        available=outreach.QUEUEABLE,
    )
    first, created = outreach.queue_message(db, **kwargs)
    again, created_again = outreach.queue_message(db, **kwargs)
    assert created and not created_again and first.id == again.id


def test_closing_a_case_sends_the_re_survey_link_and_a_recovered_detractor_is_counted(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, received = smtp
    customer = _customer(db, clock)
    consent.record_consent(
        db,
        customer.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.EMAIL,
        granted=True,
        source="web",
        now=clock.now(),
    )
    cases.ensure_resurvey(db, now=clock.now())
    surveys.record_response(
        db,
        cases.RESURVEY_KEY,
        customer_id=customer.id,
        answers={"solved": "no", "ces": 2, "nps": 3},
        submitted_at=clock.now(),
        now=clock.now(),
    )
    clock.advance(timedelta(minutes=1))
    case = _case(db, clock, customer)
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=clock.now())
    cases.transition(db, case.id, CaseStatus.RESOLVED, now=clock.now(), root_cause="software")
    cases.transition(db, case.id, CaseStatus.CLOSED, now=clock.now())
    invitation = db.get(SurveyInvitation, case.resurvey_invitation_id)
    assert invitation is not None and invitation.status is InvitationStatus.HELD
    outreach.deliver(db, _ctx(port), now=clock.now())
    bodies = [
        (m.get_payload(0) if m.is_multipart() else m).get_payload(decode=True).decode()
        for m in received.messages
    ]
    links = [found for b in bodies for found in re.findall(r"https://cx\.example\.com/s/\S+", b)]
    assert len(links) == 1
    assert invitation.status is InvitationStatus.SENT
    token = links[0].rsplit("/", 1)[1]
    surveys.respond_with_token(
        db, token, answers={"solved": "yes", "ces": 6, "nps": 9}, now=clock.now(), secret=SECRET
    )
    (row,) = cases.recovery(db, by="topic")
    assert (row.group, row.detractors, row.answered, row.recovered) == ("network", 1, 1, 1)


def test_without_survey_consent_the_re_survey_is_not_sent(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, _ = smtp
    customer = _customer(db, clock)
    case = _case(db, clock, customer)
    cases.transition(db, case.id, CaseStatus.RESOLVED, now=clock.now(), root_cause="x")
    cases.transition(db, case.id, CaseStatus.CLOSED, now=clock.now())
    invitation = db.get(SurveyInvitation, case.resurvey_invitation_id)
    assert invitation is not None and invitation.status is InvitationStatus.SKIPPED
    assert invitation.skip_reason and "no consent" in invitation.skip_reason
    kinds = [m.kind for m in outreach.list_messages(db, case_id=case.id)]
    assert MessageKind.RESURVEY not in kinds


def test_a_proactive_notice_previews_then_reaches_every_holder_once(
    db: Session, clock: FixedClock, smtp: tuple[int, RecordingHandler]
) -> None:
    port, received = smtp
    holders = [_customer(db, clock) for _ in range(3)]
    withdrawn = holders[2]
    consent.record_consent(
        db,
        withdrawn.id,
        purpose=Purpose.SERVICE,
        channel=ContactChannel.EMAIL,
        granted=False,
        source="letter",
        now=clock.now(),
    )
    bystander = _customer(db, clock)
    for c in holders:
        customers.add_holding(
            db,
            c.id,
            now=clock.now(),
            model="Modell X",
            product_code="SMX",
            product_name="Smartphone Modell X",
        )
    customers.add_holding(
        db,
        bystander.id,
        now=clock.now(),
        model="Modell Y",
        product_code="SMY",
        product_name="Smartphone Modell Y",
    )
    # a Modell X returned last year: no longer a holder
    customers.add_holding(
        db,
        bystander.id,
        now=clock.now(),
        model="Modell X",
        product_code="SMX",
        product_name="Smartphone Modell X",
        started_on=(clock.now() - timedelta(days=700)).date(),
        ended_on=(clock.now() - timedelta(days=300)).date(),
    )
    notice = outreach.create_notice(
        db,
        product_model="Modell X",
        title_de="Update für Modell X",
        title_en="Update for Modell X",
        body_de="Ein Softwarefehler lässt Gespräche abbrechen.",
        body_en="A software fault drops calls.",
        update_link="https://lindenfunk.example/x",
        now=clock.now(),
    )
    preview = outreach.preview_notice(db, notice.id, now=clock.now())
    assert preview == {
        "holders": 3,
        "reachable": 2,
        "by_channel": {"email": 2},
        "refused_consent": 1,
        "refused_fatigue": 0,
        "already_notified": 0,
    }
    assert outreach.list_messages(db, notice_id=notice.id) == []
    summary = outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    assert summary["reachable"] == 2
    outreach.deliver(db, _ctx(port), now=clock.now())
    assert len(received.messages) == 2
    assert all("Modell X" in m["Subject"] for m in received.messages)
    statuses = sorted(m.status.value for m in outreach.list_messages(db, notice_id=notice.id))
    assert statuses == ["refused", "sent", "sent"]
    again = outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    assert again["already_notified"] == 3 and again["reachable"] == 0
    notices_on_timeline = db.scalars(select(Interaction).where(Interaction.type == "notice")).all()
    assert len(notices_on_timeline) == 2
    # A second notice within the fatigue window is held back.
    later = outreach.create_notice(
        db,
        product_model="Modell X",
        title_de="Noch ein Update",
        title_en="Another update",
        body_de="x",
        body_en="x",
        now=clock.now(),
    )
    assert outreach.preview_notice(db, later.id, now=clock.now())["refused_fatigue"] == 2


def test_a_template_with_an_unknown_variable_is_refused_at_save(
    db: Session, clock: FixedClock
) -> None:
    with pytest.raises(Invalid) as caught:
        outreach.save_template(
            db,
            kind=MessageKind.CASE_UPDATE,
            language="de",
            subject="Ihr Fall {{ case_reference }}",
            body="{{ salutation }}, {{ kundennummer }}",
            now=clock.now(),
            by=None,
        )
    assert caught.value.field == "body"
    assert caught.value.extra["names"] == ["kundennummer"]
    saved = outreach.save_template(
        db,
        kind=MessageKind.CASE_UPDATE,
        language="de",
        subject="Neues zu {{ case_reference }}",
        body="{{ salutation }},\nes gibt Neues.",
        now=clock.now(),
        by=None,
    )
    assert outreach.template_for(db, MessageKind.CASE_UPDATE, "de") == (saved.subject, saved.body)
