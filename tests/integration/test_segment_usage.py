"""Segments in use: notices addressed to a segment (alone or with a model), survey trigger rules
that require one, and a segment that cannot be deleted while something depends on it."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.customers import services as customers
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.outreach import services as outreach
from cxm.segments import services as segments
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, InvitationStatus, SurveyStatus
from tests import factories

MODEL = "Smartphone Modell X"
NORTH = {"field": "region", "op": "eq", "value": "Nord"}
POLICY = FatiguePolicy(window=timedelta(days=30), max_invitations=1)
_n = itertools.count(1)


def _customer(db: Session, clock: FixedClock, *, region: str, model: str | None = None) -> Any:
    n = next(_n)
    customer = factories.customer(
        db,
        now=clock.now(),
        region=region,
        salutation="ms",
        last_name="Weber",
        identities=[{"kind": "email", "value": f"seg{n}@example.com"}],
    )
    if model:
        customers.add_holding(
            db, customer.id, now=clock.now(), model=model, product_code="SMX", product_name=model
        )
    return customer


def _segment(db: Session, clock: FixedClock, name: str = "Norden", rule: Any = None) -> Any:
    return segments.create_segment(db, name=name, rule=rule or NORTH, now=clock.now())


def _notice(db: Session, clock: FixedClock, **audience: Any) -> Any:
    return outreach.create_notice(
        db,
        title_de="Update",
        title_en="Update",
        body_de="Ein Softwarefehler.",
        body_en="A software fault.",
        now=clock.now(),
        **audience,
    )


# --- segments.contains / audience --------------------------------------------------------------


def test_contains_returns_only_the_members_among_the_candidates(
    db: Session, clock: FixedClock
) -> None:
    north = [_customer(db, clock, region="Nord") for _ in range(3)]
    south = _customer(db, clock, region="Süd")
    segment = _segment(db, clock)
    candidates = [north[0].id, north[1].id, south.id, uuid.uuid4()]
    assert segments.contains(db, segment.id, candidates, now=clock.now()) == {
        north[0].id,
        north[1].id,
    }
    assert segments.contains(db, segment.id, [], now=clock.now()) == set()


# --- notices -----------------------------------------------------------------------------------


def test_a_notice_to_a_segment_and_a_model_reaches_members_who_hold_it_with_consent(
    db: Session, clock: FixedClock
) -> None:
    member_holders = [_customer(db, clock, region="Nord", model=MODEL) for _ in range(3)]
    _customer(db, clock, region="Nord")  # member without the model
    _customer(db, clock, region="Süd", model=MODEL)  # holder outside the segment
    consent.record_consent(
        db,
        member_holders[2].id,
        purpose=Purpose.SERVICE,
        channel=ContactChannel.EMAIL,
        granted=False,
        source="letter",
        now=clock.now(),
    )
    segment = _segment(db, clock)
    notice = _notice(db, clock, product_model=MODEL, segment_id=segment.id)
    assert notice.segment_name == "Norden" and notice.segment_rule is None
    preview = outreach.preview_notice(db, notice.id, now=clock.now())
    assert preview["holders"] == 3
    assert preview["reachable"] == 2 and preview["refused_consent"] == 1

    summary = outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    assert summary["reachable"] == 2
    recipients = {m.customer_id for m in outreach.list_messages(db, notice_id=notice.id)}
    assert recipients == {c.id for c in member_holders}
    assert notice.segment_rule == NORTH


def test_a_notice_to_a_segment_alone_reaches_every_member(db: Session, clock: FixedClock) -> None:
    _customer(db, clock, region="Nord", model=MODEL)
    _customer(db, clock, region="Nord")
    _customer(db, clock, region="Süd", model=MODEL)
    notice = _notice(db, clock, segment_id=_segment(db, clock).id)
    assert notice.product_model is None
    assert outreach.preview_notice(db, notice.id, now=clock.now())["holders"] == 2


def test_a_sent_notice_keeps_the_rule_it_was_sent_with(db: Session, clock: FixedClock) -> None:
    first = _customer(db, clock, region="Nord")
    segment = _segment(db, clock)
    notice = _notice(db, clock, segment_id=segment.id)
    outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    segments.update_segment(
        db,
        segment.id,
        now=clock.now(),
        name="Süden",
        rule={"field": "region", "op": "eq", "value": "Süd"},
    )
    _customer(db, clock, region="Süd")
    late_northerner = _customer(db, clock, region="Nord")
    again = outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    assert again["already_notified"] == 1 and again["holders"] == 2
    assert notice.segment_rule == NORTH and notice.segment_name == "Norden"
    recipients = {m.customer_id for m in outreach.list_messages(db, notice_id=notice.id)}
    assert recipients == {first.id, late_northerner.id}


def test_a_notice_needs_a_model_or_a_known_segment(db: Session, clock: FixedClock) -> None:
    with pytest.raises(Invalid) as none:
        _notice(db, clock)
    assert none.value.field == "product_model"
    with pytest.raises(Invalid) as unknown:
        _notice(db, clock, segment_id=uuid.uuid4())
    assert unknown.value.field == "segment_id"


# --- survey trigger rules ----------------------------------------------------------------------


def _live_survey(db: Session, clock: FixedClock, key: str = "nach-anruf") -> None:
    surveys.create_survey(
        db,
        key=key,
        name="Nach dem Anruf",
        title_de="Ihr Anruf",
        title_en="Your call",
        questions=[{"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"}],
        now=clock.now(),
    )
    surveys.set_status(db, key, SurveyStatus.LIVE, now=clock.now())


def _consenting(db: Session, clock: FixedClock, region: str) -> Any:
    customer = _customer(db, clock, region=region)
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


def _calls(db: Session, clock: FixedClock, *people: Any) -> None:
    interactions.ingest(
        db,
        [
            NewInteraction(type="call", occurred_at=clock.now(), customer_id=p.id, channel="phone")
            for p in people
        ],
        now=clock.now(),
    )


class CountingDirectory:
    """The registered segment directory, counting membership queries."""

    def __init__(self, inner: surveys.SegmentDirectory) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def name(self, db: Session, segment_id: uuid.UUID) -> str:
        return self.inner.name(db, segment_id)

    def names(self, db: Session) -> dict[uuid.UUID, str]:
        return self.inner.names(db)

    def contains(
        self, db: Session, segment_id: uuid.UUID, customer_ids: Any, *, now: datetime
    ) -> set[uuid.UUID]:
        ids = list(customer_ids)
        self.calls.append(len(ids))
        return self.inner.contains(db, segment_id, ids, now=now)


def test_a_trigger_with_a_segment_invites_members_and_skips_others_with_the_reason(
    db: Session, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _live_survey(db, clock)
    segment = _segment(db, clock)
    rule = surveys.add_trigger(
        db, "nach-anruf", interaction_type="call", segment_id=segment.id, now=clock.now()
    )
    assert rule.segment_id == segment.id
    members = [_consenting(db, clock, "Nord") for _ in range(2)]
    outsiders = [_consenting(db, clock, "Süd") for _ in range(2)]
    _calls(db, clock, *members, *outsiders)
    counting = CountingDirectory(surveys._directory())
    monkeypatch.setattr(surveys, "_segments", [counting])

    created, _ = surveys.apply_triggers(db, now=clock.now(), policy=POLICY)

    assert created == 4
    assert counting.calls == [4]  # one membership query for the whole batch
    by_customer = {i.customer_id: i for i in surveys.list_invitations(db, survey_key="nach-anruf")}
    assert {by_customer[m.id].status for m in members} == {InvitationStatus.SCHEDULED}
    for outsider in outsiders:
        skipped = by_customer[outsider.id]
        assert skipped.status is InvitationStatus.SKIPPED
        assert skipped.skip_reason == "not in segment 'Norden'"


def test_a_rule_without_segment_still_invites_whom_a_segment_rule_would_skip(
    db: Session, clock: FixedClock
) -> None:
    _live_survey(db, clock)
    segment = _segment(db, clock)
    surveys.add_trigger(
        db, "nach-anruf", interaction_type="call", segment_id=segment.id, now=clock.now()
    )
    surveys.add_trigger(db, "nach-anruf", interaction_type="call", now=clock.now())
    outsider = _consenting(db, clock, "Süd")
    _calls(db, clock, outsider)
    surveys.apply_triggers(db, now=clock.now(), policy=POLICY)
    (invitation,) = surveys.list_invitations(db, survey_key="nach-anruf")
    assert invitation.status is InvitationStatus.SCHEDULED


def test_a_trigger_with_an_unknown_segment_is_refused(db: Session, clock: FixedClock) -> None:
    _live_survey(db, clock)
    with pytest.raises(Invalid) as refused:
        surveys.add_trigger(
            db, "nach-anruf", interaction_type="call", segment_id=uuid.uuid4(), now=clock.now()
        )
    assert refused.value.field == "segment_id"


# --- deleting a segment in use -----------------------------------------------------------------


def test_a_segment_used_by_a_trigger_or_an_unsent_notice_cannot_be_deleted(
    db: Session, clock: FixedClock
) -> None:
    _live_survey(db, clock)
    segment = _segment(db, clock)
    rule = surveys.add_trigger(
        db, "nach-anruf", interaction_type="call", segment_id=segment.id, now=clock.now()
    )
    notice = _notice(db, clock, segment_id=segment.id)
    with pytest.raises(Conflict) as in_use:
        segments.delete_segment(db, segment.id)
    used_by = in_use.value.extra["used_by"]
    assert {(u["kind"], u["id"]) for u in used_by} == {
        ("survey_trigger", str(rule.id)),
        ("notice", str(notice.id)),
    }
    assert "nach-anruf" in in_use.value.message

    surveys.deactivate_trigger(db, "nach-anruf", rule.id)
    outreach.send_notice(db, notice.id, now=clock.now(), sent_by=None)
    assert segments.usages(db, segment.id) == []
    segments.delete_segment(db, segment.id)
    db.refresh(notice)
    db.refresh(rule)
    assert notice.segment_id is None and rule.segment_id is None
    assert notice.segment_name == "Norden" and notice.segment_rule == NORTH
