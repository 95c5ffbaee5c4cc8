"""The `cxm` command as a user runs it: a fresh SQLite database, init, import, export."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def cxm(tmp_path: Path):  # noqa: ANN201
    env = {**os.environ, "CXM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cxm.cli", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_init_import_and_export_round_trip(cxm, tmp_path: Path) -> None:  # noqa: ANN001
    init = cxm("init")
    assert init.returncode == 0, init.stderr
    token = init.stdout.strip().splitlines()[-1]
    assert token.startswith("cxm_")
    again = cxm("init")
    assert again.returncode == 0 and "exists" in again.stderr

    (tmp_path / "customers.csv").write_text(
        "customer_number,email,first_name,last_name\n"
        "K1,erika@example.de,Erika,Weber\n"
        "K2,kaputt,Kaputt,Mail\n",
        encoding="utf-8",
    )
    result = cxm("import", "customers", "customers.csv")
    assert result.returncode == 1
    report = (tmp_path / "customers.csv.errors.csv").read_text(encoding="utf-8")
    assert "3,email," in report

    (tmp_path / "events.jsonl").write_text(
        json.dumps(
            {
                "event_id": "e1",
                "customer_number": "K1",
                "channel": "phone",
                "type": "call",
                "occurred_at": "2026-01-05T10:00:00Z",
                "text": "Rückruf erbeten",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    ok = cxm("import", "interactions", "events.jsonl")
    assert ok.returncode == 0, ok.stderr

    exported = cxm("export", "interactions")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["event_id"] for r in rows] == ["e1"] and rows[0]["text"] == "Rückruf erbeten"
    customers = [json.loads(line) for line in cxm("export", "customers").stdout.splitlines()]
    assert customers[0]["identities"]
