"""Streamed, resumable, idempotent imports of customers, holdings and interactions.

Each chunk of lines is one transaction together with the run's progress, so a crash loses at
most the chunk in flight and a re-run of the same file resumes after the last committed chunk.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.customers.domain import IdentityKey
from cxm.customers.models import Customer, Holding
from cxm.feedback import services as feedback
from cxm.imports import parsing
from cxm.imports.models import ImportLineError, ImportRun
from cxm.interactions import services as interactions
from cxm.shared.errors import CxmError, Invalid, NotFound
from cxm.surveys import services as surveys
from cxm.surveys.domain import ResponseChannel

KINDS = ("customers", "holdings", "interactions", "feedback", "responses")
Progress = Callable[[int], None]  # lines done so far


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    record: dict[str, Any] | None
    error: str | None = None


def fingerprint(path: Path) -> str:
    """SHA-256 of the file's bytes: the same file resumes, a changed one starts anew."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise Invalid(f"cannot tell the format of '{path.name}': use .csv or .jsonl", field="file")


def read_lines(path: Path, fmt: str) -> Iterator[Line]:
    """The file's records one by one with their line numbers (header = line 1 for CSV)."""
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        if fmt == "csv":
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                return
            for row in reader:
                if None in row:
                    yield Line(reader.line_num, None, "more values than header columns")
                    continue
                yield Line(reader.line_num, row)
        else:
            for number, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Line(number, None, f"not valid JSON: {exc.msg}")
                    continue
                if not isinstance(record, dict):
                    yield Line(number, None, "each line must be a JSON object")
                    continue
                yield Line(number, record)


class _Chunk:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.duplicates = 0
        self.errors: list[tuple[int, str, str]] = []


def run_import(
    db: Session,
    *,
    kind: str,
    path: Path,
    now: Callable[[], datetime],
    fmt: str | None = None,
    chunk_size: int = 5_000,
    phone_region: str = "DE",
    progress: Progress | None = None,
) -> ImportRun:
    """Imports the file; bad lines are recorded with their number and reason, good ones kept."""
    if kind not in KINDS:
        raise Invalid(f"unknown import kind '{kind}'", field="kind")
    if not path.is_file():
        raise NotFound(f"file not found: {path}", field="file")
    fmt = fmt or detect_format(path)
    fp = fingerprint(path)
    run = db.scalar(
        select(ImportRun)
        .where(ImportRun.kind == kind, ImportRun.fingerprint == fp)
        .order_by(ImportRun.started_at.desc())
    )
    if run is None or run.status == "done":
        if run is not None and run.status == "done":
            return run
        run = ImportRun(kind=kind, source=str(path), fingerprint=fp, started_at=now())
        db.add(run)
        db.commit()
    skip = run.lines_done
    cache = interactions.IngestCache()
    handler = {
        "customers": _customers,
        "holdings": _holdings,
        "interactions": _interactions,
        "feedback": _feedback,
        "responses": _responses,
    }[kind]

    batch: list[Line] = []
    seen = 0
    for line in read_lines(path, fmt):
        seen += 1
        if seen <= skip:
            continue
        batch.append(line)
        if len(batch) >= chunk_size:
            _commit_chunk(
                db, run, batch, handler, now=now(), phone_region=phone_region, cache=cache
            )
            batch = []
            if progress:
                progress(run.lines_done)
    if batch:
        _commit_chunk(db, run, batch, handler, now=now(), phone_region=phone_region, cache=cache)
    run.status = "done"
    run.finished_at = now()
    db.commit()
    if progress:
        progress(run.lines_done)
    return run


