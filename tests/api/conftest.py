from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.shared.clock import FixedClock
from tests import factories

Auth = Callable[[Role], dict[str, str]]


@pytest.fixture
def auth(db: Session, clock: FixedClock) -> Auth:
    """Headers with a fresh token for a user of the given role."""

    def headers(role: Role = Role.ADMIN) -> dict[str, str]:
        _, token = factories.token(db, role=role, now=clock.now())
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def admin(auth: Auth) -> dict[str, str]:
    return auth(Role.ADMIN)


@pytest.fixture
def hotline(client: TestClient, admin: dict[str, str]) -> str:
    response = client.post(
        "/api/v1/touchpoints",
        headers=admin,
        json={
            "key": "hotline",
            "name_de": "Service-Hotline",
            "name_en": "Service hotline",
            "channel": "phone",
            "stage": "service",
        },
    )
    assert response.status_code == 201, response.text
    return "hotline"
