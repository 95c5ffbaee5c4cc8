"""Real browser tests of the survey pages: a manager builds and publishes a survey, a customer
answers it on the public page on a phone, and the results page counts the answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from cxm import features
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.admin import web as settings_web
from cxm.app import create_app
from cxm.db import make_engine, make_session_factory
from cxm.migrate import upgrade
from cxm.shared.clock import utcnow
from cxm.surveys import admin_web
from cxm.surveys import services as surveys
from cxm.surveys.domain import SurveyStatus
from tests.e2e import support

PASSWORD = "browser-test-pw"

pytestmark = support.MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("browser-surveys")
    port = support.free_port()
    settings = support.settings_for(folder, port)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    now = utcnow()
    with make_session_factory(engine)() as db:
        manager = accounts.create_user(
            db, email="manager@example.com", name="Mia Manager", role=Role.CX_MANAGER
        )
        accounts.set_password(db, manager.id, PASSWORD)
        surveys.create_survey(
            db,
            key="nach-hotline",
            name="Nach der Hotline",
            title_de="Wie war Ihr Anruf?",
            title_en="How was your call?",
            now=now,
            anonymous_enabled=True,
            questions=[
                {
                    "key": "nps",
                    "type": "nps",
                    "text_de": "Würden Sie uns weiterempfehlen?",
                    "text_en": "Would you recommend us?",
                    "required": True,
                },
                {
                    "key": "comment",
                    "type": "text",
                    "text_de": "Was können wir besser machen?",
                    "text_en": "What could we do better?",
                },
            ],
        )
        surveys.set_status(db, "nach-hotline", SurveyStatus.LIVE, now=now)
        for score in (10, 4):
            surveys.respond_anonymously(db, "nach-hotline", answers={"nps": score}, now=now)
    engine.dispose()

    app = create_app(settings)
    for router in (admin_web.router, settings_web.router):
        if router not in features.WEB_ROUTERS:
            app.include_router(router)
    with support.serving(app, port) as base:
        yield {"base": base}


def _login(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/app")


def _console_errors(page: Any) -> list[str]:
    """Console errors while the page lives (a CSP violation or a failing script shows here);
    HTTP statuses are asserted where they matter, so "failed to load" lines are left out."""
    errors: list[str] = []

    def record(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", record)
    return errors


def _answer_on_a_phone(browser: Any, url: str, score: str, comment: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(url)
    phone.get_by_role("radio", name=score, exact=True).check()
    phone.get_by_label("Was können wir besser machen?").fill(comment)
    support.shot(phone, "s03-public-survey-phone")
    phone.get_by_role("button", name="Absenden").click()
    expect(phone.get_by_role("heading", name="Vielen Dank!")).to_be_visible()
    context.close()


def test_an_answer_on_the_public_page_is_counted_in_the_results(
    server: dict[str, str], browser: Any
) -> None:
    base = server["base"]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors = _console_errors(page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, base, "manager@example.com")
    page.goto(base + "/app/surveys")
    expect(page.get_by_test_id("survey-list")).to_contain_text("Nach der Hotline")
    support.shot(page, "s01-survey-list")
    page.get_by_role("link", name="Nach der Hotline").click()
    page.get_by_test_id("results-link").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("responses-count")).to_have_text("2")
    expect(page.get_by_test_id("n-nps")).to_have_text("2")
    support.shot(page, "s02-results-before")

    _answer_on_a_phone(
        browser, f"{base}/s/a/nach-hotline", "9", "<script>window.__xss = 1</script> Schneller!"
    )

    page.reload()
    expect(page.get_by_test_id("responses-count")).to_have_text("3")
    expect(page.get_by_test_id("n-nps")).to_have_text("3")
    expect(page.get_by_test_id("comments")).to_contain_text(
        "<script>window.__xss = 1</script> Schneller!"
    )
    support.shot(page, "s04-results-after")
    assert page.evaluate("window.__xss") is None and dialogs == []
    assert errors == []
    context.close()


def test_a_manager_builds_publishes_and_reads_a_new_survey(
    server: dict[str, str], browser: Any
) -> None:
    base = server["base"]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors = _console_errors(page)
    _login(page, base, "manager@example.com")
    page.goto(base + "/app/surveys")
    page.get_by_test_id("new-survey").click()
    page.get_by_label("Schlüssel", exact=True).fill("nach-kauf")
    page.get_by_label("Interner Name").fill("Nach dem Kauf")
    page.get_by_label("Titel (Deutsch)").fill("Wie war Ihr Einkauf?")
    page.get_by_label("Titel (Englisch)").fill("How was your purchase?")
    page.get_by_label("Öffentlicher Link (ohne Einladung)").check()
    page.locator("#f-q0_key").fill("nps")
    page.locator("#f-q0_text_de").fill("Würden Sie uns weiterempfehlen?")
    page.locator("#f-q0_text_en").fill("Would you recommend us?")
    page.locator("#f-q0_required").check()
    page.get_by_test_id("add-question").click()
    page.wait_for_load_state()
    # the typed values survive adding a row; the new row is the fourth
    expect(page.locator("#f-q0_text_de")).to_have_value("Würden Sie uns weiterempfehlen?")
    page.locator("#f-q3_type").select_option("single_choice")
    page.locator("#f-q3_text_de").fill("Wo haben Sie gekauft?")
    page.locator("#f-q3_text_en").fill("Where did you buy?")
    page.locator("#f-q3_options").fill("Laden | Store")  # one option only: refused
    page.locator("#f-q1_text_de").fill("Was können wir besser machen?")
    page.locator("#f-q1_text_en").fill("What could we do better?")
    page.get_by_test_id("save-survey").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("error-q3")).to_be_visible()
    support.shot(page, "s05-builder-error")
    page.locator("#f-q3_options").fill("Laden | Store\nOnline | Online")
    page.get_by_test_id("save-survey").click()
    page.wait_for_url(base + "/app/surveys/nach-kauf?done=created")
    expect(page.get_by_test_id("survey-status")).to_have_text("Entwurf")
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("survey-status")).to_have_text("aktiv")
    support.shot(page, "s06-survey-live")
    public_url = page.get_by_test_id("public-link").get_attribute("href")
    assert public_url == "/s/a/nach-kauf"

    _answer_on_a_phone(browser, base + public_url, "10", "Alles gut")

    page.get_by_test_id("results-link").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("responses-count")).to_have_text("1")
    expect(page.get_by_test_id("comments")).to_contain_text("Alles gut")
    support.shot(page, "s07-new-survey-results")
    assert errors == []
    context.close()


def test_a_manager_walks_the_settings_and_sees_a_new_token_once(
    server: dict[str, str], browser: Any
) -> None:
    base = server["base"]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors = _console_errors(page)
    _login(page, base, "manager@example.com")
    page.goto(base + "/app/settings")
    nav = page.get_by_test_id("settings-nav")
    expect(nav).not_to_contain_text("Benutzer und Rollen")  # admins only
    nav.get_by_role("link", name="Kontaktpunkte und Journey-Phasen").click()
    page.get_by_label("Schlüssel", exact=True).fill("hotline")
    page.get_by_label("Name (Deutsch)").fill("Service-Hotline")
    page.get_by_label("Name (Englisch)").fill("Service hotline")
    page.get_by_label("Kanal").select_option("phone")
    page.get_by_test_id("create-touchpoint").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("touchpoints")).to_contain_text("Service-Hotline")
    support.shot(page, "s08-settings-touchpoints")

    page.get_by_test_id("settings-nav").get_by_role("link", name="API-Tokens").click()
    page.get_by_label("Name des Tokens").fill("CRM-Import")
    page.get_by_test_id("issue-token").click()
    page.wait_for_load_state()
    token = page.get_by_test_id("new-token").input_value()
    assert token.startswith("cxm_")
    support.shot(page, "s09-settings-token-once")
    page.goto(base + "/app/settings/tokens")
    assert token not in page.content() and "CRM-Import" in page.content()

    page.get_by_test_id("settings-nav").get_by_role("link", name="Versandkanäle").click()
    page.get_by_label("Empfänger").fill("ops@example.com")
    page.get_by_test_id("send-test").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("test-sent")).to_be_visible()
    support.shot(page, "s10-settings-channels")
    assert errors == []
    context.close()
