"""Channels and the default journey stages (pure)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    STORE = "store"
    APP = "app"
    SOCIAL = "social"
    LETTER = "letter"
    FIELD_SERVICE = "field_service"


# (key, German name, English name) in journey order.
DEFAULT_STAGES: tuple[tuple[str, str, str], ...] = (
    ("awareness", "Aufmerksamkeit", "Awareness"),
    ("consideration", "Abwägung", "Consideration"),
    ("purchase", "Kauf", "Purchase"),
    ("onboarding", "Einrichtung", "Onboarding"),
    ("usage", "Nutzung", "Usage"),
    ("service", "Service", "Service"),
    ("renewal", "Verlängerung", "Renewal"),
    ("exit", "Abschied", "Exit"),
)
