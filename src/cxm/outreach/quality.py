"""Reply quality: checks an agent's written reply (German or English) before it is sent.

The criteria follow "Service Communicates!" for written customer service: a personal
salutation with the right name and form, a visible reference to the customer's request,
every question answered, understandable language, a polite tone without blame, and a clear
next step. Everything here is pure and deterministic (no database, no global state): the
readability figures are computed here from pyphen hyphenation and vowel groups instead of
``textstat``, whose ``set_lang`` is process-wide and so unsafe in a threaded web server.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyphen  # type: ignore[import-untyped]
import simplemma

from cxm.outreach import domain

WEIGHTS: dict[str, int] = {
    "salutation": 20,
    "reference": 15,
    "questions": 25,
    "readability": 15,
    "tone": 15,
    "next_steps": 10,
}
LANGUAGES: tuple[str, ...] = ("de", "en")

# Readability targets: Flesch (Amstad for German) and the longest acceptable sentence.
MIN_FLESCH: dict[str, float] = {"de": 50.0, "en": 60.0}
MAX_SENTENCE_WORDS: dict[str, int] = {"de": 25, "en": 30}
# Share of -ung/-heit/-keit nouns above which German reads as officialese ("Amtsdeutsch").
NOMINAL_STYLE_RATIO = 0.05
NOMINAL_STYLE_MIN_WORDS = 4
QUESTION_QUOTE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who the reply is for: salutation "mr" | "ms" | "mx"/"diverse"/"none"/None, names, title."""

    salutation: str | None
    first_name: str | None
    last_name: str | None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One criterion: passed or not, a score in 0..1, its weight and what was found."""

    key: str
    passed: bool
    score: float
    weight: int
    detail: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "passed": self.passed,
            "score": round(self.score, 3),
            "weight": self.weight,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Hint:
    """A concrete improvement for the agent, in German and in English."""

    key: str
    de: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "de": self.de, "en": self.en}


@dataclass(frozen=True, slots=True)
class ReplyAssessment:
    """The weighted score (0-100), the reply's language, every check and the hints."""

    score: int
    language: str
    checks: tuple[Check, ...]
    hints: tuple[Hint, ...]

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)

    def check(self, key: str) -> Check:
        """The check with this key (KeyError if unknown)."""
        for c in self.checks:
            if c.key == key:
                return c
        raise KeyError(key)

    def hints_for(self, key: str) -> tuple[Hint, ...]:
        """The hints that belong to one check."""
        return tuple(h for h in self.hints if h.key == key)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for the API."""
        return {
            "score": self.score,
            "language": self.language,
            "passed": self.passed,
            "checks": [c.to_dict() for c in self.checks],
            "hints": [h.to_dict() for h in self.hints],
        }


# --------------------------------------------------------------------------- text basics

_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_UMLAUT_ALTERNATIVES = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)", "ß": "(?:ß|ss)"}


def _key(word: str) -> str:
    """Comparison form: lower case, accents and umlauts folded (ü, ue and u agree), no hyphens."""
    text = unicodedata.normalize("NFKD", word)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("ß", "ss").replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return re.sub(r"[-'’.]", "", text)


def _pattern(phrase: str) -> str:
    """A regex source in which each umlaut also matches its two-letter spelling."""
    return "".join(_UMLAUT_ALTERNATIVES.get(ch, ch) for ch in phrase)


def _compile(phrases: Iterable[str], *, case_sensitive: bool = False) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    body = "|".join(_pattern(p) for p in phrases)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", flags)


def _quote(text: str, lang: str) -> str:
    return f"„{text}“" if lang == "de" else f"“{text}”"


def _quotes(items: Iterable[str], lang: str) -> str:
    return ", ".join(_quote(i, lang) for i in items)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


# Small stopword lists: function words, pronouns, auxiliaries and very general verbs, so that
# what remains are the content words that tie a reply to its request.
_STOP_DE = [
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander",
    "andere", "anderen", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bitte", "bist", "da",
    "dabei", "damit", "dann", "dar", "darauf", "darf", "darum", "das", "dass", "dem", "den",
    "denen", "denn", "der", "des", "deshalb", "dessen", "die", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer",
    "eines", "einige", "einmal", "er", "es", "etwa", "etwas", "euch", "euer", "für", "gegen",
    "gewesen", "hab", "habe", "haben", "hat", "hatte", "hätte", "hätten", "hier", "hin", "hinter",
    "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "immer",
    "in", "ins", "ist", "ja", "jede", "jedem", "jeden", "jeder", "jedes", "jetzt", "kann", "kein",
    "keine", "keinem", "keinen", "können", "könnte", "könnten", "man", "manche", "mehr", "mein",
    "meine", "meinem", "meinen", "meiner", "meines", "mich", "mir", "mit", "möchte", "möchten",
    "muss", "müssen", "nach", "nein", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder",
    "ohne", "schon", "sehr", "sein", "seine", "seit", "selbst", "sich", "sie", "sind", "so",
    "soll", "sollen", "sollte", "sollten", "sondern", "sonst", "über", "um", "und", "uns", "unser",
    "unsere", "unserem", "unseren", "unter", "viel", "viele", "vielen", "vom", "von", "vor", "war",
    "waren", "warum", "was", "weil", "welche", "welchem", "welchen", "welcher", "wenn", "wer",
    "werde", "werden", "weshalb", "wie", "wieder", "wieso", "will", "wir", "wird", "wo", "wohin",
    "wollen", "würde", "würden", "zu", "zum", "zur", "zwar", "zwischen", "wann", "woran",
    "wodurch", "wozu", "weiß", "gibt", "gab", "geben", "haben", "sein", "werden", "machen",
    "macht", "gemacht", "gehen", "geht", "kommen", "kommt", "sehen", "sagen", "lassen", "bekommen",
    "bekomme", "bekommt", "erhalten", "stehen", "finden", "brauchen", "liegen", "liegt", "dürfen",
    "mögen", "wollen", "heißt", "hallo", "guten", "tag", "danke", "dank", "vielen", "gern",
    "gerne", "leider", "einfach", "bereits", "mal", "halt", "eben", "ganz",
]  # fmt: skip

_STOP_EN = [
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
    "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "get", "got",
    "getting", "make", "made", "go", "going", "know", "see", "say", "said", "let", "give", "take",
    "need", "want", "please", "thanks", "thank", "hello", "hi", "dear", "still", "since", "keep",
    "kept", "really",
]  # fmt: skip

_GENERIC_DE = [
    "frage", "anliegen", "nachricht", "anfrage", "problem", "hilfe", "kunde", "kundin",
    "kundenservice", "service", "team", "mail", "schreiben", "antwort",
]  # fmt: skip
_GENERIC_EN = [
    "question", "message", "request", "issue", "problem", "help", "customer", "support", "team",
    "reply",
]  # fmt: skip

_STOP_KEYS_DE = frozenset(_key(w) for w in _STOP_DE)
_STOP_KEYS_EN = frozenset(_key(w) for w in _STOP_EN)
_IGNORED_KEYS = _STOP_KEYS_DE | _STOP_KEYS_EN | {_key(w) for w in _GENERIC_DE + _GENERIC_EN}


def detect_language(text: str) -> str:
    """ "de" or "en" by which stopword list covers more words (ties go to German)."""
    keys = [_key(w) for w in _words(text)]
    de = sum(k in _STOP_KEYS_DE for k in keys)
    en = sum(k in _STOP_KEYS_EN for k in keys)
    return "en" if en > de else "de"


def _as_language(language: str | None, text: str) -> str:
    if language is None:
        return detect_language(text)
    code = language.strip().lower()[:2]
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}: use 'de' or 'en'")
    return code


# --------------------------------------------------------------------------- lemmas

_ENDINGS = {"de": ("en", "er", "es", "e", "n", "s"), "en": ("es", "s", "ed", "ing")}
_MIN_STEM = 4
_MIN_COMPOUND_HEAD = 5
_MIN_COMPOUND_MODIFIER = 6


@lru_cache(maxsize=50_000)
def _lemma(word: str, lang: str) -> str:
    return str(simplemma.lemmatize(word, lang=lang))


@lru_cache(maxsize=50_000)
def _forms(word: str, lang: str) -> frozenset[str]:
    """Comparison forms of a content word: its folded lemma plus common endings stripped."""
    forms: set[str] = set()
    for base in {_key(word), _key(_lemma(word, lang))}:
        forms.add(base)
        for end in _ENDINGS[lang]:
            if base.endswith(end) and len(base) - len(end) >= _MIN_STEM:
                forms.add(base[: -len(end)])
    return frozenset(forms)


@dataclass(frozen=True, slots=True)
class _Content:
    word: str  # as written (first occurrence)
    lemma: str
    forms: frozenset[str]


def _content_words(text: str, lang: str, *, ignore: frozenset[str] = frozenset()) -> list[_Content]:
    """Content words in order of first appearance (stopwords, numbers and names dropped)."""
    out: dict[str, _Content] = {}
    for word in _words(text):
        key = _key(word)
        if len(key) < 3 or not any(ch.isalpha() for ch in word) or key in ignore:
            continue
        if key in _IGNORED_KEYS:
            continue
        lemma = _lemma(word, lang)
        lemma_key = _key(lemma)
        if lemma_key in _IGNORED_KEYS or lemma_key in ignore or lemma_key in out:
            continue
        out[lemma_key] = _Content(word, lemma, _forms(word, lang))
    return list(out.values())


def _related(a: str, b: str) -> bool:
    """Equal, or one is the head (end) or modifier (start) of the other as a compound."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= _MIN_COMPOUND_HEAD and long.endswith(short):
        return True
    return len(short) >= _MIN_COMPOUND_MODIFIER and long.startswith(short)


