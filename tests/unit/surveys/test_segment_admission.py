"""Which of an interaction's matching trigger rules admits the customer, by segment (pure)."""

from __future__ import annotations

import uuid

from cxm.surveys.domain import first_admitting

NORTH, SOUTH = uuid.uuid4(), uuid.uuid4()
ANNA, BEN = uuid.uuid4(), uuid.uuid4()
MEMBERS = {NORTH: {ANNA}, SOUTH: set[uuid.UUID]()}


def test_a_rule_without_a_segment_admits_everyone() -> None:
    assert first_admitting([None], BEN, MEMBERS) == 0


def test_a_member_is_admitted_by_the_first_rule_whose_segment_holds_them() -> None:
    assert first_admitting([SOUTH, NORTH, None], ANNA, MEMBERS) == 1


def test_a_non_member_falls_through_to_a_rule_without_segment_or_to_none() -> None:
    assert first_admitting([NORTH, None], BEN, MEMBERS) == 1
    assert first_admitting([NORTH, SOUTH], BEN, MEMBERS) is None


def test_an_unknown_segment_admits_nobody() -> None:
    assert first_admitting([uuid.uuid4()], ANNA, MEMBERS) is None
