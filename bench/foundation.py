"""Foundation figures: bulk CSV import into SQLite, and a customer's timeline through the API."""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

from bench import datagen
from cxm import features  # noqa: F401
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.db import make_engine, make_session_factory
from cxm.imports import services as imports
from cxm.migrate import upgrade

ROWS = int(os.environ.get("CXM_BENCH_ROWS", "1000000"))
CUSTOMERS = int(os.environ.get("CXM_BENCH_CUSTOMERS", str(max(ROWS // 20, 100))))
REQUESTS = int(os.environ.get("CXM_BENCH_REQUESTS", "1000"))


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cxm-bench-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        db = make_session_factory(engine)()
        now = datetime.now(UTC)
        customer_ids = datagen.seed_customers(db, CUSTOMERS, now=now)
        csv_path = folder / "interactions.csv"
        datagen.write_interactions_csv(csv_path, rows=ROWS, n_customers=CUSTOMERS)

        started = time.perf_counter()
        result = imports.run_import(
            db, kind="interactions", path=csv_path, now=lambda: datetime.now(UTC), chunk_size=10_000
        )
        seconds = time.perf_counter() - started
        assert result.created == ROWS and result.failed == 0, (result.created, result.failed)

        admin = accounts.create_user(db, email="bench@example.com", name="Bench", role=Role.ADMIN)
        _, token = accounts.issue_token(db, user_id=admin.id, name="bench", now=now)
        db.close()
        engine.dispose()
        latencies = _timeline_latencies(url, token, customer_ids)

    return {
        "import": {
            "rows": ROWS,
            "customers": CUSTOMERS,
            "seconds": round(seconds, 2),
            "rows_per_s": round(ROWS / seconds),
            "goal_rows_per_s": 50_000,
        },
        "timeline_api": {
            "interactions_in_store": ROWS,
            "requests": len(latencies),
            "page_size": 50,
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(statistics.quantiles(latencies, n=20)[-1], 2),
            "goal_p95_ms": 20,
        },
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timeline_latencies(url: str, token: str, customer_ids: list[Any]) -> list[float]:
    port = _free_port()
    env = {**os.environ, "CXM_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "cxm.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        with httpx2.Client(base_url=base, headers=headers, timeout=10) as client:
            for _ in range(100):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx2.TransportError:
                    time.sleep(0.2)
            rng = random.Random(3)
            latencies: list[float] = []
            for n in range(REQUESTS + 50):
                cid = customer_ids[rng.randrange(len(customer_ids))]
                started = time.perf_counter()
                response = client.get(f"/api/v1/customers/{cid}/timeline")
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                if n >= 50:  # the first requests warm caches and connections
                    latencies.append(elapsed)
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=20)