def _shared(words: Sequence[_Content], others: Sequence[_Content]) -> list[_Content]:
    """The words that also occur (as lemma or compound part) among `others`."""
    pool = frozenset().union(*(o.forms for o in others)) if others else frozenset()
    found: list[_Content] = []
    for w in words:
        if w.forms & pool or any(_related(f, p) for f in w.forms for p in pool):
            found.append(w)
    return found


# --------------------------------------------------------------------------- structure

_ABBREVIATIONS = re.compile(
    r"(?<![^\W_])(?:z\.\s?B|u\.\s?a|d\.\s?h|o\.\s?g|u\.\s?U|bzw|ca|Dr|Prof|Nr|inkl|zzgl|ggf|"
    r"evtl|usw|etc|e\.g|i\.e|Mr|Mrs|Ms|Mx|vs|St|Tel|Hr|Fr|Str|bspw|vgl|Dipl|Ing|No)\.",
    re.IGNORECASE,
)
_MONTHS = (
    "Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
    "Dezember|January|February|March|May|June|July|October|December"
)
_ORDINAL_BEFORE_MONTH = re.compile(rf"\b\d{{1,2}}\.(?=\s+(?:{_pattern(_MONTHS)})\b)", re.I)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”“»«)]*(?=\s+[\"'„“»«(]*[^\W_a-zäöüß]|\s*$)")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")


def _mask(text: str) -> str:
    """The same text with dots that do not end a sentence replaced (same length)."""
    for rx in (_ABBREVIATIONS, _ORDINAL_BEFORE_MONTH):
        text = rx.sub(lambda m: m.group(0).replace(".", "\u2024"), text)
    return text


def split_sentences(text: str) -> list[str]:
    """Sentences of a text: paragraphs and bullets separate, abbreviations and dates kept whole."""
    segments: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in paragraph.splitlines():
            if _BULLET.match(line) and current:
                segments.append(" ".join(current))
                current = []
            if line.strip():
                current.append(line.strip())
        if current:
            segments.append(" ".join(current))
    sentences: list[str] = []
    for segment in segments:
        masked = _mask(segment)
        start = 0
        for m in _SENTENCE_END.finditer(masked):
            sentences.append(segment[start : m.end()].strip())
            start = m.end()
        sentences.append(segment[start:].strip())
    return [s for s in sentences if _words(s)]


_GREETING = re.compile(
    r"^\s*(?P<greet>sehr\s+geehrte[rs]?|guten\s+(?:tag|morgen|abend)|hallo|liebe[rs]?|"
    + _pattern("grüß gott|grüezi|moin(?: moin)?|servus|")
    + r"dear|hello|hi|hey|good\s+(?:morning|afternoon|evening|day)|greetings)"
    r"(?![^\W_])[\s,]*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TO_WHOM = re.compile(r"^\s*to\s+whom\s+it\s+may\s+concern", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*(?:"
    + _pattern(
        "mit (?:den )?(?:freundlichen|besten|herzlichen|vielen|lieben|sonnigen) grüßen|"
        "(?:freundliche|viele|beste|herzliche|liebe|sonnige|schöne) grüße|"
        "freundlichst|herzlichst|mfg|"
    )
    + r"(?:kind|best|warm|warmest|kindest|many)\s+regards|regards|(?:yours\s+)?sincerely|"
    r"yours\s+(?:faithfully|truly)|(?:best|kind|warm)\s+wishes|all\s+the\s+best|cheers)"
    r"(?![^\W_])[\s,.!]*(?P<rest>.*)$",
    re.IGNORECASE,
)
_NOT_A_PERSON = frozenset(
    _key(w)
    for w in [
        "ihr", "ihre", "your", "the", "team", "kundenservice", "kundendienst", "service",
        "support", "customer", "care", "kundenbetreuung", "serviceteam", "abteilung", "department",
    ]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Parts:
    opening: str  # the first non-empty line
    greeting: re.Match[str] | None
    salutation_text: str  # the salutation as written ("" if none)
    body: str
    closing: str | None
    signature_name: str | None


_MAX_SALUTATION_WORDS = 5


def _salutation_end(opening: str, greeting: re.Match[str] | None) -> tuple[int, int]:
    """Where the salutation ends and the body begins on the first line."""
    # Normally at the first punctuation after the greeting ("Guten Tag, Frau Weber, ...").
    start = greeting.start("rest") if greeting is not None else 0
    cut = re.compile(r"[,!:;]").search(opening, start)
    limit = cut.start() if cut else len(opening)
    tokens = list(re.finditer(r"\S+", opening[start:limit]))
    if greeting is None or len(tokens) <= _MAX_SALUTATION_WORDS:
        return limit, cut.end() if cut else len(opening)
    # The line runs on without punctuation: take the forms, titles and names after the greeting.
    end = start
    names = 0
    for token in tokens:
        word = token.group().strip(".")
        key = _key(word)
        if key in _FORMS or key in _TITLES or key in _GENERIC_ADDRESS:
            end = start + token.end()
        elif names < 3 and word[:1].isupper() and key not in _IGNORED_KEYS:
            names += 1
            end = start + token.end()
        else:
            break
    return end, end


def _split_reply(reply: str) -> _Parts:
    """Salutation, body, closing formula and the name below it."""
    lines = reply.strip().splitlines()
    opening = lines[0].strip() if lines else ""
    greeting = _GREETING.match(opening)
    body_lines = lines[:]
    salutation_text = ""
    if greeting is not None or _TO_WHOM.match(opening):
        end, body_start = _salutation_end(opening, greeting)
        salutation_text = opening[:end]
        body_lines[0] = opening[body_start:]
    closing: str | None = None
    name: str | None = None
    for i in range(len(body_lines) - 1, 0, -1):
        m = _CLOSING.match(body_lines[i])
        if m is None:
            continue
        closing = body_lines[i].strip()
        rest = m.group("rest").strip()
        after = [ln.strip() for ln in body_lines[i + 1 :] if ln.strip()]
        name = rest or (after[0] if after else None)
        body_lines = body_lines[:i]
        break
    return _Parts(opening, greeting, salutation_text.strip(), "\n".join(body_lines), closing, name)


def _is_personal_name(line: str | None) -> bool:
    if not line:
        return False
    tokens = _words(line)
    if not tokens or len(tokens) > 4 or any(ch.isdigit() for ch in line):
        return False
    if any(_key(t) in _NOT_A_PERSON for t in tokens):
        return False
    return tokens[0][0].isupper()


# --------------------------------------------------------------------------- 1 salutation

_FORMS = {
    "frau": "ms",
    "herr": "mr",
    "herrn": "mr",
    "ms": "ms",
    "mrs": "ms",
    "miss": "ms",
    "mr": "mr",
    "mx": "mx",
}
_TITLES = frozenset(
    {"dr", "prof", "professor", "doctor", "dipl", "ing", "mag", "med", "rer", "nat"}
)
_GENERIC_ADDRESS = frozenset(
    _key(w)
    for w in [
        "damen", "herren", "und", "or", "and", "sir", "madam", "madame", "kunde", "kundin",
        "kunden", "kundschaft", "customer", "customers", "valued", "team", "zusammen", "there",
        "all", "everyone", "folks", "sehr", "geehrte", "geehrter", "liebe", "lieber", "mitglied",
        "member", "user", "nutzer", "nutzerin", "friend", "friends", "kolleginnen", "kollegen",
        "interessent", "interessentin", "whom", "it", "may", "concern", "bzw",
    ]
)  # fmt: skip
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "vom", "di", "da", "le"})


