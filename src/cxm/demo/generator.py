"""Generates and loads the demo company: catalogue, customers, holdings and a history of contacts.

The same seed and ``now`` give the same rows, ids included: every random choice comes from
``random.Random(seed)`` (the company and its history) or from a second generator seeded from it
(the voice of the customer, so that stage leaves the history as it was), each drawn in a fixed
order, and nothing iterates over a set or hash order.
"""

from __future__ import annotations

import calendar
import math
import random
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cxm.accounts.models import Department, User
from cxm.customers.models import Customer, Holding, Identity
from cxm.demo import cases as demo_cases
from cxm.demo import data, voc
from cxm.demo.common import CHUNK, Progress, table, uuid7_from
from cxm.demo.common import insert_rows as _insert
from cxm.demo.common import uuid4_from as _uuid
from cxm.demo.common import weighted as _weighted
from cxm.interactions.models import Interaction
from cxm.shared.clock import ensure_utc
from cxm.shared.errors import Conflict, Invalid
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.models import JourneyStage, Touchpoint

__all__ = ["DemoSummary", "Progress", "build_demo"]

SOURCE = "demo"
GOODWILL_MINUTES = 100


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo loaded; catalogue counts are the demo's entries, created or already there."""

    customers: int
    identities: int
    holdings: int
    touchpoints: int
    departments: int
    users: int
    interactions: int
    surveys: int = 0
    invitations: int = 0
    responses: int = 0
    feedback: int = 0
    consent_entries: int = 0
    cases: int = 0
    open_cases: int = 0
    notices: int = 0
    messages: int = 0
    hero_case: str | None = None


def build_demo(
    db: Session,
    *,
    seed: int = 42,
    customers: int = 5000,
    months: int = 12,
    interactions_per_customer: float = 40.0,
    now: datetime,
    progress: Progress | None = None,
) -> DemoSummary:
    """Loads a deterministic demo company into an empty database (schema already migrated).

    Raises Conflict when customers or the demo's surveys exist. Interactions, survey responses
    and feedback fall in the ``months`` before ``now``. ``progress(stage, done, total)`` is
    called per chunk; stages are "catalogue", "customers", "identities", "holdings" (counting
    rows), "interactions" (counting customers whose history is written), then the voice of the
    customer: "surveys", "consent", "channel preferences", "invitations", "responses",
    "answers", "survey interactions" and "feedback" (counting rows), and last the closed loop:
    "cases" (counting the steps of its cases and the notice).
    """
    now = ensure_utc(now)
    if customers < 1:
        raise Invalid("customers must be at least 1", field="customers")
    if months < 1:
        raise Invalid("months must be at least 1", field="months")
    if interactions_per_customer <= 0:
        raise Invalid(
            "interactions_per_customer must be positive", field="interactions_per_customer"
        )
    if db.scalar(select(func.count()).select_from(Customer)):
        raise Conflict("the database already holds customers; load the demo into an empty one")
    voc.check_empty(db)
    report: Progress = progress or _silent
    rng = random.Random(seed)
    start = _months_before(now, months)

    catalogue = _load_catalogue(db, rng, now, report)
    people = _people(rng, customers, start=start, now=now)

    customer_rows = [_customer_row(p, now) for p in people]
    _insert(db, Customer, customer_rows, "customers", report)
    handles: set[str] = set()
    identity_rows = [row for p in people for row in _identity_rows(rng, p, handles)]
    _insert(db, Identity, identity_rows, "identities", report)
    holding_rows = [row for p in people for row in _holding_rows(rng, p, now)]
    _insert(db, Holding, holding_rows, "holdings", report)

    history = _History(db, rng, catalogue, start=start, now=now, report=report)
    interactions = history.write(people, interactions_per_customer)

    voice = voc.load(
        db,
        random.Random(f"{seed}:voice-of-the-customer"),
        people,
        catalogue,
        history.kept,
        story=voc.Story(
            start=start, now=now, fault_start=history.fault_start, fix_known=history.fix_known
        ),
        report=report,
    )
    loop = demo_cases.load(
        db,
        random.Random(f"{seed}:closed-loop"),
        catalogue,
        story=voc.Story(
            start=start, now=now, fault_start=history.fault_start, fix_known=history.fix_known
        ),
        report=report,
    )

    return DemoSummary(
        customers=len(customer_rows),
        identities=len(identity_rows),
        holdings=len(holding_rows),
        touchpoints=len(catalogue.touchpoints),
        departments=len(catalogue.departments),
        users=len(catalogue.staff),
        interactions=interactions + voice.interactions + loop.interactions,
        surveys=voice.surveys + loop.surveys,
        invitations=voice.invitations + loop.invitations,
        responses=voice.responses + loop.responses,
        feedback=voice.feedback + loop.feedback,
        consent_entries=voice.consent_entries,
        cases=loop.cases,
        open_cases=loop.open_cases,
        notices=loop.notices,
        messages=loop.messages,
        hero_case=loop.hero_case,
    )


def _silent(stage: str, done: int, total: int) -> None:
    return None


def _months_before(moment: datetime, months: int) -> datetime:
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


# ----------------------------------------------------------------------------------------------
# Catalogue: departments, staff, journey stages, touchpoints


@dataclass(frozen=True, slots=True)
class _Agent:
    id: uuid.UUID
    first: str
    language: str


@dataclass(slots=True)
class _Catalogue:
    departments: dict[str, uuid.UUID] = field(default_factory=dict)
    staff: list[_Agent] = field(default_factory=list)
    agents: dict[str, list[_Agent]] = field(default_factory=dict)
    # touchpoint key -> (id, channel)
    touchpoints: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)


