"""Language identification with py3langid (a maintained fork of langid.py that ships its model),
biased towards German and English, the languages cxm analyses, for short and noisy texts."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from cxm.textanalytics.domain import UNDETERMINED_LANGUAGE

# Languages the identifier chooses among: German and English plus those customers of a
# German-speaking company most often write in, so that "others are marked" instead of being
# forced into de/en. Restricting the candidates also removes rare false friends (lb, vo, ...).
CANDIDATE_LANGUAGES: tuple[str, ...] = (
    "de", "en", "fr", "it", "es", "nl", "pl", "tr", "pt", "da", "sv", "no", "fi", "cs", "hu",
    "ro", "ru", "uk", "el", "hr", "sl", "sk", "ar", "zh", "ja",
)  # fmt: skip

# Function words that only German or only English use among the candidate languages: a text
# with several of one list and none of the other is decided without the n-gram model.
_GERMAN_ONLY = frozenset(
    [
        "und",
        "ich",
        "nicht",
        "ist",
        "der",
        "das",
        "mit",
        "auf",
        "für",
        "eine",
        "einen",
        "sich",
        "auch",
        "wir",
        "mein",
        "meine",
        "meinen",
        "bei",
        "aber",
        "schon",
        "noch",
        "wird",
        "sind",
        "habe",
        "kein",
        "keine",
        "wurde",
        "wieder",
        "seit",
        "immer",
        "über",
        "dass",
    ]
)
_ENGLISH_ONLY = frozenset(
    [
        "the",
        "and",
        "is",
        "to",
        "you",
        "it",
        "my",
        "for",
        "this",
        "with",
        "was",
        "have",
        "not",
        "your",
        "are",
        "but",
        "can",
        "been",
        "just",
        "what",
        "they",
        "there",
        "would",
        "will",
        "from",
        "their",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_FAST_MIN_HITS = 3
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\[[A-Z_]+\]|\d+")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    confidence: float


class LanguageDetector:
    """Detects the language of a text; texts too short to say are 'und'."""

    def __init__(
        self,
        candidates: tuple[str, ...] = CANDIDATE_LANGUAGES,
        *,
        preferred: tuple[str, ...] = ("de", "en"),
        min_letters: int = 3,
    ) -> None:
        from py3langid.langid import (  # type: ignore[import-untyped]
            MODEL_FILE,
            LanguageIdentifier,
        )

        self._identifier: Any = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(candidates))
        self._preferred = preferred
        self._min_letters = min_letters
        self._lock = threading.Lock()

    def detect(self, text: str) -> LanguageGuess:
        """The most likely language; a preferred language wins close calls on short texts."""
        # A few hundred characters decide the language; the byte-level walk is linear in length.
        cleaned = _NOISE.sub(" ", text[:400])[:200]
        if len(_LETTERS.findall(cleaned)) < self._min_letters:
            return LanguageGuess(UNDETERMINED_LANGUAGE, 0.0)
        words = [w.lower() for w in _WORD.findall(cleaned)]
        de_hits = sum(1 for w in words if w in _GERMAN_ONLY)
        en_hits = sum(1 for w in words if w in _ENGLISH_ONLY)
        if de_hits >= _FAST_MIN_HITS and en_hits == 0 and "de" in self._preferred:
            return LanguageGuess("de", 1.0 - 0.5**de_hits)
        if en_hits >= _FAST_MIN_HITS and de_hits == 0 and "en" in self._preferred:
            return LanguageGuess("en", 1.0 - 0.5**en_hits)
        with self._lock:
            ranking: list[tuple[str, float]] = self._identifier.rank(cleaned)
        best_lang, best_p = ranking[0]
        if best_lang in self._preferred:
            return LanguageGuess(best_lang, float(best_p))
        for lang, p in ranking[1:4]:
            # Short texts give flat distributions: prefer de/en unless another is clearly ahead.
            if lang in self._preferred and p >= 0.5 * best_p and best_p < 0.8:
                return LanguageGuess(lang, float(p))
        return LanguageGuess(best_lang, float(best_p))


_default: LanguageDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> LanguageDetector:
    """One shared detector per process (loading the model takes about half a second)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LanguageDetector()
        return _default


def detect_language(text: str) -> LanguageGuess:
    """The language of a text: an ISO 639-1 code, or 'und' when it cannot be told."""
    return default_detector().detect(text)