def _gender(addressee: Addressee) -> str:
    value = _key(str(addressee.salutation or ""))
    if value in {"ms", "mrs", "frau", "f", "w", "female"}:
        return "ms"
    if value in {"mr", "herr", "m", "male"}:
        return "mr"
    if value in {"mx", "diverse", "divers", "d", "x", "neutral"}:
        return "mx"
    return "none"


def _suggested_salutation(addressee: Addressee, lang: str) -> str:
    return domain.salutation(
        salutation=_gender(addressee) if _gender(addressee) != "none" else None,
        first_name=addressee.first_name,
        last_name=addressee.last_name,
        title=addressee.title,
        language=lang,
    )


def _customer_de(addressee: Addressee, case: str) -> str:
    """ "die Kundin", "den Kunden", ... in the German case asked for (nom, acc, gen)."""
    g = _gender(addressee)
    if g == "ms":
        return {"nom": "die Kundin", "acc": "die Kundin", "gen": "der Kundin"}[case]
    if g == "mr":
        return {"nom": "der Kunde", "acc": "den Kunden", "gen": "des Kunden"}[case]
    return {"nom": "Ihr Gegenüber", "acc": "Ihr Gegenüber", "gen": "Ihres Gegenübers"}[case]


def _name_keys(addressee: Addressee) -> set[str]:
    keys: set[str] = set()
    for name in (addressee.first_name, addressee.last_name):
        for token in _words(name or ""):
            keys.add(_key(token))
            keys.update(_key(p) for p in token.split("-") if p)
    return keys


