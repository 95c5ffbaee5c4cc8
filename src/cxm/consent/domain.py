"""Consent per purpose and channel, decided from a ledger of grants and withdrawals (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Purpose(StrEnum):
    SERVICE = "service"
    SURVEY = "survey"
    MARKETING = "marketing"


class ContactChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"
    APP = "app"
    MESSENGER = "messenger"


# Without a recorded decision: service messages rest on the contract (GDPR Art. 6(1)(b)),
# surveys and marketing need the customer's consent.
DEFAULT_ALLOWED: dict[Purpose, bool] = {
    Purpose.SERVICE: True,
    Purpose.SURVEY: False,
    Purpose.MARKETING: False,
}


@dataclass(frozen=True, slots=True)
class ConsentDecision:
    purpose: Purpose
    channel: ContactChannel
    granted: bool
    at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class ConsentState:
    allowed: bool
    reason: str
    decided_at: datetime | None = None


def consent_state(
    ledger: Iterable[ConsentDecision], *, purpose: Purpose, channel: ContactChannel
) -> ConsentState:
    """Whether contact for this purpose on this channel is allowed: the latest decision wins."""
    latest: ConsentDecision | None = None
    for entry in ledger:
        if (
            entry.purpose == purpose
            and entry.channel == channel
            and (latest is None or entry.at >= latest.at)
        ):
            latest = entry
    if latest is None:
        allowed = DEFAULT_ALLOWED[purpose]
        basis = "contract" if allowed else "no consent recorded"
        return ConsentState(allowed, basis)
    verb = "granted" if latest.granted else "withdrawn"
    return ConsentState(latest.granted, f"{verb} via {latest.source}", latest.at)
