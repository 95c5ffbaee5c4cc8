"""A keyword/pattern rule layer with German compound and inflection handling.

A keyword matches a word when their normal forms (lower case, umlauts folded, lemmatised with
simplemma, common inflection endings stripped) are equal, or when the keyword is the head of a
German compound: ``Abbruch`` matches ``Verbindungsabbrüche``. Keyword syntax:

- ``abbruch``: the word itself or a compound ending in it (keywords under 4 letters: the word only);
- ``=rauch``: the word only (no compounds: ``Verbrauch`` is not ``Rauch``);
- ``rechnung*``: the word or a compound starting with it (``Rechnungsbetrag``);
- ``*störung*``: anywhere inside a word;
- ``schon wieder``: consecutive words, each with the rules above;
- patterns: regular expressions on the (masked) text, case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "á": "a"})
_ENDINGS: tuple[str, ...] = ("ern", "en", "er", "es", "em", "e", "n", "s", "ing", "ed", "ly")
_MIN_STEM = 4
_MIN_MODIFIER = 3
_MIN_COMPOUND_KEYWORD = 4
_CACHE_LIMIT = 200_000


def normalise(word: str) -> str:
    """Lower case, umlauts and accents folded, apostrophes and hyphens dropped."""
    return word.lower().translate(_FOLD).replace("-", "").replace("'", "").replace("’", "")


def _strip_endings(form: str) -> set[str]:
    out = {form}
    for end in _ENDINGS:
        if form.endswith(end) and len(form) - len(end) >= _MIN_STEM:
            stem = form[: -len(end)]
            out.add(stem)
            # English consonant doubling: cancelled -> cancell -> cancel, dropping -> drop.
            if len(stem) > _MIN_STEM and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                out.add(stem[:-1])
    return out


_lemma_cache: dict[tuple[str, str], str] = {}
_lemmatizer: Any = None


def _lemma(word: str, lang: str) -> str:
    """simplemma's dictionary lemma (its slower rule/affix search is left out: the ending
    stripping and compound-head matching here cover what it would add)."""
    global _lemmatizer
    key = (word, lang)
    hit = _lemma_cache.get(key)
    if hit is None:
        if _lemmatizer is None:
            from simplemma.strategies import DictionaryLookupStrategy

            _lemmatizer = DictionaryLookupStrategy()
        try:
            found = _lemmatizer.get_lemma(word, lang)
        except ValueError:
            found = None
        hit = word if found is None else str(found)
        if len(_lemma_cache) > _CACHE_LIMIT:
            _lemma_cache.clear()
        _lemma_cache[key] = hit
    return hit


_forms_cache: dict[str, frozenset[str]] = {}


def word_forms(word: str) -> frozenset[str]:
    """All normal forms under which a word (or keyword) is matched (cached per process)."""
    hit = _forms_cache.get(word)
    if hit is not None:
        return hit
    forms: set[str] = set()
    parts = [word, *word.replace("’", "-").replace("'", "-").split("-")] if "-" in word else [word]
    for part in parts:
        if not part:
            continue
        if len(part) < 3 or part.isdigit():
            forms.add(normalise(part))
            continue
        for lemma in {part, _lemma(part, "de"), _lemma(part, "en")}:
            forms |= _strip_endings(normalise(lemma))
    result = frozenset(f for f in forms if f)
    if len(_forms_cache) > _CACHE_LIMIT:
        _forms_cache.clear()
    _forms_cache[word] = result
    return result


@dataclass(frozen=True, slots=True)
class Rule:
    """Keywords and patterns that signal one label (a topic or a flag)."""

    label: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        return cls(
            label=str(data["label"]),
            keywords=tuple(str(k) for k in data.get("keywords", ())),
            patterns=tuple(str(p) for p in data.get("patterns", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "keywords": list(self.keywords),
            "patterns": list(self.patterns),
        }


@dataclass(frozen=True, slots=True)
class RuleMatch:
    label: str
    evidence: str
    start: int
    end: int


@dataclass(slots=True)
class _Keyword:
    label: str
    text: str
    mode: str  # exact | head | prefix | infix
    forms: tuple[frozenset[str], ...]  # one set of forms per word of a phrase


def _parse_keyword(label: str, raw: str) -> _Keyword:
    text = raw.strip()
    if text.startswith("=") and not text.startswith("=*"):
        mode, body = "exact", text[1:]
    elif text.startswith("*") and text.endswith("*") and len(text) > 2:
        mode, body = "infix", text[1:-1]
    elif text.endswith("*"):
        mode, body = "prefix", text[:-1]
    elif text.startswith("*"):
        mode, body = "head", text[1:]
    else:
        mode, body = "head", text
    words = body.split()
    if mode == "head" and len(words) == 1 and len(normalise(body)) < _MIN_COMPOUND_KEYWORD:
        mode = "exact"
    if mode in ("prefix", "infix"):
        forms = tuple(frozenset({normalise(w)}) for w in words)
    else:
        forms = tuple(word_forms(w) for w in words)
    return _Keyword(label=label, text=text, mode=mode, forms=forms)


class RuleMatcher:
    """Finds the labels whose rules fire in a text; fast enough to run on every text."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._exact: dict[str, list[int]] = {}
        self._head: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._infix: list[tuple[str, int]] = []
        self._keywords: list[_Keyword] = []
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        self._token_cache: dict[str, tuple[frozenset[str], frozenset[tuple[int, int]]]] = {}
        self._max_prefix = 0
        for rule in self.rules:
            for raw in rule.keywords:
                kw = _parse_keyword(rule.label, raw)
                kid = len(self._keywords)
                self._keywords.append(kw)
                first = kw.forms[0] if kw.forms else frozenset()
                for form in first:
                    if kw.mode == "exact":
                        self._exact.setdefault(form, []).append(kid)
                    elif kw.mode == "head":
                        self._exact.setdefault(form, []).append(kid)
                        self._head.setdefault(form, []).append(kid)
                    elif kw.mode == "prefix":
                        self._prefix.setdefault(form, []).append(kid)
                        self._max_prefix = max(self._max_prefix, len(form))
                    else:
                        self._infix.append((form, kid))
            if rule.patterns:
                joined = "|".join(f"(?:{p})" for p in rule.patterns)
                self._patterns.append((rule.label, re.compile(joined, re.IGNORECASE)))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.label for r in self.rules))

    def _word_hits(self, word: str) -> tuple[frozenset[str], frozenset[tuple[int, int]]]:
        """Forms of a word and the (keyword, word position 0) hits it starts."""
        cached = self._token_cache.get(word)
        if cached is not None:
            return cached
        forms = word_forms(word)
        hits: set[int] = set()
        for form in forms:
            hits.update(self._exact.get(form, ()))
            n = len(form)
            for i in range(_MIN_MODIFIER, n - _MIN_COMPOUND_KEYWORD + 1):
                found = self._head.get(form[i:])
                if found:
                    hits.update(found)
            for j in range(min(n, self._max_prefix), 0, -1):
                found = self._prefix.get(form[:j])
                if found:
                    hits.update(found)
            for sub, kid in self._infix:
                if sub in form:
                    hits.add(kid)
        result = (forms, frozenset((kid, 0) for kid in hits))
        if len(self._token_cache) > _CACHE_LIMIT:
            self._token_cache.clear()
        self._token_cache[word] = result
        return result

    def _phrase_word_ok(self, kw: _Keyword, pos: int, forms: frozenset[str]) -> bool:
        wanted = kw.forms[pos]
        if kw.mode == "prefix":
            return any(f.startswith(w) for f in forms for w in wanted)
        if kw.mode == "infix":
            return any(w in f for f in forms for w in wanted)
        return not wanted.isdisjoint(forms)

    def match(self, text: str) -> list[RuleMatch]:
        """Every rule hit in the text, in text order (a label may appear more than once)."""
        hits: list[RuleMatch] = []
        if self._keywords:
            words = _TOKEN.findall(text)
            word_hits = self._word_hits
            starts = [word_hits(w)[1] for w in words]
            if any(starts):
                spans = [m.span() for m in _TOKEN.finditer(text)]
                for i, kw_hits in enumerate(starts):
                    for kid, _ in kw_hits:
                        kw = self._keywords[kid]
                        n = len(kw.forms)
                        if n > 1:
                            if i + n > len(words):
                                continue
                            if not all(
                                self._phrase_word_ok(kw, p, word_hits(words[i + p])[0])
                                for p in range(1, n)
                            ):
                                continue
                        start, end = spans[i][0], spans[i + n - 1][1]
                        hits.append(RuleMatch(kw.label, text[start:end], start, end))
        for label, pattern in self._patterns:
            for pm in pattern.finditer(text):
                hits.append(RuleMatch(label, pm.group(0), pm.start(), pm.end()))
        hits.sort(key=lambda h: (h.start, h.label))
        return hits

    def labels_in(self, text: str) -> dict[str, tuple[str, ...]]:
        """Each label that fires, with its evidence (distinct, in text order)."""
        out: dict[str, list[str]] = {}
        for h in self.match(text):
            ev = out.setdefault(h.label, [])
            if h.evidence not in ev:
                ev.append(h.evidence)
        return {k: tuple(v) for k, v in out.items()}


def rules_from_dicts(items: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    return tuple(Rule.from_dict(i) for i in items)
