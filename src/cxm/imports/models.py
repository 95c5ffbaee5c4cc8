"""Import runs and their per-line error reports (so an import can resume and be audited)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, UUIDKey
from cxm.shared.clock import utcnow


class ImportRun(UUIDKey, Base):
    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_fingerprint", "kind", "fingerprint"),)

    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(1000))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    lines_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ImportLineError(UUIDKey, Base):
    __tablename__ = "import_line_errors"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_runs.id"), index=True)
    line: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
