from pathlib import Path

import pytest

from cxm import worker
from cxm.config import get_settings
from cxm.db import make_engine
from cxm.migrate import upgrade


def test_worker_runs_every_job_once_against_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(make_engine(url))
    monkeypatch.setenv("CXM_DATABASE_URL", url)
    monkeypatch.setenv("CXM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    worker._sessions.cache_clear()
    try:
        results = worker.run_once()
    finally:
        get_settings.cache_clear()
        worker._sessions.cache_clear()
    assert results["dispatch_surveys"] == {"invited": 0, "sent": 0}
    assert results["evaluate_alerts"] == {"raised": 0, "emailed": 0}
