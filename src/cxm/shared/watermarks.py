"""Named progress markers for jobs that read append-only tables incrementally."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from cxm.db import Base


class Watermark(Base):
    __tablename__ = "watermarks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


def get(db: Session, name: str) -> str | None:
    row = db.get(Watermark, name)
    return row.value if row else None


def put(db: Session, name: str, value: str, *, now: datetime) -> None:
    """Sets the watermark in the caller's transaction (flushes; the caller commits)."""
    row = db.get(Watermark, name)
    if row is None:
        db.add(Watermark(name=name, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
    db.flush()
