from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.shared.clock import FixedClock
from tests import factories
from tests.api.conftest import Auth

SURVEY = {
    "key": "nach-anruf",
    "name": "Nach dem Anruf",
    "title_de": "Wie war Ihr Anruf?",
    "title_en": "How was your call?",
    "intro_de": "Zwei Minuten <b>genügen</b>.",
    "questions": [
        {
            "key": "nps",
            "type": "nps",
            "text_de": "Weiterempfehlen?",
            "text_en": "Recommend?",
            "required": True,
        },
        {"key": "csat", "type": "csat", "text_de": "Zufrieden?", "text_en": "Satisfied?"},
        {"key": "comment", "type": "text", "text_de": "Warum?", "text_en": "Why?"},
    ],
    "anonymous_enabled": True,
}


@pytest.fixture
def live_survey(client: TestClient, admin: dict[str, str]) -> str:
    assert client.post("/api/v1/surveys", headers=admin, json=SURVEY).status_code == 201
    live = client.post("/api/v1/surveys/nach-anruf/status", headers=admin, json={"status": "live"})
    assert live.status_code == 200
    return "nach-anruf"


@pytest.fixture
def link(
    client: TestClient, admin: dict[str, str], live_survey: str, db: Session, clock: FixedClock
) -> str:
    customer = factories.customer(
        db,
        now=clock.now(),
        salutation="mr",
        last_name="Schulz",
        language="de",
        identities=[{"kind": "email", "value": "schulz@example.com"}],
    )
    consent.record_consent(
        db,
        customer.id,
        purpose=Purpose.SURVEY,
        channel=ContactChannel.EMAIL,
        granted=True,
        source="test",
        now=clock.now(),
    )
    response = client.post(
        f"/api/v1/surveys/{live_survey}/invitations",
        headers=admin,
        json={"customer_id": str(customer.id)},
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "scheduled"
    return response.json()["link"].split("/s/")[1]


def test_survey_definitions_validate_questions(client: TestClient, admin: dict[str, str]) -> None:
    bad = {
        **SURVEY,
        "questions": [{"key": "x", "type": "single_choice", "text_de": "a", "text_en": "a"}],
    }
    assert client.post("/api/v1/surveys", headers=admin, json=bad).status_code == 422
    fixed_scale = {**SURVEY, "questions": [{**SURVEY["questions"][0], "scale_max": 5}]}
    assert client.post("/api/v1/surveys", headers=admin, json=fixed_scale).status_code == 422


def test_agents_and_analysts_cannot_edit_surveys(client: TestClient, auth: Auth) -> None:
    for role in (Role.AGENT, Role.ANALYST):
        assert client.post("/api/v1/surveys", headers=auth(role), json=SURVEY).status_code == 403


def test_the_public_page_renders_in_the_customer_language_without_script(
    client: TestClient, link: str
) -> None:
    page = client.get(f"/s/{link}")
    assert page.status_code == 200
    assert "Wie war Ihr Anruf?" in page.text and 'lang="de"' in page.text
    assert "<script" not in page.text
    assert "&lt;b&gt;genügen&lt;/b&gt;" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    english = client.get(f"/s/{link}?lang=en")
    assert "How was your call?" in english.text


def test_submitting_the_form_then_the_link_is_used(client: TestClient, link: str) -> None:
    bad = client.post(f"/s/{link}", data={"nps": "12", "lang": "de"})
    assert bad.status_code == 422 and "Bitte prüfen" in bad.text
    ok = client.post(
        f"/s/{link}", data={"nps": "9", "comment": "<script>alert(1)</script>", "lang": "de"}
    )
    assert ok.status_code == 200 and "Vielen Dank" in ok.text
    used = client.get(f"/s/{link}")
    assert used.status_code == 409 and "Bereits beantwortet" in used.text
    again = client.post(f"/api/v1/public/surveys/{link}", json={"answers": {"nps": 10}})
    assert again.status_code == 409


def test_expired_and_forged_links(client: TestClient, link: str, clock: FixedClock) -> None:
    assert client.get(f"/s/{link}x").status_code == 404
    clock.set(clock.now() + timedelta(days=30))
    expired = client.get(f"/s/{link}?lang=en")
    assert expired.status_code == 410 and "Link expired" in expired.text
    assert (
        client.post(f"/api/v1/public/surveys/{link}", json={"answers": {"nps": 10}}).status_code
        == 410
    )


def test_out_of_range_scores_are_422_through_the_api(client: TestClient, link: str) -> None:
    response = client.post(f"/api/v1/public/surveys/{link}", json={"answers": {"nps": 11}})
    assert response.status_code == 422 and response.json()["field"] == "answers.nps"


def test_the_anonymous_link_is_rate_limited(client: TestClient, live_survey: str, app) -> None:  # noqa: ANN001
    from cxm.web_support import RateLimiter

    app.state.public_limiter = RateLimiter("3/minute")
    codes = [client.post(f"/s/a/{live_survey}", data={"nps": "8"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_widget_posts_answers(
    client: TestClient, live_survey: str, admin: dict[str, str]
) -> None:
    response = client.post(
        f"/api/v1/widget/{live_survey}",
        json={"answers": {"nps": 10, "comment": "Top"}, "page": "/tarife"},
    )
    assert response.status_code == 201
    responses = client.get(f"/api/v1/surveys/{live_survey}/responses", headers=admin).json()
    assert responses[0]["channel"] == "widget"
    assert client.get("/static/widget.js").status_code == 200


def test_editing_a_live_survey_through_the_api_makes_version_2(
    client: TestClient, admin: dict[str, str], link: str
) -> None:
    client.patch(
        "/api/v1/surveys/nach-anruf", headers=admin, json={"title_de": "Ihr Anruf bei uns"}
    )
    versions = client.get("/api/v1/surveys/nach-anruf/versions", headers=admin).json()
    assert [v["number"] for v in versions] == [1, 2]
    page = client.get(f"/s/{link}")
    assert "Wie war Ihr Anruf?" in page.text


def test_dispatch_sends_due_invitations(
    client: TestClient, admin: dict[str, str], link: str, app
) -> None:  # noqa: ANN001
    result = client.post("/api/v1/surveys/dispatch", headers=admin).json()
    assert result["sent"] == 1
    mail = app.state.mailer.sent[0]
    assert mail["To"] == "schulz@example.com" and "Guten Tag, Herr Schulz" in mail.get_content()