def _check_salutation(parts: _Parts, addressee: Addressee, lang: str) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["salutation"]
    suggestion = _suggested_salutation(addressee, lang)
    suggestion_de, suggestion_en = _quote(suggestion, "de"), _quote(suggestion, "en")
    found = parts.salutation_text
    detail: dict[str, Any] = {"found": found or None, "expected": suggestion, "problem": None}

    def fail(problem: str, score: float, de: str, en: str) -> tuple[Check, list[Hint]]:
        detail["problem"] = problem
        return Check("salutation", False, score, weight, detail), [Hint("salutation", de, en)]

    if parts.greeting is None:
        if found:  # "To whom it may concern"
            return fail(
                "impersonal",
                0.25,
                f"Ersetzen Sie die unpersönliche Anrede {_quote(found, 'de')} durch eine "
                f"persönliche: {suggestion_de}.",
                f"Replace the impersonal salutation {_quote(found, 'en')} with a personal one: "
                f"{suggestion_en}.",
            )
        return fail(
            "missing",
            0.0,
            f"Beginnen Sie mit einer persönlichen Anrede: {suggestion_de}.",
            f"Open with a personal salutation: {suggestion_en}.",
        )

    greet = " ".join(parts.greeting.group("greet").split())
    rest = found[parts.greeting.start("rest") :]
    tokens = [t for t in re.split(r"[\s/]+", rest.strip()) if t.strip(".")]
    form: str | None = None
    form_word: str | None = None
    titles: list[str] = []
    names: list[str] = []
    generic: list[str] = []
    for token in tokens:
        key = _key(token.strip("."))
        if key in _FORMS and form is None and not names:
            form, form_word = _FORMS[key], token.strip(".")
        elif key in _TITLES and not names:
            titles.append(token)
        elif key in _GENERIC_ADDRESS:
            generic.append(token)
            if names:
                break
        elif names and (key in _IGNORED_KEYS or len(names) >= 3):
            break  # the first line runs on into the body without a comma
        else:
            names.append(token.strip(".,"))
    detail.update({"greeting": greet, "form": form, "titles": titles, "names": names})

    known = _name_keys(addressee)
    if not names:
        if not known and not generic:
            return Check("salutation", True, 1.0, weight, detail), []
        return fail(
            "impersonal",
            0.25,
            f"Sprechen Sie {_customer_de(addressee, 'acc')} persönlich an statt "
            f"{_quote(found, 'de')}: {suggestion_de}.",
            f"Address the customer personally instead of {_quote(found, 'en')}: {suggestion_en}.",
        )
    if known:
        wrong = [n for n in names if _key(n) not in known and _key(n) not in _NAME_PARTICLES]
        if wrong:
            right = " ".join(p for p in (addressee.first_name, addressee.last_name) if p)
            detail["wrong_names"] = wrong
            return fail(
                "wrong_name",
                0.0,
                f"Falscher Name in der Anrede: {_quotes(wrong, 'de')} – "
                f"{_customer_de(addressee, 'nom')} heißt {_quote(right, 'de')}. "
                f"Richtig: {suggestion_de}.",
                f"Wrong name in the salutation: {_quotes(wrong, 'en')}; the customer's name "
                f"is {_quote(right, 'en')}. Write: {suggestion_en}.",
            )
    gender = _gender(addressee)
    if form in {"ms", "mr"} and gender in {"ms", "mr", "mx"} and form != gender:
        if gender == "mx":
            de = (
                f"Sprechen Sie {_customer_de(addressee, 'acc')} ohne „Herr“ oder „Frau“ an "
                f"(statt {_quote(form_word or '', 'de')}): {suggestion_de}."
            )
            en = (
                f"Address the customer without “Mr” or “Ms” (not {_quote(form_word or '', 'en')})"
                f": {suggestion_en}."
            )
        else:
            de = (
                f"Falsche Anredeform {_quote(form_word or '', 'de')}: "
                f"{_customer_de(addressee, 'nom')} wird mit "
                f"{_quote('Frau' if gender == 'ms' else 'Herr', 'de')} angesprochen. "
                f"Richtig: {suggestion_de}."
            )
            en = (
                f"Wrong form of address {_quote(form_word or '', 'en')}: the customer is "
                f"addressed as {_quote('Ms' if gender == 'ms' else 'Mr', 'en')}. "
                f"Write: {suggestion_en}."
            )
        return fail("wrong_form", 0.25, de, en)
    greet_key = _key(greet)
    female_adjective = greet_key in {"sehr geehrte", "liebe"}
    male_adjective = greet_key in {"sehr geehrter", "lieber"}
    if (form == "ms" and male_adjective) or (form == "mr" and female_adjective):
        stem = "Sehr geehrte" if greet_key.startswith("sehr") else "Liebe"
        fixed_greet = stem + ("r" if form == "mr" else "")
        fixed = " ".join([fixed_greet, form_word or "", *titles, *names])
        return fail(
            "agreement",
            0.5,
            f"Passen Sie die Anrede an die Form an: {_quote(fixed, 'de')}.",
            f"Make the German salutation agree with the form of address: {_quote(fixed, 'en')}.",
        )
    title = (addressee.title or "").strip()
    if (
        title
        and form in {"ms", "mr"}
        and not titles
        and _key(addressee.last_name or "") in {_key(n) for n in names}
    ):
        return fail(
            "missing_title",
            0.75,
            f"Nennen Sie den Titel {_quote(title, 'de')} in der Anrede: {suggestion_de}.",
            f"Include the title {_quote(title, 'en')} in the salutation: {suggestion_en}.",
        )
    return Check("salutation", True, 1.0, weight, detail), []


# --------------------------------------------------------------------------- 2 reference


def _reference_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _check_reference(
    body: str,
    request: str | None,
    case_reference: str | None,
    addressee: Addressee,
    lang: str,
) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["reference"]
    detail: dict[str, Any] = {"case_reference": case_reference, "case_reference_found": False}
    ref_key = _reference_key(case_reference or "")
    if len(ref_key) >= 3 and ref_key in _reference_key(body):
        detail["case_reference_found"] = True
        return Check("reference", True, 1.0, weight, detail), []
    if not request or not request.strip():
        if not ref_key:
            detail["applicable"] = False
            return Check("reference", True, 1.0, weight, detail), []
        wanted: list[_Content] = []
        matched: list[_Content] = []
        needed = 1
    else:
        names = frozenset(_name_keys(addressee))
        wanted = _content_words(request, lang, ignore=names)
        matched = _shared(wanted, _content_words(body, lang))
        needed = min(3, max(1, math.ceil(len(wanted) / 8))) if wanted else 0
    detail.update(
        {
            "matched": [w.lemma for w in matched],
            "needed": needed,
            "request_words": len(wanted),
        }
    )
    score = 1.0 if needed == 0 else min(1.0, len(matched) / needed)
    if len(matched) >= needed:
        return Check("reference", True, score, weight, detail), []
    # Suggest what the customer asked about first, then the longest (most specific) words.
    asked = {f for q in _questions(request or "") for w in _content_words(q, lang) for f in w.forms}
    missing = [w for w in wanted if w not in matched]
    nouns = [w for w in missing if w.word[:1].isupper()] if lang == "de" else []
    ranked = sorted(nouns or missing, key=lambda w: (not (w.forms & asked), -len(w.word)))
    examples = [w.word for w in ranked][:3]
    ref_de = ref_en = ""
    if case_reference:
        ref_de = f"Nennen Sie die Vorgangsnummer {_quote(case_reference, 'de')}"
        ref_en = f"Mention the case reference {_quote(case_reference, 'en')}"
    if examples and ref_de:
        de = f"{ref_de} oder greifen Sie das Anliegen konkret auf, z. B. {_quotes(examples, 'de')}."
        en = f"{ref_en} or refer to the request itself, e.g. {_quotes(examples, 'en')}."
    elif examples:
        de = (
            f"Greifen Sie das Anliegen {_customer_de(addressee, 'gen')} konkret auf, z. B. "
            f"{_quotes(examples, 'de')}."
        )
        en = f"Refer to the customer's request itself, e.g. {_quotes(examples, 'en')}."
    else:
        de, en = f"{ref_de}.", f"{ref_en}."
    return Check("reference", False, score, weight, detail), [Hint("reference", de, en)]


