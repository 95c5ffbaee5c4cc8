"""The demo company: shape, normalised identities, determinism, the stories it has to carry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cxm import migrate
from cxm.accounts.models import Department, User
from cxm.customers.domain import normalize_identity
from cxm.customers.models import Customer, Holding, Identity
from cxm.db import make_engine, make_session_factory
from cxm.demo import FAULTY_MODEL, DemoSummary, build_demo
from cxm.interactions.models import Interaction
from cxm.shared.errors import Conflict, Invalid
from cxm.touchpoints.models import JourneyStage, Touchpoint

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
SIZE = 200


@dataclass
class Loaded:
    engine: Engine
    summary: DemoSummary


def _load(path: Path, **options: Any) -> Loaded:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as db:
        summary = build_demo(db, now=NOW, **options)
    return Loaded(engine, summary)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    loaded = _load(tmp_path_factory.mktemp("demo") / "demo.db", seed=7, customers=SIZE)
    yield loaded
    loaded.engine.dispose()


@pytest.fixture
def db(demo: Loaded) -> Iterator[Session]:
    with make_session_factory(demo.engine)() as session:
        yield session


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_summary_counts_what_the_database_holds(demo: Loaded, db: Session) -> None:
    s = demo.summary
    assert s.customers == SIZE == _count(db, Customer)
    assert s.identities == _count(db, Identity)
    assert s.holdings == _count(db, Holding)
    assert s.interactions == _count(db, Interaction)
    assert s.touchpoints == _count(db, Touchpoint) >= 40
    assert s.departments == _count(db, Department) >= 8
    assert s.users == _count(db, User)


def test_history_averages_the_requested_interactions_per_customer(demo: Loaded) -> None:
    assert SIZE * 40 <= demo.summary.interactions <= SIZE * 40 * 1.1


def test_touchpoints_cover_every_channel_and_name_stage_and_owner(db: Session) -> None:
    tps = db.scalars(select(Touchpoint)).all()
    channels = {tp.channel for tp in tps}
    assert channels == {
        "web", "email", "phone", "chat", "store", "app", "social", "letter", "field_service"
    }  # fmt: skip
    assert all(tp.name_de and tp.name_en and tp.stage_id and tp.department_id for tp in tps)
    assert any(not tp.controllable for tp in tps)
    assert sum(tp.channel == "store" for tp in tps) >= 5
    keys = {tp.key for tp in tps}
    assert {"web_home", "web_checkout", "hotline_technical", "chat_web", "social_x"} <= keys
    stages = {s.key for s in db.scalars(select(JourneyStage))}
    assert {"awareness", "purchase", "service", "exit"} <= stages


def test_staff_has_agents_a_cx_manager_and_an_analyst(db: Session) -> None:
    roles = [str(u.role) for u in db.scalars(select(User))]
    assert roles.count("cx_manager") >= 1
    assert roles.count("analyst") >= 1
    assert roles.count("agent") >= 10
    emails = db.scalars(select(User.email)).all()
    assert all(e.endswith("@example.com") for e in emails)


def test_identity_values_are_stored_normalised(db: Session) -> None:
    rows = db.execute(select(Identity.kind, Identity.value)).all()
    for kind, value in rows:
        assert normalize_identity(kind, value) == value, (kind, value)
    kinds = {kind for kind, _ in rows}
    assert {"customer_number", "email", "phone", "social", "cookie"} <= kinds
    phones = [v for k, v in rows if k == "phone"]
    assert len(phones) == SIZE
    assert all(re.fullmatch(r"\+491[567]\d{8,10}", p) for p in phones)
    numbers = [v for k, v in rows if k == "customer_number"]
    assert all(re.fullmatch(r"K\d{8}", n) for n in numbers)


def test_customers_mix_languages_types_and_regions(db: Session) -> None:
    customers = db.scalars(select(Customer)).all()
    english = sum(c.language == "en" for c in customers)
    business = [c for c in customers if c.type == "business"]
    assert 0.05 * SIZE <= english <= 0.3 * SIZE
    assert 0.03 * SIZE <= len(business) <= 0.2 * SIZE
    assert all(c.company_name and c.display_name == c.company_name for c in business)
    assert all(c.postal_code and re.fullmatch(r"\d{5}", c.postal_code) for c in customers)
    assert len({c.region for c in customers}) >= 10
    assert all(c.attributes["segment"] and c.attributes["customer_since"] for c in customers)


def test_every_customer_has_a_contract_and_some_ended(db: Session) -> None:
    with_contract = db.scalar(
        select(func.count(func.distinct(Holding.customer_id))).where(Holding.kind == "contract")
    )
    assert with_contract == SIZE
    ended = db.scalar(
        select(func.count()).where(Holding.kind == "contract", Holding.ended_on.is_not(None))
    )
    assert ended and ended > 0
    tariffs = set(db.scalars(select(Holding.tariff).where(Holding.kind == "contract")))
    assert {"Tarif S", "Tarif M", "Tarif L"} <= tariffs


def test_about_fifteen_percent_own_the_faulty_model_and_report_dropped_calls(
    db: Session,
) -> None:
    owners = set(db.scalars(select(Holding.customer_id).where(Holding.model == FAULTY_MODEL)))
    assert 0.08 * SIZE <= len(owners) <= 0.25 * SIZE
    serials = db.scalars(select(Holding.serial).where(Holding.model == FAULTY_MODEL)).all()
    assert all(s and s.startswith("MX") for s in serials)
    reports = db.execute(
        select(Interaction.customer_id, Interaction.text).where(
            Interaction.text.like("%brechen%ständig ab%")
            | Interaction.text.like("%calls keep dropping%")
        )
    ).all()
    assert reports
    assert {cid for cid, _ in reports} <= owners


def test_texts_come_in_german_and_english_by_customer_language(db: Session) -> None:
    rows = db.execute(
        select(Customer.language, Interaction.text)
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(Interaction.text.is_not(None), Interaction.direction == "in")
    ).all()
    german = [t or "" for lang, t in rows if lang == "de"]
    english = [t or "" for lang, t in rows if lang == "en"]
    assert german and english
    assert sum(bool(re.search(r"\b(die|der|und|ich|Sie)\b", t)) for t in german) > len(german) / 2
    assert sum(bool(re.search(r"\b(the|and|my|I|you)\b", t)) for t in english) > len(english) / 2
    assert not any(re.search(r"\b(ich|nicht|Rechnung)\b", t) for t in english)


def test_interactions_lie_in_the_twelve_months_before_now_and_are_aware(db: Session) -> None:
    times = db.scalars(select(Interaction.occurred_at)).all()
    assert all(t.tzinfo is not None for t in times)
    assert all(datetime(2025, 3, 15, 12, 0, tzinfo=UTC) <= t < NOW for t in times)
    assert len({t.month for t in times}) >= 12


def test_interactions_carry_event_ids_agents_and_properties(db: Session) -> None:
    event_ids = db.scalars(select(Interaction.event_id)).all()
    assert all(e and e.startswith("demo-") for e in event_ids)
    assert len(set(event_ids)) == len(event_ids)
    types = set(db.scalars(select(Interaction.type).distinct()))
    assert {
        "page_view", "search", "order", "invoice", "call", "email", "chat_message",
        "complaint", "social_post", "app_event", "technician_visit", "visit", "cancellation",
    } <= types  # fmt: skip
    calls = db.execute(
        select(Interaction.employee_id, Interaction.properties)
        .join(Touchpoint, Touchpoint.id == Interaction.touchpoint_id)
        .where(Touchpoint.key == "hotline_technical", Interaction.type == "call")
    ).all()
    answered = [c for c in calls if not c.properties.get("abandoned")]
    assert answered and all(c.employee_id is not None for c in answered)
    assert all("duration_s" in c.properties for c in calls)
    views = db.scalars(select(Interaction.properties).where(Interaction.type == "page_view")).all()
    assert all(v["path"] for v in views)
    orders = db.scalars(select(Interaction.properties).where(Interaction.type == "order")).all()
    assert orders and all(o["value_eur"] > 0 for o in orders)


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(
    demo: Loaded, db: Session, tmp_path: Path
) -> None:
    again = _load(tmp_path / "again.db", seed=7, customers=SIZE)
    other = _load(tmp_path / "other.db", seed=8, customers=SIZE)
    try:

        def snapshot(engine: Engine) -> tuple[object, ...]:
            with make_session_factory(engine)() as s:
                return (
                    s.scalars(select(Customer.id).order_by(Customer.id)).all(),
                    s.scalars(select(Identity.value).order_by(Identity.value)).all(),
                    s.execute(
                        select(Interaction.id, Interaction.occurred_at, Interaction.text).order_by(
                            Interaction.id
                        )
                    ).all(),
                )

        assert again.summary == demo.summary
        assert snapshot(again.engine) == snapshot(demo.engine)
        assert snapshot(other.engine)[0] != snapshot(demo.engine)[0]
    finally:
        again.engine.dispose()
        other.engine.dispose()


def test_a_database_that_holds_customers_is_refused(db: Session) -> None:
    with pytest.raises(Conflict):
        build_demo(db, customers=10, now=NOW)
    assert _count(db, Customer) == SIZE


def test_a_short_period_and_tiny_size_still_load(tmp_path: Path) -> None:
    loaded = _load(tmp_path / "tiny.db", customers=15, months=1, interactions_per_customer=5)
    try:
        assert loaded.summary.customers == 15
        assert loaded.summary.interactions >= 15 * 5
    finally:
        loaded.engine.dispose()


def test_nonsense_sizes_are_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as db:
        with pytest.raises(Invalid):
            build_demo(db, customers=0, now=NOW)
        with pytest.raises(Invalid):
            build_demo(db, months=0, now=NOW)
        with pytest.raises(ValueError):
            build_demo(db, now=datetime(2026, 3, 15))
    engine.dispose()
