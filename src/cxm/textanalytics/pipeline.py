"""The text-analytics pipeline: mask PII, detect the language, score sentiment and topics with the
trained model, add rule topics, urgency flags and product mentions.

``analyse(text)`` uses the shipped artefact; build an :class:`Analyser` for other taxonomies,
rules, catalogues or a retrained model. Analysers are safe to share between threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cxm.textanalytics.domain import (
    Analysis,
    Flag,
    FlagHit,
    PiiKind,
    Sentiment,
    SentimentScore,
    TopicHit,
    TopicSource,
)
from cxm.textanalytics.language import LanguageDetector, default_detector
from cxm.textanalytics.masking import mask_pii
from cxm.textanalytics.model import DEFAULT_MODEL_DIR, LanguageModel, ModelBundle
from cxm.textanalytics.products import ProductCatalogue
from cxm.textanalytics.rules import Rule, RuleMatch, RuleMatcher
from cxm.textanalytics.taxonomy import DEFAULT_TAXONOMIES, FLAG_RULES, GERMEVAL_2017, Taxonomy

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_NEUTRAL = SentimentScore(Sentiment.NEUTRAL, 1.0, 0.0)
_FLAG_VALUES = frozenset(str(f) for f in Flag)
_FLAG_TAG = "\x00flag\t"


def _sentiment_from(probs: NDArray[np.float32], labels: Sequence[str]) -> SentimentScore:
    i = int(np.argmax(probs))
    p = {lab: float(probs[j]) for j, lab in enumerate(labels)}
    score = p.get("positive", 0.0) - p.get("negative", 0.0)
    return SentimentScore(Sentiment(labels[i]), float(probs[i]), round(score, 4))


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    after = _SENTENCE_END.search(text, end)
    return left, (after.start() if after else len(text))


@dataclass(frozen=True, slots=True)
class GermEvalPrediction:
    relevance: bool
    sentiment: str
    aspects: tuple[tuple[str, str], ...]  # (main category, polarity)


class Analyser:
    """A configured pipeline: model, taxonomies with their rules, flag rules and a catalogue."""

    def __init__(
        self,
        model: ModelBundle | None = None,
        *,
        taxonomies: Iterable[Taxonomy] | None = None,
        flag_rules: Iterable[Rule] = FLAG_RULES,
        catalogue: ProductCatalogue | Iterable[str] | Mapping[str, Sequence[str]] = (),
        detector: LanguageDetector | None = None,
        model_taxonomy: str = "customer_service",
    ) -> None:
        self.model = model if model is not None else load_model()
        self.taxonomies: dict[str, Taxonomy] = {
            t.name: t
            for t in (taxonomies if taxonomies is not None else DEFAULT_TAXONOMIES.values())
        }
        # Heads trained on users' own topics ("topics") belong to this taxonomy.
        self.model_taxonomy = model_taxonomy
        self.detector = detector or default_detector()
        self.catalogue = (
            catalogue if isinstance(catalogue, ProductCatalogue) else ProductCatalogue(catalogue)
        )
        topic_rules: list[Rule] = []
        for tax in self.taxonomies.values():
            topic_rules.extend(
                Rule(f"{tax.name}\t{r.label}", r.keywords, r.patterns) for r in tax.rules()
            )
        # One matcher for topics and flags: each text is tokenised and looked up once.
        flag_rules_tagged = [
            Rule(f"{_FLAG_TAG}{r.label}", r.keywords, r.patterns) for r in flag_rules
        ]
        self._matcher = RuleMatcher([*topic_rules, *flag_rules_tagged])
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def analyse(self, text: str) -> Analysis:
        """The analysis of one text (see :meth:`analyse_many` for batches: much faster)."""
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyses of many texts, vectorised per language in one pass."""
        masked = [mask_pii(t) for t in texts]
        langs = [self.detector.detect(m.text) for m in masked]
        groups: dict[str, list[int]] = {}
        for i, g in enumerate(langs):
            groups.setdefault(self.model.model_for(g.language).language, []).append(i)
        doc_scores: dict[int, dict[str, NDArray[np.float32]]] = {}
        model_lang: dict[int, str] = {}
        for lang, idx in groups.items():
            lm = self.model.models[lang]
            scores = lm.scores([masked[i].text for i in idx])
            for row, i in enumerate(idx):
                doc_scores[i] = {h: s[row] for h, s in scores.items()}
                model_lang[i] = lang
        all_hits = [self._matcher.match(m.text) for m in masked]
        topic_hits = [[h for h in hs if not h.label.startswith(_FLAG_TAG)] for hs in all_hits]
        spans = self._aspect_spans(masked_texts=[m.text for m in masked], hits=topic_hits)
        span_sent = self._score_spans(spans, model_lang)
        out: list[Analysis] = []
        for i, m in enumerate(masked):
            lm = self.model.models[model_lang[i]]
            scores = doc_scores[i]
            sentiment = (
                _sentiment_from(scores["sentiment"], lm.heads["sentiment"].labels)
                if "sentiment" in scores
                else _NEUTRAL
            )
            topics = self._topics(lm, scores, sentiment, topic_hits[i], span_sent.get(i, {}))
            flag_evidence: dict[str, list[str]] = {}
            for h in all_hits[i]:
                if h.label.startswith(_FLAG_TAG):
                    ev = flag_evidence.setdefault(h.label[len(_FLAG_TAG) :], [])
                    if h.evidence not in ev:
                        ev.append(h.evidence)
            flags = tuple(
                FlagHit(Flag(label), tuple(ev))
                for label, ev in flag_evidence.items()
                if label in _FLAG_VALUES
            )
            out.append(
                Analysis(
                    masked_text=m.text,
                    language=langs[i].language,
                    language_confidence=round(langs[i].confidence, 4),
                    model_language=model_lang[i],
                    pii={PiiKind(k): v for k, v in m.counts.items()},
                    sentiment=sentiment,
                    topics=topics,
                    flags=flags,
                    products=self.catalogue.find(m.text),
                    model_version=self.model.version,
                )
            )
        return out

    def predict_germeval(self, texts: Sequence[str]) -> list[GermEvalPrediction]:
        """GermEval 2017 subtasks A, B, C for German texts (relevance, sentiment, aspects)."""
        lm = self.model.models["de"]
        masked = [mask_pii(t).text for t in texts]
        scores = lm.scores(masked)
        return germeval_decisions(lm, scores)

    # -- internals ----------------------------------------------------------------------------

    def _aspect_spans(
        self, *, masked_texts: Sequence[str], hits: Sequence[list[RuleMatch]]
    ) -> dict[int, dict[str, str]]:
        """Per text and topic, the sentences in which the topic's rules fired."""
        out: dict[int, dict[str, str]] = {}
        for i, text_hits in enumerate(hits):
            if not text_hits:
                continue
            text = masked_texts[i]
            per_topic: dict[str, list[tuple[int, int]]] = {}
            for h in text_hits:
                per_topic.setdefault(h.label, []).append(_sentence_span(text, h.start, h.end))
            for label, sp in per_topic.items():
                uniq = sorted(set(sp))
                snippet = " ".join(text[a:b] for a, b in uniq).strip()
                if snippet and len(snippet) < len(text.strip()):
                    out.setdefault(i, {})[label] = snippet
        return out

    def _score_spans(
        self, spans: dict[int, dict[str, str]], model_lang: dict[int, str]
    ) -> dict[int, dict[str, SentimentScore]]:
        by_lang: dict[str, list[tuple[int, str, str]]] = {}
        for i, per_topic in spans.items():
            for label, snippet in per_topic.items():
                by_lang.setdefault(model_lang[i], []).append((i, label, snippet))
        out: dict[int, dict[str, SentimentScore]] = {}
        for lang, items in by_lang.items():
            lm = self.model.models[lang]
            if "sentiment" not in lm.heads:
                continue
            probs = lm.scores([s for _, _, s in items])["sentiment"]
            for (i, label, _), p in zip(items, probs, strict=True):
                out.setdefault(i, {})[label] = _sentiment_from(p, lm.heads["sentiment"].labels)
        return out

    def _topics(
        self,
        lm: LanguageModel,
        scores: Mapping[str, NDArray[np.float32]],
        doc_sentiment: SentimentScore,
        hits: Sequence[RuleMatch],
        span_sentiment: Mapping[str, SentimentScore],
    ) -> tuple[TopicHit, ...]:
        found: dict[tuple[str, str], dict[str, object]] = {}

        def add(tax: str, topic: str, conf: float, source: TopicSource, evidence: str = "") -> None:
            entry = found.setdefault(
                (tax, topic), {"conf": 0.0, "sources": [], "evidence": [], "key": f"{tax}\t{topic}"}
            )
            entry["conf"] = max(float(entry["conf"]), conf)  # type: ignore[arg-type]
            sources = entry["sources"]
            evidences = entry["evidence"]
            assert isinstance(sources, list) and isinstance(evidences, list)
            if source not in sources:
                sources.append(source)
            if evidence and evidence not in evidences:
                evidences.append(evidence)

        for head_name, taxonomy in (
            ("topics", self.model_taxonomy),
            ("germeval2017", GERMEVAL_2017.name),
        ):
            head = lm.heads.get(head_name)
            if head is None or taxonomy not in self.taxonomies or head_name not in scores:
                continue
            probs = scores[head_name]
            if head_name == "germeval2017":
                relevance = scores.get("relevance")
                if relevance is not None and float(
                    relevance[lm.heads["relevance"].labels.index("true")]
                ) < relevance_threshold(lm):
                    continue
            for j, label in enumerate(head.labels):
                if float(probs[j]) >= head.thresholds[j]:
                    add(taxonomy, label, float(probs[j]), TopicSource.MODEL)
        for h in hits:
            tax, _, topic = h.label.partition("\t")
            add(tax, topic, 1.0, TopicSource.RULE, h.evidence)
        out = []
        for (tax, topic), e in found.items():
            key = f"{tax}\t{topic}"
            sent = span_sentiment.get(key, doc_sentiment)
            out.append(
                TopicHit(
                    taxonomy=tax,
                    topic=topic,
                    confidence=round(float(e["conf"]), 4),  # type: ignore[arg-type]
                    sentiment=sent,
                    sources=tuple(e["sources"]),  # type: ignore[arg-type]
                    evidence=tuple(e["evidence"]),  # type: ignore[arg-type]
                )
            )
        out.sort(key=lambda t: (t.taxonomy, -t.confidence, t.topic))
        return tuple(out)