def _load_catalogue(db: Session, rng: random.Random, now: datetime, report: Progress) -> _Catalogue:
    total = len(data.DEPARTMENTS) + len(data.STAFF) + len(data.TOUCHPOINTS)
    report("catalogue", 0, total)
    cat = _Catalogue()
    existing_depts = {d.key: d.id for d in db.scalars(select(Department))}
    for key, name in data.DEPARTMENTS:
        dept_id = _uuid(rng)
        if key in existing_depts:
            dept_id = existing_depts[key]
        else:
            db.add(Department(id=dept_id, key=key, name=name, created_at=now, updated_at=now))
        cat.departments[key] = dept_id
    db.flush()

    existing_users = {u.email: u.id for u in db.scalars(select(User))}
    for member in data.STAFF:
        email = f"{_ascii(member.first)}.{_ascii(member.last)}@{data.STAFF_DOMAIN}"
        user_id = _uuid(rng)
        if email in existing_users:
            user_id = existing_users[email]
        else:
            db.add(
                User(
                    id=user_id,
                    email=email,
                    name=f"{member.first} {member.last}",
                    role=member.role,
                    language=member.language,
                    department_id=cat.departments[member.department],
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        agent = _Agent(user_id, member.first, member.language)
        cat.staff.append(agent)
        if member.role == "agent":
            cat.agents.setdefault(member.department, []).append(agent)
    db.flush()

    touchpoints.ensure_default_stages(db)
    stages = {s.key: s.id for s in db.scalars(select(JourneyStage))}
    existing_tps = {t.key: (t.id, t.channel) for t in db.scalars(select(Touchpoint))}
    for spec in data.TOUCHPOINTS:
        tp_id = _uuid(rng)
        if spec.key in existing_tps:
            cat.touchpoints[spec.key] = existing_tps[spec.key]
            continue
        db.add(
            Touchpoint(
                id=tp_id,
                key=spec.key,
                name_de=spec.name_de,
                name_en=spec.name_en,
                channel=spec.channel,
                stage_id=stages.get(spec.stage),
                department_id=cat.departments[spec.department],
                controllable=spec.controllable,
                description=spec.description,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        cat.touchpoints[spec.key] = (tp_id, spec.channel)
    db.commit()
    report("catalogue", total, total)
    return cat


# ----------------------------------------------------------------------------------------------
# People


@dataclass(slots=True)
class _Contract:
    kind: str  # mobile | dsl
    name: str
    code: str
    fee: float
    started_on: date
    ended_on: date | None = None
    external_id: str = ""
    speed: int = 0


@dataclass(slots=True)
class _Device:
    model: str
    code: str
    price: float
    serial: str
    bought_on: date


@dataclass(slots=True)
class _Person:
    id: uuid.UUID
    number: str
    lang: str
    salutation: str
    first: str
    last: str
    company: str | None
    region: str
    city: str
    postal_code: str
    shop: str
    segment: str
    since: date
    joined_at: datetime | None  # when the customer signed up inside the period
    preferred: str
    email_consent: bool
    phone_consent: bool
    paper_invoice: bool
    app_user: bool
    activity: float
    email: str = ""
    phone: str = ""
    mobile: _Contract | None = None
    dsl: _Contract | None = None
    previous: _Contract | None = None  # the contract replaced by a tariff change
    device: _Device | None = None
    renewed_at: datetime | None = None  # bought a new device with a contract extension
    change_at: datetime | None = None  # tariff change
    cancel_at: datetime | None = None
    cancel_reason: str = ""
    active_until: datetime | None = None  # the end of the contract when it ends in the period
    # An unresolved service episode: the days of its contacts (none solves the problem), its
    # topic and when the customer complained formally (most who leave went through one).
    episode: list[datetime] = field(default_factory=list)
    episode_topic: str = ""
    complaints: list[datetime] = field(default_factory=list)
    # From here on the customer hardly uses the app, the portal or the hotline (before leaving).
    quiet_from: datetime | None = None
    ctx: dict[str, Any] = field(default_factory=dict)

    @property
    def business(self) -> bool:
        return self.company is not None

    @property
    def owns_faulty_model(self) -> bool:
        return self.device is not None and self.device.model == data.FAULTY_MODEL

    @property
    def main(self) -> _Contract:
        contract = self.mobile or self.dsl
        assert contract is not None
        return contract


_REGION_WEIGHTS = list(accumulate(r[1] for r in data.REGIONS))
_PREFERRED = ("phone", "email", "chat", "app", "web", "store", "letter")


def _preferred_channel(rng: random.Random, segment: str) -> str:
    old, young = segment == "best_ager", segment == "young"
    # phone, email, chat, app, web, store, letter
    weights = (
        40 if old else 22,
        15,
        8 if old else 18,
        2 if old else 25 if young else 14,
        10,
        12,
        8 if old else 1,
    )
    return _PREFERRED[_weighted(rng, list(accumulate(weights)))]


def _people(rng: random.Random, count: int, *, start: datetime, now: datetime) -> list[_Person]:
    numbers = rng.sample(range(10_000_000, 100_000_000), count)
    period_days = max((now - start).days, 1)
    today = now.date()
    contract_numbers = iter(rng.sample(range(100_000_000, 1_000_000_000), count * 3))
    serials = iter(rng.sample(range(10_000_000, 100_000_000), count * 2))
    emails: set[str] = set()
    phones: set[str] = set()
    people: list[_Person] = []
    for i in range(count):
        lang = "en" if rng.random() < 0.15 else "de"
        business = rng.random() < 0.10
        roll = rng.random()
        gender = "ms" if roll < 0.49 else "mr" if roll < 0.98 else "mx"
        if lang == "de":
            first = rng.choice(data.GERMAN_FEMALE if gender == "ms" else data.GERMAN_MALE)
            if gender == "mx":
                first = rng.choice(data.GERMAN_FEMALE + data.GERMAN_MALE)
            last = rng.choice(data.GERMAN_LAST)
        else:
            first = rng.choice(data.ENGLISH_FEMALE if gender == "ms" else data.ENGLISH_MALE)
            if gender == "mx":
                first = rng.choice(data.ENGLISH_FEMALE + data.ENGLISH_MALE)
            last = rng.choice(data.ENGLISH_LAST)
        region_name, _, cities, region_shop = data.REGIONS[_weighted(rng, _REGION_WEIGHTS)]
        city, prefix = rng.choice(cities)
        postal = prefix + "".join(str(rng.randrange(10)) for _ in range(5 - len(prefix)))
        company = None
        if business:
            patterns = data.COMPANY_PATTERNS_DE if lang == "de" else data.COMPANY_PATTERNS_EN
            company = rng.choice(patterns).format(last=last, city=city.split(" ")[0])
        segment = data.BUSINESS_SEGMENT if business else rng.choice(data.SEGMENTS)

        joined_at: datetime | None = None
        if rng.random() < 0.18 and period_days > 7:
            joined_at = start + timedelta(seconds=rng.uniform(3 * 86400, (period_days - 3) * 86400))
            since = joined_at.date()
        else:
            years = min(rng.expovariate(1 / 5.0), 25.0)
            since = start.date() - timedelta(days=int(years * 365) + rng.randrange(1, 60))

        old = segment == "best_ager"
        preferred = _preferred_channel(rng, segment)
        activity = rng.lognormvariate(-0.18, 0.6)
        person = _Person(
            id=_uuid(rng),
            number=f"K{numbers[i]}",
            lang=lang,
            salutation="none" if business and rng.random() < 0.3 else gender,
            first=first,
            last=last,
            company=company,
            region=region_name,
            city=city,
            postal_code=postal,
            shop=data.CITY_SHOP.get(city, region_shop),
            segment=segment,
            since=since,
            joined_at=joined_at,
            preferred=preferred,
            email_consent=rng.random() < (0.3 if preferred in ("app", "web") else 0.5),
            phone_consent=preferred not in ("app", "web") and rng.random() < 0.35,
            paper_invoice=preferred == "letter" or (old and rng.random() < 0.3),
            app_user=preferred == "app" or rng.random() < (0.3 if old else 0.65),
            activity=activity,
        )
        person.email = _unique_email(rng, person, emails)
        person.phone = _unique_phone(rng, phones)

        contract_start = since
        if joined_at is None:
            # Mobile contracts run 24 months; many were extended since the customer joined.
            contract_start = max(since, today - timedelta(days=rng.randrange(30, 900)))
        roll = rng.random()
        if roll < 0.85:
            tariffs = data.BUSINESS_MOBILE_TARIFFS if business else data.MOBILE_TARIFFS
            name, code, fee, _gb = tariffs[
                _weighted(rng, (0.35, 0.8, 1.0) if not business else (0.6, 1.0))
            ]
            person.mobile = _Contract(
                "mobile", name, code, fee, contract_start, external_id=f"V{next(contract_numbers)}"
            )
        if roll >= 0.75:
            name, code, fee, speed = data.DSL_TARIFFS[_weighted(rng, (0.25, 0.75, 1.0))]
            person.dsl = _Contract(
                "dsl",
                name,
                code,
                fee,
                contract_start,
                external_id=f"V{next(contract_numbers)}",
                speed=speed,
            )

        _choose_device(rng, person, start=start, now=now, serial=next(serials))
        _choose_changes(rng, person, start=start, now=now, number=next(contract_numbers))
        person.ctx = _context(person)
        people.append(person)
    return people


def _choose_device(
    rng: random.Random, p: _Person, *, start: datetime, now: datetime, serial: int
) -> None:
    if p.mobile is None:
        return
    roll = rng.random()
    # About 15% of all customers own the faulty model (85% have a mobile contract).
    if roll < 0.177:
        index = 0
    elif roll < 0.45:
        index = 1
    elif roll < 0.62:
        index = 2
    else:
        return
    model, code, price, prefix = data.DEVICES[index]
    today = now.date()
    if p.joined_at is not None and rng.random() < 0.8:
        bought = p.joined_at.date()
    elif index == 0:
        # The faulty model came out about 14 months ago.
        bought = today - timedelta(days=rng.randrange(20, 420))
    else:
        bought = today - timedelta(days=rng.randrange(20, 720))
    bought = max(bought, p.since)
    p.device = _Device(model, code, price, f"{prefix}{serial}", bought)
    bought_at = datetime.combine(bought, time(12), UTC)
    if (p.joined_at is None or bought > p.joined_at.date()) and bought_at >= start:
        p.renewed_at = bought_at.replace(hour=0) + timedelta(seconds=rng.randrange(8, 20) * 3600)
        p.main.started_on = bought


# Why customers leave without a service episode before (the rest follows one).
_PLAIN_REASONS = ("price", "price", "moving", "competitor", "moving")
# What an unresolved episode is about, with its weight, for whom, and the reason it gives.
_EPISODE_TOPICS: tuple[tuple[str, float, str, str], ...] = (
    ("dsl_outage", 4, "dsl", "network"),
    ("network", 3, "mobile", "network"),
    ("billing_complaint", 2, "any", "service"),
    ("device_defect", 2, "device", "device"),
)


def _choose_changes(
    rng: random.Random, p: _Person, *, start: datetime, now: datetime, number: int
) -> None:
    """Plans the customer's year: an unresolved service episode (after which most leave, 2 to
    10 weeks later, having gone quiet), a cancellation without one (price, moving), or a tariff
    change. Cancellations that would fall after ``now`` have not happened yet."""
    begin = max(start, p.joined_at or start) + timedelta(days=30)
    if begin >= now - timedelta(days=20):
        return
    span = (now - timedelta(days=20) - begin).total_seconds()
    fault = start + (now - start) * 0.5
    fix_known = now - min((now - start) * 0.08, timedelta(days=21))
    owner = p.owns_faulty_model
    roll = rng.random()
    if roll < (0.13 if owner else 0.085):
        first = begin + timedelta(seconds=rng.uniform(0, span))
        latest = fix_known - timedelta(days=45)
        if owner and rng.random() < 0.75 and fault + timedelta(days=3) < latest:
            # The faulty model drops calls and the promised call back does not come.
            topic, reason = "dropped_calls", "device"
            first = fault + timedelta(days=min(rng.expovariate(1 / 25), (latest - fault).days))
        else:
            topic, reason = _episode_topic(rng, p)
        days = [first]
        for _ in range(rng.choice((1, 2, 2, 3, 3))):
            days.append(days[-1] + timedelta(days=rng.randrange(4, 19)))
        p.episode, p.episode_topic = days, topic
        if rng.random() < 0.9:
            hours = timedelta(hours=rng.randrange(2, 48))
            p.complaints.append(days[rng.randrange(1, len(days))] + hours)
            if rng.random() < 0.4:  # the complaint went unanswered too
                p.complaints.append(days[-1] + timedelta(days=rng.randrange(2, 8)))
        if rng.random() < 0.68 and (p.renewed_at is None or p.renewed_at < first):
            last = max(days + p.complaints)
            p.quiet_from = last + timedelta(days=1)
            cancel_at = last + timedelta(days=rng.uniform(14, 70))
            if cancel_at < now - timedelta(days=5):
                _cancel(rng, p, cancel_at, reason, now)
    elif roll < (0.138 if owner else 0.093):
        cancel_at = begin + timedelta(seconds=rng.uniform(0, span))
        quiet_from = cancel_at - timedelta(days=rng.uniform(10, 45))
        if p.renewed_at is None or p.renewed_at < quiet_from:
            p.quiet_from = quiet_from
            _cancel(rng, p, cancel_at, rng.choice(_PLAIN_REASONS), now)
    elif roll < (0.238 if owner else 0.193) and p.mobile is not None and p.renewed_at is None:
        change_at = begin + timedelta(seconds=rng.uniform(0, span))
        tariffs = data.BUSINESS_MOBILE_TARIFFS if p.business else data.MOBILE_TARIFFS
        options = [t for t in tariffs if t[0] != p.mobile.name]
        name, code, fee, _gb = rng.choice(options)
        old = p.mobile
        old.ended_on = change_at.date()
        p.previous = old
        p.mobile = _Contract("mobile", name, code, fee, change_at.date(), external_id=f"V{number}")
        p.change_at = change_at


def _episode_topic(rng: random.Random, p: _Person) -> tuple[str, str]:
    options = [
        (topic, weight, reason)
        for topic, weight, who, reason in _EPISODE_TOPICS
        if who == "any"
        or (who == "dsl" and p.dsl is not None)
        or (who == "mobile" and p.mobile is not None)
        or (who == "device" and p.device is not None and not p.owns_faulty_model)
    ]
    topic, _, reason = options[_weighted(rng, _cum([w for _, w, _ in options]))]
    return topic, reason


def _cancel(rng: random.Random, p: _Person, at: datetime, reason: str, now: datetime) -> None:
    """The customer gives notice at ``at``; the contracts end 30 to 95 days later."""
    p.cancel_at, p.cancel_reason = at, reason
    ends = (at + timedelta(days=rng.randrange(30, 95))).date()
    for contract in (p.mobile, p.dsl):
        if contract is not None:
            contract.ended_on = ends
    ends_at = datetime.combine(ends, time(23, 59), UTC)
    if ends_at < now:
        p.active_until = ends_at


def _ascii(text: str) -> str:
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i"), ("ł", "l")):
        text = text.replace(src, dst).replace(src.upper(), dst.capitalize())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]", "", text.lower())


def _unique_email(rng: random.Random, p: _Person, used: set[str]) -> str:
    first, last = _ascii(p.first), _ascii(p.last)
    if p.company is not None:
        slug = re.sub(r"-+", "-", _ascii(p.company.replace(" ", "-").replace("&", "-")))
        domain = f"{slug[:40].strip('-')}.{rng.choice(data.CUSTOMER_DOMAINS)}"
        local = rng.choice((f"{first}.{last}", "info", "kontakt", f"{first[0]}.{last}"))
    else:
        domain = rng.choice(data.CUSTOMER_DOMAINS)
        local = rng.choice(
            (f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", f"{first}_{last}")
        )
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randrange(1, 1000)}@{domain}"
    used.add(email)
    return email


def _unique_phone(rng: random.Random, used: set[str]) -> str:
    while True:
        prefix = rng.choice(data.MOBILE_PREFIXES)
        digits = 7 if len(prefix) == 4 else rng.choice((7, 8))
        phone = f"+49{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        if phone not in used:
            used.add(phone)
            return phone


# What an agent offers when a customer asks about a change.
_NEXT_TARIFF = {
    "Tarif S": "Tarif M",
    "Tarif M": "Tarif L",
    "Tarif L": "Tarif M",
    "Business Mobil M": "Business Mobil L",
    "Business Mobil L": "Business Mobil M",
    "DSL 50": "DSL 100",
    "DSL 100": "DSL 250",
    "DSL 250": "DSL 100",
}


def _context(p: _Person) -> dict[str, Any]:
    key = (p.lang, p.salutation)
    name = {"first": p.first, "last": p.last}
    kunde = "Customer"
    if p.lang == "de":
        kunde = "Kundin" if p.salutation == "ms" else "Kunde"
    return {
        **name,
        "anrede": data.SALUTATIONS[key].format(**name),
        "kunde": kunde,
        "brand": data.BRAND,
        "tariff": p.main.name,
        "new_tariff": _NEXT_TARIFF.get(p.main.name, "Tarif L"),
        "device": p.device.model if p.device else "Smartphone",
        "city": p.city,
        "speed": p.dsl.speed if p.dsl else 100,
        "minutes": GOODWILL_MINUTES,
    }


# ----------------------------------------------------------------------------------------------
# Rows for customers, identities, holdings


def _customer_row(p: _Person, now: datetime) -> dict[str, Any]:
    since_at = min(datetime.combine(p.since, time(9), UTC), now)
    attributes: dict[str, Any] = {
        "segment": p.segment,
        "customer_since": p.since.isoformat(),
        "city": p.city,
        "value_tier": "A" if p.main.fee >= 39 or p.business else "B" if p.main.fee >= 24 else "C",
        "preferred_channel": p.preferred,
        "consents": {
            "email_marketing": p.email_consent,
            "phone_marketing": p.phone_consent,
            "social_media_analysis": p.preferred == "web" and p.email_consent,
        },
        "paper_invoice": p.paper_invoice,
        "source": SOURCE,
    }
    if p.business:
        attributes["employees"] = 3 + int(p.activity * 20)
    return {
        "id": p.id,
        "display_name": p.company or f"{p.first} {p.last}",
        "salutation": p.salutation,
        "first_name": p.first,
        "last_name": p.last,
        "company_name": p.company,
        "language": p.lang,
        "type": "business" if p.business else "private",
        "region": p.region,
        "postal_code": p.postal_code,
        "attributes": attributes,
        "merged_into_id": None,
        "created_at": since_at,
        "updated_at": since_at,
    }


def _identity_rows(rng: random.Random, p: _Person, handles: set[str]) -> list[dict[str, Any]]:
    created = datetime.combine(p.since, time(9), UTC)
    found = [
        ("customer_number", p.number, True),
        ("email", p.email, rng.random() < 0.9),
        ("phone", p.phone, True),
    ]
    if rng.random() < 0.12:
        network = "x" if rng.random() < 0.6 else "facebook"
        handle = f"{_ascii(p.first)}_{_ascii(p.last)}{rng.randrange(1960, 2008)}".replace("-", "")
        # Namesakes born the same year would share a handle; identities are unique.
        while f"{network}:{handle}" in handles:
            handle += str(rng.randrange(10))
        handles.add(f"{network}:{handle}")
        found.append(("social", f"{network}:{handle}", False))
    if rng.random() < 0.55:
        found.append(("cookie", f"ck-{rng.getrandbits(96):024x}", False))
    if p.app_user:
        found.append(("device", f"app-{rng.getrandbits(128):032x}", False))
    return [
        {
            "id": _uuid(rng),
            "customer_id": p.id,
            "kind": kind,
            "value": value,
            "verified": verified,
            "source": SOURCE,
            "created_at": created,
        }
        for kind, value, verified in found
    ]


def _holding_rows(rng: random.Random, p: _Person, now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(**values: Any) -> None:
        started = values["started_on"]
        at = min(datetime.combine(started, time(9), UTC), now)
        rows.append(
            {
                "id": _uuid(rng),
                "customer_id": p.id,
                "created_at": at,
                "updated_at": at,
                "model": None,
                "serial": None,
                "tariff": None,
                "ended_on": None,
                **values,
            }
        )

    for contract in (p.previous, p.mobile, p.dsl):
        if contract is None:
            continue
        label = "Mobilfunkvertrag" if contract.kind == "mobile" else "Festnetz- & DSL-Vertrag"
        attributes: dict[str, Any] = {"monthly_fee_eur": contract.fee, "term_months": 24}
        if contract.kind == "mobile":
            attributes["msisdn"] = p.phone
        else:
            attributes["bandwidth_mbit"] = contract.speed
        add(
            external_id=contract.external_id,
            kind="contract",
            product_code=contract.code,
            product_name=f"{label} {contract.name}",
            tariff=contract.name,
            started_on=contract.started_on,
            ended_on=contract.ended_on,
            attributes=attributes,
        )
    if p.device is not None:
        d = p.device
        # The device stays with its owner; as a holding with us it ends with the contracts.
        ended = p.main.ended_on if p.cancel_at is not None else None
        add(
            external_id=f"G{d.serial}",
            kind="product",
            product_code=d.code,
            product_name=d.model,
            model=d.model,
            serial=d.serial,
            started_on=d.bought_on,
            ended_on=ended,
            attributes={
                "price_eur": d.price,
                "colour": rng.choice(data.COLOURS),
                "storage_gb": rng.choice((128, 256, 512)),
                "imei": f"35{rng.randrange(10**12, 10**13)}",
            },
        )
    if p.dsl is not None:
        name, code, fee, prefix = data.ROUTER
        add(
            external_id=f"G{prefix}{p.dsl.external_id[1:]}",
            kind="product",
            product_code=code,
            product_name=name,
            model=name,
            serial=f"{prefix}{p.dsl.external_id[1:]}",
            started_on=p.dsl.started_on,
            ended_on=p.dsl.ended_on,
            attributes={"rent_eur_month": fee},
        )
    return rows


# ----------------------------------------------------------------------------------------------
# History


def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


# Hours (UTC) at which contacts on each kind of touchpoint happen.
_HOURS = {
    "web": _cum((1, 0.5, 0.3, 0.2, 0.3, 0.8, 2, 3, 4, 5, 5, 5, 6, 5, 5, 5, 6, 7, 8, 9, 8, 6, 4, 2)),
    "office": _cum((0, 0, 0, 0, 0, 0, 3, 7, 9, 9, 8, 7, 7, 8, 8, 7, 6, 5, 4, 2, 1, 0, 0, 0)),
    "store": _cum((0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 6, 7, 7, 7, 7, 8, 8, 5, 2, 0, 0, 0, 0, 0)),
    "field": _cum((0, 0, 0, 0, 0, 0, 3, 6, 6, 6, 5, 5, 6, 6, 5, 3, 0, 0, 0, 0, 0, 0, 0, 0)),
    "batch": _cum((0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
    "mail": _cum((0, 0, 0, 0, 0, 0, 0, 3, 4, 4, 4, 3, 2, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 0)),
}

# topic -> (weight, who may have it)
_TOPICS: tuple[tuple[str, float, str], ...] = (
    ("billing_question", 20, "any"),
    ("billing_complaint", 8, "any"),
    ("network", 10, "mobile"),
    ("dsl_outage", 30, "dsl"),
    ("tariff_change", 6, "mobile"),
    ("app_login", 8, "app"),
    ("roaming", 6, "mobile"),
    ("general", 14, "any"),
    ("device_defect", 10, "device"),
    ("praise", 3, "any"),
)
_QUEUE = {
    "billing_question": "hotline_billing",
    "billing_complaint": "hotline_billing",
    "network": "hotline_technical",
    "dsl_outage": "hotline_technical",
    "dropped_calls": "hotline_technical",
    "device_defect": "hotline_technical",
    "app_login": "hotline_technical",
    "sim_activation": "hotline_technical",
    "tariff_change": "hotline_sales",
    "roaming": "hotline_general",
    "general": "hotline_general",
    "delivery": "hotline_sales",
    "praise": "hotline_general",
}
_IVR_CHOICE = {
    "hotline_billing": "rechnung",
    "hotline_technical": "technik",
    "hotline_sales": "vertrag",
    "hotline_general": "sonstiges",
    "hotline_cancellation": "kuendigung",
}
_RESOLVED = {
    "billing_question": 0.85,
    "billing_complaint": 0.55,
    "network": 0.6,
    "dsl_outage": 0.5,
    "tariff_change": 0.9,
    "app_login": 0.8,
    "roaming": 0.9,
    "general": 0.9,
    "device_defect": 0.7,
    "praise": 1.0,
    "delivery": 0.7,
    "sim_activation": 0.8,
}
# Where a topic lacks a form, the first of these it has stands in.
_FALLBACK = {
    "repeat_note": ("call_note", "email_in"),
    "shop_note": ("call_note", "email_in"),
    "callback_note": ("call_note", "email_in"),
    "technician_note": ("call_note", "email_in"),
    "complaint": ("email_in", "call_note"),
    "email_in": ("complaint", "call_note"),
    "call_note": ("email_in", "complaint"),
    "letter_in": ("complaint", "email_in"),
}
# Contact channels other than a customer's preferred one: (channel, weight)
_CHANNELS = ("phone", "email", "chat", "store", "contact_form", "app", "letter")
# Accessory purchases per year relative to the average, and the share bought online, by segment.
_SHOPPING_RATE = {"young": 1.3, "family": 1.1, "professional": 1.0, "best_ager": 0.6}
_ONLINE_SHARE = {"young": 0.65, "family": 0.5, "professional": 0.6, "best_ager": 0.3}
_CHANNEL_MIX = _cum((40, 18, 15, 9, 8, 6, 4))


class _History:
    """Writes each customer's contacts in chunks; event ids run demo-1, demo-2, ..."""

    def __init__(
        self,
        db: Session,
        rng: random.Random,
        catalogue: _Catalogue,
        *,
        start: datetime,
        now: datetime,
        report: Progress,
    ) -> None:
        self.db = db
        self.rng = rng
        self.cat = catalogue
        self.start = start
        self.now = now
        self.report = report
        self.rows: list[dict[str, Any]] = []
        # The rows the voice of the customer builds on (survey triggers, complaints, posts).
        self.kept: list[dict[str, Any]] = []
        self.written = 0
        self.count = 0
        span = now - start
        self.fault_start = start + span * 0.5
        self.fix_known = now - min(span * 0.08, timedelta(days=21))
        self.orders = 0

    # -- plumbing ------------------------------------------------------------------------------

    def write(self, people: list[_Person], per_customer: float) -> int:
        weights = [p.activity * self._span_fraction(p) for p in people]
        mean = sum(weights) / len(weights) or 1.0
        total = len(people)
        self.report("interactions", 0, total)
        # Customers whose fixed events exceed their share leave the following ones less
        # everyday use, so the total stays close to (and never below) the requested average.
        surplus = 0
        for done, (p, weight) in enumerate(zip(people, weights, strict=True), start=1):
            share = math.ceil(per_customer * weight / mean)
            target = max(share - surplus, share // 3)
            self._customer(p, target)
            surplus += self.count - share
            if len(self.rows) >= CHUNK or done == total:
                self._flush()
                self.report("interactions", done, total)
        return self.written

    def _flush(self) -> None:
        if self.rows:
            self.db.execute(insert(table(Interaction)), self.rows)
            self.db.commit()
            self.written += len(self.rows)
            self.rows = []

    def _span_fraction(self, p: _Person) -> float:
        begin = max(self.start, p.joined_at or self.start)
        end = p.active_until or self.now
        return max((end - begin) / (self.now - self.start), 0.02)

    def _add(
        self,
        p: _Person,
        at: datetime,
        touchpoint: str,
        type_: str,
        direction: str = "in",
        *,
        employee: _Agent | None = None,
        text: str | None = None,
        props: dict[str, Any] | None = None,
    ) -> bool:
        if at < self.start or at >= self.now:
            return False
        tp_id, channel = self.cat.touchpoints[touchpoint]
        self.count += 1
        row: dict[str, Any] = {
            "id": uuid7_from(self.rng, at),
            "event_id": f"demo-{self.written + len(self.rows) + 1}",
            "customer_id": p.id,
            "touchpoint_id": tp_id,
            "channel": channel,
            "direction": direction,
            "type": type_,
            "occurred_at": at,
            "received_at": at,
            "employee_id": employee.id if employee else None,
            "text": text,
            "properties": props or {},
        }
        self.rows.append(row)
        if type_ in voc.SOURCE_TYPES:
            self.kept.append(row)
        return True

    def _at(self, day: date, profile: str) -> datetime:
        rng = self.rng
        weekday = day.weekday()
        if profile in ("office", "store") and weekday == 6:
            day += timedelta(days=1)
        elif profile == "field" and weekday >= 5:
            day += timedelta(days=7 - weekday)
        hour = _weighted(rng, _HOURS[profile])
        return datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC
        )

    def _day(self, begin: datetime, end: datetime) -> date:
        seconds = max((end - begin).total_seconds(), 1.0)
        return (begin + timedelta(seconds=self.rng.random() * seconds)).date()

    def _agent(self, department: str, p: _Person) -> _Agent:
        agents = self.cat.agents.get(department) or self.cat.agents["kundenservice"]
        if p.lang == "en" and self.rng.random() < 0.75:
            english = [a for a in agents if a.language == "en"]
            if english:
                return self.rng.choice(english)
        return self.rng.choice(agents)

    def _text(self, topic: str, form: str, p: _Person, *, raw: bool = False, **extra: Any) -> str:
        """A filled template; capitalised unless ``raw`` (bodies that follow a salutation)."""
        forms = data.TEXTS[topic]
        if form not in forms:
            if form == "chat":
                return self._chat_from_message(topic, p, **extra)
            if form == "social":
                topic, forms = "generic", data.TEXTS["generic"]
            else:
                form = next(f for f in _FALLBACK[form] if f in forms)
        templates = forms[form]
        chosen = templates.get(p.lang) or templates["de"]
        ctx = {**p.ctx, **extra}
        ctx.setdefault("agent", "Lea")
        ctx.setdefault("amount", self._amount(p))
        ctx.setdefault("wait", self.rng.randrange(15, 55))
        ctx.setdefault("month", self._month_name(p, self.now - timedelta(days=20)))
        ctx.setdefault("order", f"B{self.rng.randrange(10**7, 10**8)}")
        text = self.rng.choice(chosen).format_map(ctx)
        return text if raw else text[:1].upper() + text[1:]

    def _chat_from_message(self, topic: str, p: _Person, **extra: Any) -> str:
        body = self._text(topic, "email_in", p, **extra)
        agent = extra.get("agent", "Lea")
        answer = data.CHAT_ANSWERS["praise" if topic == "praise" else "default"][p.lang]
        customer = "Kunde" if p.lang == "de" else "Customer"
        return f"{customer}: {body}\n{agent}: {answer}"

    def _written_by_customer(self, topic: str, form: str, p: _Person, **extra: Any) -> str:
        rng = self.rng
        # German letters go on in lower case after "Hallo," and the like; English ones do not.
        body = self._text(topic, form, p, raw=p.lang == "de", **extra)
        opener = rng.choice(data.EMAIL_OPENERS[p.lang])
        closer = rng.choice(data.EMAIL_CLOSERS[p.lang]).format_map(p.ctx)
        return f"{opener}\n\n{body}\n\n{closer}"

    def _amount(self, p: _Person) -> str:
        value = p.main.fee * self.rng.uniform(1.3, 2.6)
        return f"{value:.2f}".replace(".", ",") if p.lang == "de" else f"{value:.2f}"

    def _month_name(self, p: _Person, at: datetime) -> str:
        names = data.MONTHS_DE if p.lang == "de" else data.MONTHS_EN
        return f"{names[at.month - 1]} {at.year}"

    def _order_id(self) -> str:
        self.orders += 1
        return f"B{20_000_000 + self.orders}"

    # -- one customer ----------------------------------------------------------------------------

    def _customer(self, p: _Person, target: int) -> None:
        self.count = 0
        begin = max(self.start, p.joined_at or self.start)
        end = p.active_until or self.now
        if p.joined_at is not None:
            self._acquisition(p)
        self._invoices(p, begin, end)
        if p.email_consent:
            self._newsletters(p, begin, end)
        if p.renewed_at is not None:
            self._renewal(p, p.renewed_at)
        if p.change_at is not None:
            self._tariff_change(p, p.change_at)
        self._shopping(p, begin, end)
        if p.owns_faulty_model and p.episode_topic != "dropped_calls":
            self._dropped_calls(p, end)
        # A customer who has gone quiet starts no new contacts.
        engaged = max(begin, min(end, p.quiet_from or end))
        years = (engaged - begin).total_seconds() / (365.25 * 86400)
        for _ in range(_poisson(self.rng, 2.2 * p.activity * max(years, 0.0))):
            self._episode(p, self._pick_topic(p), begin, engaged)
        if p.episode:
            self._unresolved(p)
        if p.cancel_at is not None:
            self._cancellation(p, p.cancel_at)
        elif self.rng.random() < 0.02:
            self._retention(p, self._day(begin, end))
        guard = 0
        while self.count < target and guard < target * 3:
            guard += 1
            day = self._day(begin, end)
            if self._quiet(p, datetime.combine(day, time(12), UTC)):
                continue
            self._usage(p, day)

    def _quiet(self, p: _Person, at: datetime) -> bool:
        """Whether the customer, gone quiet before leaving, skips a contact at ``at``."""
        return p.quiet_from is not None and at >= p.quiet_from and self.rng.random() < 0.85

    def _pick_topic(self, p: _Person) -> str:
        options: list[tuple[str, float]] = []
        for topic, weight, who in _TOPICS:
            if (
                who == "any"
                or (who == "mobile" and p.mobile is not None)
                or (who == "dsl" and p.dsl is not None)
                or (who == "app" and p.app_user)
                or (who == "device" and p.device is not None and not p.owns_faulty_model)
            ):
                options.append((topic, weight))
        index = _weighted(self.rng, _cum([w for _, w in options]))
        return options[index][0]

    # -- journeys --------------------------------------------------------------------------------

    def _session(self, p: _Person, at: datetime, pages: Sequence[str], **extra: Any) -> datetime:
        rng = self.rng
        session = f"s-{rng.getrandbits(64):016x}"
        for n, key in enumerate(pages):
            path = rng.choice(data.PAGE_PATHS.get(key, ("/",)))
            duration = rng.randrange(5, 240)
            props: dict[str, Any] = {"path": path, "session_id": session, "duration_s": duration}
            if n == len(pages) - 1:
                props["exit"] = True
            props.update(extra)
            self._add(p, at, key, "page_view", props=props)
            at += timedelta(seconds=duration + rng.randrange(1, 20))
        return at

    def _search(self, p: _Person, at: datetime) -> None:
        rng = self.rng
        if rng.random() < 0.18:
            query = rng.choice(data.ZERO_RESULT_QUERIES)
            results = 0
        else:
            queries = data.SEARCH_QUERIES_DE if p.lang == "de" else data.SEARCH_QUERIES_EN
            query = rng.choice(queries)
            results = rng.randrange(1, 40)
        self._add(p, at, "web_search", "search", props={"query": query, "results": results})

    def _acquisition(self, p: _Person) -> None:
        rng = self.rng
        assert p.joined_at is not None
        joined = p.joined_at
        dsl_only = p.mobile is None
        roll = rng.random()
        if roll < 0.25:
            day = (joined - timedelta(days=rng.randrange(10, 40))).date()
            self._add(
                p,
                self._at(day, "web"),
                "social_word_of_mouth",
                "referral",
                props={"source": rng.choice(("friend", "family", "colleague"))},
            )
        elif roll < 0.5:
            day = (joined - timedelta(days=rng.randrange(3, 25))).date()
            self._session(p, self._at(day, "web"), ["web_comparison_portal"], affiliate=True)
        # Browsing before buying.
        for n in range(rng.randrange(1, 4)):
            day = (joined - timedelta(days=rng.randrange(1, 21) if n else 0)).date()
            at = self._at(day, "web") if n else joined - timedelta(minutes=rng.randrange(10, 90))
            pages = ["web_home", "web_tariffs_dsl" if dsl_only else "web_tariffs_mobile"]
            if p.dsl is not None:
                pages.append("web_availability")
            if p.device is not None:
                pages += ["web_shop_devices", "web_product_page"]
            if rng.random() < 0.25:
                pages.append("web_help")
            if rng.random() < 0.15 and n:
                pages += ["web_cart", "web_checkout"]  # an abandoned checkout
            end = self._session(p, at, pages)
            if rng.random() < 0.25:
                self._search(p, end)
            if rng.random() < 0.08:
                self._add(
                    p,
                    end,
                    "chat_bot",
                    "chat_message",
                    props={"bot": True, "messages": rng.randrange(2, 8), "intent": "tarifberatung"},
                )
        order = self._order_id()
        value = round(p.main.fee * 24 + (p.device.price if p.device else 0) * 0.2, 2)
        items = [c.name for c in (p.mobile, p.dsl) if c] + ([p.device.model] if p.device else [])
        props = {"order_id": order, "value_eur": value, "items": items, "new_customer": True}
        roll = rng.random()
        if roll < 0.55:
            at = self._session(p, joined, ["web_cart", "web_checkout"])
            self._add(p, at, "web_checkout", "order", props=props)
            delivered = True
        elif roll < 0.85:
            at = self._at(joined.date(), "store")
            agent = self._agent("shops", p)
            shop = f"shop_{p.shop}"
            self._add(
                p,
                at,
                shop,
                "visit",
                employee=agent,
                text=self._text("sale", "call_note", p),
                props={"duration_s": rng.randrange(900, 3600)},
            )
            self._add(p, at + timedelta(minutes=25), shop, "purchase", employee=agent, props=props)
            delivered = False
        else:
            at = self._at(joined.date(), "office")
            agent = self._agent("vertrieb", p)
            self._add(
                p,
                at,
                "hotline_sales",
                "call",
                employee=agent,
                text=self._text("sale", "call_note", p),
                props={
                    "duration_s": rng.randrange(400, 1500),
                    "wait_s": rng.randrange(10, 200),
                    "queue": "vertrieb",
                },
            )
            self._add(
                p, at + timedelta(minutes=15), "hotline_sales", "order", employee=agent, props=props
            )
            delivered = True
        subject = data.EMAIL_SUBJECTS["order_confirmation"][p.lang].format(order=order)
        self._add(
            p,
            at + timedelta(minutes=2),
            "email_order_confirmation",
            "email",
            "out",
            props={"subject": subject, "order_id": order},
        )
        if delivered:
            late = rng.random() < 0.1
            days = rng.randrange(6, 10) if late else rng.randrange(1, 4)
            when = self._at((at + timedelta(days=days)).date(), "field")
            self._add(
                p,
                when,
                "parcel_delivery",
                "delivery",
                "out",
                props={"order_id": order, "days": days, "late": late},
            )
            if late:
                asked = self._at((at + timedelta(days=5)).date(), "office")
                self._contact(p, "delivery", asked, order=order)
        letter = self._at((at + timedelta(days=rng.randrange(2, 6))).date(), "batch")
        self._add(p, letter, "letter_contract", "letter", "out", props={"documents": items})
        welcome = at + timedelta(hours=rng.randrange(1, 30))
        self._add(
            p,
            welcome,
            "email_welcome",
            "email",
            "out",
            props={"subject": data.EMAIL_SUBJECTS["welcome"][p.lang].format(first=p.first)},
        )
        start_day = (at + timedelta(days=rng.randrange(2, 6))).date()
        if p.app_user:
            self._add(
                p,
                self._at(start_day, "web"),
                "app_onboarding",
                "app_event",
                props={"event": rng.choice(("registered", "esim_activated", "sim_activated"))},
            )
        if rng.random() < 0.45:
            agent = self._agent("kundenservice", p)
            when = self._at(start_day + timedelta(days=rng.randrange(1, 8)), "office")
            self._add(
                p,
                when,
                "call_activation",
                "call",
                "out",
                employee=agent,
                text=self._text("activation", "call_note", p),
                props={"duration_s": rng.randrange(60, 600)},
            )
        if rng.random() < 0.12:
            when = self._at(start_day + timedelta(days=1), "office")
            self._contact(p, "sim_activation", when)
        if p.dsl is not None:
            visit_day = start_day + timedelta(days=rng.randrange(7, 21))
            self._technician(p, self._at(visit_day, "field"), installation=True)

    def _technician(self, p: _Person, at: datetime, *, installation: bool) -> None:
        rng = self.rng
        kept = rng.random() < 0.9
        agent = self._agent("technik", p)
        text = self._text("dsl_outage", "technician_note", p)
        if not kept:
            text = "Kunde nicht angetroffen, Benachrichtigungskarte hinterlassen."
            if p.lang == "en":
                text = "Customer not at home, left a notification card."
        elif installation and p.lang == "de":
            text = "Installation abgeschlossen, Anschluss aktiv, Einweisung in HomeBox erfolgt."
        self._add(
            p,
            at,
            "technician_visit",
            "technician_visit",
            "out",
            employee=agent,
            text=text,
            props={
                "duration_s": rng.randrange(1800, 7200),
                "appointment_kept": kept,
                "installation": installation,
            },
        )

    def _invoices(self, p: _Person, begin: datetime, end: datetime) -> None:
        rng = self.rng
        fee = sum(c.fee for c in (p.mobile, p.dsl) if c)
        year, month = begin.year, begin.month
        while True:
            issued = self._at(date(year, month, rng.randrange(2, 5)), "batch")
            if issued > end:
                break
            if issued >= begin:
                extra = rng.uniform(2, 35) if rng.random() < 0.12 else 0.0
                amount = round(fee + extra, 2)
                month_name = self._month_name(p, issued - timedelta(days=10))
                subject = data.EMAIL_SUBJECTS["invoice"][p.lang].format(month=month_name)
                key = "letter_invoice" if p.paper_invoice else "email_invoice"
                kind = "letter" if p.paper_invoice else "email"
                self._add(
                    p,
                    issued,
                    key,
                    "invoice",
                    "out",
                    props={
                        "invoice_no": f"R{rng.randrange(10**9, 10**10)}",
                        "amount_eur": amount,
                        "period": f"{year}-{month:02d}",
                        "subject": subject,
                        "delivery": kind,
                    },
                )
                look = issued + timedelta(hours=rng.randrange(2, 120))
                if rng.random() < 0.3 and not self._quiet(p, look):
                    if p.app_user and rng.random() < 0.6:
                        self._add(
                            p,
                            look,
                            "app_invoices",
                            "app_event",
                            props={"event": "invoice_view", "period": f"{year}-{month:02d}"},
                        )
                    else:
                        self._session(p, look, ["web_login", "web_portal_invoices"])
                if extra > 20 and rng.random() < 0.4 and not self._quiet(p, issued):
                    self._episode_at(
                        p, "billing_question", issued + timedelta(days=rng.randrange(1, 6))
                    )
            month += 1
            if month == 13:
                year, month = year + 1, 1

    def _newsletters(self, p: _Person, begin: datetime, end: datetime) -> None:
        rng = self.rng
        year, month = begin.year, begin.month
        while True:
            sent = self._at(date(year, month, 14), "mail")
            if sent > end:
                break
            if sent < begin:
                month += 1
                if month == 13:
                    year, month = year + 1, 1
                continue
            subjects = data.NEWSLETTER_SUBJECTS[p.lang]
            opened = rng.random() < 0.35
            self._add(
                p,
                sent,
                "email_newsletter",
                "email",
                "out",
                props={
                    "subject": subjects[(year * 12 + month) % len(subjects)],
                    "campaign": f"nl-{year}-{month:02d}",
                    "opened": opened,
                    "clicked": opened and rng.random() < 0.3,
                },
            )
            month += 1
            if month == 13:
                year, month = year + 1, 1

    def _renewal(self, p: _Person, at: datetime) -> None:
        """A contract extension with a new device: browsing, then an order or a shop purchase."""
        rng = self.rng
        assert p.device is not None
        before = at - timedelta(days=rng.randrange(1, 14))
        self._session(
            p, before, ["web_login", "web_portal_contract", "web_shop_devices", "web_product_page"]
        )
        order = self._order_id()
        props = {
            "order_id": order,
            "value_eur": round(p.device.price * 0.3, 2),
            "items": [p.device.model, p.main.name],
            "renewal": True,
        }
        if rng.random() < 0.6:
            end = self._session(p, at, ["web_portal_contract", "web_cart", "web_checkout"])
            self._add(p, end, "web_checkout", "order", props=props)
            self._add(
                p,
                end + timedelta(days=rng.randrange(1, 4)),
                "parcel_delivery",
                "delivery",
                "out",
                props={"order_id": order},
            )
        else:
            when = self._at(at.date(), "store")
            agent = self._agent("shops", p)
            self._add(p, when, f"shop_{p.shop}", "purchase", employee=agent, props=props)
            end = when
        subject = data.EMAIL_SUBJECTS["order_confirmation"][p.lang].format(order=order)
        self._add(
            p,
            end + timedelta(minutes=3),
            "email_order_confirmation",
            "email",
            "out",
            props={"subject": subject, "order_id": order},
        )

    def _shopping(self, p: _Person, begin: datetime, end: datetime) -> None:
        """Accessories and devices bought again and again while the customer stays (BG/NBD):
        a purchase rate per customer from a Gamma, a chance to drop out after each purchase
        from a Beta, and values around the customer's own mean spend (Gamma-Gamma)."""
        rng = self.rng
        per_year = rng.gammavariate(0.8, 1.9) * _SHOPPING_RATE.get(p.segment, 1.0)
        dropout = rng.betavariate(1.2, 4.5)
        spend_rate = rng.gammavariate(3.5, 1 / 40.0)  # ν: values ~ Gamma(3, scale 1/ν)
        online = _ONLINE_SHARE.get(p.segment, 0.5) + (0.1 if p.app_user else 0.0)
        stop = min(end, p.quiet_from or end, p.cancel_at or end)
        at = begin
        while per_year > 0:
            wait = rng.expovariate(per_year / 365.25)
            if wait >= (stop - at).total_seconds() / 86400:
                return
            at += timedelta(days=wait)
            value = rng.gammavariate(3.0, 1 / spend_rate) * (1.5 if p.business else 1.0)
            self._accessory(p, at, max(round(value, 2), 4.99), web=rng.random() < online)
            if rng.random() < dropout:
                return

    def _accessory(self, p: _Person, at: datetime, value: float, *, web: bool) -> None:
        """Browsing the shop on the website, then an online order or a purchase in the shop."""
        rng = self.rng
        item = min(data.ACCESSORIES, key=lambda a: abs(a[2] - value))
        order = self._order_id()
        props = {"order_id": order, "value_eur": value, "items": [item[0]], "codes": [item[1]]}
        if rng.random() < (0.45 if web else 0.6):
            # Looked first: a few days before, or the same day for an online order.
            before = at - timedelta(days=rng.randrange(1, 10), hours=rng.randrange(0, 12))
            pages = ["web_home", "web_shop_accessories"] + ["web_shop_accessories"] * rng.randrange(
                0, 3
            )
            end = self._session(p, before, pages)
            if rng.random() < 0.2:
                self._search(p, end)
        if web:
            when = self._at(at.date(), "web")
            end = self._session(p, when, ["web_shop_accessories", "web_cart", "web_checkout"])
            self._add(p, end, "web_checkout", "order", props=props)
            late = rng.random() < 0.07
            days = rng.randrange(6, 10) if late else rng.randrange(1, 4)
            self._add(
                p,
                self._at((end + timedelta(days=days)).date(), "field"),
                "parcel_delivery",
                "delivery",
                "out",
                props={"order_id": order, "days": days, "late": late},
            )
            if late and rng.random() < 0.3:
                asked = self._at((end + timedelta(days=5)).date(), "office")
                self._contact(p, "delivery", asked, order=order)
        else:
            end = self._at(at.date(), "store")
            agent = self._agent("shops", p)
            self._add(p, end, f"shop_{p.shop}", "purchase", employee=agent, props=props)
        subject = data.EMAIL_SUBJECTS["order_confirmation"][p.lang].format(order=order)
        self._add(
            p,
            end + timedelta(minutes=2),
            "email_order_confirmation",
            "email",
            "out",
            props={"subject": subject, "order_id": order},
        )

    def _tariff_change(self, p: _Person, at: datetime) -> None:
        rng = self.rng
        assert p.mobile is not None and p.previous is not None
        change = {"from": p.previous.name, "to": p.mobile.name}
        text_ctx: dict[str, Any] = {"tariff": p.previous.name, "new_tariff": p.mobile.name}
        self._session(
            p,
            at - timedelta(days=rng.randrange(1, 10)),
            ["web_login", "web_portal_contract", "web_tariffs_mobile"],
        )
        roll = rng.random()
        if roll < 0.45:
            when = self._at(at.date(), "office")
            agent = self._agent("vertrieb", p)
            self._add(
                p,
                when,
                "hotline_sales",
                "call",
                employee=agent,
                text=self._text("tariff_change", "call_note", p, **text_ctx),
                props={
                    "duration_s": rng.randrange(200, 900),
                    "wait_s": self._wait(when),
                    "queue": "vertrieb",
                },
            )
            self._add(
                p,
                when + timedelta(minutes=8),
                "hotline_sales",
                "contract_change",
                employee=agent,
                props=change,
            )
        elif roll < 0.85:
            end = self._session(p, at, ["web_login", "web_portal_contract"])
            self._add(p, end, "web_portal_contract", "contract_change", props=change)
            when = end
        else:
            when = self._at(at.date(), "store")
            agent = self._agent("shops", p)
            self._add(p, when, f"shop_{p.shop}", "contract_change", employee=agent, props=change)
        subject = data.EMAIL_SUBJECTS["tariff_change"][p.lang].format(new_tariff=p.mobile.name)
        self._add(
            p,
            when + timedelta(minutes=10),
            "email_service",
            "email",
            "out",
            props={"subject": subject},
        )

    def _retention(self, p: _Person, day: date) -> None:
        self._cancellation_call(p, day, "retention", retained=True, min_duration=300)

    def _cancellation_call(
        self, p: _Person, day: date, topic: str, *, retained: bool, min_duration: int
    ) -> tuple[datetime, _Agent]:
        """A call to the cancellation queue; returns when it happened and the agent."""
        when = self._at(day, "office")
        agent = self._agent("kundenservice", p)
        self._add(
            p,
            when,
            "hotline_cancellation",
            "call",
            employee=agent,
            text=self._text(topic, "call_note", p),
            props={
                "duration_s": self.rng.randrange(min_duration, 1200),
                "wait_s": self._wait(when),
                "queue": "kuendigung",
                "retained": retained,
            },
        )
        return when, agent

    def _cancellation(self, p: _Person, at: datetime) -> None:
        rng = self.rng
        reason = p.cancel_reason or "price"
        props = {"reason": reason, "contracts": [c.external_id for c in (p.mobile, p.dsl) if c]}
        roll = rng.random()
        if roll < 0.4:
            end = self._session(p, at, ["web_login", "web_cancellation"])
            self._add(p, end, "web_cancellation", "cancellation", props=props)
            when = end
        elif roll < 0.8:
            when, agent = self._cancellation_call(
                p, at.date(), "cancellation", retained=False, min_duration=240
            )
            self._add(
                p,
                when + timedelta(minutes=12),
                "hotline_cancellation",
                "cancellation",
                employee=agent,
                props=props,
            )
        else:
            when = self._at(at.date(), "mail")
            text = self._written_by_customer("cancellation", "letter_in", p)
            self._add(
                p, when, "letter_customer", "letter", text=text, props={"subject": "Kündigung"}
            )
            self._add(
                p, when + timedelta(minutes=30), "letter_customer", "cancellation", props=props
            )
        confirm = self._at((when + timedelta(days=rng.randrange(1, 4))).date(), "batch")
        self._add(
            p,
            confirm,
            "letter_cancellation",
            "letter",
            "out",
            text=self._text("cancellation", "confirmation", p),
        )

    # -- service ---------------------------------------------------------------------------------

    def _wait(self, at: datetime) -> int:
        factor = 1.0
        if at.weekday() == 0:
            factor *= 1.5
        if self.fault_start <= at:
            factor *= 1.6  # the dropped-calls wave fills the technical queue
        return int(min(self.rng.expovariate(1 / (110 * factor)), 3600))

    def _episode(self, p: _Person, topic: str, begin: datetime, end: datetime) -> None:
        self._episode_at(p, topic, datetime.combine(self._day(begin, end), time(8), UTC))

    def _episode_at(self, p: _Person, topic: str, at: datetime) -> None:
        rng = self.rng
        if rng.random() < 0.35 and p.preferred in ("web", "app", "chat", "email"):
            pages = ["web_help"] * rng.randrange(1, 3)
            self._session(p, at - timedelta(minutes=rng.randrange(5, 60)), pages)
            if rng.random() < 0.4:
                self._search(p, at - timedelta(minutes=3))
        resolved = self._contact(p, topic, at)
        attempts = 1
        while not resolved and attempts < 3:
            attempts += 1
            at += timedelta(days=rng.randrange(1, 10))
            if rng.random() < 0.35:
                self._complaint(p, topic, at)
            if rng.random() < 0.15 and topic != "praise":
                self._social(p, topic, at + timedelta(hours=rng.randrange(1, 12)))
            resolved = self._contact(p, topic, at, repeat=True)
        if resolved and topic != "praise" and rng.random() < 0.06:
            self._praise(p, at + timedelta(days=rng.randrange(0, 3)))

    def _unresolved(self, p: _Person) -> None:
        """The planned episode: contacts that do not solve it (the repeats mostly by phone), a
        complaint, maybe a public post; those who stay get it solved at last or are kept by
        the cancellation desk."""
        rng = self.rng
        topic = p.episode_topic
        meta = {"demo_topic": topic}
        if topic == "dropped_calls":
            meta["model"] = data.FAULTY_MODEL
        for n, at in enumerate(p.episode):
            if topic == "dropped_calls":
                channel = rng.choices(("phone", "chat", "email", "store", "app"), (75, 7, 8, 6, 4))
                again = {**meta, "repeat_contact": True} if n else meta
                self._contact_dropped(p, channel[0], at, repeat=n > 0, meta=again)
            else:
                phone = rng.random() < (0.6 if n else 0.4)
                self._contact(
                    p, topic, at, repeat=n > 0, channel="phone" if phone else None, solves=False
                )
        for at in p.complaints:
            self._complaint(p, topic, at)
        last = max(p.episode + p.complaints)
        if rng.random() < 0.25:
            self._social(p, topic, last + timedelta(hours=rng.randrange(2, 72)))
        if p.quiet_from is not None:
            return
        later = last + timedelta(days=rng.randrange(5, 30))
        if topic == "dropped_calls":
            self._callback(p, max(later, self.fix_known), meta)
        elif rng.random() < 0.6:
            self._contact(p, topic, later, repeat=True, channel="phone", solves=True)
        if rng.random() < 0.25:
            self._retention(p, (later + timedelta(days=rng.randrange(1, 10))).date())

    def _channel(self, p: _Person) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            preferred = p.preferred
            return {"web": "contact_form"}.get(preferred, preferred)
        return _CHANNELS[_weighted(rng, _CHANNEL_MIX)]

    def _contact(
        self,
        p: _Person,
        topic: str,
        at: datetime,
        *,
        repeat: bool = False,
        order: str = "",
        channel: str | None = None,
        solves: bool | None = None,
    ) -> bool:
        """One contact about the topic on the customer's channel (or ``channel``); whether it
        solved it (drawn per topic unless ``solves`` says)."""
        rng = self.rng
        channel = channel or self._channel(p)
        extra: dict[str, Any] = {"order": order} if order else {}
        extra["month"] = self._month_name(p, at - timedelta(days=12))
        meta: dict[str, Any] = {"demo_topic": topic}
        if repeat:
            meta["repeat_contact"] = True
        resolved = rng.random() < _RESOLVED.get(topic, 0.7)
        if solves is not None:
            resolved = solves
        if channel == "phone":
            queue = _QUEUE.get(topic, "hotline_general")
            when = self._at(at.date(), "office")
            self._add(
                p,
                when,
                "hotline_ivr",
                "call",
                props={"duration_s": rng.randrange(30, 150), "ivr_choice": _IVR_CHOICE[queue]},
            )
            wait = self._wait(when)
            when += timedelta(seconds=90)
            if wait > 900 and rng.random() < 0.5:
                self._add(
                    p,
                    when,
                    queue,
                    "call",
                    props={"wait_s": wait, "abandoned": True, "duration_s": wait, **meta},
                )
                if rng.random() < 0.3:
                    self._complaint(p, "hotline_wait", when + timedelta(hours=1), wait=wait // 60)
                return False
            agent = self._agent(_department(queue), p)
            if wait > 1200 and rng.random() < 0.5:
                topic_text = self._text("hotline_wait", "call_note", p, wait=wait // 60)
            else:
                topic_text = self._text(
                    topic, "repeat_note" if repeat else "call_note", p, agent=agent.first, **extra
                )
            self._add(
                p,
                when + timedelta(seconds=wait),
                queue,
                "call",
                employee=agent,
                text=topic_text,
                props={
                    "wait_s": wait,
                    "duration_s": rng.randrange(120, 1500),
                    "queue": _IVR_CHOICE[queue],
                    "resolved": resolved,
                    **meta,
                },
            )
        elif channel in ("email", "contact_form", "letter"):
            when = self._at(at.date(), "web" if channel != "letter" else "mail")
            text = self._written_by_customer(topic, "email_in", p, **extra)
            if channel == "letter":
                self._add(p, when, "letter_customer", "letter", text=text, props=meta)
            else:
                key = "email_service" if channel == "email" else "web_contact_form"
                subject = data.REPLY_SUBJECTS[p.lang].get(topic, "")
                self._add(
                    p,
                    when,
                    key,
                    "email",
                    text=text,
                    props={"subject": subject, "via": channel, **meta},
                )
            delay = timedelta(hours=rng.choice((2, 5, 20, 26, 50, 75, 120)))
            agent = self._agent(_department(_QUEUE.get(topic, "hotline_general")), p)
            self._add(
                p,
                when + delay,
                "email_service",
                "email",
                "out",
                employee=agent,
                text=self._reply(p, topic, agent),
                props={"reply_to_hours": delay.total_seconds() / 3600, **meta},
            )
        elif channel == "chat":
            when = self._at(at.date(), "office")
            if rng.random() < 0.4:
                self._add(
                    p,
                    when,
                    "chat_bot",
                    "chat_message",
                    props={"bot": True, "messages": rng.randrange(2, 7), "handover": True},
                )
                when += timedelta(minutes=3)
            agent = self._agent("kundenservice", p)
            self._add(
                p,
                when,
                "chat_web",
                "chat_message",
                employee=agent,
                text=self._text(topic, "chat", p, agent=agent.first, **extra),
                props={
                    "bot": False,
                    "messages": rng.randrange(4, 20),
                    "duration_s": rng.randrange(180, 1500),
                    "resolved": resolved,
                    **meta,
                },
            )
        elif channel == "store":
            when = self._at(at.date(), "store")
            agent = self._agent("shops", p)
            self._add(
                p,
                when,
                f"shop_{p.shop}",
                "visit",
                employee=agent,
                text=self._text(topic, "shop_note", p, **extra),
                props={"duration_s": rng.randrange(300, 2400), "resolved": resolved, **meta},
            )
        else:
            when = self._at(at.date(), "web")
            if not p.app_user:
                return self._contact(p, topic, at, repeat=repeat, order=order, solves=solves)
            body = self._text(topic, "email_in", p, **extra)
            self._add(
                p,
                when,
                "app_support",
                "app_event",
                text=body,
                props={"event": "fault_report", **meta},
            )
        if topic == "dsl_outage" and resolved and rng.random() < 0.4:
            self._technician(
                p,
                self._at((at + timedelta(days=rng.randrange(1, 5))).date(), "field"),
                installation=False,
            )
        return resolved

    def _reply(self, p: _Person, topic: str, agent: _Agent) -> str:
        rng = self.rng
        quality = "weak" if rng.random() < 0.18 else "good"
        if quality == "good" and topic in data.APOLOGY_TOPICS:
            quality = "apology"
        template = rng.choice(data.REPLIES[quality][p.lang])
        return template.format_map(
            {
                **p.ctx,
                "subject": data.REPLY_SUBJECTS[p.lang].get(
                    topic, data.REPLY_SUBJECTS[p.lang]["general"]
                ),
                "answer": data.REPLY_ANSWERS[p.lang].get(
                    topic, data.REPLY_ANSWERS[p.lang]["general"]
                ),
                "agent": agent.first,
            }
        )

    def _complaint(self, p: _Person, topic: str, at: datetime, **extra: Any) -> None:
        rng = self.rng
        extra.setdefault("month", self._month_name(p, at - timedelta(days=12)))
        text = self._text(topic, "complaint", p, **extra)
        key = "letter_customer" if p.preferred == "letter" else "web_complaint_form"
        when = self._at(at.date(), "web" if key != "letter_customer" else "mail")
        self._add(
            p,
            when,
            key,
            "complaint",
            text=text,
            props={"demo_topic": topic, "severity": rng.choice(("low", "medium", "high"))},
        )
        if rng.random() < 0.75:
            agent = self._agent("beschwerdemanagement", p)
            follow = self._at((when + timedelta(days=rng.randrange(1, 8))).date(), "office")
            self._add(
                p,
                follow,
                "call_callback",
                "call",
                "out",
                employee=agent,
                text=self._text("complaint_followup", "call_note", p),
                props={"duration_s": rng.randrange(120, 900), "demo_topic": topic},
            )

    def _social(self, p: _Person, topic: str, at: datetime, **extra: Any) -> None:
        rng = self.rng
        form_topic = topic if "social" in data.TEXTS[topic] else "generic"
        key = "social_x" if rng.random() < 0.65 else "social_facebook"
        tail = rng.choice(data.SOCIAL_TAILS[p.lang])
        text = self._text(form_topic, "social", p, **extra) + tail
        when = self._at(at.date(), "web")
        self._add(
            p,
            when,
            key,
            "social_post",
            text=text,
            props={"public": True, "demo_topic": form_topic, "likes": int(rng.expovariate(1 / 6))},
        )
        if rng.random() < 0.8:
            agent = self._agent("kundenservice", p)
            initials = agent.first[:2].upper()
            reply = rng.choice(data.SOCIAL_REPLIES[p.lang][:2]).format(
                first=p.first, initials=initials
            )
            self._add(
                p,
                when + timedelta(minutes=rng.randrange(10, 600)),
                key,
                "social_post",
                "out",
                employee=agent,
                text=reply,
                props={"public": True},
            )

    def _praise(self, p: _Person, at: datetime) -> None:
        rng = self.rng
        agent = self._agent("kundenservice", p)
        if rng.random() < 0.5:
            tail = rng.choice(data.PRAISE_SOCIAL_TAILS[p.lang])
            text = self._text("praise", "social", p, agent=agent.first) + tail
            self._add(
                p,
                self._at(at.date(), "web"),
                "social_x",
                "social_post",
                text=text,
                props={"public": True, "demo_topic": "praise"},
            )
        else:
            text = self._written_by_customer("praise", "email_in", p, agent=agent.first)
            self._add(
                p,
                self._at(at.date(), "web"),
                "email_service",
                "email",
                text=text,
                props={"subject": "Lob" if p.lang == "de" else "Thank you", "demo_topic": "praise"},
            )

    def _dropped_calls(self, p: _Person, end: datetime) -> None:
        """The moment of truth: calls drop on the faulty model; a promised call back, or not."""
        rng = self.rng
        assert p.device is not None
        if rng.random() > 0.6:
            return
        bought = datetime.combine(p.device.bought_on, time(8), UTC) + timedelta(days=7)
        first = max(self.fault_start, bought)
        if first >= end:
            return
        # Most reports come soon after the faulty software reached the device.
        offset = min(rng.expovariate(1 / 25), (end - first).days)
        at = first + timedelta(days=offset)
        meta = {"demo_topic": "dropped_calls", "model": data.FAULTY_MODEL}
        for attempt in range(3):
            if at >= end:
                return
            channel = rng.choices(("phone", "chat", "email", "store", "app"), (65, 10, 10, 10, 5))[
                0
            ]
            when = self._contact_dropped(p, channel, at, repeat=attempt > 0, meta=meta)
            if when >= self.fix_known:
                self._callback(p, when + timedelta(days=1), meta)
                return
            # The maker has not answered yet, so the promised call back does not come.
            at = when + timedelta(days=rng.randrange(2, 12))
            if rng.random() < 0.35:
                self._complaint(p, "dropped_calls", at)
            if rng.random() < 0.25:
                self._social(p, "dropped_calls", at + timedelta(hours=rng.randrange(1, 48)))
            if at >= self.fix_known:
                break
        # Once the maker confirms the fault, agents call back most of those still waiting.
        later = max(self.fix_known, at) + timedelta(days=rng.randrange(0, 5))
        if later < end and rng.random() < 0.7:
            self._callback(p, later, meta)

    def _callback(self, p: _Person, at: datetime, meta: dict[str, Any]) -> None:
        rng = self.rng
        agent = self._agent("technik", p)
        callback = self._at(at.date(), "office")
        self._add(
            p,
            callback,
            "call_callback",
            "call",
            "out",
            employee=agent,
            text=self._text("dropped_calls", "callback_note", p),
            props={
                "duration_s": rng.randrange(600, 1800),
                "goodwill_minutes": GOODWILL_MINUTES,
                "resolved": True,
                **meta,
            },
        )
        if rng.random() < 0.2:
            self._praise(p, callback + timedelta(days=rng.randrange(0, 3)))

    def _contact_dropped(
        self, p: _Person, channel: str, at: datetime, *, repeat: bool, meta: dict[str, Any]
    ) -> datetime:
        rng = self.rng
        if channel == "phone":
            when = self._at(at.date(), "office")
            self._add(
                p,
                when,
                "hotline_ivr",
                "call",
                props={"duration_s": rng.randrange(30, 150), "ivr_choice": "technik"},
            )
            wait = self._wait(when)
            agent = self._agent("technik", p)
            when += timedelta(seconds=90 + wait)
            self._add(
                p,
                when,
                "hotline_technical",
                "call",
                employee=agent,
                text=self._text("dropped_calls", "repeat_note" if repeat else "call_note", p),
                props={
                    "wait_s": wait,
                    "duration_s": rng.randrange(300, 1500),
                    "queue": "technik",
                    "callback_promised": True,
                    **meta,
                },
            )
        elif channel == "chat":
            when = self._at(at.date(), "office")
            agent = self._agent("kundenservice", p)
            self._add(
                p,
                when,
                "chat_web",
                "chat_message",
                employee=agent,
                text=self._text("dropped_calls", "chat", p, agent=agent.first),
                props={"bot": False, "messages": rng.randrange(4, 16), **meta},
            )
        elif channel == "email" or (channel == "app" and not p.app_user):
            when = self._at(at.date(), "web")
            self._add(
                p,
                when,
                "email_service",
                "email",
                text=self._written_by_customer("dropped_calls", "email_in", p),
                props={
                    "subject": "Anrufe brechen ab" if p.lang == "de" else "Dropped calls",
                    **meta,
                },
            )
            agent = self._agent("technik", p)
            self._add(
                p,
                when + timedelta(hours=rng.randrange(3, 72)),
                "email_service",
                "email",
                "out",
                employee=agent,
                text=self._reply(p, "dropped_calls", agent),
                props=meta,
            )
        elif channel == "store":
            when = self._at(at.date(), "store")
            agent = self._agent("shops", p)
            self._add(
                p,
                when,
                f"shop_{p.shop}",
                "visit",
                employee=agent,
                text=self._text("dropped_calls", "shop_note", p),
                props={"duration_s": rng.randrange(600, 2400), **meta},
            )
        else:
            when = self._at(at.date(), "web")
            self._add(
                p,
                when,
                "app_support",
                "app_event",
                text=self._text("dropped_calls", "email_in", p),
                props={"event": "fault_report", **meta},
            )
        return when

    # -- everyday use ------------------------------------------------------------------------------

    def _usage(self, p: _Person, day: date) -> None:
        rng = self.rng
        roll = rng.random()
        if p.app_user and roll < 0.55:
            at = self._at(day, "web")
            for _ in range(rng.randrange(1, 4)):
                self._add(
                    p,
                    at,
                    "app_home",
                    "app_event",
                    props={
                        "event": rng.choice(data.APP_EVENTS),
                        "session_s": rng.randrange(10, 400),
                    },
                )
                at += timedelta(seconds=rng.randrange(20, 300))
        elif roll < 0.8:
            pages = ["web_login"]
            pages += rng.choices(
                ("web_portal_invoices", "web_portal_contract", "web_help", "web_network_status"),
                (5, 3, 3, 1),
                k=rng.randrange(1, 4),
            )
            end = self._session(p, self._at(day, "web"), pages)
            if rng.random() < 0.1:
                self._search(p, end)
        else:
            pages = ["web_home"]
            pages += rng.choices(
                (
                    "web_tariffs_mobile",
                    "web_shop_devices",
                    "web_product_page",
                    "web_forum",
                    "web_help",
                    "web_tariffs_dsl",
                    "web_review_site",
                ),
                (3, 3, 2, 2, 2, 1, 1),
                k=rng.randrange(1, 4),
            )
            end = self._session(p, self._at(day, "web"), pages)
            if rng.random() < 0.2:
                self._search(p, end)


def _department(queue: str) -> str:
    return {
        "hotline_billing": "abrechnung",
        "hotline_technical": "technik",
        "hotline_sales": "vertrieb",
    }.get(queue, "kundenservice")


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k