# --------------------------------------------------------------------------- 3 questions

_YES_NO_QUESTION = _compile(
    [
        "kann", "können", "könnte", "könnten", "ist", "sind", "gibt", "habe", "haben", "hat",
        "wird", "werden", "muss", "müssen", "darf", "dürfen", "soll", "sollte", "würde", "würden",
        "bekomme", "bekommen", "lässt", "geht", "stimmt", "war", "hatte", "can", "could", "is",
        "are", "do", "does", "did", "will", "would", "should", "may", "have", "has", "was", "were",
        "am", "shall",
    ]
)  # fmt: skip
_YES_NO_ANSWER = re.compile(
    r"^\W*(?:"
    + _pattern(
        "ja|nein|gern|gerne|selbstverständlich|natürlich|sicher|leider nicht|leider nein|"
        "yes|no|of course|certainly|sure|unfortunately not|absolutely"
    )
    + r")(?![^\W_])",
    re.IGNORECASE,
)


def _questions(request: str) -> list[str]:
    out = []
    for sentence in split_sentences(request):
        if sentence.rstrip(" \"'”“»«)").endswith("?"):
            out.append(" ".join(sentence.split()))
    return out


def _first_word(sentence: str) -> str:
    """The first word that is not a leading conjunction ("Und kann ich ...?" -> "kann")."""
    for word in _words(sentence):
        if _key(word) not in {"und", "and", "oder", "or", "aber", "but", "also", "so"}:
            return word
    return ""


def _check_questions(
    body: str, request: str | None, addressee: Addressee, lang: str
) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["questions"]
    questions = _questions(request or "")
    if not questions:
        detail: dict[str, Any] = {"asked": 0, "answered": 0, "unanswered": [], "questions": []}
        return Check("questions", True, 1.0, weight, detail), []
    names = frozenset(_name_keys(addressee))
    per_question = [_content_words(q, lang, ignore=names) for q in questions]
    reply_sentences = split_sentences(body)
    reply_words = _content_words(body, lang)
    results: list[dict[str, Any]] = []
    unanswered: list[str] = []
    for i, (question, words) in enumerate(zip(questions, per_question, strict=True)):
        others = [w for j, ws in enumerate(per_question) if j != i for w in ws]
        distinctive = [w for w in words if not _shared([w], others)] or words
        matched = _shared(distinctive, reply_words)
        how = "content" if matched else None
        if not words:
            how = "unverifiable"  # nothing to compare ("Warum?"): not held against the reply
        elif not matched and _YES_NO_QUESTION.match(_first_word(question)):
            for sentence in reply_sentences:
                if _YES_NO_ANSWER.match(sentence):
                    hit = _shared(words, _content_words(sentence, lang))
                    if hit:
                        matched, how = hit, "yes_no"
                        break
        answered = how is not None
        results.append(
            {
                "question": question,
                "answered": answered,
                "how": how,
                "matched": [w.lemma for w in matched],
            }
        )
        if not answered:
            unanswered.append(question)
    answered_count = len(questions) - len(unanswered)
    detail = {
        "asked": len(questions),
        "answered": answered_count,
        "unanswered": unanswered,
        "questions": results,
    }
    score = answered_count / len(questions)
    if not unanswered:
        return Check("questions", True, score, weight, detail), []
    quoted_de = "; ".join(_quote(_truncate(q, QUESTION_QUOTE_CHARS), "de") for q in unanswered)
    quoted_en = "; ".join(_quote(_truncate(q, QUESTION_QUOTE_CHARS), "en") for q in unanswered)
    plural = len(unanswered) > 1
    hint = Hint(
        "questions",
        f"Beantworten Sie auch {'diese Fragen' if plural else 'diese Frage'}: {quoted_de}.",
        f"Also answer {'these questions' if plural else 'this question'}: {quoted_en}.",
    )
    return Check("questions", False, score, weight, detail), [hint]


# --------------------------------------------------------------------------- 4 readability

_JARGON: dict[str, tuple[str, str]] = {
    # phrase: (German advice, English advice)
    "diesbezüglich": ("„dazu“", "“about this”"),
    "obige[nrms]?": ("„genannte“ oder die Sache beim Namen", "“this” or name the thing"),
    "o\\.\\s?g\\.": ("„genannte“ oder die Sache beim Namen", "“this” or name the thing"),
    "zwecks": ("„um … zu“ oder „für“", "“to” or “for”"),
    "seitens": ("„von“", "“by” or “from”"),
    "hiermit": ("nichts (einfach streichen)", "nothing (just delete it)"),
    "bezüglich Ihres Schreibens": ("„zu Ihrer Nachricht“", "“about your message”"),
    "per se": ("„an sich“", "“as such”"),
    "herewith": ("nichts (einfach streichen)", "nothing (just delete it)"),
    "aforementioned": ("„diese“ oder die Sache beim Namen", "“this” or name the thing"),
    "pursuant to": ("„nach“ oder „laut“", "“under” or “according to”"),
    "kindly be informed": ("nichts (einfach streichen)", "nothing (just delete it)"),
}
_JARGON_RX = [(re.compile(rf"(?<![^\W_]){_pattern(p)}", re.I), p) for p in _JARGON]
_NOMINAL = re.compile(r"(?:ung|heit|keit)(?:en)?$")
# Everyday nouns with these endings that are the topic rather than officialese.
_NOMINAL_ALLOWED = tuple(
    _key(w)
    for w in [
        "rechnung", "wohnung", "meinung", "zeitung", "richtung", "verbindung", "störung",
        "leitung", "kündigung", "bestellung", "lieferung", "sendung", "buchung", "zahlung",
        "entschuldigung", "gutschrift",
    ]
)  # fmt: skip
_VOWELS_DE = re.compile(r"äu|ie|ei|ai|au|eu|ey|ay|aa|ee|oo|[aeiouyäöü]", re.IGNORECASE)
_VOWELS_EN = re.compile(r"[aeiouy]+", re.IGNORECASE)


