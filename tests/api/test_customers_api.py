import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from tests.api.conftest import Auth


def _create(client: TestClient, headers: dict[str, str], **fields: object) -> dict:
    body = {"salutation": "ms", "first_name": "Erika", "last_name": "Weber", "language": "de"}
    body.update(fields)
    response = client.post("/api/v1/customers", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_update_a_customer(client: TestClient, admin: dict[str, str]) -> None:
    created = _create(
        client, admin, identities=[{"kind": "phone", "value": "0151 23456789"}], region="Berlin"
    )
    assert created["display_name"] == "Erika Weber"
    assert created["identities"][0]["value"] == "+4915123456789"
    got = client.get(f"/api/v1/customers/{created['id']}", headers=admin).json()
    assert got["region"] == "Berlin"
    patched = client.patch(
        f"/api/v1/customers/{created['id']}", headers=admin, json={"last_name": "Weber-Schmidt"}
    ).json()
    assert patched["display_name"] == "Erika Weber-Schmidt"
    assert patched["created_at"] <= patched["updated_at"]


def test_invalid_fields_are_422_naming_the_field(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/api/v1/customers", headers=admin, json={"language": "fr"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "language"
    bad_phone = client.post(
        "/api/v1/customers",
        headers=admin,
        json={"last_name": "X", "identities": [{"kind": "phone", "value": "abc"}]},
    )
    assert bad_phone.status_code == 422 and bad_phone.json()["field"] == "value"


def test_unknown_customer_is_404(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get(f"/api/v1/customers/{uuid.uuid4()}", headers=admin)
    assert response.status_code == 404


def test_a_taken_identity_is_409(client: TestClient, admin: dict[str, str]) -> None:
    _create(client, admin, identities=[{"kind": "email", "value": "erika@example.de"}])
    response = client.post(
        "/api/v1/customers",
        headers=admin,
        json={"last_name": "Other", "identities": [{"kind": "email", "value": "ERIKA@example.de"}]},
    )
    assert response.status_code == 409


def test_search_by_name_and_by_identity(client: TestClient, admin: dict[str, str]) -> None:
    erika = _create(
        client,
        admin,
        last_name="Sonnenschein",
        identities=[{"kind": "customer_number", "value": "K 0000 4711"}],
    )
    by_name = client.get("/api/v1/customers", headers=admin, params={"q": "sonnen"}).json()
    assert [c["id"] for c in by_name["items"]] == [erika["id"]]
    by_id = client.get(
        "/api/v1/customers",
        headers=admin,
        params={"identity_kind": "customer_number", "identity_value": "k00004711"},
    ).json()
    assert [c["id"] for c in by_id["items"]] == [erika["id"]]


def test_search_pages_with_a_cursor(client: TestClient, admin: dict[str, str]) -> None:
    ids = {_create(client, admin, last_name=f"Seitenweise{n}")["id"] for n in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "seitenweise", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/customers", headers=admin, params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 and set(seen) == ids


def test_every_profile_view_is_audited(
    client: TestClient, admin: dict[str, str], auth: Auth, db: Session
) -> None:
    erika = _create(client, admin)
    agent = auth(Role.AGENT)
    me = client.get("/api/v1/me", headers=agent).json()
    client.get(f"/api/v1/customers/{erika['id']}", headers=agent)
    client.get(f"/api/v1/customers/{erika['id']}", headers=agent)
    entries = accounts.list_audit(db, subject_type="customer", subject_id=erika["id"])
    assert [str(e.user_id) for e in entries] == [me["id"], me["id"]]
    assert all(e.action == "customer.view" for e in entries)
    listed = client.get("/api/v1/audit", headers=admin, params={"subject_id": erika["id"]})
    assert len(listed.json()) == 2
    assert client.get("/api/v1/audit", headers=agent).status_code == 403


def test_holdings_and_owners_of_a_model(client: TestClient, admin: dict[str, str]) -> None:
    erika = _create(client, admin)
    holding = {
        "product_code": "SM-X",
        "product_name": "Smartphone Modell X",
        "model": "Modell X",
        "serial": "SN1",
    }
    created = client.post(f"/api/v1/customers/{erika['id']}/holdings", headers=admin, json=holding)
    assert created.status_code == 201
    owners = client.get(
        "/api/v1/customers/by-holding", headers=admin, params={"model": "Modell X"}
    ).json()
    assert [c["id"] for c in owners["items"]] == [erika["id"]]
    bad = client.post(
        f"/api/v1/customers/{erika['id']}/holdings",
        headers=admin,
        json={**holding, "started_on": "2026-02-01", "ended_on": "2026-01-01"},
    )
    assert bad.status_code == 422


def test_merge_through_the_api(client: TestClient, admin: dict[str, str]) -> None:
    a, b = _create(client, admin), _create(client, admin, last_name="Doppelt")
    merged = client.post(
        "/api/v1/customers/merge",
        headers=admin,
        json={"survivor_id": a["id"], "merged_id": b["id"]},
    )
    assert merged.status_code == 201
    assert client.get(f"/api/v1/customers/{b['id']}", headers=admin).json()["id"] == a["id"]
    again = client.post(
        "/api/v1/customers/merge",
        headers=admin,
        json={"survivor_id": a["id"], "merged_id": b["id"]},
    )
    assert again.status_code == 409
