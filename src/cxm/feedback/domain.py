"""Unsolicited feedback: what the customer said without being asked (pure)."""

from __future__ import annotations

from enum import StrEnum


class FeedbackSource(StrEnum):
    COMPLAINT = "complaint"
    REVIEW = "review"
    SOCIAL = "social"
    FORUM = "forum"
    AGENT_NOTE = "agent_note"  # "the customer said ..."
    CALL_NOTE = "call_note"
    EMAIL = "email"
    LETTER = "letter"
    MYSTERY_SHOPPING = "mystery_shopping"
    OTHER = "other"
