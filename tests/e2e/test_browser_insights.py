"""Journeys, drivers, segments and the dashboard's loyalty section in a real browser (Debian
Chromium through Playwright): a small demo company gives every page content; the funnel, the
paths and the drivers are drawn under the strict CSP with their tables, a segment is built,
counted and saved, and the dashboard filters by it; the console stays clean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from cxm import features  # noqa: F401
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics.settings import AnalyticsSettings
from cxm.app import create_app
from cxm.config import Settings
from cxm.db import make_engine, make_session_factory
from cxm.demo import generator
from cxm.migrate import upgrade
from cxm.shared.clock import utcnow
from cxm.web_support import STATIC_DIR
from tests.e2e import support

EMAIL = "insights-browser@example.org"
PASSWORD = "browser-test-pw"
# The smallest demo whose answers carry a driver analysis (≥ 30 rating customers at several
# touchpoints) and whose journeys have instances: about 20 s to build.
CUSTOMERS = 1200
JOURNEY = "new_contract"
SEGMENT = '{"field": "type", "op": "eq", "value": "business"}'

pytestmark = support.MARKS


def _seed(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as db:
        generator.build_demo(db, customers=CUSTOMERS, now=utcnow())
        user = accounts.create_user(db, email=EMAIL, name="Ina Insight", role=Role.CX_MANAGER)
        accounts.set_password(db, user.id, PASSWORD)
    engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (STATIC_DIR / "vendor" / "echarts.min.js").exists():
        pytest.fail("src/cxm/static/vendor/ is empty: run `make assets` (scripts/vendor-assets.sh)")
    folder = tmp_path_factory.mktemp("browser-insights")
    port = support.free_port()
    settings = support.settings_for(folder, port)
    _seed(settings)
    app = create_app(settings)
    app.state.analytics_settings = AnalyticsSettings(path=folder / "analytics.duckdb", min_n=5)
    with support.serving(app, port) as base:
        yield base


def _watch(page: Any) -> list[str]:
    """Console errors (a CSP violation is one) and script errors, but not the favicon."""
    problems: list[str] = []

    def console(message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _drawn(page: Any, testid: str) -> None:
    """ECharts drew into the chart's container: a canvas of a real size."""
    chart = page.get_by_test_id(testid)
    expect(chart).to_have_attribute("data-drawn", "true", timeout=15_000)
    canvas = chart.locator("canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, (testid, box)


FIGURE = re.compile(r"\d")


def test_journeys_drivers_segments_and_the_dashboard_show_their_content(
    server: str, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = _watch(page)

    page.goto(server + "/login?next=/app/journeys")
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(server + "/app/journeys")
    expect(page.get_by_test_id(f"journey-{JOURNEY}")).to_be_visible()
    support.shot(page, "40-journeys")

    page.goto(f"{server}/app/journeys/{JOURNEY}")
    expect(page.get_by_test_id("totals")).to_contain_text(FIGURE)
    _drawn(page, "chart-funnel")
    _drawn(page, "chart-sankey")
    funnel = page.get_by_test_id("funnel-table").locator("tbody tr")
    expect(funnel.first).to_contain_text(FIGURE)
    expect(page.get_by_test_id("paths-table").locator("tbody tr").first).to_contain_text(FIGURE)
    page.get_by_test_id("card-funnel").locator("summary").click()
    expect(funnel.first).to_be_visible()
    expect(page.get_by_test_id("card-emotion")).to_be_visible()
    journey_moments = page.get_by_test_id("card-moments").get_by_test_id("moments-table")
    expect(journey_moments.locator("tbody tr").first.locator("td").first).to_have_text("1")
    support.shot(page, "41-journey-funnel-paths")

    page.goto(server + "/app/insights")
    expect(page.get_by_test_id("card-drivers")).to_be_visible()
    _drawn(page, "chart-drivers")
    _drawn(page, "chart-matrix")
    moments = page.get_by_test_id("moments-table").locator("tbody tr")
    expect(moments.first).to_be_visible()
    expect(moments.first.locator("td").first).to_have_text("1")
    support.shot(page, "42-insights-drivers")

    page.goto(server + "/app/segments")
    page.get_by_test_id("segment-rule").fill(SEGMENT)
    page.get_by_test_id("segment-preview").click()
    count = page.get_by_test_id("segment-count")
    expect(count).to_contain_text(re.compile(r"[1-9]"))
    page.get_by_label("Name", exact=True).fill("Geschäftskunden")
    page.get_by_test_id("segment-save").click()
    page.wait_for_url(re.compile(r".*/app/segments/[0-9a-f-]{36}\?done=created"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschäftskunden")
    expect(page.get_by_test_id("segment-count")).to_contain_text(re.compile(r"[1-9]"))
    support.shot(page, "43-segment-saved")

    # The driver analysis runs beside the requests (it takes seconds on big data): the page
    # says so until it is ready, then shows it.
    for _ in range(120):
        page.goto(server + "/app")
        if page.get_by_test_id("loyalty-pending").count() == 0:
            break
        page.wait_for_timeout(250)
    loyalty = page.get_by_test_id("card-loyalty")
    expect(loyalty.get_by_role("heading", name="Was Loyalität treibt")).to_be_visible()
    _drawn(page, "chart-drivers")
    expect(loyalty.get_by_test_id("moments-table").locator("tbody tr").first).to_be_visible()
    expect(loyalty.get_by_test_id("link-insights")).to_have_attribute("href", "/app/insights")
    support.shot(page, "44-dashboard-loyalty")

    filters = page.get_by_test_id("dashboard-filters")
    filters.get_by_label("Kundensegment").select_option(label="Geschäftskunden")
    page.get_by_role("button", name="Anwenden").click()
    page.wait_for_url(re.compile(r".*/app\?.*segment=saved%3A[0-9a-f-]{36}.*"))
    expect(page.get_by_test_id("segment-members")).to_contain_text("Geschäftskunden")
    _drawn(page, "chart-trend")
    expect(page.get_by_test_id("card-loyalty")).to_contain_text(
        "Die Filter oben gelten für diesen Abschnitt nicht."
    )
    support.shot(page, "45-dashboard-saved-segment")

    assert problems == [], problems
    context.close()