@lru_cache(maxsize=2)
def _hyphenator(lang: str) -> Any:
    return pyphen.Pyphen(lang="de_DE" if lang == "de" else "en_US")


@lru_cache(maxsize=50_000)
def syllables(word: str, lang: str) -> int:
    """Syllables of a word: pyphen's hyphenation points, or the vowel groups where more."""
    if not any(ch.isalpha() for ch in word):
        return 1
    hyphenated = len(_hyphenator(lang).positions(word.lower())) + 1
    if lang == "de":
        groups = len(_VOWELS_DE.findall(word))
    else:
        lower = word.lower()
        groups = len(_VOWELS_EN.findall(lower))
        if groups > 1 and lower.endswith("e") and not lower.endswith(("le", "ee", "ye")):
            groups -= 1  # silent e: "phone"
        elif groups > 1 and re.search(r"[^td]ed$|[^sxzhc]es$", lower):
            groups -= 1  # "received", "makes"
    return max(1, hyphenated, groups)


def flesch_reading_ease(sentences: Sequence[str], lang: str) -> float:
    """Flesch reading ease: Amstad's German formula for "de", the original for "en"."""
    words = [w for s in sentences for w in _words(s)]
    if not words:
        return 0.0
    asl = len(words) / len(sentences)
    asw = sum(syllables(w, lang) for w in words) / len(words)
    if lang == "de":
        return 180.0 - asl - 58.5 * asw
    return 206.835 - 1.015 * asl - 84.6 * asw


def _check_readability(body: str, lang: str) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["readability"]
    sentences = split_sentences(body)
    words = [w for s in sentences for w in _words(s)]
    if not words:
        detail: dict[str, Any] = {"words": 0, "sentences": 0}
        hint = Hint(
            "readability",
            "Die Antwort hat noch keinen Text zwischen Anrede und Gruß.",
            "The reply has no text between the salutation and the closing yet.",
        )
        return Check("readability", False, 0.0, weight, detail), [hint]
    flesch = flesch_reading_ease(sentences, lang)
    lengths = [len(_words(s)) for s in sentences]
    longest_at = max(range(len(sentences)), key=lengths.__getitem__)
    longest, limit, target = lengths[longest_at], MAX_SENTENCE_WORDS[lang], MIN_FLESCH[lang]
    long_sentences = [s for s, n in zip(sentences, lengths, strict=True) if n > limit]
    jargon_found = [(m.group(0), p) for rx, p in _JARGON_RX if (m := rx.search(body))]
    jargon = [found for found, _ in jargon_found]
    nominal = [
        w
        for w in words
        if len(w) >= 6
        and w[0].isupper()
        and _NOMINAL.search(w.lower())
        and not any(_key(w).endswith(a) or _key(w).endswith(a + "en") for a in _NOMINAL_ALLOWED)
    ]
    nominal_ratio = len(nominal) / len(words)
    nominal_style = (
        lang == "de"
        and len(nominal) >= NOMINAL_STYLE_MIN_WORDS
        and nominal_ratio > NOMINAL_STYLE_RATIO
    )
    detail = {
        "flesch": round(flesch, 1),
        "flesch_target": target,
        "words": len(words),
        "sentences": len(sentences),
        "average_sentence_length": round(len(words) / len(sentences), 1),
        "longest_sentence_words": longest,
        "longest_sentence": _truncate(sentences[longest_at], QUESTION_QUOTE_CHARS),
        "max_sentence_words": limit,
        "long_sentences": len(long_sentences),
        "jargon": jargon,
        "nominal_style_words": nominal,
        "nominal_style_ratio": round(nominal_ratio, 3),
    }
    flesch_part = min(1.0, max(0.0, (flesch - (target - 30.0)) / 30.0))
    sentence_part = 1.0 if longest <= limit else max(0.0, 1.0 - (longest - limit) / limit)
    style_part = max(0.0, 1.0 - 0.25 * len(jargon) - (0.5 if nominal_style else 0.0))
    score = 0.5 * flesch_part + 0.3 * sentence_part + 0.2 * style_part
    hints: list[Hint] = []
    if long_sentences:
        start = _truncate(" ".join(sentences[longest_at].split()[:8]), 60).rstrip("…") + " …"
        hints.append(
            Hint(
                "readability",
                f"Teilen Sie den langen Satz ({longest} Wörter, höchstens {limit}) in kürzere "
                f"Sätze auf: {_quote(start, 'de')}.",
                f"Split the long sentence ({longest} words, at most {limit}) into shorter ones: "
                f"{_quote(start, 'en')}.",
            )
        )
    if flesch < target:
        hints.append(
            Hint(
                "readability",
                f"Schreiben Sie verständlicher: kürzere Sätze und kürzere, geläufige Wörter "
                f"(Lesbarkeitswert {flesch:.0f}, Ziel mindestens {target:.0f}).",
                f"Write more plainly: shorter sentences and shorter, everyday words "
                f"(reading ease {flesch:.0f}, target at least {target:.0f}).",
            )
        )
    for found, pattern in jargon_found:
        de_advice, en_advice = _JARGON[pattern]
        hints.append(
            Hint(
                "readability",
                f"Ersetzen Sie {_quote(found, 'de')} durch {de_advice}.",
                f"Replace {_quote(found, 'en')} with {en_advice}.",
            )
        )
    if nominal_style:
        examples = _quotes(list(dict.fromkeys(nominal))[:3], "de")
        hints.append(
            Hint(
                "readability",
                f"Schreiben Sie mit Verben statt mit Hauptwörtern auf -ung/-heit/-keit "
                f"({examples}): „wir prüfen“ statt „die Prüfung erfolgt“.",
                f"Use verbs instead of German nouns ending in -ung/-heit/-keit ({examples}): "
                f"„wir prüfen“ (we check) rather than „die Prüfung erfolgt“.",
            )
        )
    return Check("readability", not hints, score, weight, detail), hints


# --------------------------------------------------------------------------- 5 tone

