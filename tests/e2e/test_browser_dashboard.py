"""The dashboard charts and the feedback explorer in a real browser (Debian Chromium through
Playwright, as in test_browser.py): ECharts draws every chart under the strict CSP, the explorer
filters, loads more with htmx, and a label correction is saved; the console stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from cxm import features  # noqa: F401
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics.settings import AnalyticsSettings
from cxm.app import create_app
from cxm.config import Settings
from cxm.customers import services as customers
from cxm.db import make_engine, make_session_factory
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.migrate import upgrade
from cxm.shared.clock import utcnow
from cxm.surveys import services as surveys
from cxm.textanalytics import services as text
from cxm.touchpoints import services as touchpoints
from cxm.web_support import STATIC_DIR
from tests.e2e import support

PASSWORD = "browser-test-pw"
CHARTS = ("trend", "by-touchpoint", "complaints", "topics")

pytestmark = support.MARKS

COMPLAINTS = [
    ("Die Rechnung ist doppelt abgebucht worden, das ist eine Frechheit!", "billing"),
    ("Seit Tagen kein Netz, die Verbindung bricht ständig ab.", "network"),
    ("Die Hotline lässt mich 40 Minuten warten, ich kündige!", "waiting_time"),
    ("Falsche Rechnung schon wieder, bitte sofort korrigieren.", "billing"),
]


def _seed(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    now = utcnow()
    with make_session_factory(engine)() as db:
        manager = accounts.create_user(
            db, email="manager@example.com", name="Mia Manager", role=Role.CX_MANAGER
        )
        accounts.set_password(db, manager.id, PASSWORD)
        touchpoints.ensure_default_stages(db)
        for key, name in (("hotline", "Hotline"), ("shop", "Shop")):
            touchpoints.create_touchpoint(
                db, now=now, key=key, name_de=name, name_en=name, channel="phone", stage="service"
            )
        people = [
            customers.create_customer(
                db, now=now, first_name="Kim", last_name=f"Kunde{n}", attributes={"tier": tier}
            )
            for n, tier in enumerate(["gold", "silver", "gold"])
        ]
        customers.add_holding(
            db, people[0].id, now=now, product_code="MX", product_name="Modell X", model="Modell X"
        )
        surveys.create_survey(
            db,
            key="nach-kontakt",
            name="Nach dem Kontakt",
            title_de="Wie war es?",
            title_en="How was it?",
            now=now,
            questions=[
                {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"},
                {"key": "csat", "type": "csat", "text_de": "?", "text_en": "?"},
            ],
        )
        answers = [(10, 5), (9, 4), (3, 2), (7, 3), (10, 5), (6, 2)]
        for days_back in (3, 40, 75, 110):
            for n, (nps, csat) in enumerate(answers):
                surveys.record_response(
                    db,
                    "nach-kontakt",
                    answers={"nps": nps, "csat": csat},
                    now=now,
                    submitted_at=now - timedelta(days=days_back, minutes=n),
                    customer_id=people[n % 3].id,
                    touchpoint="hotline" if n % 2 else "shop",
                )
        calls = [
            NewInteraction(
                customer_id=people[n % 3].id,
                touchpoint="hotline",
                type="call",
                occurred_at=now - timedelta(days=d, hours=n),
            )
            for d in (2, 38, 70)
            for n in range(5)
        ]
        interactions.ingest(db, calls, now=now)
        for n in range(32):
            body, topic = COMPLAINTS[n % len(COMPLAINTS)]
            feedback.record_feedback(
                db,
                source=FeedbackSource.COMPLAINT,
                text=f"{body} (Vorgang {n})",
                occurred_at=now - timedelta(days=1 + (n % 3) * 35, hours=n),
                now=now,
                customer_id=people[n % 3].id,
                touchpoint="hotline",
                product_model="Modell X" if n % 2 else None,
                properties={"topic": topic},
            )
        text.analyse_pending(db, analyser=text.analyser_for(db), now=now)
    engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    vendored = STATIC_DIR / "vendor" / "echarts.min.js"
    if not vendored.exists():
        pytest.fail("src/cxm/static/vendor/ is empty: run `make assets` (scripts/vendor-assets.sh)")
    folder = tmp_path_factory.mktemp("browser-dashboard")
    port = support.free_port()
    settings = support.settings_for(folder, port)
    _seed(settings)
    app = create_app(settings)
    app.state.analytics_settings = AnalyticsSettings(path=folder / "analytics.duckdb", min_n=3)
    with support.serving(app, port) as base:
        yield base


def _watch(page: Any) -> list[str]:
    """Console errors (a CSP violation is one) and script errors; the browser's own request
    for /favicon.ico, which cxm does not serve, is not the page's fault."""
    problems: list[str] = []

    def console(message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _charts_drawn(page: Any) -> None:
    for name in CHARTS:
        canvas = page.locator(f'div.chart[data-chart="{name}"] canvas').first
        canvas.wait_for(state="attached", timeout=10_000)
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (name, box)


def test_charts_draw_and_a_label_correction_is_saved_without_console_errors(
    server: str, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = _watch(page)

    page.goto(server + "/app")
    page.get_by_label("E-Mail-Adresse").fill("manager@example.com")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(server + "/app")
    _charts_drawn(page)
    support.shot(page, "20-dashboard-charts")

    filters = page.get_by_test_id("dashboard-filters")
    filters.get_by_label("Zeitraum").select_option("3")
    filters.get_by_label("Kontaktpunkt").select_option("hotline")
    page.get_by_role("button", name="Anwenden").click()
    page.wait_for_url("**/app?months=3&touchpoint=hotline*")
    _charts_drawn(page)
    expect(filters.get_by_label("Zeitraum")).to_have_value("3")
    support.shot(page, "21-dashboard-filtered")

    page.get_by_role("navigation").get_by_role("link", name="Feedback").click()
    page.wait_for_url(server + "/app/feedback")
    items = page.get_by_test_id("feedback-item")
    expect(items).to_have_count(25)
    page.get_by_test_id("more").click()
    # A locator assertion polls from Playwright's side: page-side polling would need eval,
    # which the CSP (rightly) forbids.
    expect(items).to_have_count(32)
    expect(page.get_by_test_id("more")).to_have_count(0)
    assert page.url == server + "/app/feedback"  # htmx appended the rest in place

    search = page.get_by_test_id("feedback-filters")
    search.get_by_label("Im Text suchen").fill("Rechnung")
    search.get_by_label("Produkt / Modell").select_option("Modell X")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url("**/app/feedback?q=Rechnung*product=Modell+X*")
    found = items.count()
    assert found > 0
    assert all("Rechnung" in items.nth(i).inner_text() for i in range(found))
    support.shot(page, "22-feedback-explorer")

    items.first.get_by_test_id("open").click()
    page.wait_for_url("**/app/feedback/*")
    expect(page.get_by_test_id("analysis")).to_be_visible()
    before = page.get_by_test_id("sentiment").inner_text()
    wanted = "positive" if before != "positiv" else "neutral"
    page.get_by_label("Stimmung").select_option(wanted)
    page.get_by_role("button", name="Korrektur speichern").click()
    page.wait_for_url("**saved=1**")
    expect(page.get_by_test_id("saved")).to_have_text("Korrektur gespeichert.")
    expect(page.get_by_test_id("sentiment")).to_have_text(
        "positiv" if wanted == "positive" else "neutral"
    )
    expect(page.get_by_test_id("corrected")).to_be_visible()
    expect(page.get_by_test_id("corrections")).to_contain_text("Mia Manager")
    support.shot(page, "23-feedback-corrected")
    page.get_by_test_id("back").click()
    page.wait_for_url("**/app/feedback?q=Rechnung*")

    assert problems == [], problems
    context.close()


def test_the_charts_fit_a_phone(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    problems = _watch(page)
    page.goto(server + "/login?next=/app")
    page.get_by_label("E-Mail-Adresse").fill("manager@example.com")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(server + "/app")
    _charts_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    support.shot(page, "24-dashboard-phone")
    assert problems == [], problems
    context.close()
