"""Operational rows for the analytics tests (builders only; no tests in this module).

A small world whose KPIs are easy to compute by hand:

hotline (stage service, department kundenservice), shop (stage purchase, department vertrieb);
customers c1 (tier gold), c2 (tier silver), c3 (tier gold);
holdings: c1 Smartphone Modell X since 2025-01-01, c2 Smartphone Modell X since 2026-02-10,
c3 Tablet T 2025-06-01 .. 2026-01-20.

NPS answers (survey "after-call"):
  January 2026, hotline: 10 9 8 7 6 0 (c1 c2 c3 c1 c2 c3) → 2 P, 2 passive, 2 D → NPS 0
  February 2026, hotline: 10 10 9 6 (c1 c2 c1 c3)          → 3 P, 1 D        → NPS 50
  January 2026, shop: 9 9 9 (c1 c2 c3)                     → NPS 100
CSAT (February, hotline): 5 4 3 2 → 50 %; CES (February, hotline): 7 6 5 2 → mean 5, 75 % agree.
Every response also has a free-text comment, which must never reach the analytical store.
Invitations (February, hotline): 4 sent, 2 responded, 1 scheduled (not sent) → 50 %.
Complaints: February, c1, hotline, Smartphone Modell X, topic battery; February, c2, shop,
Smartphone Modell X, topic billing; a February review (not a complaint).
Interactions at the hotline: 3 in January, 4 in February.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cxm.accounts.models import Department
from cxm.customers.models import Customer, Holding
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from cxm.touchpoints.models import Touchpoint
from tests import factories

JAN = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 12, 12, 0, tzinfo=UTC)
QUESTIONS = [
    {"key": "nps", "type": "nps", "text_de": "Empfehlen?", "text_en": "Recommend?"},
    {"key": "csat", "type": "csat", "text_de": "Zufrieden?", "text_en": "Satisfied?"},
    {"key": "ces", "type": "ces", "text_de": "Einfach?", "text_en": "Easy?"},
    {"key": "comment", "type": "text", "text_de": "Warum?", "text_en": "Why?"},
]
SECRET_COMMENT = "Herr Meier, Tel. 0151 2345678, war unfreundlich"


@dataclass
class World:
    now: datetime
    hotline: Touchpoint
    shop: Touchpoint
    customers: dict[str, Customer]
    survey: Survey
    version: SurveyVersion
    responses: list[SurveyResponse] = field(default_factory=list)


def build_world(db: Session, *, now: datetime) -> World:
    """The world described in the module docstring, flushed into `db`."""
    for key, name in (("kundenservice", "Kundenservice"), ("vertrieb", "Vertrieb")):
        db.add(Department(key=key, name=name, created_at=now, updated_at=now))
    db.flush()
    hotline = factories.touchpoint(
        db, now=now, key="hotline", stage="service", department="kundenservice"
    )
    shop = factories.touchpoint(
        db, now=now, key="shop", name_de="Shop", name_en="Shop", channel="store",
        stage="purchase", department="vertrieb",
    )  # fmt: skip
    people = {
        "c1": factories.customer(db, now=now, attributes={"tier": "gold", "note": "x" * 200}),
        "c2": factories.customer(db, now=now, attributes={"tier": "silver"}),
        "c3": factories.customer(db, now=now, attributes={"tier": "gold"}),
    }
    holding(db, people["c1"], "Smartphone Modell X", date(2025, 1, 1), None, now=now)
    holding(db, people["c2"], "Smartphone Modell X", date(2026, 2, 10), None, now=now)
    holding(db, people["c3"], "Tablet T", date(2025, 6, 1), date(2026, 1, 20), now=now)
    survey = Survey(key="after-call", name="After the call", status="live", created_at=now,
                    updated_at=now)  # fmt: skip
    db.add(survey)
    db.flush()
    version = SurveyVersion(
        survey_id=survey.id, number=1, title_de="t", title_en="t", questions=QUESTIONS,
        created_at=now,
    )  # fmt: skip
    db.add(version)
    db.flush()
    survey.current_version_id = version.id
    w = World(now, hotline, shop, people, survey, version)

    c1, c2, c3 = (people[k] for k in ("c1", "c2", "c3"))
    for i, (score, who) in enumerate(
        zip([10, 9, 8, 7, 6, 0], [c1, c2, c3, c1, c2, c3], strict=True)
    ):
        respond(db, w, at=JAN + timedelta(hours=i), touchpoint=hotline, customer=who,
                scores={"nps": score})  # fmt: skip
    feb = zip([10, 10, 9, 6], [5, 4, 3, 2], [7, 6, 5, 2], [c1, c2, c1, c3], strict=True)
    for i, (nps, csat, ces, who) in enumerate(feb):
        respond(db, w, at=FEB + timedelta(hours=i), touchpoint=hotline, customer=who,
                scores={"nps": nps, "csat": csat, "ces": ces})  # fmt: skip
    for i, who in enumerate([c1, c2, c3]):
        respond(db, w, at=JAN + timedelta(hours=i), touchpoint=shop, customer=who,
                scores={"nps": 9})  # fmt: skip

    for i, (who, responded) in enumerate([(c1, True), (c2, True), (c3, False), (c1, False)]):
        invitation(db, w, who, sent_at=FEB + timedelta(hours=i), responded=responded)
    invitation(db, w, c2, sent_at=None, responded=False)

    complaint(db, at=FEB, customer=c1, touchpoint=hotline, model="Smartphone Modell X",
              topic="battery")  # fmt: skip
    complaint(db, at=FEB + timedelta(days=1), customer=c2, touchpoint=shop,
              model="Smartphone Modell X", topic="billing")  # fmt: skip
    complaint(db, at=FEB, customer=c3, touchpoint=hotline, model=None, topic=None,
              source="review")  # fmt: skip
    for i in range(3):
        interaction(db, c1, hotline, at=JAN + timedelta(days=i))
    for i in range(4):
        interaction(db, c2, hotline, at=FEB + timedelta(days=i))
    db.flush()
    return w


def synced_store(engine: Engine, path: Path, *, now: datetime) -> Path:
    """Builds the world in a transaction of its own, syncs it into `path`, rolls it back: a
    store that read-only tests of a module can share."""
    conn = engine.connect()
    outer = conn.begin()
    db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        build_world(db, now=now)
        from cxm.analytics import sync

        sync.sync(db, duckdb_path=path, now=now)
    finally:
        db.close()
        outer.rollback()
        conn.close()
    return path


def holding(
    db: Session, customer: Customer, model: str, started: date, ended: date | None, *,
    now: datetime,
) -> Holding:  # fmt: skip
    h = Holding(
        customer_id=customer.id, product_code="P-" + model[:3], product_name=model, model=model,
        started_on=started, ended_on=ended, created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(h)
    db.flush()
    return h


def respond(
    db: Session,
    w: World,
    *,
    at: datetime,
    touchpoint: Touchpoint,
    customer: Customer | None,
    scores: dict[str, int],
    invitation_id: uuid.UUID | None = None,
) -> SurveyResponse:
    r = SurveyResponse(
        survey_id=w.survey.id, version_id=w.version.id, invitation_id=invitation_id,
        customer_id=customer.id if customer else None, touchpoint_id=touchpoint.id,
        channel="link", language="de", submitted_at=at,
    )  # fmt: skip
    db.add(r)
    db.flush()
    for key, score in scores.items():
        db.add(SurveyAnswer(response_id=r.id, question_key=key, type=key, score=score))
    db.add(SurveyAnswer(response_id=r.id, question_key="comment", type="text",
                        text=SECRET_COMMENT))  # fmt: skip
    db.flush()
    w.responses.append(r)
    return r


def invitation(
    db: Session, w: World, customer: Customer, *, sent_at: datetime | None, responded: bool
) -> SurveyInvitation:
    send_at = sent_at or w.now
    inv = SurveyInvitation(
        survey_id=w.survey.id, version_id=w.version.id, customer_id=customer.id,
        touchpoint_id=w.hotline.id, channel="email", language="de",
        status="responded" if responded else ("sent" if sent_at else "scheduled"),
        created_at=send_at, send_at=send_at, sent_at=sent_at,
        expires_at=send_at + timedelta(days=14),
        responded_at=sent_at + timedelta(hours=1) if responded and sent_at else None,
    )  # fmt: skip
    db.add(inv)
    db.flush()
    return inv


def complaint(
    db: Session,
    *,
    at: datetime,
    customer: Customer,
    touchpoint: Touchpoint,
    model: str | None,
    topic: str | None,
    source: str = "complaint",
) -> Feedback:
    props: dict[str, Any] = {"topic": topic} if topic else {}
    f = Feedback(
        source=source, customer_id=customer.id, touchpoint_id=touchpoint.id, occurred_at=at,
        text=SECRET_COMMENT, product_model=model, properties=props,
    )  # fmt: skip
    db.add(f)
    db.flush()
    return f


def interaction(
    db: Session, customer: Customer, touchpoint: Touchpoint, *, at: datetime, **kw: Any
) -> Interaction:
    i = Interaction(
        customer_id=customer.id, touchpoint_id=touchpoint.id, channel="phone", direction="in",
        type="call", occurred_at=at, text=SECRET_COMMENT, **kw,
    )  # fmt: skip
    db.add(i)
    db.flush()
    return i
