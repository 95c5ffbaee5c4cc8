"""The journey routes and pages through HTTP: definitions (CRUD, validation, who may do what),
the figures of a small world with exact numbers, period filters and bad input, and the pages
(charts as data blocks, tables, empty states, escaping, the settings form with CSRF)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import cxm.journeys.models  # noqa: F401  (registers the table until cxm.features imports it)
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics.settings import AnalyticsSettings
from cxm.customers.models import Customer
from cxm.interactions.models import Interaction
from cxm.journeys import api as journeys_api
from cxm.journeys import domain as d
from cxm.journeys import services
from cxm.journeys import web as journeys_web
from cxm.shared.clock import FixedClock
from cxm.textanalytics.models import TextAnalysis
from cxm.touchpoints.models import Touchpoint
from tests import factories
from tests.api.conftest import Auth

API = "/api/v1/journeys"
PASSWORD = "richtig-geheim"


@pytest.fixture
def wired(app: FastAPI, tmp_path: Path) -> AnalyticsSettings:
    """The journey routers (until cxm.features lists them) and a store of this test's own."""
    cfg = AnalyticsSettings(path=tmp_path / "analytics.duckdb", min_n=1)
    app.state.analytics_settings = cfg
    paths = {getattr(r, "path", "") for r in app.routes}
    if API not in paths:
        app.include_router(journeys_api.router, prefix="/api/v1")
    if "/app/journeys" not in paths:
        app.include_router(journeys_web.router)
    return cfg


@pytest.fixture
def catalogue(db: Session, clock: FixedClock) -> dict[str, Touchpoint]:
    now = clock.now()
    specs = [
        ("web_home", "web", "awareness", "Startseite", "Homepage"),
        ("web_checkout", "web", "purchase", "Bestellung", "Checkout"),
        ("shop_koeln", "store", "purchase", "Shop Köln", "Shop Cologne"),
        ("hotline", "phone", "service", "Hotline", "Hotline"),
    ]
    return {
        key: factories.touchpoint(
            db, now=now, key=key, channel=channel, stage=stage, name_de=de, name_en=en
        )
        for key, channel, stage, de, en in specs
    }


def _add(
    db: Session, customer: Customer, tp: Touchpoint, type_: str, at: datetime, **props: Any
) -> Interaction:
    row = Interaction(
        customer_id=customer.id, touchpoint_id=tp.id, channel=tp.channel, direction="in",
        type=type_, occurred_at=at, properties=props,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def world(db: Session, clock: FixedClock, catalogue: dict[str, Touchpoint]) -> dict[str, Any]:
    """A buys (web → shop → purchase), B looked 50 days ago (lost), C looked yesterday (open)."""
    now = clock.now()
    a, b, c = (factories.customer(db, now=now) for _ in range(3))
    tp = catalogue
    start = now - timedelta(days=10)
    _add(db, a, tp["web_home"], "page_view", start)
    _add(db, a, tp["web_checkout"], "page_view", start + timedelta(minutes=5))
    _add(db, a, tp["shop_koeln"], "visit", start + timedelta(days=1))
    bought = _add(db, a, tp["shop_koeln"], "purchase", start + timedelta(days=1, minutes=30))
    _add(db, b, tp["web_home"], "page_view", now - timedelta(days=50))
    _add(db, c, tp["web_home"], "page_view", now - timedelta(days=1))
    db.add(
        TextAnalysis(
            subject_type="interaction", subject_id=bought.id, source="visit", customer_id=a.id,
            touchpoint_id=tp["shop_koeln"].id, occurred_at=bought.occurred_at + timedelta(hours=1),
            language="de", masked_text="…", sentiment="positive", sentiment_score=0.8,
            topics=[], flags=[], products=[], urgent=False, model_version="test",
        )
    )  # fmt: skip
    db.flush()
    return {"a": a, "b": b, "c": c}


def _create_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": "fault",
        "name_de": "Störung",
        "name_en": "Fault",
        "stages": [
            {"key": "call", "name_de": "Anruf", "touchpoints": ["hotline"]},
            {"key": "fix", "name_de": "Reparatur", "types": ["technician_visit"]},
        ],
        "goal": {"resolved": True},
        "timeout_hours": 72,
    }
    body.update(overrides)
    return body


