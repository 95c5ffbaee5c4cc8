import pytest
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.customers.domain import IdentityKey, IdentityKind
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Conflict, Invalid
from tests import factories
from tests.conftest import T0


def _call(customer_id, event_id: str) -> NewInteraction:  # noqa: ANN001
    return NewInteraction(
        type="call", occurred_at=T0, channel="phone", customer_id=customer_id, event_id=event_id
    )


def test_merge_moves_history_identities_and_holdings_to_the_survivor(
    db: Session, clock: FixedClock
) -> None:
    survivor = factories.customer(db, now=clock.now())
    duplicate = factories.customer(
        db,
        now=clock.now(),
        region="Bayern",
        identities=[{"kind": "email", "value": "dup@example.de"}],
    )
    customers.add_holding(
        db, duplicate.id, now=clock.now(), product_code="T-M", product_name="Tarif M", tariff="M"
    )
    interactions.ingest(
        db, [_call(survivor.id, "m-1"), _call(duplicate.id, "m-2")], now=clock.now()
    )

    record = customers.merge_customers(
        db, survivor_id=survivor.id, merged_id=duplicate.id, now=clock.now()
    )

    assert record.moved["interactions"] == 1 and record.moved["holdings"] == 1
    merged = customers.get_customer(db, survivor.id)
    assert {i.value for i in merged.identities} >= {"dup@example.de"}
    assert [h.tariff for h in merged.holdings] == ["M"]
    assert merged.region == "Bayern"
    events, _ = interactions.timeline(db, survivor.id)
    assert {i.event_id for i, _ in events} == {"m-1", "m-2"}


def test_the_old_id_keeps_resolving_to_the_survivor(db: Session, clock: FixedClock) -> None:
    survivor = factories.customer(db, now=clock.now())
    old = factories.customer(db, now=clock.now())
    old_number = old.identities[0].value
    customers.merge_customers(db, survivor_id=survivor.id, merged_id=old.id, now=clock.now())
    assert customers.get_customer(db, old.id).id == survivor.id
    results, _ = interactions.ingest(db, [_call(old.id, "after-merge")], now=clock.now())
    assert results[0].customer_id == survivor.id
    key = IdentityKey(IdentityKind.CUSTOMER_NUMBER, old_number)
    assert customers.lookup_identities(db, [key])[key] == survivor.id


def test_chains_of_merges_resolve_in_one_hop(db: Session, clock: FixedClock) -> None:
    a, b, c = (factories.customer(db, now=clock.now()) for _ in range(3))
    customers.merge_customers(db, survivor_id=b.id, merged_id=a.id, now=clock.now())
    customers.merge_customers(db, survivor_id=c.id, merged_id=b.id, now=clock.now())
    assert customers.resolve_ids(db, {a.id})[a.id] == c.id


def test_merging_twice_or_into_itself_is_refused(db: Session, clock: FixedClock) -> None:
    a, b = factories.customer(db, now=clock.now()), factories.customer(db, now=clock.now())
    with pytest.raises(Invalid):
        customers.merge_customers(db, survivor_id=a.id, merged_id=a.id, now=clock.now())
    customers.merge_customers(db, survivor_id=a.id, merged_id=b.id, now=clock.now())
    with pytest.raises(Conflict):
        customers.merge_customers(db, survivor_id=a.id, merged_id=b.id, now=clock.now())
    with pytest.raises(Conflict):
        customers.merge_customers(db, survivor_id=b.id, merged_id=a.id, now=clock.now())


def test_merged_customers_disappear_from_search(db: Session, clock: FixedClock) -> None:
    a = factories.customer(db, now=clock.now(), last_name="Zwilling")
    b = factories.customer(db, now=clock.now(), last_name="Zwilling")
    customers.merge_customers(db, survivor_id=a.id, merged_id=b.id, now=clock.now())
    found, _ = customers.search_customers(db, q="zwilling")
    assert [c.id for c in found] == [a.id]
