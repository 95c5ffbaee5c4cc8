from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.shared.clock import FixedClock
from tests import factories
from tests.api.conftest import Auth


def test_feedback_is_linked_by_identity_and_idempotent(
    client: TestClient, auth: Auth, db: Session, clock: FixedClock
) -> None:
    customer = factories.customer(
        db, now=clock.now(), identities=[{"kind": "phone", "value": "0171 2345678"}]
    )
    agent = auth(Role.AGENT)
    body = {
        "source": "complaint",
        "text": "Anrufe brechen ständig ab!",
        "occurred_at": "2026-03-01T10:00:00+01:00",
        "identities": [{"kind": "phone", "value": "+49 171 2345678"}],
        "external_id": "crm-1",
        "product_model": "Smartphone Modell X",
    }
    first = client.post("/api/v1/feedback", headers=agent, json=body)
    assert first.status_code == 201 and first.json()["customer_id"] == str(customer.id)
    again = client.post("/api/v1/feedback", headers=agent, json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = client.get(
        "/api/v1/feedback", headers=agent, params={"source": "complaint", "q": "brechen"}
    ).json()
    assert [f["id"] for f in listed["items"]] == [first.json()["id"]]


def test_anonymous_feedback_stays_anonymous_and_bad_ratings_are_422(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = {
        "source": "review",
        "text": "Great shop",
        "occurred_at": "2026-03-01T10:00:00Z",
        "identities": [{"kind": "email", "value": "nobody@example.com"}],
        "rating": 5,
    }
    created = client.post("/api/v1/feedback", headers=admin, json=body)
    assert created.status_code == 201 and created.json()["customer_id"] is None
    bad = client.post("/api/v1/feedback", headers=admin, json={**body, "rating": 7})
    assert bad.status_code == 422 and bad.json()["field"] == "rating"
    naive = client.post(
        "/api/v1/feedback", headers=admin, json={**body, "occurred_at": "2026-03-01T10:00:00"}
    )
    assert naive.status_code == 422


def test_analysts_cannot_record_feedback(client: TestClient, auth: Auth) -> None:
    body = {"source": "review", "text": "x", "occurred_at": "2026-03-01T10:00:00Z"}
    assert client.post("/api/v1/feedback", headers=auth(Role.ANALYST), json=body).status_code == 403
