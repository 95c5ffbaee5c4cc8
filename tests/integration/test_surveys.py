from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Gone, Invalid, NotFound
from cxm.shared.mail import ConsoleMailer
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, InvitationStatus, SurveyStatus
from cxm.surveys.models import SurveyAnswer
from tests import factories

SECRET = "test-secret"
POLICY = FatiguePolicy(window=timedelta(days=30), max_invitations=1)
QUESTIONS = [
    {
        "key": "nps",
        "type": "nps",
        "text_de": "Empfehlen?",
        "text_en": "Recommend?",
        "required": True,
    },
    {"key": "comment", "type": "text", "text_de": "Warum?", "text_en": "Why?"},
]


def _survey(db: Session, clock: FixedClock, key: str = "after-call", live: bool = True):  # noqa: ANN202
    survey = surveys.create_survey(
        db,
        key=key,
        name="Nach dem Anruf",
        title_de="Ihr Anruf",
        title_en="Your call",
        questions=QUESTIONS,
        now=clock.now(),
    )
    if live:
        surveys.set_status(db, key, SurveyStatus.LIVE, now=clock.now())
    return survey


def _consenting_customer(db: Session, clock: FixedClock, **fields: object):  # noqa: ANN202
    customer = factories.customer(
        db,
        now=clock.now(),
        identities=[{"kind": "email", "value": f"kunde{factories._seq.__next__()}@example.com"}],
        salutation="ms",
        last_name="Weber",
        **fields,
    )
    consent.record_consent(
        db,
        customer.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.EMAIL,
        granted=True,
        source="web form",
        now=clock.now(),
    )
    return customer


