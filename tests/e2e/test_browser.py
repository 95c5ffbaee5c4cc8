"""Real browser tests: Playwright drives Debian's Chromium against a real cxm server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cxm import features  # noqa: F401
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.app import build_mailer, create_app
from cxm.cases import services as cases
from cxm.consent import services as consent
from cxm.consent.domain import ContactChannel, Purpose
from cxm.customers import services as customers
from cxm.db import make_engine, make_session_factory
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.migrate import upgrade
from cxm.outreach import services as outreach
from cxm.outreach.jobs import delivery_context
from cxm.shared.clock import utcnow
from cxm.surveys import services as surveys
from cxm.surveys.domain import FatiguePolicy, SurveyStatus
from tests.e2e import support

PASSWORD = "browser-test-pw"

pytestmark = support.MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("browser")
    port = support.free_port()
    settings = support.settings_for(folder, port)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    now = utcnow()
    with make_session_factory(engine)() as db:
        agent = accounts.create_user(
            db, email="agent@example.com", name="Anna Agent", role=Role.AGENT
        )
        accounts.set_password(db, agent.id, PASSWORD)
        desk = accounts.create_user(
            db, email="desk@example.com", name="Jonas Becker", role=Role.AGENT
        )
        accounts.set_password(db, desk.id, PASSWORD)
        manager = accounts.create_user(
            db, email="manager@example.com", name="Mia Manager", role=Role.CX_MANAGER
        )
        accounts.set_password(db, manager.id, PASSWORD)
        erika = customers.create_customer(
            db,
            now=now,
            salutation="ms",
            first_name="Erika",
            last_name="Weber",
            identities=[{"kind": "email", "value": "erika@example.com"}],
        )
        customers.add_holding(
            db,
            erika.id,
            now=now,
            product_code="DEV-MX",
            product_name="Smartphone Modell X",
            model="Smartphone Modell X",
            serial="MX123",
        )
        feedback.record_feedback(
            db,
            source=FeedbackSource.COMPLAINT,
            customer_id=erika.id,
            now=now,
            occurred_at=now - timedelta(hours=2),
            text="<script>window.__xss = 1; alert('xss')</script><img src=x onerror=\"alert(2)\"> "
            "Meine Anrufe brechen ständig ab!",
        )
        consent.record_consent(
            db,
            erika.id,
            purpose=Purpose.SURVEY,
            channel=ContactChannel.EMAIL,
            granted=True,
            source="test",
            now=now,
        )
        surveys.create_survey(
            db,
            key="nach-hotline",
            name="Nach der Hotline",
            title_de="Wie war Ihr Anruf?",
            title_en="How was your call?",
            now=now,
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
        invitation = surveys.invite(
            db, survey_key="nach-hotline", customer_id=erika.id, now=now, policy=FatiguePolicy()
        )
        token = surveys.token_for(invitation.id, secret=settings.signing_key())
        customer_id = str(erika.id)
        case = cases.open_case(
            db,
            customer_id=erika.id,
            subject="Anrufe brechen ab <script>window.__xss = 2</script>",
            description="Seit Wochen brechen meine Gespräche ab. Woran liegt das?",
            topic="network",
            product_model="Smartphone Modell X",
            now=now,
            calendar_code="DE-BE",
        ).case
        case_reference = case.reference
        # What the worker does every minute: the acknowledgement goes out.
        outreach.deliver(db, delivery_context(settings, build_mailer(settings)), now=now)
    engine.dispose()

    app = create_app(settings)
    with support.serving(app, port) as base:
        yield {
            "base": base,
            "token": token,
            "customer_id": customer_id,
            "case": case_reference,
        }


def test_agent_logs_in_switches_language_finds_the_customer_and_no_script_runs(
    server: dict[str, str], browser: object
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server["base"] + "/app")
    assert page.url.startswith(server["base"] + "/login")
    page.get_by_label("E-Mail-Adresse").fill("agent@example.com")
    page.get_by_label("Passwort").fill(PASSWORD)
    support.shot(page, "01-login")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(server["base"] + "/app")
    support.shot(page, "02-dashboard-de")

    page.get_by_test_id("language").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    support.shot(page, "03-dashboard-en")

    page.get_by_role("link", name="Customers").click()
    page.get_by_label("Name, e-mail, phone or customer number").fill("weber")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Erika Weber").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("customer-name")).to_have_text("Erika Weber")
    expect(page.get_by_test_id("holdings")).to_contain_text("Smartphone Modell X")
    expect(page.get_by_test_id("feedback")).to_contain_text("<script>")
    support.shot(page, "04-customer-360")
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    context.close()


def test_a_customer_answers_the_survey_on_a_phone(server: dict[str, str], browser: object) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server['base']}/s/{server['token']}")
    expect(page.get_by_role("heading", name="Wie war Ihr Anruf?")).to_be_visible()
    support.shot(page, "05-survey-phone")
    page.get_by_role("radio", name="9").check()
    page.get_by_label("Was können wir besser machen?").fill("Schneller zurückrufen")
    page.get_by_role("button", name="Absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank!")).to_be_visible()
    support.shot(page, "06-survey-thanks")
    page.goto(f"{server['base']}/s/{server['token']}")
    expect(page.get_by_role("heading", name="Bereits beantwortet")).to_be_visible()
    context.close()


def _login(page: object, base: str, email: str) -> None:
    page.goto(base + "/login")  # type: ignore[attr-defined]
    page.get_by_label("E-Mail-Adresse").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Passwort").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Anmelden").click()  # type: ignore[attr-defined]
    page.wait_for_url(base + "/app")  # type: ignore[attr-defined]


def test_an_agent_works_the_case_from_the_queue_to_resolved(
    server: dict[str, str], browser: object
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, server["base"], "desk@example.com")
    page.get_by_role("link", name="Fälle").click()
    expect(page.get_by_test_id("case-queue")).to_contain_text(server["case"])
    support.shot(page, "07-case-queue")
    page.get_by_role("link", name=server["case"]).click()
    page.wait_for_load_state()
    # The acknowledgement went out when the case was opened.
    expect(page.get_by_test_id("case-status")).to_have_text("bestätigt")
    page.get_by_test_id("move-in_progress").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("in Bearbeitung")
    page.get_by_label("Bei wem").fill("Hersteller Modell X")
    page.get_by_label("Frage").fill("Bekannter Softwarefehler bei Gesprächsabbrüchen?")
    page.locator("#cdue").fill("2030-01-10T12:00")
    page.get_by_role("button", name="Prüfung anfragen").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("checks")).to_contain_text("Hersteller Modell X")
    page.get_by_label("Zusage", exact=True).fill("Rückruf innerhalb von 24 Stunden")
    page.locator("#pdue").fill("2030-01-09T12:00")
    page.get_by_role("button", name="Zusage festhalten").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("promises")).to_contain_text("Rückruf")
    page.locator("#reply").fill("Sehr geehrte Damen und Herren, ok.")
    page.get_by_test_id("reply-check").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("reply-quality")).to_contain_text("Frau Weber")
    support.shot(page, "08-case-reply-quality")
    page.get_by_label("Ursache (Code)").fill("device_software")
    page.get_by_label("Kulanz", exact=True).fill("100 Freiminuten")
    page.get_by_test_id("resolve").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("gelöst")
    assert "100 Freiminuten" in page.content()
    support.shot(page, "09-case-resolved")
    assert dialogs == [] and page.evaluate("window.__xss") is None
    context.close()


def test_a_manager_previews_and_sends_the_notice_to_all_owners(
    server: dict[str, str], browser: object
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    _login(page, server["base"], "manager@example.com")
    page.get_by_role("link", name="Hinweise an Kunden").click()
    page.get_by_label("Modell", exact=True).fill("Smartphone Modell X")
    page.get_by_label("Titel (Deutsch)").fill("Software-Update für Modell X")
    page.get_by_label("Titel (Englisch)").fill("Software update for Modell X")
    page.get_by_label("Text (Deutsch)").fill("Ein Softwarefehler lässt Gespräche abbrechen.")
    page.get_by_label("Text (Englisch)").fill("A software fault drops calls.")
    page.get_by_label("Link zum Update").fill("https://lindenfunk.example/update")
    page.get_by_role("button", name="Entwurf anlegen und Vorschau zeigen").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("holders")).to_have_text("1")
    support.shot(page, "10-notice-preview")
    page.get_by_test_id("send-notice").click()
    page.wait_for_url("**/app/notices/*?done=sent")
    expect(page.get_by_role("status")).to_contain_text("Gesendet")
    expect(page.get_by_test_id("notice-preview")).to_be_visible()
    expect(page.locator("body")).to_contain_text("sent")
    support.shot(page, "11-notice-sent")
    context.close()
