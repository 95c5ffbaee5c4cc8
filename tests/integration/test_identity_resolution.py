from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.customers.domain import IdentityKey, IdentityKind
from cxm.customers.models import Customer, Identity
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid
from tests import factories


def _event(**overrides: object) -> NewInteraction:
    fields: dict[str, object] = {"type": "call", "occurred_at": factories_now(), "channel": "phone"}
    fields.update(overrides)
    return NewInteraction(**fields)  # type: ignore[arg-type]


def factories_now():  # noqa: ANN201
    from tests.conftest import T0

    return T0


def test_an_event_with_a_known_identity_lands_on_that_customer(
    db: Session, clock: FixedClock
) -> None:
    erika = factories.customer(
        db, now=clock.now(), identities=[{"kind": "email", "value": "Erika@Example.de"}]
    )
    key = IdentityKey(IdentityKind.EMAIL, "erika@example.de")
    results, _ = interactions.ingest(db, [_event(identities=[key])], now=clock.now())
    assert results[0].customer_id == erika.id


def test_phone_numbers_in_any_format_resolve_to_the_same_customer(
    db: Session, clock: FixedClock
) -> None:
    erika = factories.customer(
        db, now=clock.now(), identities=[{"kind": "phone", "value": "0151 23456789"}]
    )
    found = customers.find_by_identity(db, "phone", "+49 151 234 567 89")
    assert found is not None and found.id == erika.id


def test_new_identities_on_an_event_are_attached_to_the_resolved_customer(
    db: Session, clock: FixedClock
) -> None:
    erika = factories.customer(db, now=clock.now())
    cookie = IdentityKey(IdentityKind.COOKIE, "c-123")
    interactions.ingest(db, [_event(customer_id=erika.id, identities=[cookie])], now=clock.now())
    owner = customers.find_by_identity(db, "cookie", "c-123")
    assert owner is not None and owner.id == erika.id


def test_unknown_identities_create_one_profile_shared_by_the_batch(
    db: Session, clock: FixedClock
) -> None:
    key = IdentityKey(IdentityKind.EMAIL, "new@example.com")
    before = db.scalar(select(func.count()).select_from(Customer))
    results, _ = interactions.ingest(
        db, [_event(identities=[key]), _event(identities=[key])], now=clock.now()
    )
    assert results[0].customer_id == results[1].customer_id
    assert db.scalar(select(func.count()).select_from(Customer)) == before + 1
    profile = customers.get_customer(db, results[0].customer_id)
    assert profile.display_name == "new@example.com"


def test_an_identity_owned_by_someone_else_is_not_stolen(db: Session, clock: FixedClock) -> None:
    erika = factories.customer(
        db, now=clock.now(), identities=[{"kind": "email", "value": "erika@example.de"}]
    )
    max_ = factories.customer(db, now=clock.now())
    with pytest.raises(Conflict):
        customers.add_identity(
            db, max_.id, kind=IdentityKind.EMAIL, value="ERIKA@example.de", now=clock.now()
        )
    owner = db.scalar(select(Identity.customer_id).where(Identity.value == "erika@example.de"))
    assert owner == erika.id


def test_adding_the_same_identity_twice_is_harmless(db: Session, clock: FixedClock) -> None:
    erika = factories.customer(db, now=clock.now())
    first = customers.add_identity(
        db, erika.id, kind=IdentityKind.PHONE, value="0171 1234567", now=clock.now()
    )
    again = customers.add_identity(
        db, erika.id, kind=IdentityKind.PHONE, value="+491711234567", now=clock.now()
    )
    assert first.id == again.id


def test_unknown_customer_ids_are_item_errors_and_nothing_is_stored(
    db: Session, clock: FixedClock
) -> None:
    import uuid

    erika = factories.customer(db, now=clock.now())
    before = db.scalar(select(func.count()).select_from(Customer))
    with pytest.raises(Invalid) as err:
        interactions.ingest(
            db,
            [_event(customer_id=erika.id, event_id="ok-1"), _event(customer_id=uuid.uuid4())],
            now=clock.now(),
        )
    assert err.value.extra["errors"][0]["index"] == 1
    assert err.value.extra["errors"][0]["field"] == "customer_id"
    assert interactions._existing_events(db, ["ok-1"]) == {}
    assert db.scalar(select(func.count()).select_from(Customer)) == before


def test_search_finds_by_name_part_and_by_identity(db: Session, clock: FixedClock) -> None:
    weber = factories.customer(
        db,
        now=clock.now(),
        first_name="Erika",
        last_name="Weberknecht",
        identities=[{"kind": "phone", "value": "0171 7654321"}],
    )
    by_name, _ = customers.search_customers(db, q="weberkn")
    assert [c.id for c in by_name] == [weber.id]
    by_phone, _ = customers.search_customers(
        db, identity_kind=IdentityKind.PHONE, identity_value="+49 171 7654321"
    )
    assert [c.id for c in by_phone] == [weber.id]
    anywhere, _ = customers.search_customers(db, identity_value="0171/7654321")
    assert [c.id for c in anywhere] == [weber.id]


def test_owners_of_a_model_is_one_query(db: Session, clock: FixedClock) -> None:
    a = factories.customer(db, now=clock.now())
    b = factories.customer(db, now=clock.now())
    customers.add_holding(
        db,
        a.id,
        now=clock.now(),
        product_code="SM-X",
        product_name="Smartphone Modell X",
        model="Modell X",
    )
    customers.add_holding(
        db,
        b.id,
        now=clock.now(),
        product_code="SM-Y",
        product_name="Smartphone Modell Y",
        model="Modell Y",
    )
    owners, _ = customers.owners_of(db, model="Modell X")
    assert [c.id for c in owners] == [a.id]
    ended = (clock.now() - timedelta(days=400)).date()
    customers.add_holding(
        db,
        b.id,
        now=clock.now(),
        product_code="SM-X",
        product_name="Smartphone Modell X",
        model="Modell X",
        started_on=ended - timedelta(days=300),
        ended_on=ended,
    )
    active, _ = customers.owners_of(db, model="Modell X", active_on=clock.now().date())
    assert [c.id for c in active] == [a.id]
