"""The customer 360: everything cxm knows about one customer, gathered across features."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.cases import services as cases
from cxm.cases.domain import PromiseState, promise_state
from cxm.cases.models import Case, Promise
from cxm.consent import services as consent
from cxm.consent.domain import ConsentState, ContactChannel, Purpose
from cxm.customers import services as customers
from cxm.customers.models import Customer
from cxm.feedback import services as feedback
from cxm.feedback.models import Feedback
from cxm.interactions import services as interactions
from cxm.interactions.models import Interaction
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse


@dataclass(frozen=True, slots=True)
class ScoreRow:
    submitted_at: datetime
    survey: str
    question: str
    type: str
    score: int | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    case: Case
    clocks: cases.CaseClocks
    promises: list[tuple[Promise, PromiseState]]


@dataclass(frozen=True, slots=True)
class Customer360:
    customer: Customer
    preferred: list[ContactChannel]
    consent: dict[Purpose, list[tuple[ContactChannel, ConsentState]]]
    scores: list[ScoreRow]
    timeline: list[tuple[Interaction, str | None]]
    next_cursor: str | None
    feedback: list[Feedback]
    cases: list[CaseRow]


def customer_360(
    db: Session,
    customer_id: uuid.UUID,
    *,
    viewer_id: uuid.UUID,
    now: datetime,
    cursor: str | None = None,
    page_size: int = 30,
) -> Customer360:
    """The 360 view of a customer (the view is written to the audit log)."""
    customer = customers.view_customer(db, customer_id, viewer_id=viewer_id, now=now)
    preferred = consent.preferred_channels(db, customer.id)
    channels = list(dict.fromkeys([*preferred, ContactChannel.EMAIL, ContactChannel.PHONE]))
    states = {
        purpose: [
            (ch, consent.check(db, customer.id, purpose=purpose, channel=ch)) for ch in channels
        ]
        for purpose in Purpose
    }
    timeline, next_cursor = interactions.timeline(db, customer.id, limit=page_size, cursor=cursor)
    items, _ = feedback.list_feedback(db, customer_id=customer.id, limit=20)
    return Customer360(
        customer=customer,
        preferred=preferred,
        consent=states,
        scores=_scores(db, customer.id),
        timeline=timeline,
        next_cursor=next_cursor,
        feedback=list(items),
        cases=_cases(db, customer.id, now=now),
    )


def _cases(db: Session, customer_id: uuid.UUID, *, now: datetime) -> list[CaseRow]:
    """The customer's cases (open first) with their SLA clocks and open promises."""
    rows = cases.cases_of_customer(db, customer_id, limit=10)
    pauses = cases.pauses_of(db, [c.id for c in rows])
    out = []
    for case in rows:
        promises = [
            (p, promise_state(p.due_at, p.kept_at, now))
            for p in cases.promises_of(db, case.id)
            if p.kept_at is None and p.cancelled_at is None
        ]
        out.append(CaseRow(case, cases.clocks(case, pauses.get(case.id, []), now=now), promises))
    return out


def _scores(db: Session, customer_id: uuid.UUID, limit: int = 50) -> list[ScoreRow]:
    rows = db.execute(
        select(SurveyResponse, Survey.name)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.customer_id == customer_id)
        .order_by(SurveyResponse.submitted_at.desc())
        .limit(limit)
    ).all()
    out: list[ScoreRow] = []
    for response, survey_name in rows:
        answers: list[SurveyAnswer] = list(response.answers)
        comment = next((a.text for a in answers if a.text), None)
        for answer in answers:
            if answer.score is not None:
                out.append(
                    ScoreRow(
                        response.submitted_at,
                        survey_name,
                        answer.question_key,
                        answer.type.value,
                        answer.score,
                        comment,
                    )
                )
    return out


def search(
    db: Session, q: str, *, limit: int = 25, cursor: str | None = None
) -> tuple[Any, str | None]:
    """Customers by name, e-mail, phone or customer number (identities match exactly)."""
    exact, _ = customers.search_customers(db, identity_value=q, limit=limit)
    if exact:
        return exact, None
    return customers.search_customers(db, q=q, limit=limit, cursor=cursor)
