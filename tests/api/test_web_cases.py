"""The case pages and notices in the web application: queue, case page, transitions with CSRF,
promises, checks, the reply composer, roles, escaping; the 360 shows open cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.cases import services as cases
from cxm.customers import services as customers
from cxm.shared.clock import FixedClock
from tests import factories

PASSWORD = "richtig-geheim"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


def _login_as(client: TestClient, db: Session, role: Role) -> None:
    user = factories.user(db, role=role)
    accounts.set_password(db, user.id, PASSWORD)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.fixture
def case(db: Session, clock: FixedClock) -> Any:
    customer = factories.customer(
        db,
        now=clock.now(),
        salutation="ms",
        last_name="Weber",
        identities=[{"kind": "email", "value": "anna.weber@example.com"}],
    )
    customers.add_holding(
        db,
        customer.id,
        now=clock.now(),
        product_code="SMX",
        product_name="Smartphone Modell X",
        model="Smartphone Modell X",
    )
    return cases.open_case(
        db,
        customer_id=customer.id,
        subject="Gespräche brechen ab <script>alert(1)</script>",
        description="Warum brechen meine Gespräche ständig ab?",
        topic="network",
        now=clock.now(),
        calendar_code="DE-BE",
    ).case


def test_the_queue_lists_the_case_with_its_clocks_escaped(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    page = client.get("/app/cases")
    assert page.status_code == 200
    assert case.reference in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "sla-running" in page.text
    assert 'data-testid="priority-customer"' not in page.text


def test_the_queue_marks_a_priority_customer(
    client: TestClient, db: Session, case: Any, clock: FixedClock
) -> None:
    from cxm.segments.models import CustomerScore

    db.add(
        CustomerScore(
            customer_id=case.customer_id,
            clv=1200.0,
            value_tier="high",
            churn_risk=0.5,
            experience="at_risk",
            category="priority",
            computed_at=clock.now(),
        )
    )
    db.commit()
    _login_as(client, db, Role.AGENT)
    page = client.get("/app/cases")
    assert page.status_code == 200
    assert 'data-testid="priority-customer"' in page.text
    assert "Prioritätskunde" in page.text


def test_an_agent_moves_the_case_on_and_an_illegal_move_is_explained(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    page = client.get(f"/app/cases/{case.id}")
    token = _csrf(page.text)
    moved = client.post(
        f"/app/cases/{case.id}/transition",
        data={"csrf": token, "to": "in_progress"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert "in Bearbeitung" in client.get(moved.headers["location"]).text
    illegal = client.post(f"/app/cases/{case.id}/transition", data={"csrf": token, "to": "new"})
    assert illegal.status_code == 409
    assert "cannot go from in_progress to new" in illegal.text
    forged = client.post(f"/app/cases/{case.id}/transition", data={"csrf": "x", "to": "closed"})
    assert forged.status_code == 400
    unresolved = client.post(
        f"/app/cases/{case.id}/transition", data={"csrf": token, "to": "resolved"}
    )
    assert unresolved.status_code == 422
    resolved = client.post(
        f"/app/cases/{case.id}/transition",
        data={
            "csrf": token,
            "to": "resolved",
            "root_cause": "device_software",
            "goodwill": "100 Freiminuten",
            "goodwill_value_eur": "5,00",
        },
    )
    assert resolved.status_code == 200 and "100 Freiminuten" in resolved.text


def test_promises_checks_and_notes_from_the_case_page(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    token = _csrf(client.get(f"/app/cases/{case.id}").text)
    promised = client.post(
        f"/app/cases/{case.id}/promise",
        data={"csrf": token, "description": "Rückruf bis morgen 12 Uhr", "due": "2026-03-03T12:00"},
    )
    assert promised.status_code == 200 and "Rückruf bis morgen 12 Uhr" in promised.text
    (promise,) = cases.promises_of(db, case.id)
    assert promise.due_at.isoformat() == "2026-03-03T11:00:00+00:00"  # 12:00 Berlin in winter
    checked = client.post(
        f"/app/cases/{case.id}/check",
        data={
            "csrf": token,
            "party": "Hersteller",
            "question": "Softwarefehler bekannt?",
            "due": "2026-03-05T12:00",
        },
    )
    assert "Hersteller" in checked.text
    noted = client.post(
        f"/app/cases/{case.id}/note",
        data={"csrf": token, "text": "Kein Netzfehler am Wohnort"},
    )
    assert "Kein Netzfehler am Wohnort" in noted.text
    bad_date = client.post(
        f"/app/cases/{case.id}/promise",
        data={"csrf": token, "description": "x", "due": "morgen"},
    )
    assert bad_date.status_code == 422


def test_the_reply_composer_shows_quality_hints_then_sends(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    token = _csrf(client.get(f"/app/cases/{case.id}").text)
    checked = client.post(
        f"/app/cases/{case.id}/reply",
        data={"csrf": token, "body": "Sehr geehrte Damen und Herren, ok.", "action": "check"},
    )
    assert checked.status_code == 200
    assert 'data-testid="reply-quality"' in checked.text
    assert "Frau Weber" in checked.text  # the hint suggests the personal salutation
    sent = client.post(
        f"/app/cases/{case.id}/reply",
        data={
            "csrf": token,
            "action": "send",
            "body": "Guten Tag, Frau Weber, die Abbrüche kommen von einem Softwarefehler.",
        },
    )
    assert sent.status_code == 200 and "agent_reply" in sent.text


def test_analysts_see_cases_without_forms_and_agents_cannot_send_notices(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.ANALYST)
    page = client.get(f"/app/cases/{case.id}")
    assert page.status_code == 200
    assert "/transition" not in page.text
    client.post("/logout", data={"csrf": _csrf(page.text)})
    _login_as(client, db, Role.AGENT)
    assert client.get("/app/notices").status_code == 403
    assert 'href="/app/notices"' not in client.get("/app").text


def test_a_manager_previews_and_sends_a_notice_from_the_browser(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    empty = client.get("/app/notices")
    assert "Noch keine Hinweise" in empty.text
    created = client.post(
        "/app/notices",
        data={
            "csrf": _csrf(empty.text),
            "product_model": "Smartphone Modell X",
            "title_de": "Update für Modell X",
            "title_en": "Update for Modell X",
            "body_de": "Ein Softwarefehler lässt Gespräche abbrechen.",
            "body_en": "A software fault drops calls.",
            "update_link": "https://lindenfunk.example/update",
        },
    )
    assert created.status_code == 200
    assert re.search(r'data-testid="holders">1<', created.text)
    sent = client.post(str(created.url) + "/send", data={"csrf": _csrf(created.text)})
    assert sent.status_code == 200 and "sent" in sent.text


def test_the_customer_360_shows_open_cases_with_sla_clocks(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    page = client.get(f"/app/customers/{case.customer_id}")
    assert 'data-testid="customer-cases"' in page.text
    assert case.reference in page.text and "sla-running" in page.text


def test_an_agent_opens_a_case_from_the_customer_360(
    client: TestClient, db: Session, case: Any
) -> None:
    _login_as(client, db, Role.AGENT)
    page = client.get(f"/app/customers/{case.customer_id}")
    opened = client.post(
        f"/app/customers/{case.customer_id}/cases",
        data={
            "csrf": _csrf(page.text),
            "subject": "Rechnung doppelt abgebucht",
            "category": "billing",
            "priority": "high",
            "topic": "billing",
        },
    )
    assert opened.status_code == 200
    assert "Rechnung doppelt abgebucht" in opened.text
    assert len(cases.cases_of_customer(db, case.customer_id)) == 2
    bad = client.post(
        f"/app/customers/{case.customer_id}/cases",
        data={"csrf": _csrf(page.text), "subject": "x", "category": "nonsense"},
    )
    assert bad.status_code == 422


def test_a_manager_addresses_a_notice_to_a_segment_from_the_browser(
    client: TestClient, db: Session, clock: FixedClock, case: Any
) -> None:
    from cxm.segments import services as segments

    outsider = factories.customer(
        db, now=clock.now(), identities=[{"kind": "email", "value": "o@example.com"}]
    )
    customers.add_holding(
        db,
        outsider.id,
        now=clock.now(),
        product_code="SMX",
        product_name="Smartphone Modell X",
        model="Smartphone Modell X",
    )
    segment = segments.create_segment(
        db,
        name="<i>Weber</i>",
        rule={"field": "region", "op": "eq", "value": "Nord"},
        now=clock.now(),
    )
    customer = db.get(type(outsider), case.customer_id)
    assert customer is not None
    customer.region = "Nord"
    db.flush()
    _login_as(client, db, Role.CX_MANAGER)
    form = client.get("/app/notices")
    assert f'<option value="{segment.id}"' in form.text
    assert "&lt;i&gt;Weber&lt;/i&gt;" in form.text and "<i>Weber</i>" not in form.text
    fields = {
        "csrf": _csrf(form.text),
        "title_de": "Update",
        "title_en": "Update",
        "body_de": "Text",
        "body_en": "Text",
    }
    nobody = client.post("/app/notices", data=fields)
    assert nobody.status_code == 422 and "Geben Sie ein Modell, ein Segment" in nobody.text
    unknown = client.post("/app/notices", data={**fields, "segment_id": "kein-segment"})
    assert unknown.status_code == 422 and "Dieses Segment gibt es nicht" in unknown.text
    created = client.post(
        "/app/notices",
        data={**fields, "product_model": "Smartphone Modell X", "segment_id": str(segment.id)},
    )
    assert created.status_code == 200
    assert re.search(r'data-testid="holders">1<', created.text)
    assert "Empfänger" in created.text and "&lt;i&gt;Weber&lt;/i&gt;" in created.text
    sent = client.post(str(created.url) + "/send", data={"csrf": _csrf(created.text)})
    assert sent.status_code == 200 and 'data-testid="rule-as-sent"' in sent.text
