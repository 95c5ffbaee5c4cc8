"""The Parquet copy of the analytical store: complete, incremental, idempotent, survives a kill
(a real SIGKILL of the syncing process), and cases and text analyses (masked text) come along."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.analytics import parquet, sync
from cxm.analytics import store as store_mod
from cxm.analytics.settings import AnalyticsSettings, parquet_path
from cxm.analytics.store import Store
from cxm.cases import services as cases
from cxm.cases.domain import CaseStatus
from cxm.db import make_engine
from cxm.migrate import upgrade
from cxm.shared.clock import FixedClock
from tests.conftest import T0
from tests.integration.test_analytics_fixtures import (
    FEB,
    SECRET_COMMENT,
    build_world,
    interaction,
    respond,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "analytics.duckdb") as s:
        yield s


def _files(directory: Path, table: str) -> str:
    return str(directory / table / "*.parquet")


def assert_copy_matches(store: Store, directory: Path) -> None:
    """Every table of the Parquet copy holds exactly the store's rows (ids as text)."""
    con = duckdb.connect()
    manifest = parquet.read_manifest(directory)
    for name, schema in store_mod.SCHEMAS.items():
        assert name in manifest["tables"], name
        columns = ", ".join(
            f'"{c}"::VARCHAR AS "{c}"' if str(t).lower().startswith("uuid") else f'"{c}"'
            for c, t in schema.items()
        )
        ours = store.con.sql(f'SELECT {columns} FROM "{name}"').to_arrow_table()
        con.register("ours", ours)
        theirs = f"read_parquet('{_files(directory, name)}')"
        names = ", ".join(f'"{c}"' for c in schema)
        a, b = f"SELECT {names} FROM ours", f"SELECT {names} FROM {theirs}"
        missing = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()
        extra = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchall()
        assert (missing, extra) == ([(0,)], [(0,)]), name
        total = con.execute(f"SELECT count(*) FROM {theirs}").fetchall()
        assert total == [(ours.num_rows,)], name
        assert manifest["tables"][name]["rows"] == ours.num_rows, name
        con.unregister("ours")