# Example wording for the hints, in the reply's language (the agent pastes it into the reply).
_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "request": {"de": ("Bitte …", "Sie können …"), "en": ("Please …", "You can …")},
    "thanks": {"de": ("Vielen Dank für Ihre Nachricht.",), "en": ("Thank you for your message.",)},
    "empathy": {
        "de": ("Es tut mir leid, dass …", "Ich verstehe, dass Sie verärgert sind."),
        "en": ("I am sorry that …", "I understand how frustrating this is."),
    },
    "closing": {"de": ("Mit freundlichen Grüßen",), "en": ("Kind regards",)},
    "next_step": {
        "de": ("Wir melden uns bis Freitag bei Ihnen.",),
        "en": ("We will get back to you by Friday.",),
    },
}


def _examples(name: str, reply_lang: str, hint_lang: str) -> str:
    """The example phrases for a hint written in `hint_lang`: „A“ oder „B“ / “A” or “B”."""
    joiner = " oder " if hint_lang == "de" else " or "
    return joiner.join(_quote(p, hint_lang) for p in _PHRASES[name][reply_lang])


# (pattern, German advice, English advice); "{ex}" takes the example phrases.
_BLAME: list[tuple[re.Pattern[str], str, str]] = [
    (
        _compile(
            [
                "wie (?:bereits|schon) (?:erwähnt|mitgeteilt|gesagt|geschrieben|erläutert)",
                "as (?:already|previously|I) (?:stated|mentioned|explained|said)",
                "as per my (?:last|previous)(?: (?:e-?mail|message|reply))?",
            ]
        ),
        "Erklären Sie den Punkt einfach noch einmal freundlich, ohne Hinweis auf Früheres.",
        "Simply explain the point again, kindly, without pointing to earlier messages.",
    ),
    (
        _compile(
            [
                "Sie hätten",
                "Sie müssen(?! (?:nichts|sich um nichts|nicht|keine))",
            ],
            case_sensitive=True,
        ),
        "Formulieren Sie als Bitte oder Möglichkeit: {ex}.",
        "Phrase it as a request or an option: {ex}.",
    ),
    (
        _compile(["you should have", "you must(?! not worry)", "you failed to"]),
        "Formulieren Sie als Bitte oder Möglichkeit: {ex}.",
        "Phrase it as a request or an option: {ex}.",
    ),
    (
        _compile(
            [
                "(?:das ist )?nicht unser problem",
                "leider (?:können|konnten) wir (?:da |hier |dabei )?nichts "
                "(?:tun|machen|unternehmen)",
                "nicht zuständig",
                "not (?:our|my) (?:problem|responsibility)",
                "(?:there is )?nothing we can do",
            ]
        ),
        "Sagen Sie, was Sie tun können oder wer weiterhilft, und leiten Sie es selbst weiter.",
        "Say what you can do or who can help, and pass it on yourself.",
    ),
    (
        _compile(["Ihr (?:eigener )?Fehler", "selbst schuld", "your (?:own )?fault"]),
        "Verzichten Sie auf Schuldzuweisungen und beschreiben Sie die Lösung.",
        "Leave out any blame and describe the solution.",
    ),
]
_SHOUTING = re.compile(r"(?<![^\W_])[A-ZÄÖÜ]{4,}(?![^\W_])")
_ACRONYMS = frozenset(
    [
        "IBAN", "SEPA", "WLAN", "VDSL", "ADSL", "HTTP", "HTTPS", "UMTS", "DSGVO", "GDPR", "ISDN",
        "HDMI", "IMEI", "VOIP", "SMTP", "IMAP", "POP3", "ESIM", "GSM5", "AGBS",
    ]
)  # fmt: skip
_THANKS = _compile(
    ["vielen dank", "herzlichen dank", "besten dank", "danke", "thank you", "thanks", "dankeschön"]
)
_EMPATHY = _compile(
    [
        "entschuldig\\w*",
        "bedauer\\w*",
        "tut (?:uns|mir) (?:sehr |wirklich )?leid",
        "versteh\\w*",
        "nachvollziehen",
        "ärgerlich\\w*",
        "sorry",
        "apolog\\w*",
        "understand\\w*",
        "regret\\w*",
        "frustrating",
        "inconvenience",
    ]
)
_NEGATIVE = _compile(
    [
        "problem\\w*",
        "störung\\w*",
        "ärger\\w*",
        "beschwer\\w*",
        "kaputt\\w*",
        "defekt\\w*",
        "fehler\\w*",
        "falsch\\w*",
        "\\w*abbr(?:uch|üche|echen)\\w*",
        "(?:brechen|bricht)[^.!?]{0,60}?(?<![^\\W_])ab",
        "abgebrochen",
        "funktioniert (?:\\w+ )?nicht",
        "geht (?:\\w+ )?nicht",
        "enttäusch\\w*",
        "unzufrieden\\w*",
        "schon wieder",
        "immer noch",
        "zu hoch",
        "unverschämt\\w*",
        "wütend",
        "sauer",
        "issue\\w*",
        "broken",
        "not working",
        "doesn'?t work",
        "drop(?:s|ped|ping)",
        "fail\\w*",
        "wrong",
        "error\\w*",
        "complain\\w*",
        "disappoint\\w*",
        "frustrat\\w*",
        "annoy\\w*",
        "angry",
        "unacceptable",
        "terrible",
        "overcharg\\w*",
    ]
)


