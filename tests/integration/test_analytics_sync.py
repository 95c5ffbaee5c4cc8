"""The sync into the analytical store: complete, incremental, idempotent, crash-safe, no text."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from uuid_utils.compat import uuid7

from cxm.analytics import sync
from cxm.analytics.settings import AnalyticsSettings, store_path
from cxm.analytics.store import Store
from cxm.config import Settings
from cxm.shared.clock import FixedClock
from tests.integration.test_analytics_fixtures import (
    FEB,
    SECRET_COMMENT,
    build_world,
    interaction,
    respond,
)

APPEND = ("interactions", "survey_responses", "survey_answers", "feedback")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store(tmp_path / "analytics.duckdb") as s:
        yield s


def _count(store: Store, table: str) -> tuple[int, int]:
    row = store.cursor().execute(f"SELECT count(*), count(DISTINCT id) FROM {table}").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_first_sync_copies_every_table(db: Session, clock: FixedClock, store: Store) -> None:
    build_world(db, now=clock.now())
    report = sync.sync(db, store=store, now=clock.now())
    t = report["tables"]
    assert t["survey_responses"]["rows_total"] == 13
    assert t["survey_answers"]["rows_total"] == 6 + 4 * 3 + 3  # scored answers, no comments
    assert t["feedback"]["rows_total"] == 3
    assert t["interactions"]["rows_total"] == 7
    assert t["survey_invitations"]["rows_total"] == 5
    assert t["customers"]["rows_total"] == 3 and t["holdings"]["rows_total"] == 3
    assert t["touchpoints"]["rows_total"] == 2
    assert report["previous_sync_at"] is None
    assert sync.status(store, now=clock.now() + timedelta(seconds=90))["lag_seconds"] == 90


def test_no_free_text_reaches_the_analytical_store(
    db: Session, clock: FixedClock, store: Store
) -> None:
    build_world(db, now=clock.now())
    sync.sync(db, store=store, now=clock.now())
    cur = store.cursor()
    assert cur.execute("SELECT count(*) FROM survey_answers WHERE type = 'text'").fetchone() == (0,)
    for name in ("survey_answers", "feedback", "interactions", "customers"):
        columns = {r[0] for r in cur.execute(f"DESCRIBE {name}").fetchall()}
        assert not columns & {"text", "properties", "display_name", "first_name", "last_name"}
        dump = str(cur.execute(f"SELECT * FROM {name}").fetchall())
        assert SECRET_COMMENT not in dump and "0151" not in dump
    # long attribute values look like free text and stay behind; segment keys come along
    attrs = cur.execute("SELECT attributes FROM customers ORDER BY attributes['tier']").fetchall()
    assert {"tier": "gold"} in [a[0] for a in attrs]
    topics = {r[0] for r in cur.execute("SELECT topic FROM feedback").fetchall()}
    assert topics == {"battery", "billing", None}


def test_a_second_sync_adds_nothing_and_a_third_only_what_is_new(
    db: Session, clock: FixedClock, store: Store
) -> None:
    w = build_world(db, now=clock.now())
    sync.sync(db, store=store, now=clock.now())
    again = sync.sync(db, store=store, now=clock.now() + timedelta(minutes=1))
    for name in APPEND:
        assert again["tables"][name]["rows_read"] == 0, name  # only ids of the overlap checked
        assert again["tables"][name]["rows_written"] == 0, name
        assert again["tables"][name]["watermark"] is not None
        assert _count(store, name)[0] == _count(store, name)[1]
    assert again["lag_seconds_before"] == 60

    respond(db, w, at=FEB, touchpoint=w.hotline, customer=w.customers["c1"], scores={"nps": 3})
    interaction(db, w.customers["c2"], w.shop, at=FEB)
    third = sync.sync(db, store=store, now=clock.now() + timedelta(minutes=2))
    assert third["tables"]["survey_responses"]["rows_written"] == 1
    assert third["tables"]["survey_answers"]["rows_written"] == 1
    assert third["tables"]["interactions"]["rows_written"] == 1
    assert third["tables"]["feedback"]["rows_written"] == 0
    assert _count(store, "survey_responses") == (14, 14)


def test_a_crash_in_the_middle_of_a_table_leaves_no_duplicates_or_gaps(
    db: Session, clock: FixedClock, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_world(db, now=clock.now())
    cfg = AnalyticsSettings(chunk_rows=4)
    real = sync._write_state
    calls = {"n": 0}

    def crash_on_the_third_answers_chunk(cur: Any, name: str, **kw: Any) -> None:
        if name == "survey_answers":
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("power cut")
        real(cur, name, **kw)

    monkeypatch.setattr(sync, "_write_state", crash_on_the_third_answers_chunk)
    with pytest.raises(RuntimeError, match="power cut"):
        sync.sync(db, store=store, settings=cfg, now=clock.now())
    # the two committed chunks are there with their watermark; the third rolled back whole
    assert _count(store, "survey_answers") == (8, 8)
    assert store.last_synced_at() is None

    monkeypatch.setattr(sync, "_write_state", real)
    sync.sync(db, store=store, settings=cfg, now=clock.now())
    assert _count(store, "survey_answers") == (21, 21)
    assert _count(store, "survey_responses") == (13, 13)


def test_rows_committed_late_with_an_older_id_are_not_missed(
    db: Session, clock: FixedClock, store: Store
) -> None:
    w = build_world(db, now=clock.now())
    early_id = uuid7()  # taken by a transaction that commits after the next sync
    interaction(db, w.customers["c1"], w.hotline, at=FEB)
    sync.sync(db, store=store, now=clock.now())
    before = _count(store, "interactions")[0]
    interaction(db, w.customers["c1"], w.hotline, at=FEB, id=early_id)
    report = sync.sync(db, store=store, now=clock.now())
    assert report["tables"]["interactions"]["rows_written"] == 1
    assert _count(store, "interactions") == (before + 1, before + 1)


def test_a_random_uuid4_never_hides_later_rows(
    db: Session, clock: FixedClock, store: Store
) -> None:
    w = build_world(db, now=clock.now())
    interaction(db, w.customers["c1"], w.hotline, at=FEB, id=uuid.UUID(int=(1 << 128) - 1))
    first = sync.sync(db, store=store, now=clock.now())
    assert first["tables"]["interactions"]["watermark"] != str(uuid.UUID(int=(1 << 128) - 1))
    interaction(db, w.customers["c1"], w.hotline, at=FEB)
    sync.sync(db, store=store, now=clock.now())
    assert _count(store, "interactions") == (9, 9)


def test_updated_customers_and_holdings_are_upserted_and_merges_resolved(
    db: Session, clock: FixedClock, store: Store
) -> None:
    w = build_world(db, now=clock.now())
    sync.sync(db, store=store, now=clock.now())
    c1, c3 = w.customers["c1"], w.customers["c3"]
    later = clock.now() + timedelta(hours=1)
    c1.attributes = {"tier": "platinum"}
    c1.updated_at = later
    c3.merged_into_id = c1.id
    c3.updated_at = later
    db.flush()
    report = sync.sync(db, store=store, now=later)
    assert report["tables"]["customers"]["full"] is False  # by updated_at, not reloaded
    cur = store.cursor()
    assert cur.execute(
        "SELECT attributes['tier'] FROM customers WHERE id = ?", [str(c1.id)]
    ).fetchone() == ("platinum",)
    assert cur.execute("SELECT count(*) FROM customers").fetchone() == (3,)
    assert cur.execute(
        "SELECT survivor_id FROM customer_survivors WHERE customer_id = ?", [str(c3.id)]
    ).fetchone() == (c1.id,)


def test_a_full_sync_removes_rows_deleted_at_the_source(
    db: Session, clock: FixedClock, store: Store
) -> None:
    w = build_world(db, now=clock.now())
    sync.sync(db, store=store, now=clock.now())
    holding = w.customers["c3"].holdings[0]
    db.delete(holding)
    db.flush()
    report = sync.sync(db, store=store, now=clock.now(), full=True)
    assert report["tables"]["holdings"]["rows_total"] == 2


def test_invitations_that_change_before_they_expire_are_updated(
    db: Session, clock: FixedClock, store: Store
) -> None:
    from cxm.surveys.models import SurveyInvitation

    build_world(db, now=clock.now())
    sync.sync(db, store=store, now=clock.now())
    pending = db.query(SurveyInvitation).filter(SurveyInvitation.sent_at.is_(None)).one()
    pending.sent_at = clock.now()
    pending.status = "sent"
    db.flush()
    sync.sync(db, store=store, now=clock.now() + timedelta(minutes=5))
    row = (
        store.cursor()
        .execute("SELECT count(*) FROM survey_invitations WHERE sent_at IS NOT NULL")
        .fetchone()
    )
    assert row == (5,)


def test_the_store_lives_in_the_data_dir_unless_a_path_is_given(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert store_path(settings) == tmp_path / "analytics.duckdb"
    assert store_path(settings, AnalyticsSettings(path=tmp_path / "x.duckdb")) == (
        tmp_path / "x.duckdb"
    )


def test_sync_by_path_opens_and_closes_the_file(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    build_world(db, now=clock.now())
    report = sync.sync(db, duckdb_path=tmp_path / "a.duckdb", now=clock.now())
    assert report["tables"]["feedback"]["rows_total"] == 3
    with Store(tmp_path / "a.duckdb") as reopened:
        assert reopened.row_count("feedback") == 3
        assert not sync.is_stale(reopened, max_lag_seconds=300, now=clock.now())
        assert sync.is_stale(reopened, max_lag_seconds=300, now=clock.now() + timedelta(hours=1))
        assert not sync.is_stale(reopened, max_lag_seconds=-1, now=clock.now() + timedelta(days=9))
