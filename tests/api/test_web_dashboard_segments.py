"""The dashboard's saved-segment filter and its "what drives loyalty" section through HTTP:
a saved segment narrows the KPI charts to its members and stays in the URL; the key drivers
of NPS and the moments of truth are drawn from a data block with a table, with an empty state
while the answers do not support an analysis."""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.segments import services as segments
from cxm.shared.clock import FixedClock
from cxm.surveys import services as surveys
from tests import factories
from tests.api import test_web_dashboard_feedback as feedback_pages
from tests.api.test_web_dashboard_feedback import _block, _csrf, _login

# the feedback module's fixtures: an analytical store, and two months of answers and complaints
analytics = feedback_pages.analytics
cx_data = feedback_pages.cx_data


def _saved(db: Session, clock: FixedClock, name: str, tier: str) -> str:
    rule = {"field": "attribute", "key": "tier", "op": "eq", "value": tier}
    return f"saved:{segments.create_segment(db, name=name, rule=rule, now=clock.now()).id}"


def test_a_saved_segment_narrows_the_charts_to_its_members_and_stays_in_the_url(
    client: TestClient, db: Session, clock: FixedClock, cx_data: dict[str, Any]
) -> None:
    gold = _saved(db, clock, "Goldkunden", "gold")
    silver = _saved(db, clock, "Silberkunden", "silver")
    _login(client, db, Role.ANALYST)
    page = client.get("/app").text
    assert '<optgroup label="Gespeicherte Segmente">' in page
    assert f'<option value="{gold}">Goldkunden</option>' in page
    assert '<option value="tier=gold">' in page  # the attribute pairs stay offered

    everyone = _block(page, "chart-trend")
    html = client.get("/app", params={"segment": gold, "months": "3"}).text
    assert f'<option value="{gold}" selected>Goldkunden</option>' in html
    assert "Segment „Goldkunden“: 1 Kunden (heute)." in html
    # every answer came from the gold customer: the same NPS, three months of it
    trend = _block(html, "chart-trend")
    assert trend["series"][0]["values"] == everyone["series"][0]["values"][-3:]
    assert _block(html, "chart-by-touchpoint")["series"][0]["values"] == [40.0]

    html = client.get("/app", params={"segment": silver}).text
    assert f'<option value="{silver}" selected>Silberkunden</option>' in html
    assert "Noch keine Antworten — legen Sie eine Umfrage an" in html  # silver gave none
    assert "Der Segmentfilter gilt für dieses Diagramm nicht." in html  # text topics


def test_a_segment_edited_later_filters_by_its_new_members(
    client: TestClient, db: Session, clock: FixedClock, cx_data: dict[str, Any]
) -> None:
    value = _saved(db, clock, "Wechselnd", "silver")
    _login(client, db, Role.ANALYST)
    assert "Noch keine Antworten" in client.get("/app", params={"segment": value}).text
    segment_id = value.removeprefix("saved:")
    rule = {"field": "attribute", "key": "tier", "op": "eq", "value": "gold"}
    segments.update_segment(db, uuid.UUID(segment_id), rule=rule, now=clock.now() + timedelta(1))
    html = client.get("/app", params={"segment": value}).text
    assert _block(html, "chart-by-touchpoint")["series"][0]["values"] == [40.0]


def test_an_unknown_or_malformed_saved_segment_falls_back_to_everyone(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.ANALYST)
    for value in ("saved:00000000-0000-0000-0000-000000000000", "saved:nope"):
        page = client.get("/app", params={"segment": value})
        assert page.status_code == 200
        assert _block(page.text, "chart-by-touchpoint")["labels"] == ["Service-Hotline"]
        assert 'data-testid="segment-members"' not in page.text


def test_without_enough_answers_the_loyalty_section_says_so_in_both_languages(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.ANALYST)
    page = client.get("/app").text
    assert 'data-testid="card-loyalty"' in page
    assert "Noch nicht genug Antworten für eine Treiberanalyse" in page
    assert 'data-chart="drivers"' not in page and "/static/insights.js" not in page
    assert 'href="/app/insights"' in page and 'href="/app/journeys"' in page
    client.post("/language", data={"language": "en", "csrf": _csrf(page), "next": "/app"})
    english = client.get("/app").text
    assert "What drives loyalty" in english
    assert "Not enough answers yet for a driver analysis" in english


def _drivers_world(db: Session, clock: FixedClock) -> None:
    """60 customers rate the hotline and the shop (CSAT) and then give an NPS answer that
    follows their hotline rating closely and their shop rating a little."""
    now = clock.now()
    for key, name in (("hotline", "Service-Hotline"), ("shop", "Shop")):
        factories.touchpoint(db, now=now, key=key, name_de=name, name_en=name + " (en)")
    surveys.create_survey(
        db, key="kontakt", name="Kontakt", title_de="?", title_en="?", now=now,
        questions=[
            {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"},
            {"key": "csat", "type": "csat", "text_de": "?", "text_en": "?"},
        ],
    )  # fmt: skip
    rng = random.Random(7)
    for n in range(60):
        who = factories.customer(db, now=now, attributes={"tier": "gold" if n % 2 else "silver"})
        hotline, shop = rng.randint(1, 5), rng.randint(1, 5)
        nps = max(0, min(10, round(2 * hotline + 0.4 * shop - 1 + rng.gauss(0, 0.7))))
        for days, touchpoint, answers in (
            (20, "shop", {"csat": shop}),
            (10, "hotline", {"csat": hotline, "nps": nps}),
        ):
            surveys.record_response(
                db, "kontakt", answers=answers, now=now,
                submitted_at=now - timedelta(days=days, minutes=n),
                customer_id=who.id, touchpoint=touchpoint,
            )  # fmt: skip


def test_the_loyalty_section_ranks_the_drivers_with_intervals_and_the_moments_of_truth(
    client: TestClient, db: Session, clock: FixedClock, analytics: None
) -> None:
    _drivers_world(db, clock)
    _login(client, db, Role.ANALYST)
    html = client.get("/app").text
    chart = _block(html, "chart-drivers")
    assert chart["type"] == "whiskers"
    assert chart["labels"] == ["Service-Hotline", "Shop"]
    hotline, shop = chart["values"]
    assert hotline > 80 > 20 > shop and hotline + shop == 100.0
    assert all(
        lo <= v <= hi
        for lo, v, hi in zip(chart["low"], chart["values"], chart["high"], strict=True)
    )
    assert 'data-testid="drivers-table"' in html
    moments = html.split('data-testid="moments-table"', 1)[1].split("</table>", 1)[0]
    assert moments.index("Service-Hotline") < moments.index("Shop")  # the larger effect first
    assert re.search(r"<td>1</td><td>Service-Hotline</td><td>\d+,\d <small>", moments)
    assert '<script src="/static/insights.js" defer></script>' in html
    assert "n = 60 Kunden" in html
    # the section ignores the filters above, and says so
    filtered = client.get("/app", params={"segment": "tier=gold"}).text
    assert _block(filtered, "chart-drivers")["values"] == chart["values"]
    assert "Die Filter oben gelten für diesen Abschnitt nicht." in filtered