def _check_tone(parts: _Parts, request: str | None, lang: str) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["tone"]
    body = parts.body
    hints: list[Hint] = []
    score = 1.0
    blame: list[str] = []
    for rx, advice_de, advice_en in _BLAME:
        found = list(dict.fromkeys(m.group(0) for m in rx.finditer(body)))
        for phrase in found:
            blame.append(phrase)
            score -= 0.4
            de = advice_de.replace("{ex}", _examples("request", lang, "de"))
            en = advice_en.replace("{ex}", _examples("request", lang, "en"))
            hints.append(
                Hint(
                    "tone",
                    f"Vermeiden Sie {_quote(phrase, 'de')}: Das klingt nach Vorwurf. {de}",
                    f"Avoid {_quote(phrase, 'en')}: it sounds like blame. {en}",
                )
            )
    shouting = [w for w in _SHOUTING.findall(body) if w not in _ACRONYMS]
    exclamations = re.findall(r"[!?]{2,}", body)
    if shouting or exclamations:
        score -= 0.3
        shown = _quotes(list(dict.fromkeys(shouting + exclamations))[:3], "de")
        shown_en = _quotes(list(dict.fromkeys(shouting + exclamations))[:3], "en")
        hints.append(
            Hint(
                "tone",
                f"Schreiben Sie ohne Großbuchstaben-Wörter und Mehrfach-Ausrufezeichen ({shown}): "
                f"Das wirkt wie Schreien.",
                f"Drop the all-caps words and repeated exclamation marks ({shown_en}): "
                f"they read as shouting.",
            )
        )
    thanks = _THANKS.search(body) is not None
    if not thanks:
        score -= 0.2
        hints.append(
            Hint(
                "tone",
                f"Bedanken Sie sich für die Nachricht: {_examples('thanks', lang, 'de')}",
                f"Thank the customer for writing: {_examples('thanks', lang, 'en')}",
            )
        )
    negative = bool(request) and _NEGATIVE.search(request or "") is not None
    empathy = _EMPATHY.search(body) is not None
    if negative and not empathy:
        score -= 0.25
        hints.append(
            Hint(
                "tone",
                f"Zeigen Sie Verständnis für den Ärger: {_examples('empathy', lang, 'de')}",
                f"Show that you understand the trouble: {_examples('empathy', lang, 'en')}",
            )
        )
    named = _is_personal_name(parts.signature_name)
    if parts.closing is None:
        score -= 0.2
        hints.append(
            Hint(
                "tone",
                f"Schließen Sie mit Gruß und Ihrem Namen: {_examples('closing', lang, 'de')} "
                f"und darunter Vor- und Nachname.",
                f"End with a closing and your name: {_examples('closing', lang, 'en')} followed "
                f"by your first and last name.",
            )
        )
    elif not named:
        closing = parts.closing.rstrip(",.!")
        score -= 0.1
        hints.append(
            Hint(
                "tone",
                f"Unterschreiben Sie unter {_quote(closing, 'de')} mit Ihrem eigenen "
                f"Namen statt anonym.",
                f"Sign below {_quote(closing, 'en')} with your own name rather than anonymously.",
            )
        )
    detail: dict[str, Any] = {
        "blame": blame,
        "shouting": list(dict.fromkeys(shouting + exclamations)),
        "thanks": thanks,
        "negative_request": negative,
        "empathy": empathy,
        "closing": parts.closing,
        "signed_by": parts.signature_name if named else None,
    }
    return Check("tone", not hints, max(0.0, score), weight, detail), hints


# --------------------------------------------------------------------------- 6 next steps

_WEEKDAYS = (
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|übermorgen|morgen|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow"
)
_NEXT_STEPS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\b\d{1,2}\.\s?\d{1,2}\.(?:\d{2,4})?|\b\d{4}-\d{2}-\d{2}\b|"
        rf"\b\d{{1,2}}\.?\s+(?:{_pattern(_MONTHS)})\b|"
        rf"(?<![^\W_])(?:{_pattern(_WEEKDAYS)})(?![^\W_])|"
        r"\b(?:innerhalb|within)\s+(?:von\s+|der\s+nächsten\s+|the\s+next\s+)?\d+\s+\w+",
        re.IGNORECASE,
    ),
    "time": re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:uhr|am|pm)\b|\b\d{1,2}:\d{2}\b", re.I),
    "commitment": _compile(
        [
            "wir melden uns",
            "melden (?:wir )?uns",
            "wir (?:werden|rufen|schicken|senden|schreiben|prüfen|kümmern|informieren|"
            "schalten|buchen|erstatten|veranlassen|tauschen|reparieren)",
            "(?:werden|rufen|schicken|senden|informieren|prüfen|schreiben) wir",
            "we(?:'ll| will| are going to| shall)",
            "(?:I|I'll) will",
            "ich (?:melde|werde|rufe|kümmere|prüfe)",
            "erhalten Sie|bekommen Sie|sehen Sie",
            "you will (?:receive|get|see)|you'll (?:receive|get|see)",
        ]
    ),
    "invitation": _compile(
        [
            "rufen Sie[^.!?\\n]{0,60}?(?<![^\\W_])an",
            "Sie können|können Sie",
            "schreiben Sie uns|erreichen Sie uns|melden Sie sich",
            "bitte (?:rufen|schreiben|antworten|senden|schicken|klicken|melden|prüfen|starten)",
            "you can|you may|please (?:call|contact|reply|click|send|restart|check|visit)",
            "please let us know",
            "call us|contact us|reach us",
        ]
    ),
    "link": re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "phone": re.compile(r"(?:\+|(?<!\d)0)\d[\d /-]{5,}\d"),
}


def _check_next_steps(body: str, lang: str) -> tuple[Check, list[Hint]]:
    weight = WEIGHTS["next_steps"]
    found: dict[str, str] = {}
    for kind, rx in _NEXT_STEPS.items():
        m = rx.search(body)
        if m:
            found[kind] = m.group(0).strip()
    detail: dict[str, Any] = {"signals": sorted(found), "examples": found}
    if found:
        return Check("next_steps", True, 1.0, weight, detail), []
    hint = Hint(
        "next_steps",
        f"Sagen Sie, wie es weitergeht: was Sie bis wann tun (z. B. "
        f"{_examples('next_step', lang, 'de')}) oder was die Kundschaft tun kann (Link, "
        f"Telefonnummer).",
        f"Say what happens next: what you will do and by when (e.g. "
        f"{_examples('next_step', lang, 'en')}) or what the customer can do (a link, a phone "
        f"number).",
    )
    return Check("next_steps", False, 0.0, weight, detail), [hint]


# --------------------------------------------------------------------------- the assessment


def assess_reply(
    reply: str,
    *,
    request: str | None,
    addressee: Addressee,
    language: str | None = None,
    case_reference: str | None = None,
) -> ReplyAssessment:
    """Score a written reply 0-100 on six weighted checks with bilingual hints; deterministic."""
    parts = _split_reply(reply)
    lang = _as_language(language, parts.body or reply)
    results = [
        _check_salutation(parts, addressee, lang),
        _check_reference(parts.body, request, case_reference, addressee, lang),
        _check_questions(parts.body, request, addressee, lang),
        _check_readability(parts.body, lang),
        _check_tone(parts, request, lang),
        _check_next_steps(parts.body, lang),
    ]
    checks = tuple(check for check, _ in results)
    hints = tuple(hint for _, hs in results for hint in hs)
    total = sum(c.weight for c in checks)
    score = round(100 * sum(c.weight * c.score for c in checks) / total)
    return ReplyAssessment(score=score, language=lang, checks=checks, hints=hints)
