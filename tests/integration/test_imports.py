import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.customers.models import Customer, Holding
from cxm.imports import services as imports
from cxm.imports.models import ImportRun
from cxm.interactions.models import Interaction
from cxm.shared.clock import FixedClock
from cxm.shared.errors import Invalid, NotFound
from tests import factories

CUSTOMERS_CSV = (
    "customer_number,email,phone,salutation,first_name,last_name,language,type,region,postal_code\n"
    """K00000001,erika@example.de,0151 23456789,ms,Erika,Weber,de,private,Berlin,10115
K00000002,john@example.com,,mr,John,Smith,en,private,Hamburg,20095
K00000003,not-an-email,,mr,Kaputt,Mail,de,private,,
K00000004,,,,,,de,private,,
K00000005,acme@example.com,,,,,de,business,Bayern,80331
"""
)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_lines_are_reported_with_number_and_reason_and_good_ones_kept(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    text = CUSTOMERS_CSV.replace(",,,,de,business,Bayern", ",,,ACME GmbH,de,business,Bayern")
    run = imports.run_import(
        db, kind="customers", path=_write(tmp_path, "c.csv", text), now=clock.now
    )
    errors = {(e.line, e.field) for e in imports.line_errors(db, run)}
    assert errors == {(4, "email"), (5, "last_name")}
    assert (run.created, run.failed, run.lines_done) == (3, 2, 5)
    erika = customers.find_by_identity(db, "phone", "+4915123456789")
    assert erika is not None and erika.display_name == "Erika Weber"


def test_reimporting_a_changed_customers_file_updates_instead_of_duplicating(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    imports.run_import(
        db, kind="customers", path=_write(tmp_path, "a.csv", CUSTOMERS_CSV), now=clock.now
    )
    before = _count(db, Customer)
    changed = CUSTOMERS_CSV.replace("Berlin,10115", "Brandenburg,14467")
    run = imports.run_import(
        db, kind="customers", path=_write(tmp_path, "b.csv", changed), now=clock.now
    )
    assert _count(db, Customer) == before and run.updated == 2 and run.created == 0
    erika = customers.find_by_identity(db, "customer_number", "K00000001")
    assert erika is not None and erika.region == "Brandenburg"


def test_the_same_file_twice_is_not_imported_again(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    path = _write(tmp_path, "c.csv", CUSTOMERS_CSV)
    first = imports.run_import(db, kind="customers", path=path, now=clock.now)
    second = imports.run_import(db, kind="customers", path=path, now=clock.now)
    assert first.id == second.id and second.status == "done"


def _interactions_jsonl(customer_number: str, n: int, bad_at: set[int]) -> str:
    lines = []
    for i in range(n):
        row = {
            "event_id": f"imp-{i}",
            "customer_number": customer_number,
            "touchpoint": "hotline-imp",
            "type": "call",
            "occurred_at": f"2026-01-{1 + i % 28:02d}T10:00:00+01:00",
            "text": f"Anruf {i}",
            "properties": {"duration_s": 60 + i},
        }
        if i in bad_at:
            row["occurred_at"] = "2026-01-01 10:00"
        lines.append(json.dumps(row))
    lines.insert(3, "{broken json")
    return "\n".join(lines) + "\n"


def test_interaction_import_is_chunked_idempotent_and_reports_bad_lines(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    factories.touchpoint(db, now=clock.now(), key="hotline-imp")
    erika = factories.customer(
        db, now=clock.now(), identities=[{"kind": "customer_number", "value": "K77"}]
    )
    path = _write(tmp_path, "i.jsonl", _interactions_jsonl("K77", 25, bad_at={7, 20}))
    run = imports.run_import(db, kind="interactions", path=path, now=clock.now, chunk_size=10)
    assert run.created == 23 and run.failed == 3
    lines = {e.line: e.field for e in imports.line_errors(db, run)}
    assert lines == {4: "line", 9: "occurred_at", 22: "occurred_at"}
    stored = db.scalars(select(Interaction).where(Interaction.customer_id == erika.id)).all()
    assert len(stored) == 23 and stored[0].occurred_at.tzinfo is not None

    copy = _write(tmp_path, "copy.jsonl", path.read_text() + "\n")
    again = imports.run_import(db, kind="interactions", path=copy, now=clock.now, chunk_size=10)
    assert again.created == 0 and again.duplicates == 23
    assert _count(db, Interaction) == 23


def test_an_interrupted_import_resumes_after_the_last_committed_chunk(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    factories.touchpoint(db, now=clock.now(), key="hotline-imp")
    factories.customer(
        db, now=clock.now(), identities=[{"kind": "customer_number", "value": "K78"}]
    )
    path = _write(tmp_path, "i.jsonl", _interactions_jsonl("K78", 30, bad_at=set()))
    calls = {"n": 0}

    def crash_after_two_chunks(done: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        imports.run_import(
            db,
            kind="interactions",
            path=path,
            now=clock.now,
            chunk_size=10,
            progress=crash_after_two_chunks,
        )
    run = db.scalar(select(ImportRun).where(ImportRun.source == str(path)))
    assert run is not None and run.status == "running" and run.lines_done == 20
    resumed = imports.run_import(db, kind="interactions", path=path, now=clock.now, chunk_size=10)
    assert resumed.id == run.id and resumed.status == "done" and resumed.lines_done == 31
    assert _count(db, Interaction) == 30


def test_holdings_import_by_identity_and_external_id(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    factories.customer(
        db, now=clock.now(), identities=[{"kind": "customer_number", "value": "K90"}]
    )
    csv_text = (
        "customer_number,external_id,product_code,product_name,model,serial,started_on,ended_on\n"
        "K90,H-1,SM-X,Smartphone Modell X,Modell X,SN-1,2025-05-01,\n"
        "K91,H-2,SM-X,Smartphone Modell X,Modell X,SN-2,2025-05-01,\n"
        "K90,H-3,T-M,Tarif M,,,2025-05-01,2025-04-01\n"
    )
    path = _write(tmp_path, "h.csv", csv_text)
    run = imports.run_import(db, kind="holdings", path=path, now=clock.now)
    assert run.created == 1
    assert {(e.line, e.field) for e in imports.line_errors(db, run)} == {
        (3, "identities"),
        (4, "ended_on"),
    }
    fixed = _write(tmp_path, "h2.csv", csv_text.replace("SN-1", "SN-1b"))
    rerun = imports.run_import(db, kind="holdings", path=fixed, now=clock.now)
    assert rerun.updated == 1 and _count(db, Holding) == 1
    owners, _ = customers.owners_of(db, model="Modell X")
    assert len(owners) == 1


def test_unknown_kinds_formats_and_files_are_clear_errors(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    with pytest.raises(Invalid):
        imports.run_import(db, kind="orders", path=tmp_path / "x.csv", now=clock.now)
    with pytest.raises(NotFound):
        imports.run_import(db, kind="customers", path=tmp_path / "missing.csv", now=clock.now)
    with pytest.raises(Invalid):
        imports.run_import(
            db, kind="customers", path=_write(tmp_path, "x.xlsx", "x"), now=clock.now
        )


def test_feedback_import_links_known_customers_and_reports_bad_lines(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    from cxm.feedback.models import Feedback

    erika = factories.customer(
        db, now=clock.now(), identities=[{"kind": "email", "value": "erika@example.de"}]
    )
    text = (
        "external_id,source,email,occurred_at,text,rating,product_model\n"
        "f1,complaint,erika@example.de,2026-02-01T10:00:00Z,Anrufe brechen ab,,Modell X\n"
        "f2,review,,2026-02-02T10:00:00Z,Toller Shop,5,\n"
        "f3,gossip,,2026-02-02T10:00:00Z,???,,\n"
        "f4,review,,2026-02-02T10:00:00Z,Zu viele Sterne,9,\n"
    )
    run = imports.run_import(
        db, kind="feedback", path=_write(tmp_path, "f.csv", text), now=clock.now
    )
    assert run.created == 2
    assert {(e.line, e.field) for e in imports.line_errors(db, run)} == {
        (4, "source"),
        (5, "rating"),
    }
    linked = db.scalar(select(Feedback).where(Feedback.external_id == "f1"))
    assert linked is not None and linked.customer_id == erika.id
    again = imports.run_import(
        db, kind="feedback", path=_write(tmp_path, "f2.csv", text + "\n"), now=clock.now
    )
    assert again.duplicates == 2 and again.created == 0


def test_response_import_validates_scores_per_line(
    db: Session, clock: FixedClock, tmp_path: Path
) -> None:
    from cxm.surveys import services as surveys

    surveys.create_survey(
        db,
        key="imp",
        name="Import",
        title_de="T",
        title_en="T",
        now=clock.now(),
        questions=[
            {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?", "required": True},
            {"key": "comment", "type": "text", "text_de": "?", "text_en": "?"},
        ],
    )
    text = (
        "external_id,survey,submitted_at,q_nps,q_comment,language\n"
        "r1,imp,2026-02-01T10:00:00Z,9,Sehr gut,de\n"
        "r2,imp,2026-02-01T10:00:00Z,11,,de\n"
        "r3,imp,2026-02-01T10:00:00,8,,de\n"
        "r4,nope,2026-02-01T10:00:00Z,8,,de\n"
    )
    run = imports.run_import(
        db, kind="responses", path=_write(tmp_path, "r.csv", text), now=clock.now
    )
    assert run.created == 1
    errors = {(e.line, e.field) for e in imports.line_errors(db, run)}
    assert errors == {(3, "answers.nps"), (4, "submitted_at"), (5, "survey")}
