from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Auth  # noqa: F401


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
