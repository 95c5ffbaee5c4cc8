from fastapi.testclient import TestClient


def test_openapi_docs_are_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr" not in page.text and "unpkg" not in page.text
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/{customer_id}/timeline" in schema["paths"]


def test_health_and_security_headers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.json()["status"] == "ok"
    assert response.headers["x-content-type-options"] == "nosniff"
