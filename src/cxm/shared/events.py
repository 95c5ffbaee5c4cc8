"""In-process domain events, so a lower feature can let higher ones act without importing them.

Handlers run synchronously inside the publisher's transaction (they flush, never commit): a
customer merge and the move of that customer's history succeed or fail together.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class CustomersMerged:
    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseOpened:
    case_id: uuid.UUID
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseStatusChanged:
    case_id: uuid.UUID
    from_status: str
    to_status: str
    at: datetime
    actor_id: uuid.UUID | None = None


E = TypeVar("E")
Handler = Callable[[Session, Any], dict[str, int] | None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(
    event_type: type[E],
) -> Callable[[Callable[[Session, E], dict[str, int] | None]], Any]:
    """Registers the decorated function for events of this type (once per function)."""

    def register(fn: Callable[[Session, E], dict[str, int] | None]) -> Any:
        if fn not in _handlers[event_type]:
            _handlers[event_type].append(fn)
        return fn

    return register


def publish(db: Session, event: object) -> dict[str, int]:
    """Runs every handler for the event in this session; returns their merged counters."""
    counts: dict[str, int] = {}
    for handler in _handlers[type(event)]:
        result = handler(db, event)
        if result:
            counts.update(result)
    return counts