def test_editing_a_live_survey_makes_a_new_version_and_answers_keep_theirs(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    token = surveys.token_for(invitation.id, secret=SECRET)
    first = surveys.respond_with_token(
        db, token, answers={"nps": 9}, now=clock.now(), secret=SECRET
    )

    changed = [
        *QUESTIONS,
        {"key": "csat", "type": "csat", "text_de": "Zufrieden?", "text_en": "Satisfied?"},
    ]
    revised = surveys.revise_survey(db, "after-call", questions=changed, now=clock.now())
    versions = surveys.list_versions(db, revised)
    assert [v.number for v in versions] == [1, 2]
    assert revised.current_version_id == versions[1].id
    assert first.version_id == versions[0].id


def test_a_draft_is_edited_in_place(db: Session, clock: FixedClock) -> None:
    survey = _survey(db, clock, key="draft", live=False)
    surveys.revise_survey(db, "draft", title_de="Neu", now=clock.now())
    assert [v.title_de for v in surveys.list_versions(db, survey)] == ["Neu"]


def test_one_response_per_token_then_409_and_expired_links_are_410(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    token = surveys.token_for(invitation.id, secret=SECRET)
    surveys.respond_with_token(
        db,
        token,
        answers={"nps": 3, "comment": "Zu lange Warteschleife"},
        now=clock.now(),
        secret=SECRET,
    )
    with pytest.raises(Conflict):
        surveys.respond_with_token(db, token, answers={"nps": 10}, now=clock.now(), secret=SECRET)

    other = _consenting_customer(db, clock)
    late = surveys.invite(
        db, survey_key="after-call", customer_id=other.id, now=clock.now(), policy=POLICY
    )
    with pytest.raises(Gone):
        surveys.respond_with_token(
            db,
            surveys.token_for(late.id, secret=SECRET),
            answers={"nps": 10},
            now=clock.now() + timedelta(days=15),
            secret=SECRET,
        )


def test_forged_or_foreign_tokens_are_404(db: Session, clock: FixedClock) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    good = surveys.token_for(invitation.id, secret=SECRET)
    with pytest.raises(NotFound):
        surveys.respond_with_token(
            db, good[:-2] + "xx", answers={"nps": 1}, now=clock.now(), secret=SECRET
        )
    with pytest.raises(NotFound):
        surveys.respond_with_token(db, good, answers={"nps": 1}, now=clock.now(), secret="other")


def test_out_of_range_answers_are_422_and_store_nothing(db: Session, clock: FixedClock) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    token = surveys.token_for(invitation.id, secret=SECRET)
    with pytest.raises(Invalid) as err:
        surveys.respond_with_token(db, token, answers={"nps": 11}, now=clock.now(), secret=SECRET)
    assert err.value.field == "answers.nps"
    db.rollback()
    assert db.scalars(select(SurveyAnswer)).all() == []
    surveys.respond_with_token(db, token, answers={"nps": 10}, now=clock.now(), secret=SECRET)


def test_the_response_appears_on_the_customer_timeline(db: Session, clock: FixedClock) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    surveys.respond_with_token(
        db,
        surveys.token_for(invitation.id, secret=SECRET),
        answers={"nps": 4, "comment": "Schlecht"},
        now=clock.now(),
        secret=SECRET,
    )
    events, _ = interactions.timeline(db, customer.id, types=["survey_response"])
    assert len(events) == 1 and events[0][0].properties["scores"] == {"nps": 4}
    assert events[0][0].text == "Schlecht"


def test_contact_fatigue_skips_and_logs_the_second_invitation(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _survey(db, clock, key="after-purchase")
    customer = _consenting_customer(db, clock)
    first = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    second = surveys.invite(
        db,
        survey_key="after-purchase",
        customer_id=customer.id,
        now=clock.now() + timedelta(days=10),
        policy=POLICY,
    )
    assert first.status is InvitationStatus.SCHEDULED
    assert second.status is InvitationStatus.SKIPPED and "fatigue" in (second.skip_reason or "")
    third = surveys.invite(
        db,
        survey_key="after-purchase",
        customer_id=customer.id,
        now=clock.now() + timedelta(days=31),
        policy=POLICY,
    )
    assert third.status is InvitationStatus.SCHEDULED


def test_missing_consent_skips_the_invitation_with_the_reason(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    customer = factories.customer(db, now=clock.now())
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    assert invitation.status is InvitationStatus.SKIPPED
    assert "no consent" in (invitation.skip_reason or "")
    withdrawn = _consenting_customer(db, clock)
    consent.record_consent(
        db,
        withdrawn.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.EMAIL,
        granted=False,
        source="unsubscribe link",
        now=clock.now() + timedelta(seconds=1),
    )
    skipped = surveys.invite(
        db, survey_key="after-call", customer_id=withdrawn.id, now=clock.now(), policy=POLICY
    )
    assert skipped.status is InvitationStatus.SKIPPED and "unsubscribe" in (
        skipped.skip_reason or ""
    )


def test_trigger_rules_invite_after_matching_interactions_once(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    hotline = factories.touchpoint(db, now=clock.now(), key="hotline-trig")
    factories.touchpoint(db, now=clock.now(), key="shop-trig", channel="store")
    surveys.add_trigger(
        db,
        "after-call",
        interaction_type="call",
        touchpoint=hotline.key,
        delay_minutes=120,
        now=clock.now(),
    )
    caller = _consenting_customer(db, clock)
    shopper = _consenting_customer(db, clock)
    interactions.ingest(
        db,
        [
            NewInteraction(
                type="call",
                occurred_at=clock.now(),
                customer_id=caller.id,
                touchpoint="hotline-trig",
            ),
            NewInteraction(
                type="call", occurred_at=clock.now(), customer_id=shopper.id, touchpoint="shop-trig"
            ),
            NewInteraction(
                type="page_view", occurred_at=clock.now(), customer_id=shopper.id, channel="web"
            ),
        ],
        now=clock.now(),
    )
    created, last = surveys.apply_triggers(db, now=clock.now(), policy=POLICY)
    assert created == 1
    invitations = surveys.list_invitations(db, survey_key="after-call")
    assert [i.customer_id for i in invitations] == [caller.id]
    assert invitations[0].send_at == clock.now() + timedelta(minutes=120)
    again, _ = surveys.apply_triggers(db, now=clock.now(), policy=POLICY)
    assert again == 0
    later, _ = surveys.apply_triggers(db, now=clock.now(), policy=POLICY, after_id=last)
    assert later == 0


def test_due_invitations_are_mailed_with_a_personal_salutation(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    customer = _consenting_customer(db, clock)
    surveys.invite(
        db,
        survey_key="after-call",
        customer_id=customer.id,
        now=clock.now(),
        policy=POLICY,
        delay=timedelta(hours=1),
    )
    mailer = ConsoleMailer()
    assert (
        surveys.send_due(db, now=clock.now(), mailer=mailer, secret=SECRET, base_url="http://x")
        == 0
    )
    sent = surveys.send_due(
        db, now=clock.now() + timedelta(hours=1), mailer=mailer, secret=SECRET, base_url="http://x"
    )
    assert sent == 1
    body = mailer.sent[0].get_content()
    assert "Guten Tag, Frau Weber" in body and "http://x/s/" in body


def test_invitations_for_channels_without_an_adapter_are_skipped_not_faked(
    db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    customer = factories.customer(db, now=clock.now())
    consent.record_consent(
        db,
        customer.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.SMS,
        granted=True,
        source="app",
        now=clock.now(),
    )
    consent.set_preferred_channels(db, customer.id, [ContactChannel.SMS], now=clock.now())
    invitation = surveys.invite(
        db, survey_key="after-call", customer_id=customer.id, now=clock.now(), policy=POLICY
    )
    assert invitation.channel == "sms"
    mailer = ConsoleMailer()
    assert surveys.send_due(db, now=clock.now(), mailer=mailer, secret=SECRET, base_url="x") == 0
    db.refresh(invitation)
    assert invitation.status is InvitationStatus.SKIPPED and "sms" in (invitation.skip_reason or "")
    assert mailer.sent == []
