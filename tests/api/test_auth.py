from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.shared.clock import FixedClock
from tests import factories
from tests.api.conftest import Auth


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/customers", headers={"Authorization": "Bearer cxm_nope"})
    assert response.status_code == 401


def test_a_revoked_token_is_401(client: TestClient, db: Session, clock: FixedClock) -> None:
    user = factories.user(db, role=Role.AGENT)
    token, plain = accounts.issue_token(db, user_id=user.id, name="t", now=clock.now())
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    accounts.revoke_token(db, token_id=token.id, now=clock.now())
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_role_without_the_permission_is_403(client: TestClient, auth: Auth) -> None:
    analyst = auth(Role.ANALYST)
    assert client.get("/api/v1/customers", headers=analyst).status_code == 200
    response = client.post("/api/v1/customers", headers=analyst, json={"last_name": "X"})
    assert response.status_code == 403
    agent = auth(Role.AGENT)
    assert client.get("/api/v1/users", headers=agent).status_code == 403
    merge = {
        "survivor_id": "00000000-0000-4000-8000-000000000001",
        "merged_id": "00000000-0000-4000-8000-000000000002",
    }
    assert client.post("/api/v1/customers/merge", headers=agent, json=merge).status_code == 403


def test_tokens_are_shown_once_and_stored_hashed(
    client: TestClient, admin: dict[str, str], db: Session
) -> None:
    created = client.post("/api/v1/tokens", headers=admin, json={"name": "integration"})
    assert created.status_code == 201
    plain = created.json()["token"]
    listed = client.get("/api/v1/tokens", headers=admin).json()
    assert all("token" not in t for t in listed)
    stored = {t.token_hash for t in accounts.list_tokens(db)}
    assert plain not in stored
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_admins_create_users_and_agents_cannot(client: TestClient, auth: Auth) -> None:
    body = {"email": "neu@example.de", "name": "Neu", "role": "agent"}
    assert client.post("/api/v1/users", headers=auth(Role.AGENT), json=body).status_code == 403
    created = client.post("/api/v1/users", headers=auth(Role.ADMIN), json=body)
    assert created.status_code == 201 and created.json()["role"] == "agent"
    again = client.post("/api/v1/users", headers=auth(Role.ADMIN), json=body)
    assert again.status_code == 409
