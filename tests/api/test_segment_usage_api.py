"""Segments through the API where they are used: notices and survey trigger rules take a
segment_id (422 naming the field when unknown), and a segment in use is not deleted (409)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.customers import services as customers
from cxm.shared.clock import FixedClock
from tests import factories
from tests.api.conftest import Auth

MODEL = "Smartphone Modell X"
NOTICE = {
    "title_de": "Update",
    "title_en": "Update",
    "body_de": "Ein Softwarefehler.",
    "body_en": "A software fault.",
}


@pytest.fixture
def segment(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/segments",
        headers=admin,
        json={"name": "Norden", "rule": {"field": "region", "op": "eq", "value": "Nord"}},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def survey(client: TestClient, admin: dict[str, str]) -> str:
    created = client.post(
        "/api/v1/surveys",
        headers=admin,
        json={
            "key": "nach-anruf",
            "name": "Nach dem Anruf",
            "title_de": "Ihr Anruf",
            "title_en": "Your call",
            "questions": [{"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"}],
        },
    )
    assert created.status_code == 201, created.text
    return "nach-anruf"


def _people(db: Session, clock: FixedClock) -> None:
    for n, (region, model) in enumerate(
        [("Nord", MODEL), ("Nord", MODEL), ("Nord", None), ("Süd", MODEL)]
    ):
        customer = factories.customer(
            db,
            now=clock.now(),
            region=region,
            identities=[{"kind": "email", "value": f"api-seg{n}@example.com"}],
        )
        if model:
            customers.add_holding(
                db,
                customer.id,
                now=clock.now(),
                model=model,
                product_code="SMX",
                product_name=MODEL,
            )


def test_a_notice_by_segment_and_model_previews_the_members_who_hold_it(
    client: TestClient, admin: dict[str, str], db: Session, clock: FixedClock, segment: Any
) -> None:
    _people(db, clock)
    response = client.post(
        "/api/v1/notices",
        headers=admin,
        json={**NOTICE, "product_model": MODEL, "segment_id": segment["id"]},
    )
    assert response.status_code == 201, response.text
    notice = response.json()
    assert notice["segment_id"] == segment["id"] and notice["segment_name"] == "Norden"
    assert notice["segment_rule"] is None
    preview = client.get(f"/api/v1/notices/{notice['id']}/preview", headers=admin).json()
    assert preview["holders"] == 2
    only_segment = client.post(
        "/api/v1/notices", headers=admin, json={**NOTICE, "segment_id": segment["id"]}
    ).json()
    assert only_segment["product_model"] is None
    assert (
        client.get(f"/api/v1/notices/{only_segment['id']}/preview", headers=admin).json()["holders"]
        == 3
    )
    client.post(f"/api/v1/notices/{notice['id']}/send", headers=admin)
    sent = client.get(f"/api/v1/notices/{notice['id']}", headers=admin).json()
    assert sent["segment_rule"] == {"field": "region", "op": "eq", "value": "Nord"}


def test_a_notice_with_an_unknown_segment_or_no_audience_is_422(
    client: TestClient, admin: dict[str, str]
) -> None:
    unknown = client.post(
        "/api/v1/notices", headers=admin, json={**NOTICE, "segment_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "segment_id"
    nobody = client.post("/api/v1/notices", headers=admin, json=NOTICE)
    assert nobody.status_code == 422 and nobody.json()["field"] == "product_model"


def test_a_trigger_takes_a_segment_and_an_unknown_one_is_422(
    client: TestClient, admin: dict[str, str], survey: str, segment: Any
) -> None:
    url = f"/api/v1/surveys/{survey}/triggers"
    added = client.post(
        url, headers=admin, json={"interaction_type": "call", "segment_id": segment["id"]}
    )
    assert added.status_code == 201, added.text
    assert added.json()["segment_id"] == segment["id"]
    listed = client.get(url, headers=admin).json()
    assert [t["segment_id"] for t in listed] == [segment["id"]]
    unknown = client.post(
        url, headers=admin, json={"interaction_type": "call", "segment_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "segment_id"
    bad = client.post(url, headers=admin, json={"interaction_type": "call", "segment_id": "x"})
    assert bad.status_code == 422


def test_only_managers_set_segments_on_triggers_and_notices(
    client: TestClient, auth: Auth, survey: str, segment: Any
) -> None:
    analyst = auth(Role.ANALYST)
    trigger = client.post(
        f"/api/v1/surveys/{survey}/triggers",
        headers=analyst,
        json={"interaction_type": "call", "segment_id": segment["id"]},
    )
    assert trigger.status_code == 403
    agent = auth(Role.AGENT)
    notice = client.post(
        "/api/v1/notices", headers=agent, json={**NOTICE, "segment_id": segment["id"]}
    )
    assert notice.status_code == 403


def test_deleting_a_segment_in_use_is_409_naming_the_uses(
    client: TestClient, admin: dict[str, str], survey: str, segment: Any
) -> None:
    trigger = client.post(
        f"/api/v1/surveys/{survey}/triggers",
        headers=admin,
        json={"interaction_type": "call", "segment_id": segment["id"]},
    ).json()
    notice = client.post(
        "/api/v1/notices", headers=admin, json={**NOTICE, "segment_id": segment["id"]}
    ).json()
    refused = client.delete(f"/api/v1/segments/{segment['id']}", headers=admin)
    assert refused.status_code == 409
    body = refused.json()
    assert "nach-anruf" in body["detail"] and "Update" in body["detail"]
    assert {(u["kind"], u["id"]) for u in body["used_by"]} == {
        ("survey_trigger", trigger["id"]),
        ("notice", notice["id"]),
    }
    assert client.get(f"/api/v1/segments/{segment['id']}", headers=admin).status_code == 200
    client.delete(f"/api/v1/surveys/{survey}/triggers/{trigger['id']}", headers=admin)
    client.post(f"/api/v1/notices/{notice['id']}/send", headers=admin)
    deleted = client.delete(f"/api/v1/segments/{segment['id']}", headers=admin)
    assert deleted.status_code == 204
    kept = client.get(f"/api/v1/notices/{notice['id']}", headers=admin).json()
    assert kept["segment_id"] is None and kept["segment_name"] == "Norden"


def test_the_segments_page_explains_why_a_segment_in_use_is_not_deleted(
    client: TestClient, admin: dict[str, str], survey: str, segment: Any, db: Session
) -> None:
    import re

    from cxm.accounts import services as accounts

    client.post(
        f"/api/v1/surveys/{survey}/triggers",
        headers=admin,
        json={"interaction_type": "call", "segment_id": segment["id"]},
    )
    user = factories.user(db, role=Role.CX_MANAGER)
    accounts.set_password(db, user.id, "segment-page-pw")
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    client.post(
        "/login",
        data={"email": user.email, "password": "segment-page-pw", "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    page = client.get("/app/segments").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    refused = client.post(f"/app/segments/{segment['id']}/delete", data={"csrf": token.group(1)})
    assert refused.status_code == 409
    assert "wird noch verwendet" in refused.text and "nach-anruf" in refused.text
    assert client.get(f"/api/v1/segments/{segment['id']}", headers=admin).status_code == 200
