"""The survey pages of the web application: list and empty state, the builder with its field
errors, revisions as versions, publish/close, triggers, results per version, roles, escaping."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm import features
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics.settings import AnalyticsSettings
from cxm.shared.clock import FixedClock
from cxm.surveys import admin_web
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, InvitationStatus, SurveyStatus
from cxm.surveys.models import SurveyInvitation
from tests import factories

PASSWORD = "richtig-geheim"


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The application with the survey pages, until features.py mounts them."""
    if admin_web.router not in features.WEB_ROUTERS:
        app.include_router(admin_web.router)
    app.state.analytics_settings = AnalyticsSettings(min_n=5)
    return app


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


def _login_as(client: TestClient, db: Session, role: Role, language: str = "de") -> None:
    user = factories.user(db, role=role, language=language)
    accounts.set_password(db, user.id, PASSWORD)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def _builder_data(csrf: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf": csrf,
        "rows": "3",
        "key": "nach-kauf",
        "name": "Nach dem Kauf",
        "title_de": "Wie war Ihr Einkauf?",
        "title_en": "How was your purchase?",
        "intro_de": "",
        "intro_en": "",
        "touchpoint": "",
        "invitation_valid_days": "14",
        "anonymous_enabled": "on",
        "q0_type": "nps",
        "q0_key": "nps",
        "q0_text_de": "Würden Sie uns weiterempfehlen?",
        "q0_text_en": "Would you recommend us?",
        "q0_required": "on",
        "q1_type": "single_choice",
        "q1_key": "channel",
        "q1_text_de": "Wo haben Sie gekauft?",
        "q1_text_en": "Where did you buy?",
        "q1_options": "shop | Laden | Store\nonline | Online | Online",
        "q2_type": "text",
        "q2_text_de": "",
        "q2_text_en": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def _survey(db: Session, clock: FixedClock, key: str = "hotline", **extra: Any) -> Any:
    survey = surveys.create_survey(
        db,
        key=key,
        name="Nach der Hotline",
        title_de="Wie war Ihr Anruf?",
        title_en="How was your call?",
        now=clock.now(),
        anonymous_enabled=True,
        questions=[
            {"key": "nps", "type": "nps", "text_de": "Empfehlen?", "text_en": "Recommend?"},
            {"key": "csat", "type": "csat", "text_de": "Zufrieden?", "text_en": "Satisfied?"},
            {"key": "ces", "type": "ces", "text_de": "Einfach?", "text_en": "Easy?"},
            {
                "key": "why",
                "type": "multiple_choice",
                "text_de": "Warum?",
                "text_en": "Why?",
                "options": [["fast", "schnell", "fast"], ["kind", "freundlich", "kind"]],
            },
            {"key": "comment", "type": "text", "text_de": "Sonst?", "text_en": "Else?"},
        ],
        **extra,
    )
    surveys.set_status(db, key, SurveyStatus.LIVE, now=clock.now())
    return survey


def test_the_list_says_what_to_do_when_there_are_no_surveys(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/surveys")
    assert page.status_code == 200
    assert "Noch keine Umfragen — legen Sie eine an" in page.text
    assert 'href="/app/surveys/new"' in page.text


def test_the_empty_state_is_english_for_english_users(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER, language="en")
    assert "No surveys yet — create one" in client.get("/app/surveys").text


def test_a_manager_creates_a_survey_in_the_builder_and_sees_it_listed(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    form = client.get("/app/surveys/new")
    assert form.status_code == 200
    assert form.text.count('name="q2_type"') == 1 and 'name="q3_type"' not in form.text
    assert 'for="f-q0_text_de"' in form.text and 'id="f-q0_text_de"' in form.text
    response = client.post(
        "/app/surveys/new", data=_builder_data(_csrf(form.text)), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/app/surveys/nach-kauf?done=created"
    detail = client.get(response.headers["location"])
    assert "Wo haben Sie gekauft?" in detail.text and "Entwurf" in detail.text
    survey = surveys.get_survey(db, "nach-kauf")
    questions = surveys.current_version(db, survey).questions
    assert [q["key"] for q in questions] == ["nps", "channel"]
    assert questions[1]["options"] == [["shop", "Laden", "Store"], ["online", "Online", "Online"]]
    assert survey.anonymous_enabled
    listing = client.get("/app/surveys")
    assert (
        "Nach dem Kauf" in listing.text and 'data-testid="responses-nach-kauf">0<' in listing.text
    )


def test_add_question_keeps_what_was_typed_and_adds_a_row(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new?rows=2").text)
    page = client.post("/app/surveys/new", data=_builder_data(csrf, action="add_row"))
    assert page.status_code == 200
    assert 'name="q3_type"' in page.text and 'value="4"' in page.text
    assert "Wo haben Sie gekauft?" in page.text
    assert "online | Online | Online" in page.text
    assert 'name="q2_type"' in client.get("/app/surveys/new?rows=3").text


def test_builder_errors_name_their_field_and_keep_the_input(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    page = client.post(
        "/app/surveys/new",
        data=_builder_data(csrf, key="Nach Kauf!", title_en="", q1_options="nur eine"),
    )
    assert page.status_code == 422
    assert 'data-testid="error-key"' in page.text
    assert 'data-testid="error-title_en"' in page.text
    assert 'data-testid="error-q1"' in page.text  # a choice question needs two options
    assert 'aria-invalid="true" aria-describedby="h-key e-key"' in page.text
    assert "mindestens zwei Antwortoptionen" in page.text
    assert 'value="Nach Kauf!"' in page.text and "Wo haben Sie gekauft?" in page.text
    assert surveys.list_surveys(db) == []


def test_a_question_row_with_text_but_bad_options_is_shown_at_the_row(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    page = client.post("/app/surveys/new", data=_builder_data(csrf, q1_options="a | b | c | d"))
    assert page.status_code == 422
    assert 'data-testid="error-q1_options"' in page.text


def test_an_existing_key_is_a_409_on_the_page(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock, key="nach-kauf")
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    page = client.post("/app/surveys/new", data=_builder_data(csrf))
    assert page.status_code == 409
    assert 'data-testid="error-key"' in page.text and "exists" in page.text


def test_a_survey_without_questions_is_refused(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    empty = {f"q{i}_{f}": "" for i in range(3) for f in ("key", "text_de", "text_en", "options")}
    page = client.post("/app/surveys/new", data=_builder_data(csrf, **empty))
    assert page.status_code == 422
    assert "mindestens eine Frage" in page.text


def test_an_expired_form_is_refused(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    page = client.post("/app/surveys/new", data=_builder_data("falsch"))
    assert page.status_code == 400
    assert surveys.list_surveys(db) == []


def test_publish_then_close_and_triggers_are_added_and_deactivated(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    factories.touchpoint(db, now=clock.now(), key="hotline")
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    client.post("/app/surveys/new", data=_builder_data(csrf))
    published = client.post("/app/surveys/nach-kauf/status", data={"csrf": csrf, "status": "live"})
    assert published.status_code == 200 and "Umfrage ist aktiv." in published.text
    assert surveys.get_survey(db, "nach-kauf").status is SurveyStatus.LIVE
    again = client.post("/app/surveys/nach-kauf/status", data={"csrf": csrf, "status": "live"})
    assert again.status_code == 422 and 'data-testid="survey-error"' in again.text

    added = client.post(
        "/app/surveys/nach-kauf/triggers",
        data={
            "csrf": csrf,
            "interaction_type": "call",
            "touchpoint": "hotline",
            "delay_minutes": "30",
        },
    )
    assert added.status_code == 200 and "Auslöser angelegt." in added.text
    (rule,) = surveys.list_triggers(db, "nach-kauf")
    assert rule.interaction_type == "call" and rule.delay_minutes == 30 and rule.active
    bad = client.post(
        "/app/surveys/nach-kauf/triggers",
        data={"csrf": csrf, "interaction_type": "Anruf!", "delay_minutes": "30"},
    )
    assert bad.status_code == 422 and "Art der Interaktion" in bad.text
    assert 'value="Anruf!"' in bad.text
    unknown = client.post(
        "/app/surveys/nach-kauf/triggers",
        data={"csrf": csrf, "interaction_type": "call", "touchpoint": "nirgends"},
    )
    assert unknown.status_code == 422 and "nirgends" in unknown.text
    off = client.post(f"/app/surveys/nach-kauf/triggers/{rule.id}/deactivate", data={"csrf": csrf})
    assert off.status_code == 200 and "Auslöser deaktiviert." in off.text
    db.refresh(rule)
    assert not rule.active

    closed = client.post("/app/surveys/nach-kauf/status", data={"csrf": csrf, "status": "closed"})
    assert "geschlossen" in closed.text
    assert surveys.get_survey(db, "nach-kauf").status is SurveyStatus.CLOSED


def test_revising_an_answered_survey_makes_a_new_version(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    surveys.respond_anonymously(db, "hotline", answers={"nps": 10}, now=clock.now())
    _login_as(client, db, Role.CX_MANAGER)
    form = client.get("/app/surveys/hotline/edit")
    assert form.status_code == 200
    assert "fast | schnell | fast" in form.text
    data = {
        "csrf": _csrf(form.text),
        "rows": "5",
        "name": "Nach der Hotline",
        "title_de": "Wie war Ihr Anruf?",
        "title_en": "How was your call?",
        "invitation_valid_days": "14",
        "anonymous_enabled": "on",
    }
    rows = [
        ("nps", "nps", "Empfehlen?", "Recommend?", ""),
        ("csat", "csat", "Zufrieden?", "Satisfied?", ""),
        ("ces", "ces", "Einfach?", "Easy?", ""),
        (
            "why",
            "multiple_choice",
            "Warum?",
            "Why?",
            "fast | schnell | fast\nkind | freundlich | kind",
        ),
        ("comment", "text", "Sonst?", "Else?", ""),
    ]
    for i, (key, kind, de, en, options) in enumerate(rows):
        data.update(
            {f"q{i}_key": key, f"q{i}_type": kind, f"q{i}_text_de": de, f"q{i}_text_en": en}
        )
        data[f"q{i}_options"] = options
    only_name = client.post("/app/surveys/hotline/edit", data={**data, "name": "Hotline neu"})
    assert "Änderungen gespeichert." in only_name.text
    assert len(surveys.list_versions(db, surveys.get_survey(db, "hotline"))) == 1
    assert surveys.get_survey(db, "hotline").name == "Hotline neu"
    rows_changed = {**data, "q4_text_de": "Was noch?"}
    saved = client.post("/app/surveys/hotline/edit", data=rows_changed)
    assert "Als neue Version gespeichert" in saved.text
    survey = surveys.get_survey(db, "hotline")
    assert [v.number for v in surveys.list_versions(db, survey)] == [1, 2]
    assert surveys.current_version(db, survey).questions[4]["text_de"] == "Was noch?"


def _answer(db: Session, clock: FixedClock, **answers: Any) -> None:
    surveys.respond_anonymously(db, "hotline", answers=answers, now=clock.now())


def test_results_show_scores_with_their_uncertainty_distribution_and_escaped_comments(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    for nps in (10, 10, 9, 8, 3, 0):
        _answer(db, clock, nps=nps, csat=5 if nps >= 9 else 2, ces=6, why=["fast"])
    _answer(db, clock, nps=7, comment="<script>alert('x')</script> zu lange Wartezeit")
    customer = factories.customer(db, now=clock.now())
    for sent in (True, False):
        invitation = surveys.invite(
            db,
            survey_key="hotline",
            customer_id=customer.id,
            now=clock.now() - timedelta(days=60 if sent else 0),
            policy=FatiguePolicy(max_invitations=5),
        )
        row = db.get(SurveyInvitation, invitation.id)
        assert row is not None
        row.status = InvitationStatus.SENT if sent else InvitationStatus.SCHEDULED
        row.sent_at = clock.now() if sent else None
    db.commit()
    _login_as(client, db, Role.ANALYST)
    page = client.get("/app/surveys/hotline/results")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="responses-count">7<' in text
    # 3 promoters, 2 passives, 2 detractors of 7: NPS = (3 - 2) / 7 = +14
    assert 'data-testid="n-nps">7<' in text and "+14" in text and "± " in text
    assert "3 Promotoren, 2 Passive, 2 Kritiker" in text
    assert 'data-testid="n-csat">6<' in text and "50.0 %" in text  # 3 of 6 are 4–5
    assert 'data-testid="n-ces">6<' in text and "6.00" in text
    assert 'data-testid="qn-why">6<' in text and "schnell" in text
    assert "0 / 1 versendet" in text
    assert "&lt;script&gt;alert(" in text and "<script>alert(" not in text
    assert "Sie sind nicht angemeldet" not in text


def test_results_are_per_version(client: TestClient, db: Session, clock: FixedClock) -> None:
    _survey(db, clock)
    _answer(db, clock, nps=10)
    surveys.revise_survey(
        db,
        "hotline",
        now=clock.now(),
        questions=[{"key": "nps", "type": "nps", "text_de": "Neu?", "text_en": "New?"}],
    )
    _answer(db, clock, nps=0)
    _answer(db, clock, nps=1)
    _login_as(client, db, Role.CX_MANAGER)
    everything = client.get("/app/surveys/hotline/results").text
    assert 'data-testid="responses-count">3<' in everything
    first = client.get("/app/surveys/hotline/results?version=1").text
    assert 'data-testid="responses-count">1<' in first and 'data-testid="qn-nps">1<' in first
    second = client.get("/app/surveys/hotline/results?version=2").text
    assert 'data-testid="responses-count">2<' in second and "Neu?" in second


def test_results_of_a_new_survey_say_how_to_get_answers(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/surveys/hotline/results")
    assert page.status_code == 200 and 'data-testid="results-empty"' in page.text


def test_the_preview_shows_the_public_page_and_stores_nothing(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/surveys/hotline/preview?lang=en")
    assert page.status_code == 200 and "How was your call?" in page.text
    wrong = client.post("/app/surveys/hotline/preview?version=1", data={"lang": "de", "nps": "11"})
    assert wrong.status_code == 422
    right = client.post("/app/surveys/hotline/preview?version=1", data={"lang": "de", "nps": "9"})
    assert right.status_code == 200 and 'data-testid="preview-ok"' in right.text
    assert surveys.list_responses(db, "hotline") == []
    detail = client.get("/app/surveys/hotline")
    assert "/s/a/hotline" in detail.text


def test_an_agent_may_not_open_the_survey_pages(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _login_as(client, db, Role.AGENT)
    for url in ("/app/surveys", "/app/surveys/new", "/app/surveys/hotline/results"):
        assert client.get(url).status_code == 403
    assert 'href="/app/surveys"' not in client.get("/app").text


def test_an_analyst_reads_but_does_not_edit(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _login_as(client, db, Role.ANALYST)
    listing = client.get("/app/surveys")
    assert listing.status_code == 200 and "/app/surveys/new" not in listing.text
    detail = client.get("/app/surveys/hotline")
    assert detail.status_code == 200
    assert 'data-testid="trigger-form"' not in detail.text and "/edit" not in detail.text
    assert client.get("/app/surveys/new").status_code == 403
    csrf = _csrf(detail.text)
    refused = client.post("/app/surveys/hotline/status", data={"csrf": csrf, "status": "closed"})
    assert refused.status_code == 403
    assert surveys.get_survey(db, "hotline").status is SurveyStatus.LIVE


def test_unknown_surveys_are_a_404_page(client: TestClient, db: Session) -> None:
    _login_as(client, db, Role.CX_MANAGER)
    response = client.get("/app/surveys/gibt-es-nicht/results")
    assert response.status_code == 404 and "<html" in response.text


def test_every_survey_page_has_its_labels_in_both_languages(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _answer(db, clock, nps=9, csat=4, ces=5, why=["kind"], comment="gut")
    for language in ("de", "en"):
        client.cookies.clear()
        _login_as(client, db, Role.ADMIN, language=language)
        for url in (
            "/app/surveys",
            "/app/surveys/new",
            "/app/surveys/hotline",
            "/app/surveys/hotline/edit",
            "/app/surveys/hotline/results",
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            assert not re.search(r"svy\.[a-z_]+", page.text), (url, language)


def test_a_trigger_from_the_form_can_require_a_segment_and_names_it_escaped(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    from cxm.segments import services as segments

    segment = segments.create_segment(
        db,
        name="<b>Norden</b>",
        rule={"field": "region", "op": "eq", "value": "Nord"},
        now=clock.now(),
    )
    _login_as(client, db, Role.CX_MANAGER)
    csrf = _csrf(client.get("/app/surveys/new").text)
    client.post("/app/surveys/new", data=_builder_data(csrf))
    page = client.get("/app/surveys/nach-kauf")
    assert f'<option value="{segment.id}"' in page.text
    assert "&lt;b&gt;Norden&lt;/b&gt;" in page.text and "<b>Norden</b>" not in page.text
    added = client.post(
        "/app/surveys/nach-kauf/triggers",
        data={
            "csrf": csrf,
            "interaction_type": "call",
            "delay_minutes": "30",
            "segment_id": str(segment.id),
        },
    )
    assert added.status_code == 200 and "Auslöser angelegt." in added.text
    (rule,) = surveys.list_triggers(db, "nach-kauf")
    assert rule.segment_id == segment.id
    assert 'data-testid="trigger-segment"><a href="/app/segments/' in added.text
    gone = client.post(
        "/app/surveys/nach-kauf/triggers",
        data={"csrf": csrf, "interaction_type": "call", "segment_id": str(uuid.uuid4())},
    )
    assert gone.status_code == 422 and "Dieses Segment gibt es nicht" in gone.text
    assert 'id="f-trigger_segment" name="segment_id" aria-describedby' in gone.text


def test_an_analyst_sees_trigger_segments_without_the_form(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _survey(db, clock)
    _login_as(client, db, Role.ANALYST)
    page = client.get("/app/surveys/hotline")
    assert page.status_code == 200 and 'name="segment_id"' not in page.text