# --- definitions -------------------------------------------------------------------------------


def test_the_default_journeys_are_listed_on_first_use(
    client: TestClient, admin: dict[str, str], wired: AnalyticsSettings, catalogue: Any
) -> None:
    response = client.get(API, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [j["key"] for j in body] == ["new_contract", "complaint_service", "device_repair"]
    assert body[0]["stages"][0]["touchpoints"] == ["web_home"]
    assert body[0]["goal"]["types"] == ["purchase", "order"]
    assert body[1]["goal"]["resolved"] is True and body[0]["timeout_hours"] == 720


def test_a_journey_is_created_read_changed_and_deleted(
    client: TestClient, admin: dict[str, str], wired: AnalyticsSettings, catalogue: Any
) -> None:
    created = client.post(API, json=_create_body(), headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["stages"][0] == {
        "key": "call", "name_de": "Anruf", "name_en": "Anruf", "touchpoints": ["hotline"],
        "types": [],
    }  # fmt: skip
    assert client.get(f"{API}/fault", headers=admin).json()["timeout_hours"] == 72
    changed = client.patch(
        f"{API}/fault", json={"timeout_hours": 48, "name_en": "Faults"}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["timeout_hours"] == 48
    assert changed.json()["name_en"] == "Faults" and len(changed.json()["stages"]) == 2
    assert client.delete(f"{API}/fault", headers=admin).status_code == 204
    missing = client.get(f"{API}/fault", headers=admin)
    assert missing.status_code == 404 and missing.json()["field"] == "journey"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stages": []}, "stages"),
        ({"stages": [{"key": "a", "name_de": "A", "touchpoints": ["nowhere"]}]},
         "stages[0].touchpoints"),
        ({"stages": [{"key": "a", "name_de": "A", "types": ["x"]},
                     {"key": "a", "name_de": "B", "types": ["y"]}]},
         "stages[1].key"),
        ({"stages": [{"key": "a", "name_de": "A"}]}, "stages[0]"),
        ({"goal": {}}, "goal"),
        ({"key": "Nicht gültig"}, "key"),
        ({"timeout_hours": 0}, "timeout_hours"),
        ({"web": {"goal_pages": ["nope"]}}, "web.goal_pages"),
    ],
)  # fmt: skip
def test_an_invalid_journey_is_refused_with_422_naming_the_field(
    client: TestClient,
    admin: dict[str, str],
    wired: AnalyticsSettings,
    catalogue: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    response = client.post(API, json=_create_body(**change), headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert response.json()["problems"][0]["field"] == field


def test_a_malformed_body_and_a_duplicate_key_are_refused(
    client: TestClient, admin: dict[str, str], wired: AnalyticsSettings, catalogue: Any
) -> None:
    body = _create_body()
    del body["goal"]
    malformed = client.post(API, json=body, headers=admin)
    assert malformed.status_code == 422 and "goal" in json.dumps(malformed.json()["detail"])
    assert client.post(API, json=_create_body(), headers=admin).status_code == 201
    again = client.post(API, json=_create_body(), headers=admin)
    assert again.status_code == 409 and again.json()["field"] == "key"
    bad_patch = client.patch(f"{API}/fault", json={"stages": []}, headers=admin)
    assert bad_patch.status_code == 422 and bad_patch.json()["field"] == "stages"


def test_analysts_read_journeys_only_catalogue_editors_change_them(
    client: TestClient, auth: Auth, wired: AnalyticsSettings, catalogue: Any
) -> None:
    analyst, agent = auth(Role.ANALYST), auth(Role.AGENT)
    assert client.get(API, headers=analyst).status_code == 200
    assert client.get(API, headers=agent).status_code == 403
    assert client.get(f"{API}/new_contract/funnel", headers=agent).status_code == 403
    assert client.get(API).status_code == 401
    assert client.post(API, json=_create_body(), headers=analyst).status_code == 403
    assert client.delete(f"{API}/new_contract", headers=analyst).status_code == 403
    assert client.post(API, json=_create_body(), headers=auth(Role.CX_MANAGER)).status_code == 201


# --- figures -----------------------------------------------------------------------------------


def test_the_funnel_of_a_small_world_has_exact_numbers(
    client: TestClient, admin: dict[str, str], wired: AnalyticsSettings, world: Any
) -> None:
    response = client.get(f"{API}/new_contract/funnel", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["key"] for s in body["steps"]] == ["orientation", "shop", "purchase", "goal"]
    assert body["steps"][3]["name_en"] == "Purchased" and body["data_as_of"] is not None
    f = body["funnel"]
    assert (f["instances"], f["customers"], f["goal"], f["open"], f["lost"]) == (3, 3, 1, 1, 1)
    assert [s["reached"] for s in f["steps"]] == [3, 1, 1, 1]
    assert [s["conversion"] for s in f["steps"]] == [None, pytest.approx(1 / 3), 1.0, 1.0]
    assert (f["steps"][0]["lost"], f["steps"][0]["open"]) == (1, 1)
    assert f["steps"][0]["to_next"] == {"n": 1, "median": 300.0, "p90": 300.0}
    assert f["steps"][1]["to_next"]["median"] == 86400 + 1500


def test_a_period_filter_keeps_the_journeys_inside_it(
    client: TestClient,
    admin: dict[str, str],
    wired: AnalyticsSettings,
    world: Any,
    clock: FixedClock,
) -> None:
    since = (clock.now() - timedelta(days=20)).date().isoformat()
    body = client.get(f"{API}/new_contract/funnel", params={"from": since}, headers=admin).json()
    assert body["funnel"]["instances"] == 2 and body["start"].startswith(since)
    until = (clock.now() - timedelta(days=5)).date().isoformat()
    body = client.get(
        f"{API}/new_contract/funnel", params={"from": since, "to": until}, headers=admin
    ).json()
    # the as-of time is the end of the period: A bought, nobody else is in it
    assert body["funnel"]["instances"] == 1 and body["as_of"].startswith(
        (clock.now() - timedelta(days=4)).date().isoformat()
    )  # fmt: skip


def test_paths_switches_lost_emotion_and_web_visits(
    client: TestClient, admin: dict[str, str], wired: AnalyticsSettings, world: Any
) -> None:
    paths = client.get(f"{API}/new_contract/paths", params={"top": 5}, headers=admin).json()
    top = {(tuple(p["steps"]), p["outcome"]): p["instances"] for p in paths["paths"]["top"]}
    assert top == {
        (("orientation", "shop", "purchase"), "goal"): 1,
        (("orientation",), "lost"): 1,
        (("orientation",), "open"): 1,
    }
    assert {"id": "1:orientation", "key": "orientation", "position": 1} in paths["paths"]["nodes"]
    assert {"source": "1:orientation", "target": "2:shop", "value": 1} in paths["paths"]["links"]
    by_tp = client.get(
        f"{API}/new_contract/paths", params={"by": "touchpoint"}, headers=admin
    ).json()
    assert ["web_home", "web_checkout", "shop_koeln"] in [p["steps"] for p in by_tp["paths"]["top"]]

    switches = client.get(f"{API}/new_contract/channel-switches", headers=admin).json()
    rows = {
        (r["first_channel"], r["last_channel"]): r["instances"]
        for r in switches["switches"]["rows"]
    }
    assert rows == {("web", "store"): 1, ("web", "web"): 2}
    assert switches["switches"]["switched"] == 1

    lost = client.get(f"{API}/new_contract/lost", headers=admin).json()["lost"]
    assert lost["lost"] == 1 and lost["by_touchpoint"] == [
        {"key": "web_home", "instances": 1, "share": 1.0}
    ]  # fmt: skip

    emotion = client.get(f"{API}/new_contract/emotion", headers=admin).json()
    assert emotion["question_type"] == "nps" and emotion["min_n"] == 1
    points = {p["key"]: p for p in emotion["points"]}
    assert points["purchase"]["sentiment"]["n"] == 1
    assert points["purchase"]["sentiment"]["mean"] == pytest.approx(0.8)
    assert points["orientation"]["score"]["n"] == 0

    visits = client.get(f"{API}/new_contract/web-visits", headers=admin).json()
    assert visits["goal_pages"] == ["web_checkout"]
    total, home = visits["rows"]
    assert (total["entry_page"], total["visits"], total["goal_reached"]) == (None, 3, 1)
    assert (home["entry_page"], home["clicks_median"], home["seconds_median"]) == (
        "web_home", 1.0, 300.0,
    )  # fmt: skip
    assert total["orientation_exits"] == 2


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("new_contract/funnel", {"from": "2026-03-01", "to": "2026-02-01"}, 422),
        ("new_contract/funnel", {"from": "gestern"}, 422),
        ("new_contract/paths", {"by": "mood"}, 422),
        ("new_contract/paths", {"top": 0}, 422),
        ("new_contract/emotion", {"question_type": "mood"}, 422),
        ("nowhere/funnel", {}, 404),
        ("nowhere/web-visits", {}, 404),
    ],
)
def test_bad_figure_requests_are_refused(
    client: TestClient,
    admin: dict[str, str],
    wired: AnalyticsSettings,
    catalogue: Any,
    path: str,
    params: dict[str, Any],
    status: int,
) -> None:
    assert client.get(f"{API}/{path}", params=params, headers=admin).status_code == status


# --- pages -------------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "page without CSRF token"
    return match.group(1)


def _login(client: TestClient, db: Session, role: Role) -> None:
    user = factories.user(db, role=role)
    accounts.set_password(db, user.id, PASSWORD)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def _block(html: str, block_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S
    )
    assert match, f"no data block {block_id}"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_the_journey_page_shows_charts_with_tables(
    client: TestClient, db: Session, wired: AnalyticsSettings, world: Any
) -> None:
    _login(client, db, Role.ANALYST)
    listing = client.get("/app/journeys")
    assert listing.status_code == 200 and "Neuvertrag / Kauf" in listing.text
    page = client.get("/app/journeys/new_contract")
    assert page.status_code == 200, page.text
    html = page.text
    funnel = _block(html, "journey-funnel")
    assert funnel["type"] == "bar" and funnel["series"][0]["values"] == [3, 1, 1, 1]
    assert funnel["labels"] == ["Suche & Information", "Shop & Beratung", "Kauf", "Gekauft"]
    sankey = _block(html, "journey-sankey")
    assert (
        sankey["type"] == "sankey"
        and {"source": "1:orientation", "target": "2:lost", "value": 1} in sankey["links"]
    )
    emotion = _block(html, "journey-emotion")
    assert emotion["series"][1]["values"][2] == 0.8
    for testid in (
        "funnel-table",
        "paths-table",
        "emotion-table",
        "switches-table",
        "lost-table",
        "web-table",
    ):
        assert f'data-testid="{testid}"' in html, testid
    assert "Trichter" in html and "Startseite" in html  # German labels and touchpoint names
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert 'src="/static/journeys.js"' in html
    assert 'data-testid="card-settings"' not in html  # analysts do not edit
    by_tp = client.get("/app/journeys/new_contract", params={"by": "touchpoint", "from": "bad"})
    assert by_tp.status_code == 200 and "Shop Köln" in by_tp.text


def test_the_journey_page_without_data_shows_empty_states(
    client: TestClient, db: Session, wired: AnalyticsSettings, catalogue: Any
) -> None:
    _login(client, db, Role.ANALYST)
    html = client.get("/app/journeys/complaint_service").text
    assert 'data-testid="no-data"' in html and 'data-testid="chart-funnel"' not in html
    assert "Keine Website-Besuche" in html and "Keine abgebrochenen Journeys" in html
    assert client.get("/app/journeys/nowhere").status_code == 404


def test_names_are_escaped_on_the_pages_and_in_the_data_blocks(
    client: TestClient, db: Session, clock: FixedClock, wired: AnalyticsSettings, world: Any
) -> None:
    evil = "</script><script>alert(1)</script>"
    services.create_journey(
        db, key="evil", name_de=f"<b>{evil}</b>", name_en="Evil",
        stages=[d.Stage("look", evil, evil, ("web_home",))], goal=d.Goal(types=("purchase",)),
        now=clock.now(),
    )  # fmt: skip
    _login(client, db, Role.ANALYST)
    for path in ("/app/journeys", "/app/journeys/evil"):
        html = client.get(path).text
        assert evil not in html and "<b>" not in html
        assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    block = _block(client.get("/app/journeys/evil").text, "journey-funnel")
    assert block["labels"][0] == evil  # intact as data, never as markup


def test_the_settings_form_needs_the_csrf_token_and_the_right_role(
    client: TestClient, db: Session, wired: AnalyticsSettings, catalogue: Any
) -> None:
    _login(client, db, Role.CX_MANAGER)
    html = client.get("/app/journeys/new_contract").text
    form = {
        "name_de": "Neukunde",
        "name_en": "New customer",
        "timeout_hours": "240",
        "active": "on",
    }
    refused = client.post("/app/journeys/new_contract/settings", data={**form, "csrf": "nope"})
    assert refused.status_code == 400
    saved = client.post(
        "/app/journeys/new_contract/settings",
        data={**form, "csrf": _csrf(html)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/app/journeys/new_contract?done=saved"
    page = client.get(saved.headers["location"]).text
    assert "Neukunde" in page and "Gespeichert." in page
    bad = client.post(
        "/app/journeys/new_contract/settings",
        data={**form, "timeout_hours": "0", "csrf": _csrf(page)},
    )
    assert bad.status_code == 422 and 'data-testid="error"' in bad.text


def test_analysts_may_not_change_settings(
    client: TestClient, db: Session, wired: AnalyticsSettings, catalogue: Any
) -> None:
    _login(client, db, Role.ANALYST)
    html = client.get("/app/journeys").text
    response = client.post(
        "/app/journeys/new_contract/settings", data={"csrf": _csrf(html), "timeout_hours": "1"}
    )
    assert response.status_code == 403


def test_durations_and_days_read_naturally_in_both_languages() -> None:
    assert [journeys_web.duration(s, "de") for s in (None, 45, 720, 9000, 3 * 86400)] == [
        "—", "45 s", "12 min", "2,5 h", "3,0 T",
    ]  # fmt: skip
    assert (
        journeys_web.duration(9000, "en") == "2.5 h"
        and journeys_web.duration(3 * 86400, "en") == "3.0 d"
    )
    assert (
        journeys_web.days(720, "de"),
        journeys_web.days(36, "de"),
        journeys_web.days(36, "en"),
    ) == ("30", "1,5", "1.5")


def test_the_journey_page_speaks_english_when_asked(
    client: TestClient, db: Session, wired: AnalyticsSettings, world: Any
) -> None:
    _login(client, db, Role.ANALYST)
    html = client.get("/app/journeys/new_contract").text
    switched = client.post(
        "/language",
        data={"csrf": _csrf(html), "language": "en", "next": "/app/journeys/new_contract"},
        follow_redirects=True,
    )
    assert switched.status_code == 200
    assert "Funnel" in switched.text and "Most common paths" in switched.text
    funnel = _block(switched.text, "journey-funnel")
    assert funnel["labels"] == ["Search & information", "Shop & advice", "Purchase", "Purchased"]
    assert "Homepage" in switched.text
