"""Survey questions, answer validation, trigger and contact-fatigue rules (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class QuestionType(StrEnum):
    NPS = "nps"  # 0–10, "how likely are you to recommend"
    CSAT = "csat"  # 1–5, satisfaction
    CES = "ces"  # CES 2.0: 1–7 agreement with "made it easy"
    RATING = "rating"  # min..max stars/points
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


class InvitationStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    SKIPPED = "skipped"
    RESPONDED = "responded"
    # Handed to outreach, which delivers it on the customer's channel (e.g. a case follow-up).
    HELD = "held"


class ResponseChannel(StrEnum):
    LINK = "link"  # personal link from an invitation
    ANONYMOUS = "anonymous"  # the survey's public link
    WIDGET = "widget"  # the website feedback widget
    API = "api"
    IMPORT = "import"


SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.NPS: (0, 10),
    QuestionType.CSAT: (1, 5),
    QuestionType.CES: (1, 7),
}
CES_VARIANT = "ces2_agreement_1_7"


class AnswerError(ValueError):
    def __init__(self, question: str, message: str) -> None:
        super().__init__(f"{question}: {message}")
        self.question = question
        self.message = message


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    type: QuestionType
    text_de: str
    text_en: str
    required: bool = False
    options: tuple[tuple[str, str, str], ...] = ()  # (value, label_de, label_en)
    scale_min: int | None = None
    scale_max: int | None = None

    def scale(self) -> tuple[int, int]:
        if self.type in SCALES:
            return SCALES[self.type]
        return (self.scale_min or 1, self.scale_max or 5)

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_de

    def option_labels(self, language: str) -> list[tuple[str, str]]:
        return [(v, en if language == "en" else de) for v, de, en in self.options]


@dataclass(frozen=True, slots=True)
class Answer:
    question_key: str
    type: QuestionType
    score: int | None = None
    choices: tuple[str, ...] = ()
    text: str | None = None


def validate_answers(questions: Iterable[Question], raw: Mapping[str, Any]) -> list[Answer]:
    """The answers as stored; raises AnswerError naming the question for anything out of range."""
    answers: list[Answer] = []
    known = {q.key for q in questions}
    for key in raw:
        if key not in known:
            raise AnswerError(key, "is not a question of this survey")
    for q in questions:
        value = raw.get(q.key)
        if value is None or value == "" or value == []:
            if q.required:
                raise AnswerError(q.key, "is required")
            continue
        answers.append(_answer(q, value))
    if not answers:
        raise AnswerError("answers", "answer at least one question")
    return answers


def _answer(q: Question, value: Any) -> Answer:
    if q.type in (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING):
        low, high = q.scale()
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise AnswerError(q.key, f"must be a whole number from {low} to {high}") from None
        if isinstance(value, float) and value != score or isinstance(value, bool):
            raise AnswerError(q.key, f"must be a whole number from {low} to {high}")
        if not low <= score <= high:
            raise AnswerError(q.key, f"must be from {low} to {high}, got {score}")
        return Answer(q.key, q.type, score=score)
    allowed = {v for v, _, _ in q.options}
    if q.type is QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in allowed:
            raise AnswerError(q.key, f"must be one of {sorted(allowed)}")
        return Answer(q.key, q.type, choices=(value,))
    if q.type is QuestionType.MULTIPLE_CHOICE:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise AnswerError(q.key, "must be a list of options")
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise AnswerError(q.key, f"unknown options {unknown}")
        return Answer(q.key, q.type, choices=tuple(dict.fromkeys(values)))
    text = str(value).strip()
    if len(text) > 10_000:
        raise AnswerError(q.key, "is longer than 10,000 characters")
    return Answer(q.key, q.type, text=text)


def nps_category(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


@dataclass(frozen=True, slots=True)
class FatiguePolicy:
    """At most `max_invitations` survey invitations per customer within `window`."""

    window: timedelta = timedelta(days=30)
    max_invitations: int = 1


def fatigue_allows(
    policy: FatiguePolicy, recent_invitations: Iterable[datetime], *, at: datetime
) -> bool:
    """Whether one more invitation at `at` stays within the policy."""
    since = at - policy.window
    return sum(1 for t in recent_invitations if t > since) < policy.max_invitations


@dataclass(frozen=True, slots=True)
class TriggerRule:
    interaction_type: str
    touchpoint_key: str | None
    delay: timedelta


def trigger_matches(
    rule: TriggerRule, *, interaction_type: str, touchpoint_key: str | None
) -> bool:
    """Whether an interaction of this type at this touchpoint fires the rule."""
    if rule.interaction_type != interaction_type:
        return False
    return rule.touchpoint_key is None or rule.touchpoint_key == touchpoint_key


def first_admitting(
    segments: Sequence[uuid.UUID | None],
    customer_id: uuid.UUID,
    members: Mapping[uuid.UUID, Set[uuid.UUID]],
) -> int | None:
    """The index of the first matching rule that admits the customer (one without a segment,
    or one whose segment has the customer among its members); None when every rule requires
    a segment the customer is not in."""
    for index, segment in enumerate(segments):
        if segment is None or customer_id in members.get(segment, ()):
            return index
    return None
