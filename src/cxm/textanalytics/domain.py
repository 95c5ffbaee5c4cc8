"""Value objects of text analytics: what an analysis of one customer text says."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class PiiKind(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    IBAN = "IBAN"
    CUSTOMER_NO = "CUSTOMER_NO"
    NAME = "NAME"


class Flag(StrEnum):
    CHURN_THREAT = "churn_threat"
    LEGAL_THREAT = "legal_threat"
    SAFETY_ISSUE = "safety_issue"
    REPEATED_CONTACT = "repeated_contact"


class TopicSource(StrEnum):
    MODEL = "model"
    RULE = "rule"


UNDETERMINED_LANGUAGE = "und"
SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"de", "en"})


@dataclass(frozen=True, slots=True)
class SentimentScore:
    """A polarity label, its probability and a signed score in [-1, 1] (positive minus negative)."""

    label: Sentiment
    confidence: float
    score: float


@dataclass(frozen=True, slots=True)
class TopicHit:
    """One topic of one taxonomy found in a text, with the sentiment expressed about it."""

    taxonomy: str
    topic: str
    confidence: float
    sentiment: SentimentScore
    sources: tuple[TopicSource, ...]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlagHit:
    """An urgency/actionability flag and the words that raised it."""

    flag: Flag
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProductMention:
    """A catalogue product or model named in the text (the catalogue's spelling)."""

    product: str
    surface: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything cxm reads from one text; only the masked text is kept, never the raw one."""

    masked_text: str
    language: str
    language_confidence: float
    model_language: str
    pii: dict[PiiKind, int]
    sentiment: SentimentScore
    topics: tuple[TopicHit, ...]
    flags: tuple[FlagHit, ...]
    products: tuple[ProductMention, ...]
    model_version: str = ""

    @property
    def is_supported_language(self) -> bool:
        return self.language in SUPPORTED_LANGUAGES

    @property
    def urgent(self) -> bool:
        return bool(self.flags)

    def topic_ids(self, taxonomy: str | None = None) -> tuple[str, ...]:
        return tuple(t.topic for t in self.topics if taxonomy is None or t.taxonomy == taxonomy)

    def flag_names(self) -> tuple[str, ...]:
        return tuple(str(f.flag) for f in self.flags)


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One training example: a text with an optional document sentiment and topics."""

    text: str
    sentiment: Sentiment | None = None
    topics: tuple[str, ...] | None = None
    language: str | None = None
    source: str = "user"
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Correction:
    """An agent's correction of a text's labels; None leaves that label as it was."""

    text: str
    sentiment: Sentiment | None = None
    topics: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SpikeAlert:
    """A topic (or term) whose recent frequency rose significantly against its own baseline."""

    topic: str
    product: str | None
    touchpoint: str | None
    recent_count: int
    baseline_count: int
    expected: float
    ratio: float
    p_value: float
    q_value: float
    message: str = field(default="")
