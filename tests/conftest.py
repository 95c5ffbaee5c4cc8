"""Test settings: one engine per run (SQLite by default, PostgreSQL with CXM_TEST_DATABASE_URL),
a session per test that rolls back, an API client with a fixed clock."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from cxm import features  # noqa: F401
from cxm.accounts.domain import Role
from cxm.app import create_app
from cxm.config import Settings
from cxm.db import Base, make_engine
from cxm.migrate import upgrade
from cxm.shared.clock import FixedClock
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _database_url(tmp: Path) -> str:
    return os.environ.get("CXM_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="cxm-test-") as tmp:
        yield _database_url(Path(tmp))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


def _session(connection: Connection) -> Session:
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = _session(connection)
    yield session
    session.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tests change data between requests: no dashboard cache.
    return Settings(
        database_url=database_url, data_dir=tmp_path / "data", dashboard_cache_seconds=0
    )


@pytest.fixture
def app(settings: Settings, connection: Connection, clock: FixedClock) -> FastAPI:
    application = create_app(settings, clock=clock)
    application.state.session_factory = lambda: _session(connection)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


Auth = Callable[[Role], dict[str, str]]


@pytest.fixture
def auth(db: Session, clock: FixedClock) -> Auth:
    """Headers with a fresh token for a user of the given role."""

    def headers(role: Role = Role.ADMIN) -> dict[str, str]:
        _, token = factories.token(db, role=role, now=clock.now())
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def admin(auth: Auth) -> dict[str, str]:
    return auth(Role.ADMIN)


def pytest_report_header() -> str:
    return f"cxm database: {os.environ.get('CXM_TEST_DATABASE_URL') or 'sqlite (temporary file)'}"


__all__ = ["Base", "T0"]
