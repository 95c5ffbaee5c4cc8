"""The web application through HTTP: login, CSRF, language, the customer 360 (escaped, audited)."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.i18n import CATALOGUE
from cxm.shared.clock import FixedClock
from cxm.web_support import HERE
from tests import factories

PASSWORD = "richtig-geheim"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


@pytest.fixture
def agent(db: Session) -> str:
    user = factories.user(db, role=Role.AGENT, email="agentin@example.com")
    accounts.set_password(db, user.id, PASSWORD)
    return user.email


def _login(client: TestClient, email: str, password: str = PASSWORD) -> object:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )


def test_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/app/customers?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/app/customers%3Fq%3Dx"


def test_login_sets_an_httponly_samesite_cookie(client: TestClient, agent: str) -> None:
    response = _login(client, agent)
    assert response.status_code == 303 and response.headers["location"] == "/app"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/app").status_code == 200


def test_wrong_password_and_missing_csrf_are_refused(client: TestClient, agent: str) -> None:
    assert _login(client, agent, "falsch-falsch").status_code == 401
    no_csrf = client.post("/login", data={"email": agent, "password": PASSWORD, "csrf": "x"})
    assert no_csrf.status_code == 400
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_open_redirects_after_login_are_not_followed(client: TestClient, agent: str) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": agent,
            "password": PASSWORD,
            "csrf": _csrf(form.text),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/app"


def test_language_switch_is_per_user(client: TestClient, agent: str) -> None:
    _login(client, agent)
    page = client.get("/app/customers")
    assert "Kunden finden" in page.text
    client.post(
        "/language", data={"language": "en", "csrf": _csrf(page.text), "next": "/app/customers"}
    )
    assert "Find a customer" in client.get("/app/customers").text


def test_the_360_page_shows_the_story_escaped_and_audited(
    client: TestClient, agent: str, db: Session, clock: FixedClock
) -> None:
    customer = factories.customer(
        db,
        now=clock.now(),
        first_name="Erika",
        last_name="Weber",
        identities=[{"kind": "phone", "value": "0151 23456789"}],
    )
    from cxm.customers import services as customers

    customers.add_holding(
        db,
        customer.id,
        now=clock.now(),
        product_code="SM-X",
        product_name="Smartphone Modell X",
        model="Modell X",
        serial="MX-1",
    )
    feedback.record_feedback(
        db,
        source=FeedbackSource.COMPLAINT,
        text="<script>alert('xss')</script> Anrufe brechen ab",
        occurred_at=clock.now() - timedelta(days=1),
        now=clock.now(),
        customer_id=customer.id,
    )
    _login(client, agent)
    found = client.get("/app/customers", params={"q": "+49 151 23456789"})
    assert f"/app/customers/{customer.id}" in found.text
    page = client.get(f"/app/customers/{customer.id}")
    assert page.status_code == 200
    assert "Smartphone Modell X" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    entries = accounts.list_audit(db, subject_id=str(customer.id))
    assert len(entries) == 1 and entries[0].action == "customer.view"


def test_unknown_customer_page_is_a_404_page(client: TestClient, agent: str) -> None:
    _login(client, agent)
    response = client.get("/app/customers/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "<html" in response.text


def test_every_label_in_the_templates_has_both_languages() -> None:
    used: set[str] = set()
    for path in (HERE / "templates").rglob("*.html"):
        used |= set(re.findall(r't\("([a-z0-9_.]+)"\)', path.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in CATALOGUE)
    assert not missing, f"labels without translation: {missing}"
    assert all(de and en for de, en in CATALOGUE.values())


def test_the_dashboard_shows_kpis_with_their_change(
    client: TestClient,
    agent: str,
    db: Session,
    clock: FixedClock,
    app,
    tmp_path,  # noqa: ANN001
) -> None:
    from cxm.accounts.domain import Role as R
    from cxm.analytics.settings import AnalyticsSettings
    from cxm.surveys import services as surveys

    app.state.analytics_settings = AnalyticsSettings(path=tmp_path / "a.duckdb", min_n=5)
    analyst = factories.user(db, role=R.ANALYST, email="analyst@example.com")
    accounts.set_password(db, analyst.id, PASSWORD)
    factories.customer(db, now=clock.now())
    surveys.create_survey(
        db,
        key="d",
        name="D",
        title_de="D",
        title_en="D",
        now=clock.now(),
        questions=[{"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"}],
    )
    for n, score in enumerate([10, 10, 9, 8, 3, 10, 9]):
        surveys.record_response(
            db,
            "d",
            answers={"nps": score},
            now=clock.now(),
            submitted_at=clock.now() - timedelta(days=1, minutes=n),
        )
    _login(client, "analyst@example.com")
    page = client.get("/app")
    assert page.status_code == 200
    assert 'data-testid="kpis"' in page.text
    assert "57" in page.text  # NPS of 5 promoters, 1 passive, 1 detractor = (5 - 1) / 7
