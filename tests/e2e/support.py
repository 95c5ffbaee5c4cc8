"""What every browser test shares: Debian's Chromium, the markers, free ports, screenshots."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

MARKS = [
    pytest.mark.browser,
    # Outside CI a machine without Chromium skips; in CI a missing browser fails the run.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason="Debian chromium is not installed (apt-get install chromium)",
    ),
]

# Never `playwright install`: Playwright drives the Debian package, headless and offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shot(page: Any, name: str) -> None:
    """A full-page screenshot into test-artifacts/browser/ (kept by CI as evidence)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def settings_for(folder: Path, port: int, **extra: Any) -> Any:
    """Settings of a browser test's server: a SQLite file and local files in the test's folder."""
    from cxm.config import Settings

    return Settings(
        database_url=f"sqlite:///{folder / 'cxm.db'}",
        data_dir=folder,
        public_base_url=f"http://127.0.0.1:{port}",
        **extra,
    )


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    """Serves the app with uvicorn on 127.0.0.1:port in a thread; yields its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
