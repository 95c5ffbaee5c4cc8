from datetime import timedelta

from sqlalchemy.orm import Session

from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.shared.clock import FixedClock
from cxm.shared.mail import SmtpMailer
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, InvitationStatus, SurveyStatus
from tests import factories
from tests.fakes import smtp_server


def test_invitations_go_out_over_real_smtp_in_the_customers_language(
    db: Session, clock: FixedClock
) -> None:
    surveys.create_survey(
        db,
        key="smtp",
        name="SMTP",
        title_de="Ihre Meinung",
        title_en="Your opinion",
        questions=[{"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"}],
        now=clock.now(),
    )
    surveys.set_status(db, "smtp", SurveyStatus.LIVE, now=clock.now())
    customer = factories.customer(
        db,
        now=clock.now(),
        salutation="ms",
        last_name="Brown",
        first_name="Jane",
        language="en",
        identities=[{"kind": "email", "value": "jane@example.com"}],
    )
    consent.record_consent(
        db,
        customer.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.EMAIL,
        granted=True,
        source="test",
        now=clock.now(),
    )
    invitation = surveys.invite(
        db, survey_key="smtp", customer_id=customer.id, now=clock.now(), policy=FatiguePolicy()
    )
    with smtp_server() as (port, received):
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="cxm <cx@example.com>")
        sent = surveys.send_due(
            db,
            now=clock.now() + timedelta(minutes=1),
            mailer=mailer,
            secret="s",
            base_url="https://cx.example.com",
        )
    assert sent == 1 and len(received.messages) == 1
    message = received.messages[0]
    assert message["To"] == "jane@example.com"
    assert message["Subject"].startswith("Your opinion")
    body = message.get_payload(decode=True).decode()
    assert "Dear Ms Brown" in body and "https://cx.example.com/s/" in body
    db.refresh(invitation)
    assert invitation.status is InvitationStatus.SENT


def test_a_batch_sends_over_one_kept_connection_and_closes_it() -> None:
    with smtp_server() as (port, received):
        mailer = SmtpMailer(host="127.0.0.1", port=port)
        with mailer.batch():
            for n in range(3):
                mailer.send(to=f"k{n}@example.com", subject=f"Nr. {n}", body="Hallo")
            kept = mailer._session
            assert kept is not None
            mailer.send(to="k3@example.com", subject="Nr. 3", body="Hallo")
            assert mailer._session is kept
        assert mailer._session is None
        mailer.send(to="k4@example.com", subject="Nr. 4", body="ohne Batch")
    assert [m["Subject"] for m in received.messages] == [f"Nr. {n}" for n in range(5)]