def _commit_chunk(
    db: Session,
    run: ImportRun,
    batch: list[Line],
    handler: Callable[..., _Chunk],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> None:
    try:
        chunk = handler(db, batch, now=now, phone_region=phone_region, cache=cache)
    except Exception:
        db.rollback()
        cache.identities = None  # may hold owners from the rolled-back chunk
        raise
    for number, field, message in chunk.errors:
        db.add(ImportLineError(run_id=run.id, line=number, field=field, message=message))
    run.lines_done += len(batch)
    run.created += chunk.created
    run.updated += chunk.updated
    run.duplicates += chunk.duplicates
    run.failed += len({number for number, _, _ in chunk.errors})
    db.commit()


def _parsed(
    batch: list[Line], parse: Callable[..., Any], chunk: _Chunk, phone_region: str
) -> list[tuple[int, Any]]:
    good: list[tuple[int, Any]] = []
    for line in batch:
        if line.record is None:
            chunk.errors.append((line.number, "line", line.error or "unreadable"))
            continue
        try:
            good.append((line.number, parse(line.record, phone_region=phone_region)))
        except parsing.LineError as exc:
            chunk.errors.append((line.number, exc.field, exc.message))
    return good


def _interactions(
    db: Session,
    batch: list[Line],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> _Chunk:
    chunk = _Chunk()
    good = _parsed(batch, parsing.interaction, chunk, phone_region)
    results, errors = interactions.ingest(
        db,
        [item for _, item in good],
        now=now,
        all_or_nothing=False,
        commit=False,
        cache=cache,
    )
    for err in errors:
        chunk.errors.append((good[err.index][0], err.field, err.message))
    chunk.created = sum(r.created for r in results)
    chunk.duplicates = sum(not r.created for r in results)
    return chunk


def _owner(db: Session, keys: list[IdentityKey]) -> Customer | None:
    owners = set(customers.lookup_identities(db, keys).values())
    if len(owners) > 1:
        raise Invalid("the identities belong to different customers", field="identities")
    return customers.get_customer(db, owners.pop()) if owners else None


Outcome = str  # "created" | "updated" | "duplicate"


def _line_by_line(
    db: Session,
    batch: list[Line],
    parse: Callable[..., Any],
    apply: Callable[[Any], Outcome],
    phone_region: str,
) -> _Chunk:
    """Applies each good line in its own savepoint: a bad line is reported, the rest kept."""
    chunk = _Chunk()
    for number, parsed in _parsed(batch, parse, chunk, phone_region):
        try:
            with db.begin_nested():
                outcome = apply(parsed)
                db.flush()
        except CxmError as exc:
            chunk.errors.append((number, exc.field or "line", exc.message))
            continue
        if outcome == "created":
            chunk.created += 1
        elif outcome == "updated":
            chunk.updated += 1
        else:
            chunk.duplicates += 1
    return chunk


def _customers(
    db: Session,
    batch: list[Line],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> _Chunk:
    def apply(parsed: dict[str, Any]) -> Outcome:
        existing = _owner(db, parsed["identities"])
        fields = {k: v for k, v in parsed["fields"].items() if v is not None}
        if existing is not None:
            _refresh_customer(db, existing, parsed, fields, now)
            return "updated"
        customers.create_customer(
            db,
            now=now,
            commit=False,
            identities=[
                {"kind": k.kind, "value": k.value, "source": "import"} for k in parsed["identities"]
            ],
            **fields,
        )
        return "created"

    return _line_by_line(db, batch, parsing.customer, apply, phone_region)


def _refresh_customer(
    db: Session, existing: Customer, parsed: dict[str, Any], fields: dict[str, Any], now: datetime
) -> None:
    attributes = fields.pop("attributes", {})
    fields.pop("display_name", None)
    changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
    if attributes and {**existing.attributes, **attributes} != existing.attributes:
        changed["attributes"] = {**existing.attributes, **attributes}
    for key, value in changed.items():
        setattr(existing, key, value)
    for key in parsed["identities"]:
        customers.attach_identity(db, existing, key, source="import", now=now)
    if changed:
        existing.updated_at = now


def _holdings(
    db: Session,
    batch: list[Line],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> _Chunk:
    def apply(parsed: dict[str, Any]) -> Outcome:
        owner: Customer | None
        if parsed["customer_id"] is not None:
            owner = customers.get_customer(db, parsed["customer_id"])
        else:
            owner = _owner(db, parsed["identities"])
            if owner is None:
                raise NotFound("no customer has these identities", field="identities")
        fields = parsed["fields"]
        same = select(Holding).where(Holding.customer_id == owner.id)
        if fields["external_id"]:
            same = select(Holding).where(Holding.external_id == fields["external_id"])
        else:
            for name in ("product_code", "model", "serial", "started_on"):
                column = getattr(Holding, name)
                value = fields[name]
                same = same.where(column.is_(None) if value is None else column == value)
        existing = db.scalars(same.limit(1)).first()
        if existing is None:
            db.add(Holding(customer_id=owner.id, created_at=now, updated_at=now, **fields))
            return "created"
        if existing.customer_id != owner.id:
            raise Invalid("external_id belongs to another customer's holding", field="external_id")
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.updated_at = now
        return "updated"

    return _line_by_line(db, batch, parsing.holding, apply, phone_region)


def _feedback(
    db: Session,
    batch: list[Line],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> _Chunk:
    def apply(parsed: dict[str, Any]) -> Outcome:
        _, created = feedback.record_feedback(db, now=now, commit=False, **parsed)
        return "created" if created else "duplicate"

    return _line_by_line(db, batch, parsing.feedback, apply, phone_region)


def _responses(
    db: Session,
    batch: list[Line],
    *,
    now: datetime,
    phone_region: str,
    cache: interactions.IngestCache,
) -> _Chunk:
    def apply(parsed: dict[str, Any]) -> Outcome:
        customer_id = parsed["customer_id"]
        if customer_id is None and parsed["identities"]:
            owner = _owner(db, parsed["identities"])
            customer_id = owner.id if owner else None
        _, created = surveys.record_response(
            db,
            parsed["survey"],
            answers=parsed["answers"],
            submitted_at=parsed["submitted_at"],
            now=now,
            customer_id=customer_id,
            touchpoint=parsed["touchpoint"],
            language=parsed["language"],
            external_id=parsed["external_id"],
            channel=ResponseChannel.IMPORT,
            commit=False,
        )
        return "created" if created else "duplicate"

    return _line_by_line(db, batch, parsing.response, apply, phone_region)


def line_errors(db: Session, run: ImportRun) -> list[ImportLineError]:
    """The run's bad lines in line order."""
    return list(
        db.scalars(
            select(ImportLineError)
            .where(ImportLineError.run_id == run.id)
            .order_by(ImportLineError.line)
        )
    )
