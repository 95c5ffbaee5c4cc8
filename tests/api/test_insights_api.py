"""Insights and segments over HTTP: key drivers and moments of truth, CLV and churn, segment
CRUD with live counts, 422 with the bad node's path, roles, and the two pages (German and
English, empty states, escaping, CSRF)."""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.insights import api as insights_api
from cxm.insights import web as insights_web
from cxm.segments import api as segments_api
from cxm.segments import web as segments_web
from cxm.shared.clock import FixedClock
from tests import factories
from tests.conftest import Auth
from tests.integration.test_segments import MODEL_X, add_nps, build_world

API = "/api/v1"
PASSWORD = "richtig-geheim"


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The app with the insights and segment routers (until cxm.features lists them)."""
    paths = {getattr(route, "path", "") for route in app.routes}
    if f"{API}/segments" not in paths:
        for router in (insights_api.router, segments_api.router):
            app.include_router(router, prefix=API)
    if "/app/segments" not in paths:
        for router in (insights_web.router, segments_web.router):
            app.include_router(router)
    return app


def seed_drivers(db: Session, clock: FixedClock, customers: int = 120) -> dict[str, str]:
    """Customers rating a weak hotline that drives their NPS and a strong shop that hardly does."""
    now = clock.now()
    rng = random.Random(4)
    hotline = factories.touchpoint(db, now=now, key="hotline", name_de="Hotline <b>Technik</b>")
    shop = factories.touchpoint(
        db, now=now, key="shop", name_de="Shop", name_en="Shop", channel="store", stage="purchase"
    )
    for _ in range(customers):
        person = factories.customer(db, now=now - timedelta(days=300))
        wait = rng.random()
        hotline_csat = max(1, min(5, round(4.5 - 3 * wait + rng.gauss(0, 0.4))))
        shop_csat = max(1, min(5, round(4.6 + rng.gauss(0, 0.5))))
        nps = max(0, min(10, round(9.5 - 6 * wait + rng.gauss(0, 1.2))))
        at = now - timedelta(days=rng.uniform(20, 200))
        add_nps(db, person.id, nps, at, touchpoint_id=hotline.id, csat=hotline_csat)
        if rng.random() < 0.7:
            add_nps(
                db, person.id, max(0, nps - 1), at - timedelta(days=10), touchpoint_id=shop.id,
                csat=shop_csat,
            )  # fmt: skip
    db.commit()
    return {"hotline": "hotline", "shop": "shop"}


def test_key_drivers_rank_the_weak_hotline_first(
    client: TestClient, db: Session, clock: FixedClock, auth: Auth
) -> None:
    seed_drivers(db, clock)
    response = client.get(
        f"{API}/insights/drivers", params={"bootstrap": 100}, headers=auth(Role.ANALYST)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["n"] == 120 and body["missing"] == "mean" and body["bootstrap"] == 100
    assert [d["ref"] for d in body["drivers"]][0] == "hotline"
    top = body["drivers"][0]
    assert top["share_low"] <= top["share"] <= top["share_high"]
    assert top["r"] > 0.5 and top["quadrant"] == "fix_first"
    assert sum(d["share"] for d in body["drivers"]) == pytest.approx(100.0)
    moments = body["moments_of_truth"]
    assert moments[0]["touchpoint"] == "hotline" and moments[0]["rank"] == 1
    assert moments[0]["name_de"] == "Hotline <b>Technik</b>"

    journey = client.get(
        f"{API}/insights/moments-of-truth",
        params=[("touchpoint", "shop"), ("bootstrap", "50")],
        headers=auth(Role.ANALYST),
    )
    assert journey.status_code == 200
    assert [m["touchpoint"] for m in journey.json()["moments_of_truth"]] == ["shop"]


def test_key_drivers_without_data_answer_422(client: TestClient, auth: Auth) -> None:
    response = client.get(f"{API}/insights/drivers", headers=auth(Role.ANALYST))
    assert response.status_code == 422
    assert "driver" in response.json()["detail"]
    bad = client.get(f"{API}/insights/drivers?missing=guess", headers=auth(Role.ANALYST))
    assert bad.status_code == 422


def test_insights_need_analytics_permission(client: TestClient, auth: Auth) -> None:
    agent = auth(Role.AGENT)
    assert client.get(f"{API}/insights/drivers", headers=agent).status_code == 403
    assert client.get(f"{API}/insights/clv", headers=agent).status_code == 403
    assert client.get(f"{API}/segments", headers=agent).status_code == 403
    assert client.get(f"{API}/insights/clv").status_code == 401
    analyst = auth(Role.ANALYST)
    assert client.post(f"{API}/insights/scores/refresh", headers=analyst).status_code == 403


def test_clv_and_churn_before_and_after_a_refresh(
    client: TestClient, db: Session, clock: FixedClock, auth: Auth
) -> None:
    empty = client.get(f"{API}/insights/clv", headers=auth(Role.ANALYST)).json()
    assert empty["computed_at"] is None and empty["top"] == []
    assert empty["grid"]["high"] == {"at_risk": 0, "neutral": 0, "good": 0}
    refreshed = client.post(f"{API}/insights/scores/refresh", headers=auth(Role.CX_MANAGER))
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["clv"]["ok"] is False
    churn = client.get(f"{API}/insights/churn", headers=auth(Role.ANALYST)).json()
    assert churn["computed_at"] is not None and churn["summary"]["ok"] is False
    priority = client.get(f"{API}/insights/priority-customers", headers=auth(Role.ANALYST))
    assert priority.status_code == 200 and priority.json() == []


ISSUE_RULE = {
    "all": [
        {"field": "type", "op": "eq", "value": "business"},
        {"field": "holding_model", "op": "eq", "value": MODEL_X},
        {"field": "complaints", "op": "gte", "value": 1, "days": 30},
    ]
}


def test_segments_crud_with_live_counts_and_members(
    client: TestClient, db: Session, clock: FixedClock, auth: Auth
) -> None:
    world = build_world(db, clock.now())
    manager, analyst = auth(Role.CX_MANAGER), auth(Role.ANALYST)
    created = client.post(
        f"{API}/segments",
        json={"name": "Modell X, Beschwerde", "rule": ISSUE_RULE},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["count"] == 2
    sid = segment["id"]

    assert client.get(f"{API}/segments/{sid}/count", headers=analyst).json()["count"] == 2
    page = client.get(f"{API}/segments/{sid}/members?limit=1", headers=analyst).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(
        f"{API}/segments/{sid}/members", params={"limit": 1, "cursor": page["next_cursor"]},
        headers=analyst,
    ).json()  # fmt: skip
    assert rest["next_cursor"] is None
    found = {page["items"][0]["id"], rest["items"][0]["id"]}
    assert world.names({uuid.UUID(i) for i in found}) == {"Anna", "Frida"}

    preview = client.post(
        f"{API}/segments/preview", json={"rule": {"field": "region", "value": "Bayern"}},
        headers=analyst,
    )  # fmt: skip
    assert preview.status_code == 200
    assert preview.json()["count"] == 3 and len(preview.json()["sample"]) == 3
    assert preview.json()["rule"] == {"field": "region", "op": "eq", "value": "Bayern"}

    patched = client.patch(
        f"{API}/segments/{sid}", json={"rule": {"field": "region", "value": "Hessen"}},
        headers=manager,
    )  # fmt: skip
    assert patched.status_code == 200
    assert client.get(f"{API}/segments/{sid}/count", headers=analyst).json()["count"] == 1
    assert [s["name"] for s in client.get(f"{API}/segments", headers=analyst).json()] == [
        "Modell X, Beschwerde"
    ]
    duplicate = client.post(
        f"{API}/segments",
        json={"name": "Modell X, Beschwerde", "rule": ISSUE_RULE},
        headers=manager,
    )
    assert duplicate.status_code == 409
    assert client.delete(f"{API}/segments/{sid}", headers=manager).status_code == 204
    assert client.get(f"{API}/segments/{sid}", headers=analyst).status_code == 404


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"all": [{"field": "type", "value": "business"}, {"field": "complaints", "value": 1}]},
         "$.all[1].days"),
        ({"any": [{"field": "type", "value": "robot"}]}, "$.any[0].value"),
        ({"field": "shoe_size", "value": 42}, "$.field"),
    ],
)  # fmt: skip
def test_a_bad_rule_answers_422_with_the_path_of_the_bad_node(
    client: TestClient, auth: Auth, rule: dict[str, Any], path: str
) -> None:
    for url, headers in (
        (f"{API}/segments", auth(Role.CX_MANAGER)),
        (f"{API}/segments/preview", auth(Role.ANALYST)),
    ):
        response = client.post(url, json={"name": "x", "rule": rule}, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["path"] == path
        assert response.json()["field"] == "rule"


def test_analysts_read_segments_but_only_managers_change_them(
    client: TestClient, auth: Auth
) -> None:
    analyst = auth(Role.ANALYST)
    refused = client.post(
        f"{API}/segments", json={"name": "x", "rule": ISSUE_RULE}, headers=analyst
    )
    assert refused.status_code == 403
    fields = client.get(f"{API}/segments/fields", headers=analyst)
    assert fields.status_code == 200
    assert {f["field"] for f in fields.json()} >= {"type", "holding_model", "complaints"}
    sid = client.post(
        f"{API}/segments", json={"name": "x", "rule": ISSUE_RULE}, headers=auth(Role.ADMIN)
    ).json()["id"]
    assert client.delete(f"{API}/segments/{sid}", headers=analyst).status_code == 403
    assert (
        client.patch(f"{API}/segments/{sid}", json={"name": "y"}, headers=analyst).status_code
        == 403
    )


# ----------------------------------------------------------------------------------------------
# Pages


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


def test_insights_page_shows_empty_states_in_german_and_english(
    client: TestClient, db: Session
) -> None:
    _login_as(client, db, Role.ANALYST)
    page = client.get("/app/insights")
    assert page.status_code == 200
    assert "zu wenige Antworten" in page.text and "Noch keine Werte" in page.text
    assert 'data-testid="refresh-scores"' not in page.text  # analysts do not refresh
    assert "<script>" not in page.text.replace('<script type="application/json"', "")
    client.cookies.clear()
    _login_as(client, db, Role.CX_MANAGER, language="en")
    english = client.get("/app/insights")
    assert "too few answers" in english.text and 'data-testid="refresh-scores"' in english.text


def test_insights_page_draws_drivers_matrix_and_moments(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    seed_drivers(db, clock)
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/insights?window=365")
    assert page.status_code == 200
    html = page.text
    for part in ("chart-drivers", "chart-matrix", "moments-table", "/static/insights.js"):
        assert part in html
    assert "Hotline &lt;b&gt;Technik&lt;/b&gt;" in html  # escaped in the tables
    assert "<b>Technik</b>" not in html.split('type="application/json"')[0]
    data = re.search(r'id="chart-drivers">(.*?)</script>', html, re.S)
    assert data and '"type": "whiskers"' in data.group(1) and "\\u003c" in data.group(1)
    refreshed = client.post(
        "/app/insights/refresh", data={"csrf": _csrf(html)}, follow_redirects=False
    )
    assert refreshed.status_code == 303
    assert client.post("/app/insights/refresh", data={"csrf": "wrong"}).status_code == 400


def test_segment_builder_counts_saves_and_lists_members(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    build_world(db, clock.now())
    _login_as(client, db, Role.CX_MANAGER)
    page = client.get("/app/segments")
    assert page.status_code == 200 and "Noch keine Segmente" in page.text
    token = _csrf(page.text)
    counted = client.post(
        "/app/segments/preview",
        data={"csrf": token, "rule": "", "customer_type": "business", "model": MODEL_X,
              "complaint_days": "30"},
    )  # fmt: skip
    assert counted.status_code == 200, counted.text
    assert re.search(r'data-testid="segment-count"><strong>2</strong>', counted.text)

    bad = client.post(
        "/app/segments/preview",
        data={"csrf": token, "rule": '{"all": [{"field": "type", "value": "robot"}]}'},
    )
    assert bad.status_code == 422 and "$.all[0].value" in bad.text
    broken = client.post("/app/segments/preview", data={"csrf": token, "rule": "{nope"})
    assert broken.status_code == 422 and "kein gültiges JSON" in broken.text

    bavaria = '{"field": "region", "value": "Bayern"}'
    saved = client.post(
        "/app/segments",
        data={"csrf": token, "name": "<i>Bayern</i>", "rule": bavaria},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    detail = client.get(saved.headers["location"])
    assert "&lt;i&gt;Bayern&lt;/i&gt;" in detail.text and "<i>Bayern</i>" not in detail.text
    assert re.search(r'data-testid="segment-count"><strong>3</strong>', detail.text)
    listing = client.get("/app/segments")
    assert "&lt;i&gt;Bayern&lt;/i&gt;" in listing.text
    no_csrf = client.post("/app/segments", data={"name": "x", "rule": "{}"})
    assert no_csrf.status_code == 400


def test_analysts_preview_segments_but_cannot_save_them(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    _login_as(client, db, Role.ANALYST, language="en")
    page = client.get("/app/segments")
    assert page.status_code == 200 and 'data-testid="segment-save"' not in page.text
    token = _csrf(page.text)
    preview = client.post("/app/segments/preview", data={"csrf": token, "customer_type": "private"})
    assert preview.status_code == 200 and "customers in the segment" in preview.text
    refused = client.post(
        "/app/segments", data={"csrf": token, "name": "x", "customer_type": "private"}
    )
    assert refused.status_code == 403
