"""Alert rules (pure): which survey answers and score movements need someone's attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AlertKind(StrEnum):
    DETRACTOR = "detractor"  # an NPS answer of 0–6 at the touchpoint
    NPS_DROP = "nps_drop"  # NPS at the touchpoint fell week over week, significantly
    EMERGING_TOPIC = "emerging_topic"  # a topic rose significantly against its own baseline


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime


def week_over_week(now: datetime) -> tuple[Window, Window]:
    """The last seven days up to now and the seven days before them."""
    current = Window(now - timedelta(days=7), now)
    return current, Window(current.start - timedelta(days=7), current.start)


def drop_is_alert(
    *, delta: float | None, significant: bool | None, threshold_points: float
) -> bool:
    """An NPS drop alerts when it is at least the threshold and statistically significant."""
    return delta is not None and bool(significant) and -delta >= threshold_points
