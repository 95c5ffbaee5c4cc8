"""The KPI and analytics routes: auth, lazy sync, shapes and bad input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role
from cxm.analytics import api as analytics_api
from cxm.analytics.settings import AnalyticsSettings
from cxm.shared.clock import FixedClock
from tests.api.conftest import Auth
from tests.integration.test_analytics_fixtures import FEB, World, build_world, respond


@pytest.fixture
def world(db: Session, clock: FixedClock) -> World:
    return build_world(db, now=clock.now())


@pytest.fixture
def analytics(app: FastAPI, tmp_path: Path) -> AnalyticsSettings:
    cfg = AnalyticsSettings(path=tmp_path / "analytics.duckdb", min_n=3, max_lag_seconds=300)
    app.state.analytics_settings = cfg
    if not any(getattr(r, "path", "").startswith("/api/v1/kpi/") for r in app.routes):
        # until cxm.features.API_ROUTERS lists the analytics router
        app.include_router(analytics_api.router, prefix="/api/v1")
    return cfg


def test_nps_by_month_and_touchpoint_syncs_a_missing_store_first(
    client: TestClient, admin: dict[str, str], world: World, analytics: AnalyticsSettings
) -> None:
    response = client.get("/api/v1/kpi/nps", params={"by": "month,touchpoint"}, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metric"] == "nps" and body["period"] == "month" and body["by"] == ["touchpoint"]
    assert body["min_n"] == 3 and body["as_of"] is not None
    rows = {(r["period"], r["group"]["touchpoint"]): r for r in body["rows"]}
    assert rows[("2026-01-01", "hotline")]["value"] == 0
    assert rows[("2026-02-01", "hotline")]["value"] == 50
    assert rows[("2026-02-01", "hotline")]["moe"] > 0
    assert rows[("2026-01-01", "shop")]["value"] == 100


def test_an_analyst_may_read_kpis_and_an_agent_may_not(
    client: TestClient, auth: Auth, world: World, analytics: AnalyticsSettings
) -> None:
    agent = auth(Role.AGENT)
    for path in ("/api/v1/kpi/nps", "/api/v1/kpi/complaint-rate", "/api/v1/analytics/status"):
        assert client.get(path, headers=agent).status_code == 403, path
    assert client.post("/api/v1/analytics/sync", headers=agent).status_code == 403
    assert client.get("/api/v1/kpi/nps").status_code == 401
    assert analytics.path is not None and not analytics.path.exists()  # nothing synced
    assert client.get("/api/v1/kpi/csat", headers=auth(Role.ANALYST)).status_code == 200
    assert analytics.path.exists()


def test_the_store_is_resynced_once_it_is_older_than_the_allowed_lag(
    client: TestClient,
    admin: dict[str, str],
    world: World,
    db: Session,
    clock: FixedClock,
    analytics: AnalyticsSettings,
) -> None:
    def hotline_february_n() -> int:
        body = client.get(
            "/api/v1/kpi/nps", params={"by": "month", "touchpoint": "hotline"}, headers=admin
        ).json()
        return int(next(r["n"] for r in body["rows"] if r["period"] == "2026-02-01"))

    assert hotline_february_n() == 4
    respond(db, world, at=FEB, touchpoint=world.hotline, customer=None, scores={"nps": 1})
    assert hotline_february_n() == 4  # fresh enough: answered from the store
    clock.set(clock.now() + timedelta(seconds=301))
    assert hotline_february_n() == 5
    status = client.get("/api/v1/analytics/status", headers=admin).json()
    assert status["lag_seconds"] == 0 and status["max_lag_seconds"] == 300
    assert status["tables"]["survey_answers"]["rows"] == 22


def test_post_sync_reports_each_table(
    client: TestClient, admin: dict[str, str], world: World, analytics: AnalyticsSettings
) -> None:
    response = client.post("/api/v1/analytics/sync", headers=admin)
    assert response.status_code == 200, response.text
    tables = response.json()["tables"]
    assert tables["feedback"]["rows_total"] == 3 and tables["feedback"]["mode"] == "append"
    again = client.post("/api/v1/analytics/sync", headers=admin).json()
    assert again["tables"]["survey_answers"]["rows_written"] == 0


def test_csat_ces_response_rate_and_complaint_rate(
    client: TestClient, admin: dict[str, str], world: World, analytics: AnalyticsSettings
) -> None:
    csat = client.get("/api/v1/kpi/csat", headers=admin).json()["rows"]
    assert [(r["n"], r["hits"], r["value"]) for r in csat] == [(4, 2, 50.0)]
    ces = client.get("/api/v1/kpi/ces", headers=admin).json()["rows"][0]
    assert ces["value"] == 5.0 and ces["agree"] == 75.0
    rr = client.get("/api/v1/kpi/response-rate", params={"by": "month"}, headers=admin).json()
    assert [(r["period"], r["value"]) for r in rr["rows"]] == [("2026-02-01", 50.0)]
    cr = client.get(
        "/api/v1/kpi/complaint-rate",
        params={"by": "month,model", "model": "Smartphone Modell X", "from": "2026-02-01",
                "to": "2026-02-28"},
        headers=admin,
    ).json()  # fmt: skip
    assert cr["notes"]["exposure"] == "holders" and cr["notes"]["per"] == 1000
    # two holders in February (below min_n 3): the rate and the count are withheld
    assert [(r["group"]["model"], r["suppressed"], r["complaints"], r["exposure"])
            for r in cr["rows"]] == [("Smartphone Modell X", True, None, 2)]  # fmt: skip


def test_compare_reports_the_change_and_its_test(
    client: TestClient, admin: dict[str, str], world: World, analytics: AnalyticsSettings
) -> None:
    response = client.get(
        "/api/v1/kpi/compare",
        params={"metric": "nps", "by": "touchpoint", "from": "2026-02-01", "to": "2026-02-28",
                "previous_from": "2026-01-01", "previous_to": "2026-01-31"},
        headers=admin,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    rows = {r["group"]["touchpoint"]: r for r in response.json()["rows"]}
    hot = rows["hotline"]
    assert (hot["current"], hot["previous"], hot["delta"]) == (50.0, 0.0, 50.0)
    assert 0 < hot["p_value"] < 1 and hot["significant"] is False
    assert rows["shop"]["current_suppressed"] is True and rows["shop"]["delta"] is None


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/kpi/nps", {"by": "colour"}, "by"),
        ("/api/v1/kpi/nps", {"by": "month,week"}, "by"),
        ("/api/v1/kpi/nps", {"period": "fortnight"}, "period"),
        ("/api/v1/kpi/nps", {"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ("/api/v1/kpi/nps", {"segment": "tier"}, "segment"),
        ("/api/v1/kpi/complaint-rate", {"by": "touchpoint", "exposure": "holders"}, "exposure"),
        ("/api/v1/kpi/compare", {"metric": "nps"}, "from"),
        ("/api/v1/kpi/compare", {"metric": "karma", "from": "2026-02-01", "to": "2026-02-02"},
         "metric"),
    ],
)  # fmt: skip
def test_bad_queries_are_refused_with_the_field(
    client: TestClient,
    admin: dict[str, str],
    analytics: AnalyticsSettings,
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    response = client.get(path, params=params, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert analytics.path is not None and not analytics.path.exists()  # refused before any sync
