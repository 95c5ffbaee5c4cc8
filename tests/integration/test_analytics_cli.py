"""`cxm kpi ...` and `cxm analytics status` over a synced store (tables and --json)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cxm.analytics.cli import analytics_app, kpi_app
from tests.conftest import T0
from tests.integration.test_analytics_fixtures import synced_store

runner = CliRunner()


@pytest.fixture(scope="module")
def store_file(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "analytics.duckdb"
    return str(synced_store(engine, path, now=T0))


def test_nps_by_month_for_one_touchpoint_as_json(store_file: str) -> None:
    result = runner.invoke(
        kpi_app,
        ["nps", "--by", "month", "--touchpoint", "hotline", "--min-n", "3", "--json",
         "--no-sync", "--path", store_file],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [(r["period"], r["value"]) for r in body["rows"]] == [
        ("2026-01-01", 0.0),
        ("2026-02-01", 50.0),
    ]


def test_complaint_rate_by_month_for_a_model_prints_a_table(store_file: str) -> None:
    result = runner.invoke(
        kpi_app,
        ["complaint-rate", "--by", "month", "--model", "Smartphone Modell X", "--min-n", "1",
         "--from", "2026-01-01", "--to", "2026-02-28", "--no-sync", "--path", store_file],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "complaint_rate" in result.stdout and "1,000.0" not in result.stdout
    assert "2026-02-01" in result.stdout and "1000.0" in result.stdout


def test_compare_and_the_other_metrics(store_file: str) -> None:
    common = ["--no-sync", "--path", store_file, "--min-n", "1"]
    compare = runner.invoke(
        kpi_app,
        ["compare", "nps", "--from", "2026-02-01", "--to", "2026-02-28", "--previous-from",
         "2026-01-01", "--previous-to", "2026-01-31", "--by", "touchpoint", "--json", *common],
    )  # fmt: skip
    assert compare.exit_code == 0, compare.output
    rows = {r["touchpoint"]: r for r in json.loads(compare.stdout)["rows"]}
    assert rows["hotline"]["change_delta"] == 50.0
    for metric in ("csat", "ces", "response-rate"):
        result = runner.invoke(kpi_app, [metric, "--by", "touchpoint", *common])
        assert result.exit_code == 0, (metric, result.output)
        assert "hotline" in result.stdout


def test_bad_input_exits_with_the_reason(store_file: str) -> None:
    result = runner.invoke(kpi_app, ["nps", "--by", "colour", "--no-sync", "--path", store_file])
    assert result.exit_code == 2
    assert "colour" in result.output


def test_status_shows_the_last_sync(store_file: str) -> None:
    result = runner.invoke(analytics_app, ["status", "--json", "--path", store_file])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["last_sync_at"].startswith("2026-03-02")
    assert body["tables"]["survey_responses"]["rows"] == 13
