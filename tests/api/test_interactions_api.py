import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from cxm.accounts.domain import Role
from tests.api.conftest import Auth

BASE = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def _customer(client: TestClient, headers: dict[str, str]) -> str:
    body = {
        "first_name": "Max",
        "last_name": "Mustermann",
        "identities": [{"kind": "email", "value": "max@example.de"}],
    }
    response = client.post("/api/v1/customers", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _event(customer_id: str, n: int, **fields: object) -> dict:
    body = {
        "customer_id": customer_id,
        "touchpoint": "hotline",
        "type": "call",
        "occurred_at": (BASE + timedelta(hours=n)).isoformat(),
        "text": f"Anruf {n}",
    }
    body.update(fields)
    return body


def test_the_same_event_id_twice_stores_one_row_and_returns_the_first(
    client: TestClient, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    first = client.post("/api/v1/interactions", headers=admin, json=_event(cid, 1, event_id="ev-1"))
    assert first.status_code == 201
    again = client.post(
        "/api/v1/interactions", headers=admin, json=_event(cid, 2, event_id="ev-1", text="changed")
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["text"] == "Anruf 1"
    assert again.json()["touchpoint"] == "hotline"
    timeline = client.get(f"/api/v1/customers/{cid}/timeline", headers=admin).json()
    assert len(timeline["items"]) == 1


def test_naive_datetimes_are_rejected_with_a_message(
    client: TestClient, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    response = client.post(
        "/api/v1/interactions",
        headers=admin,
        json=_event(cid, 1, occurred_at="2026-02-01T08:00:00"),
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][-1] == "occurred_at" and "timezone" in error["msg"]


def test_an_event_can_name_the_customer_by_identity(
    client: TestClient, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    body = _event(cid, 1)
    del body["customer_id"]
    body["identities"] = [{"kind": "email", "value": "MAX@example.de"}]
    response = client.post("/api/v1/interactions", headers=admin, json=body)
    assert response.status_code == 201 and response.json()["customer_id"] == cid
    assert response.json()["channel"] == "phone"


def test_unknown_touchpoint_is_422_naming_the_field(
    client: TestClient, admin: dict[str, str]
) -> None:
    cid = _customer(client, admin)
    response = client.post(
        "/api/v1/interactions", headers=admin, json=_event(cid, 1, touchpoint="nope")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "touchpoint"


def test_batch_stores_all_or_names_every_bad_item(
    client: TestClient, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    items = [_event(cid, n, event_id=f"b-{n}") for n in range(5)]
    items[1]["occurred_at"] = "2026-02-01T08:00:00"
    items[3]["type"] = "Not A Slug"
    bad = client.post("/api/v1/interactions/batch", headers=admin, json={"items": items})
    assert bad.status_code == 422
    assert sorted({e["index"] for e in bad.json()["errors"]}) == [1, 3]
    assert client.get(f"/api/v1/customers/{cid}/timeline", headers=admin).json()["items"] == []

    good = [_event(cid, n, event_id=f"b-{n}") for n in range(5)]
    stored = client.post("/api/v1/interactions/batch", headers=admin, json={"items": good}).json()
    assert stored["created"] == 5 and stored["duplicates"] == 0
    again = client.post(
        "/api/v1/interactions/batch", headers=admin, json={"items": good + good[:1]}
    ).json()
    assert again["created"] == 0 and again["duplicates"] == 6
    assert [r["id"] for r in again["results"][:5]] == [r["id"] for r in stored["results"]]


def test_a_batch_over_the_limit_is_413(client: TestClient, admin: dict[str, str]) -> None:
    items = [{"type": "call"}] * 10_001
    response = client.post("/api/v1/interactions/batch", headers=admin, json={"items": items})
    assert response.status_code == 413


def test_timeline_is_newest_first_paginated_and_filterable(
    client: TestClient, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    web = {
        "key": "website",
        "name_de": "Website",
        "name_en": "Website",
        "channel": "web",
        "stage": "consideration",
    }
    assert client.post("/api/v1/touchpoints", headers=admin, json=web).status_code == 201
    items = [_event(cid, n, event_id=f"t-{n}") for n in range(6)]
    items += [
        _event(cid, n, event_id=f"w-{n}", touchpoint="website", type="page_view")
        for n in range(6, 9)
    ]
    assert (
        client.post("/api/v1/interactions/batch", headers=admin, json={"items": items}).status_code
        == 200
    )

    seen, cursor = [], None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/customers/{cid}/timeline", headers=admin, params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    times = [i["occurred_at"] for i in seen]
    assert len(seen) == 9 and times == sorted(times, reverse=True)

    web_only = client.get(
        f"/api/v1/customers/{cid}/timeline", headers=admin, params={"channel": "web"}
    ).json()
    assert {i["touchpoint"] for i in web_only["items"]} == {"website"} and len(
        web_only["items"]
    ) == 3
    calls = client.get(
        f"/api/v1/customers/{cid}/timeline",
        headers=admin,
        params={
            "type": "call",
            "since": (BASE + timedelta(hours=2)).isoformat(),
            "until": (BASE + timedelta(hours=4)).isoformat(),
        },
    ).json()
    assert [i["event_id"] for i in calls["items"]] == ["t-3", "t-2"]
    by_tp = client.get(
        f"/api/v1/customers/{cid}/timeline", headers=admin, params={"touchpoint": "website"}
    ).json()
    assert len(by_tp["items"]) == 3


def test_timeline_of_an_unknown_customer_is_404(client: TestClient, admin: dict[str, str]) -> None:
    assert (
        client.get(f"/api/v1/customers/{uuid.uuid4()}/timeline", headers=admin).status_code == 404
    )


def test_analysts_cannot_record_interactions(
    client: TestClient, auth: Auth, admin: dict[str, str], hotline: str
) -> None:
    cid = _customer(client, admin)
    response = client.post("/api/v1/interactions", headers=auth(Role.ANALYST), json=_event(cid, 1))
    assert response.status_code == 403


def test_touchpoint_catalogue(client: TestClient, admin: dict[str, str], auth: Auth) -> None:
    body = {
        "key": "shop-berlin",
        "name_de": "Shop Berlin",
        "name_en": "Berlin shop",
        "channel": "store",
        "stage": "purchase",
    }
    assert client.post("/api/v1/touchpoints", headers=admin, json=body).status_code == 201
    assert client.post("/api/v1/touchpoints", headers=admin, json=body).status_code == 409
    assert (
        client.post(
            "/api/v1/touchpoints", headers=auth(Role.AGENT), json={**body, "key": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/touchpoints", headers=admin, json={**body, "key": "y", "stage": "nope"}
        ).status_code
        == 404
    )
    patched = client.patch(
        "/api/v1/touchpoints/shop-berlin", headers=admin, json={"controllable": False}
    )
    assert patched.json()["controllable"] is False and patched.json()["stage"] == "purchase"
    stages = client.get("/api/v1/journey-stages", headers=admin).json()
    assert [s["key"] for s in stages][:3] == ["awareness", "consideration", "purchase"]