def relevance_threshold(lm: LanguageModel) -> float:
    """P(relevant) from which a text counts as relevant (chosen by cross-validation)."""
    head = lm.heads["relevance"]
    i = head.labels.index("true")
    return head.thresholds[i] if head.thresholds else 0.5


def germeval_decisions(
    lm: LanguageModel, scores: Mapping[str, NDArray[np.float32]]
) -> list[GermEvalPrediction]:
    """Turn head probabilities into GermEval answers: irrelevant texts get no aspects; a relevant
    text gets every category over its threshold, at least its most likely one; each aspect takes
    the document's polarity (they agree on 91% of the dev split's aspects)."""
    rel_head, sent_head = lm.heads["relevance"], lm.heads["sentiment"]
    cat_head = lm.heads.get("germeval2017")
    rel_true = rel_head.labels.index("true")
    rel_threshold = relevance_threshold(lm)
    out = []
    n = scores["sentiment"].shape[0]
    for i in range(n):
        relevant = bool(scores["relevance"][i, rel_true] >= rel_threshold)
        s = sent_head.labels[int(np.argmax(scores["sentiment"][i]))]
        aspects: list[tuple[str, str]] = []
        if relevant and cat_head is not None:
            p = scores["germeval2017"][i]
            chosen = [j for j in range(len(cat_head.labels)) if p[j] >= cat_head.thresholds[j]]
            if not chosen:
                chosen = [int(np.argmax(p))]
            aspects = [(cat_head.labels[j], s) for j in chosen]
        out.append(GermEvalPrediction(relevant, s, tuple(aspects)))
    return out


_default_model: ModelBundle | None = None
_default_analyser: Analyser | None = None
_default_lock = threading.Lock()


def load_model(directory: str | Path | None = None) -> ModelBundle:
    """The shipped artefact (cached), or the one in ``directory``; never touches the network."""
    global _default_model
    if directory is not None:
        return ModelBundle.load(directory)
    with _default_lock:
        if _default_model is None:
            _default_model = ModelBundle.load(DEFAULT_MODEL_DIR)
        return _default_model


def default_analyser() -> Analyser:
    global _default_analyser
    model = load_model()
    with _default_lock:
        if _default_analyser is None:
            _default_analyser = Analyser(model)
        return _default_analyser


def analyse(text: str) -> Analysis:
    """Analyse one text with the shipped model, default taxonomies and flag rules."""
    return default_analyser().analyse(text)


def analyse_many(texts: Sequence[str]) -> list[Analysis]:
    """Analyse many texts with the shipped model (batched: the fast path for backfills)."""
    return default_analyser().analyse_many(texts)
