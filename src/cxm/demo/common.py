"""Deterministic ids, weighted choices and chunked bulk inserts shared by the demo's stages."""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from cxm.db import Base

Progress = Callable[[str, int, int], None]

CHUNK = 10_000

_MS_SHIFT = 80
_RANDOM_BITS = (1 << _MS_SHIFT) - 1
_VERSION_MASK = 0xF << 76
_VARIANT_MASK = 0x3 << 62


def uuid4_from(rng: random.Random) -> uuid.UUID:
    """A random (version 4) id drawn from ``rng``."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def uuid7_from(rng: random.Random, at: datetime) -> uuid.UUID:
    """A UUIDv7 for the moment ``at`` with its random bits drawn from ``rng``.

    Append-only tables are read incrementally by ``id > watermark`` (survey dispatch, the
    analytical sync), so demo rows get ids ordered by their time, like rows written live.
    It draws as many bits as ``uuid4_from``, so switching between them keeps a seed's sequence.
    """
    millis = int(at.timestamp() * 1000)
    value = (millis << _MS_SHIFT) | (rng.getrandbits(128) & _RANDOM_BITS)
    value = (value & ~_VERSION_MASK) | (7 << 76)
    value = (value & ~_VARIANT_MASK) | (0x2 << 62)
    return uuid.UUID(int=value)


def weighted(rng: random.Random, cum: Sequence[float]) -> int:
    """An index drawn with the weights whose running sums are ``cum``."""
    return bisect(cum, rng.random() * cum[-1])


def table(model: type[Base]) -> Table:
    # Core on the table runs one executemany per chunk; the ORM bulk path splits a chunk
    # wherever the set of NULL columns changes from one row to the next (about twice as slow).
    return cast(Table, model.__table__)


def insert_rows(
    db: Session, model: type[Base], rows: list[dict[str, Any]], stage: str, report: Progress
) -> None:
    """Inserts the rows in chunks, committing and reporting progress after each."""
    total = len(rows)
    report(stage, 0, total)
    for at in range(0, total, CHUNK):
        db.execute(insert(table(model)), rows[at : at + CHUNK])
        db.commit()
        report(stage, min(at + CHUNK, total), total)