def test_the_copy_holds_every_row_of_every_table_once_in_monthly_files(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    build_world(db, now=clock.now())
    report = sync.sync(db, store=store, now=clock.now(), parquet_dir=tmp_path / "pq")
    copy = tmp_path / "pq"
    assert report["parquet"]["rows_written"] > 0
    assert_copy_matches(store, copy)
    answers = sorted(p.name for p in (copy / "survey_answers").iterdir())
    assert answers == ["part-2026-01.parquet", "part-2026-02.parquet"]
    assert [p.name for p in (copy / "touchpoints").iterdir()] == ["part-all.parquet"]
    assert (copy / "cases" / "part-empty.parquet").exists()  # no cases yet: the columns only
    assert (
        parquet.read_manifest(copy)["last_sync_at"] == clock.now().replace(tzinfo=None).isoformat()
    )
    dump = duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{copy}/*/*.parquet', union_by_name=true)"
    )
    assert SECRET_COMMENT not in str(dump.fetchall())


def test_a_second_sync_rewrites_nothing_and_a_third_only_the_months_that_changed(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    w = build_world(db, now=clock.now())
    copy = tmp_path / "pq"
    sync.sync(db, store=store, now=clock.now(), parquet_dir=copy)
    again = sync.sync(db, store=store, now=clock.now() + timedelta(minutes=1), parquet_dir=copy)
    assert again["parquet"]["files_written"] == 0

    january = (copy / "survey_answers" / "part-2026-01.parquet").stat().st_mtime_ns
    respond(db, w, at=FEB, touchpoint=w.hotline, customer=w.customers["c1"], scores={"nps": 3})
    interaction(db, w.customers["c2"], w.shop, at=FEB + timedelta(days=40))  # March
    third = sync.sync(db, store=store, now=clock.now() + timedelta(minutes=2), parquet_dir=copy)
    tables = third["parquet"]["tables"]
    assert tables["survey_answers"] == {"files_written": 1, "files_removed": 0, "rows": 13}
    assert tables["survey_responses"]["files_written"] == 1
    assert tables["interactions"] == {"files_written": 1, "files_removed": 0, "rows": 1}
    assert tables["feedback"]["files_written"] == 0
    assert (copy / "survey_answers" / "part-2026-01.parquet").stat().st_mtime_ns == january
    assert_copy_matches(store, copy)


def test_a_stray_or_missing_file_is_repaired_by_the_next_sync(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    build_world(db, now=clock.now())
    copy = tmp_path / "pq"
    sync.sync(db, store=store, now=clock.now(), parquet_dir=copy)
    (copy / "feedback" / "part-2026-02.parquet").unlink()
    (copy / "feedback" / "part-1999-01.parquet").write_bytes(
        (copy / "interactions" / "part-2026-01.parquet").read_bytes()
    )
    (copy / "feedback" / ".part-2026-02.parquet.tmp").write_bytes(b"half a file")
    report = sync.sync(db, store=store, now=clock.now(), parquet_dir=copy)
    assert report["parquet"]["tables"]["feedback"] == {
        "files_written": 1,
        "files_removed": 1,
        "rows": 3,
    }
    assert not list((copy / "feedback").glob(".*"))
    assert_copy_matches(store, copy)


def test_settings_choose_whether_and_where_the_copy_is_written(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    build_world(db, now=clock.now())
    assert "parquet" not in sync.sync(db, store=store, now=clock.now())
    spark = AnalyticsSettings(engine="spark")
    report = sync.sync(db, store=store, settings=spark, now=clock.now())
    assert report["parquet"]["dir"] == str(tmp_path / "analytics-parquet")
    assert parquet_path(store.path, spark) == tmp_path / "analytics-parquet"
    elsewhere = AnalyticsSettings(parquet=True, parquet_dir=tmp_path / "shared")
    sync.sync(db, store=store, settings=elsewhere, now=clock.now())
    assert_copy_matches(store, tmp_path / "shared")
    status = sync.status(store, now=clock.now(), settings=elsewhere)
    assert status["engine"] == "duckdb" and status["parquet"]["dir"] == str(tmp_path / "shared")


def test_cases_are_copied_and_follow_their_status_until_closed(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    w = build_world(db, now=clock.now())
    copy = tmp_path / "pq"
    case = cases.open_case(
        db, customer_id=w.customers["c1"].id, subject="Akku " + SECRET_COMMENT,
        now=clock.now(), calendar_code="DE-BE", topic="battery", touchpoint_id=w.hotline.id,
    ).case  # fmt: skip
    sync.sync(db, store=store, now=clock.now(), parquet_dir=copy)
    got = store.query("SELECT status, topic, opened_on, touchpoint_no IS NOT NULL AS tp FROM cases")
    assert got == [{"status": "new", "topic": "battery", "opened_on": T0.date(), "tp": True}]
    later = clock.now() + timedelta(hours=2)
    cases.transition(db, case.id, CaseStatus.IN_PROGRESS, now=later)
    cases.transition(db, case.id, CaseStatus.RESOLVED, now=later, root_cause="hardware")
    report = sync.sync(db, store=store, now=later + timedelta(minutes=1), parquet_dir=copy)
    assert report["tables"]["cases"]["rows_total"] == 1
    got = store.query("SELECT status, resolved_at IS NOT NULL AS resolved FROM cases")
    assert got == [{"status": "resolved", "resolved": True}]
    assert_copy_matches(store, copy)
    columns = {r[0] for r in store.cursor().execute("DESCRIBE cases").fetchall()}
    assert not columns & {"subject", "description", "resolution_note"}


def test_text_analyses_are_copied_with_their_masked_text_only(
    db: Session, clock: FixedClock, store: Store, tmp_path: Path
) -> None:
    from cxm.textanalytics import services as text
    from cxm.textanalytics.models import TextAnalysis

    build_world(db, now=clock.now())
    text.analyse_pending(db, analyser=text.analyser_for(db), now=clock.now())
    copy = tmp_path / "pq"
    report = sync.sync(db, store=store, now=clock.now(), parquet_dir=copy)
    assert report["tables"]["text_analyses"]["rows_total"] > 0
    rows = store.query("SELECT subject_type, masked_text, sentiment FROM text_analyses")
    assert {r["subject_type"] for r in rows} >= {"feedback", "survey_answer"}
    assert SECRET_COMMENT not in str(rows) and "Meier" not in str(rows)
    masked = {a.masked_text for a in db.scalars(select(TextAnalysis))}
    assert {r["masked_text"] for r in rows} == masked
    assert_copy_matches(store, copy)


# --- a real kill -------------------------------------------------------------------------------

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from cxm import features  # noqa: F401
    from cxm.analytics import parquet, sync
    from cxm.analytics.settings import AnalyticsSettings
    from cxm.db import make_engine
    from sqlalchemy.orm import Session

    url, store_file, copy, where = sys.argv[1:5]
    calls = {"n": 0}

    def kill_on_the_third(real):
        def wrapped(*args, **kwargs):
            result = real(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return wrapped

    if where == "store":
        sync._commit_append = kill_on_the_third(sync._commit_append)
    else:
        parquet._write = kill_on_the_third(parquet._write)
    engine = make_engine(url)
    with Session(engine) as db:
        sync.sync(db, duckdb_path=store_file, parquet_dir=copy,
                  settings=AnalyticsSettings(chunk_rows=4))
    print("not killed")
    """
)


@pytest.fixture(scope="module")
def committed_world(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An operational SQLite file with the world committed, for another process to sync."""
    url = f"sqlite:///{tmp_path_factory.mktemp('killed') / 'cxm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as db:
        build_world(db, now=T0)
        db.commit()
    engine.dispose()
    return url


@pytest.mark.parametrize("where", ["store", "parquet"])
def test_a_sync_killed_mid_run_loses_and_doubles_nothing(
    committed_world: str, tmp_path: Path, where: str
) -> None:
    store_file, copy = tmp_path / "analytics.duckdb", tmp_path / "pq"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, committed_world, str(store_file), str(copy), where],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stdout + killed.stderr
    engine = make_engine(committed_world)
    try:
        with Session(engine) as db, Store(store_file) as store:
            if where == "store":  # killed after the third chunk: two of interactions, one more
                assert _count(store, "interactions") == (7, 7)
                assert _count(store, "survey_responses") == (4, 4)
                assert store.last_synced_at() is None
            else:  # killed while writing the third file of the first copy: no manifest yet
                assert parquet.read_manifest(copy) == {}
            sync.sync(db, store=store, parquet_dir=copy, settings=AnalyticsSettings(chunk_rows=4))
            counts = {n: _count(store, n) for n in ("survey_answers", "interactions", "feedback")}
            assert counts == {
                "survey_answers": (21, 21),
                "interactions": (7, 7),
                "feedback": (3, 3),
            }
            assert_copy_matches(store, copy)
    finally:
        engine.dispose()


def _count(store: Store, table: str) -> tuple[int, int]:
    row: Any = (
        store.cursor().execute(f"SELECT count(*), count(DISTINCT id) FROM {table}").fetchone()
    )
    return int(row[0]), int(row[1])
