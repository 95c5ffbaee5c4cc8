"""Segments compiled to SQL: exact members on a hand-built set of customers, saved segments,
pagination, and refusals with the path of the bad node."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cxm.cases import services as cases
from cxm.customers import services as customers
from cxm.customers.models import Customer
from cxm.interactions.models import Interaction
from cxm.segments import models as segment_models  # noqa: F401  (maps the tables)
from cxm.segments import services
from cxm.segments.models import CustomerScore
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyVersion
from tests import factories

MODEL_X = "Smartphone Modell X"


@dataclass
class World:
    now: datetime
    ids: dict[str, uuid.UUID]

    def names(self, found: list[uuid.UUID] | set[uuid.UUID]) -> set[str]:
        back = {v: k for k, v in self.ids.items()}
        return {back[i] for i in found}


def add_interaction(
    db: Session, customer_id: uuid.UUID, kind: str, at: datetime, **properties: Any
) -> None:
    db.add(
        Interaction(
            customer_id=customer_id,
            channel="phone",
            direction="in",
            type=kind,
            occurred_at=at,
            received_at=at,
            properties=properties,
        )
    )
    db.flush()


_survey_ids: dict[int, tuple[uuid.UUID, uuid.UUID]] = {}


def add_nps(
    db: Session,
    customer_id: uuid.UUID,
    score: int,
    at: datetime,
    *,
    touchpoint_id: uuid.UUID | None = None,
    csat: int | None = None,
) -> None:
    """One survey response with an NPS (and optionally a CSAT) answer."""
    key = id(db)
    if key not in _survey_ids or db.get(Survey, _survey_ids[key][0]) is None:
        survey = Survey(
            key=f"test-{uuid.uuid4().hex[:8]}", name="Test", created_at=at, updated_at=at
        )
        db.add(survey)
        db.flush()
        version = SurveyVersion(
            survey_id=survey.id, number=1, title_de="T", title_en="T", questions=[], created_at=at
        )
        db.add(version)
        db.flush()
        _survey_ids[key] = (survey.id, version.id)
    survey_id, version_id = _survey_ids[key]
    response = SurveyResponse(
        survey_id=survey_id,
        version_id=version_id,
        customer_id=customer_id,
        touchpoint_id=touchpoint_id,
        channel="link",
        submitted_at=at,
    )
    db.add(response)
    db.flush()
    db.add(SurveyAnswer(response_id=response.id, question_key="nps", type="nps", score=score))
    if csat is not None:
        db.add(SurveyAnswer(response_id=response.id, question_key="csat", type="csat", score=csat))
    db.flush()


def build_world(db: Session, now: datetime) -> World:
    ids: dict[str, uuid.UUID] = {}

    def person(name: str, **fields: Any) -> uuid.UUID:
        customer = factories.customer(db, now=now - timedelta(days=400), last_name=name, **fields)
        ids[name] = customer.id
        return customer.id

    def device(customer_id: uuid.UUID, model: str, ended: date | None = None) -> None:
        customers.add_holding(
            db, customer_id, now=now, product_code=model[-1], product_name=model, model=model,
            ended_on=ended,
        )  # fmt: skip

    anna = person("Anna", type="business", region="Bayern", postal_code="80331",
                  attributes={"segment": "business", "tier": "gold"})  # fmt: skip
    device(anna, MODEL_X)
    add_interaction(db, anna, "complaint", now - timedelta(days=10))
    add_nps(db, anna, 10, now - timedelta(days=100))
    add_nps(db, anna, 3, now - timedelta(days=8))

    bernd = person("Bernd", type="business", region="Bayern", postal_code="90402")
    device(bernd, MODEL_X)
    add_interaction(db, bernd, "complaint", now - timedelta(days=45))
    add_nps(db, bernd, 9, now - timedelta(days=30))

    clara = person("Clara", type="private", region="Berlin", language="en", postal_code="10115")
    device(clara, MODEL_X)
    add_interaction(db, clara, "complaint", now - timedelta(days=5))
    for days in (1, 2, 3):
        add_interaction(db, clara, "call", now - timedelta(days=days))
    add_interaction(db, clara, "call", now - timedelta(days=20))

    dora = person("Dora", type="business", region="Hessen")
    device(dora, "Smartphone Modell Y")
    cases.open_case(db, customer_id=dora, subject="Rechnung falsch", now=now - timedelta(days=3),
                    calendar_code="DE-BE", category="complaint")  # fmt: skip

    emil = person("Emil", type="business", region="Bayern")
    device(emil, MODEL_X, ended=(now - timedelta(days=60)).date())
    add_interaction(db, emil, "complaint", now - timedelta(days=2))

    frida = person("Frida", type="business", region="Sachsen")
    device(frida, MODEL_X)
    cases.open_case(db, customer_id=frida, subject="Gerät defekt", now=now - timedelta(days=20),
                    calendar_code="DE-BE", category="complaint")  # fmt: skip

    gustav = person("Gustav", type="business", region="Bayern")
    device(gustav, MODEL_X)
    add_interaction(db, gustav, "complaint", now - timedelta(days=1))
    merged = db.get(Customer, gustav)
    assert merged is not None
    merged.merged_into_id = anna

    db.add(CustomerScore(customer_id=anna, clv=900.0, value_tier="high", churn_risk=0.9,
                         experience="at_risk", category="priority", computed_at=now))  # fmt: skip
    db.add(CustomerScore(customer_id=bernd, clv=12.0, value_tier="low", churn_risk=0.1,
                         experience="good", category="standard", computed_at=now))  # fmt: skip
    db.commit()
    return World(now, ids)


@pytest.fixture
def world(db: Session, clock: FixedClock) -> World:
    return build_world(db, clock.now())


def members(db: Session, world: World, rule: dict[str, Any]) -> set[str]:
    found = list(db.scalars(services.members_query(services.parse(rule), now=world.now)))
    assert services.count(db, rule=rule, now=world.now) == len(found)
    return world.names(found)


def test_business_customers_with_modell_x_and_a_recent_complaint(db: Session, world: World) -> None:
    rule = {
        "all": [
            {"field": "type", "op": "eq", "value": "business"},
            {"field": "holding_model", "op": "eq", "value": MODEL_X},
            {"field": "complaints", "op": "gte", "value": 1, "days": 30},
        ]
    }
    # Bernd's complaint is too old, Clara is private, Dora has another model, Emil's device is
    # no longer held, Gustav was merged away; Frida's complaint is a case.
    assert members(db, world, rule) == {"Anna", "Frida"}


def test_nps_category_uses_the_latest_answer(db: Session, world: World) -> None:
    def category(value: Any, op: str = "eq") -> set[str]:
        return members(db, world, {"field": "nps_category", "op": op, "value": value})

    assert category("detractor") == {"Anna"}  # 10 long ago, 3 lately
    assert category("promoter") == {"Bernd"}
    assert category("none") == {"Clara", "Dora", "Emil", "Frida"}
    assert category("promoter", "ne") == {"Anna", "Clara", "Dora", "Emil", "Frida"}
    assert category(["promoter", "detractor"], "in") == {"Anna", "Bernd"}


def test_groups_combine_with_any_and_not(db: Session, world: World) -> None:
    english_private = {
        "all": [
            {"field": "language", "value": "en"},
            {"not": {"field": "type", "value": "business"}},
        ]
    }
    rule = {"any": [{"field": "region", "op": "eq", "value": "Sachsen"}, english_private]}
    assert members(db, world, rule) == {"Frida", "Clara"}
    assert members(db, world, {"not": rule}) == {"Anna", "Bernd", "Dora", "Emil"}


def test_open_cases_and_contact_counts_in_a_window(db: Session, world: World) -> None:
    assert members(db, world, {"field": "case_open", "value": True}) == {"Dora", "Frida"}
    assert members(db, world, {"field": "case_open", "value": False}) == {
        "Anna", "Bernd", "Clara", "Emil",
    }  # fmt: skip
    calls = {"field": "interactions", "key": "call", "op": "gte", "value": 3, "days": 7}
    assert members(db, world, calls) == {"Clara"}
    calls_month = {**calls, "op": "eq", "value": 4, "days": 30}
    assert members(db, world, calls_month) == {"Clara"}
    none = {"field": "complaints", "op": "eq", "value": 0, "days": 30}
    assert members(db, world, none) == {"Bernd"}


def test_value_tier_and_churn_risk_come_from_the_stored_scores(db: Session, world: World) -> None:
    assert members(db, world, {"field": "value_tier", "value": "high"}) == {"Anna"}
    assert members(db, world, {"field": "value_tier", "value": "none"}) == {
        "Clara", "Dora", "Emil", "Frida",
    }  # fmt: skip
    assert members(db, world, {"field": "churn_risk", "op": "gte", "value": 0.5}) == {"Anna"}
    assert members(db, world, {"field": "value_category", "value": "priority"}) == {"Anna"}


def test_attributes_postal_codes_regions_and_models(db: Session, world: World) -> None:
    tier = {"field": "attribute", "key": "tier", "value": "gold"}
    assert members(db, world, tier) == {"Anna"}
    assert members(db, world, {"field": "postal_code", "op": "starts_with", "value": "8"}) == {
        "Anna"
    }
    regions = {"field": "region", "op": "in", "value": ["Hessen", "Berlin"]}
    assert members(db, world, regions) == {"Dora", "Clara"}
    model = {"field": "holding_model", "op": "contains", "value": "modell y"}
    assert members(db, world, model) == {"Dora"}
    wildcard = {"field": "holding_model", "op": "contains", "value": "%"}
    assert members(db, world, wildcard) == set()


def test_saved_segments_list_their_members_for_other_features(
    db: Session, world: World, clock: FixedClock
) -> None:
    segment = services.create_segment(
        db, name="Bayern", rule={"field": "region", "value": "Bayern"}, now=clock.now()
    )
    assert world.names(services.member_ids(db, segment.id, now=clock.now())) == {
        "Anna", "Bernd", "Emil",
    }  # fmt: skip
    assert segment.rule == {"field": "region", "op": "eq", "value": "Bayern"}
    with pytest.raises(Conflict):
        services.create_segment(
            db, name="Bayern", rule={"field": "type", "value": "private"}, now=clock.now()
        )
    changed = services.update_segment(
        db, segment.id, now=clock.now(), rule={"field": "region", "value": "Hessen"}
    )
    assert world.names(services.member_ids(db, changed.id, now=clock.now())) == {"Dora"}
    services.delete_segment(db, segment.id)
    assert services.list_segments(db) == []


def test_members_come_in_keyset_pages_without_gaps_or_repeats(db: Session, world: World) -> None:
    rule = {"field": "type", "op": "in", "value": ["private", "business"]}
    seen: list[uuid.UUID] = []
    after = None
    while True:
        page = services.members(db, rule=rule, now=world.now, limit=2, after=after)
        if not page:
            break
        seen.extend(m.id for m in page)
        after = page[-1].id
    assert len(seen) == len(set(seen)) == 6
    assert world.names(seen) == {"Anna", "Bernd", "Clara", "Dora", "Emil", "Frida"}


def test_a_bad_rule_is_refused_with_the_path_of_the_bad_node(
    db: Session, clock: FixedClock
) -> None:
    bad = {"all": [{"field": "type", "value": "private"}, {"field": "complaints", "value": 1}]}
    with pytest.raises(Invalid) as caught:
        services.create_segment(db, name="x", rule=bad, now=clock.now())
    assert caught.value.extra["path"] == "$.all[1].days"
    assert caught.value.field == "rule"
