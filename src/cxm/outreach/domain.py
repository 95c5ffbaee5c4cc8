"""Outreach rules: message states and kinds, retry back-off, how to address a customer (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from cxm.customers.domain import Language, Salutation


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    # Consent or contact fatigue said no: the message was never attempted.
    REFUSED = "refused"


class MessageKind(StrEnum):
    CASE_ACKNOWLEDGEMENT = "case_acknowledgement"
    CASE_UPDATE = "case_update"
    CASE_RESOLVED = "case_resolved"
    AGENT_REPLY = "agent_reply"
    RESURVEY = "resurvey"
    PROACTIVE_NOTICE = "proactive_notice"


MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


def retry_delay(
    attempt: int, *, base: timedelta = RETRY_BASE, cap: timedelta = RETRY_CAP
) -> timedelta:
    """The wait after failed attempt n (1-based): base * 2**(n-1), never more than cap."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    delay = base
    for _ in range(attempt - 1):
        # Stop doubling once capped: a high attempt count must not overflow timedelta.
        if delay >= cap:
            break
        delay *= 2
    return min(delay, cap)


def retry_at(
    attempt: int,
    failed_at: datetime,
    *,
    base: timedelta = RETRY_BASE,
    cap: timedelta = RETRY_CAP,
) -> datetime:
    """When to try again after failed attempt n; with the defaults 30 s, 1, 2, 4, 8, 16 min, ...

    The schedule is deterministic (no jitter) so a replay gives the same times; it doubles
    from `base` and stops growing at `cap` (1 h). With MAX_ATTEMPTS = 6 a message is given up
    about 31 minutes after its first failure.
    """
    return failed_at + retry_delay(attempt, base=base, cap=cap)


def should_retry(attempt: int) -> bool:
    """Whether a message that has failed `attempt` times may be tried once more."""
    return attempt < MAX_ATTEMPTS


_GREETING = {Language.DE: "Guten Tag", Language.EN: "Dear"}
_BARE_GREETING = {Language.DE: "Guten Tag", Language.EN: "Hello"}
_TITLE_WORDS = {
    Language.DE: {Salutation.MS: "Frau", Salutation.MR: "Herr"},
    Language.EN: {Salutation.MS: "Ms", Salutation.MR: "Mr"},
}


def salutation(
    *,
    salutation: Salutation | str | None,
    first_name: str | None,
    last_name: str | None,
    title: str | None = None,
    language: Language | str,
) -> str:
    """The opening line: "Guten Tag, Frau Weber", "Dear Mr Becker", "Dear Anna Weber", "Hello".

    Gendered forms need a last name; "mx", "none" or a missing gender use the full name;
    without any name the bare greeting remains. In English an academic title replaces
    Mr/Ms ("Dear Dr Becker"), in German it follows it ("Herr Dr. Becker").
    """
    lang = Language.DE if str(language) == Language.DE else Language.EN
    first = (first_name or "").strip()
    last = (last_name or "").strip()
    academic = (title or "").strip()
    if lang is Language.EN:
        academic = academic.rstrip(".")
    word = _TITLE_WORDS[lang].get(_as_salutation(salutation)) if last else None
    if word and academic and lang is Language.EN:
        name = f"{academic} {last}"
    elif word:
        name = " ".join(part for part in (word, academic, last) if part)
    elif first or last:
        name = " ".join(part for part in (academic, first, last) if part)
    else:
        return _BARE_GREETING[lang]
    separator = ", " if lang is Language.DE else " "
    return f"{_GREETING[lang]}{separator}{name}"


def _as_salutation(value: Salutation | str | None) -> Salutation:
    try:
        return Salutation(value) if value else Salutation.NONE
    except ValueError:
        return Salutation.NONE
