"""The cases and outreach API: status codes, errors with fields, roles, the closed loop."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.shared.clock import FixedClock
from tests import factories
from tests.conftest import Auth


def _customer(client: TestClient, admin: dict[str, str], email: str = "weber@example.com") -> str:
    response = client.post(
        "/api/v1/customers",
        headers=admin,
        json={
            "salutation": "ms",
            "first_name": "Anna",
            "last_name": "Weber",
            "identities": [{"kind": "email", "value": email}],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _open(client: TestClient, headers: dict[str, str], customer_id: str, **kw: object) -> dict:
    body = {"customer_id": customer_id, "subject": "Gespräche brechen ab", "topic": "network"}
    body.update(kw)
    return client.post("/api/v1/cases", headers=headers, json=body)  # type: ignore[return-value]


def test_opening_a_case_returns_201_and_a_duplicate_joins_it_with_200(
    client: TestClient, admin: dict[str, str], auth: Auth
) -> None:
    agent = auth(Role.AGENT)
    customer_id = _customer(client, admin)
    first = _open(client, agent, customer_id)
    assert first.status_code == 201, first.text
    assert first.json()["duplicate"] is False
    assert first.json()["reference"].startswith("CASE-")
    again = _open(client, agent, customer_id, subject="Schon wieder")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["duplicate"] is True


def test_the_acknowledgement_is_sent_at_once_on_case_creation(
    client: TestClient, admin: dict[str, str]
) -> None:
    customer_id = _customer(client, admin)
    case = _open(client, admin, customer_id).json()
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=admin).json()
    assert detail["case"]["status"] == "acknowledged"
    messages = client.get(f"/api/v1/messages?case_id={case['id']}", headers=admin).json()
    assert [(m["kind"], m["status"]) for m in messages] == [("case_acknowledgement", "sent")]
    assert "Guten Tag, Frau Weber" in messages[0]["body"]


def test_bad_input_names_the_field(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/api/v1/cases", headers=admin, json={"subject": "x"})
    assert response.status_code == 422
    assert "customer_id" in response.text
    unknown = _open(client, admin, "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404


def test_an_illegal_transition_is_409_with_the_allowed_ones_and_resolve_needs_a_root_cause(
    client: TestClient, admin: dict[str, str]
) -> None:
    case = _open(client, admin, _customer(client, admin)).json()
    url = f"/api/v1/cases/{case['id']}/transitions"
    conflict = client.post(url, headers=admin, json={"to": "closed"})
    assert conflict.status_code == 409
    assert conflict.json()["field"] == "status"
    assert "in_progress" in conflict.json()["allowed"]
    missing = client.post(url, headers=admin, json={"to": "resolved"})
    assert missing.status_code == 422 and missing.json()["field"] == "root_cause"
    done = client.post(
        url,
        headers=admin,
        json={"to": "resolved", "root_cause": "device_software", "goodwill": "100 Freiminuten"},
    )
    assert done.status_code == 200
    assert done.json()["case"]["status"] == "resolved"
    assert done.json()["allowed_transitions"] == ["in_progress", "closed"]


def test_analysts_read_cases_but_cannot_work_them(
    client: TestClient, admin: dict[str, str], auth: Auth
) -> None:
    analyst = auth(Role.ANALYST)
    case = _open(client, admin, _customer(client, admin)).json()
    assert client.get("/api/v1/cases", headers=analyst).status_code == 200
    moved = client.post(
        f"/api/v1/cases/{case['id']}/transitions", headers=analyst, json={"to": "in_progress"}
    )
    assert moved.status_code == 403
    agent = auth(Role.AGENT)
    notice = client.post(
        "/api/v1/notices",
        headers=agent,
        json={
            "product_model": "X",
            "title_de": "t",
            "title_en": "t",
            "body_de": "b",
            "body_en": "b",
        },
    )
    assert notice.status_code == 403


def test_promises_checks_and_the_queue_with_sla_clocks(
    client: TestClient, admin: dict[str, str], clock: FixedClock
) -> None:
    case = _open(client, admin, _customer(client, admin)).json()
    due = (clock.now() + timedelta(hours=24)).isoformat()
    promise = client.post(
        f"/api/v1/cases/{case['id']}/promises",
        headers=admin,
        json={"description": "Rückruf innerhalb von 24 h", "due_at": due},
    )
    assert promise.status_code == 201 and promise.json()["state"] == "pending"
    naive = client.post(
        f"/api/v1/cases/{case['id']}/promises",
        headers=admin,
        json={"description": "x", "due_at": "2026-03-03T12:00:00"},
    )
    assert naive.status_code == 422
    check = client.post(
        f"/api/v1/cases/{case['id']}/checks",
        headers=admin,
        json={"party": "Hersteller", "question": "Softwarefehler bekannt?", "due_at": due},
    )
    assert check.status_code == 201
    answered = client.post(
        f"/api/v1/checks/{check.json()['id']}/answer", headers=admin, json={"answer": "Ja"}
    )
    assert answered.json()["status"] == "answered"
    kept = client.post(f"/api/v1/promises/{promise.json()['id']}/keep", headers=admin)
    assert kept.json()["state"] == "kept"
    queue = client.get("/api/v1/cases", headers=admin).json()
    (item,) = queue["items"]
    assert {c["kind"] for c in item["clocks"]} == {
        "acknowledgement",
        "first_response",
        "resolution",
    }
    assert item["customer_name"]
    report = client.get("/api/v1/reports/promises", headers=admin).json()
    assert sum(r["kept"] for r in report) == 1


def test_the_reply_check_scores_a_draft_with_hints(
    client: TestClient, admin: dict[str, str]
) -> None:
    case = _open(
        client, admin, _customer(client, admin), description="Warum brechen meine Gespräche ab?"
    ).json()
    check = client.post(
        "/api/v1/replies/check",
        headers=admin,
        json={"case_id": case["id"], "body": "Sehr geehrte Damen und Herren, ok."},
    )
    assert check.status_code == 200, check.text
    result = check.json()
    assert 0 <= result["score"] < 70
    assert any(h["key"] == "salutation" for h in result["hints"])
    reply = client.post(
        f"/api/v1/cases/{case['id']}/replies",
        headers=admin,
        json={"body": "Guten Tag, Frau Weber, die Abbrüche kommen von einem Softwarefehler."},
    )
    assert reply.status_code == 201
    assert reply.json()["message"]["kind"] == "agent_reply"
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=admin).json()
    assert detail["case"]["first_response_at"] is not None


def test_a_notice_is_previewed_then_sent_to_the_holders(
    client: TestClient, admin: dict[str, str], db: Session, clock: FixedClock
) -> None:
    for n in range(2):
        customer_id = _customer(client, admin, email=f"x{n}@example.com")
        holding = client.post(
            f"/api/v1/customers/{customer_id}/holdings",
            headers=admin,
            json={
                "product_code": "SMX",
                "product_name": "Smartphone Modell X",
                "model": "Modell X",
            },
        )
        assert holding.status_code == 201, holding.text
    notice = client.post(
        "/api/v1/notices",
        headers=admin,
        json={
            "product_model": "Modell X",
            "title_de": "Update für Modell X",
            "title_en": "Update for Modell X",
            "body_de": "Ein Softwarefehler lässt Gespräche abbrechen.",
            "body_en": "A software fault drops calls.",
            "update_link": "https://lindenfunk.example/update",
        },
    )
    assert notice.status_code == 201, notice.text
    nid = notice.json()["id"]
    preview = client.get(f"/api/v1/notices/{nid}/preview", headers=admin).json()
    assert preview["holders"] == 2 and preview["reachable"] == 2
    sent = client.post(f"/api/v1/notices/{nid}/send", headers=admin).json()
    assert sent["by_channel"] == {"email": 2}
    messages = client.get(f"/api/v1/messages?notice_id={nid}", headers=admin).json()
    assert {m["status"] for m in messages} == {"sent"}
    assert all("https://lindenfunk.example/update" in m["body"] for m in messages)
    bad_link = client.post(
        "/api/v1/notices",
        headers=admin,
        json={
            "product_model": "X",
            "title_de": "t",
            "title_en": "t",
            "body_de": "b",
            "body_en": "b",
            "update_link": "javascript:alert(1)",
        },
    )
    assert bad_link.status_code == 422 and bad_link.json()["field"] == "update_link"
    _ = (db, clock, factories)


def test_a_template_with_an_unknown_variable_is_422_at_save(
    client: TestClient, admin: dict[str, str]
) -> None:
    bad = client.put(
        "/api/v1/templates/case_update/de",
        headers=admin,
        json={"subject": "Fall {{ case_reference }}", "body": "{{ kundennummer }}"},
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "body" and bad.json()["names"] == ["kundennummer"]
    good = client.put(
        "/api/v1/templates/case_update/de",
        headers=admin,
        json={"subject": "Fall {{ case_reference }}", "body": "{{ salutation }}, es geht voran."},
    )
    assert good.status_code == 200 and good.json()["custom"] is True


def test_a_delivery_report_marks_the_message_delivered_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    case = _open(client, admin, _customer(client, admin)).json()
    (message,) = client.get(f"/api/v1/messages?case_id={case['id']}", headers=admin).json()
    url = "/api/v1/messages/receipts"
    done = client.post(
        url, headers=admin, json={"message_id": message["id"], "status": "delivered"}
    )
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    late_failure = client.post(
        url, headers=admin, json={"message_id": message["id"], "status": "failed"}
    )
    assert late_failure.json()["status"] == "delivered"
    unknown = client.post(url, headers=admin, json={"provider_id": "nope", "status": "delivered"})
    assert unknown.status_code == 404
    wrong = client.post(url, headers=admin, json={"message_id": message["id"], "status": "queued"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "status"
