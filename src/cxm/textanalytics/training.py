"""Reproducible, offline training of the text-analytics models.

Sources (read each dataset's SOURCE.md): GermEval 2017 dev split (German, CC BY-NC 4.0), MobASA
(German, CC BY 4.0), Twitter US Airline Sentiment (English, CC BY-NC-SA 4.0), plus the users'
own labelled feedback and agents' label corrections (JSON lines).
"""

from __future__ import annotations

import csv
import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxm.textanalytics.domain import Correction, LabelledText, Sentiment
from cxm.textanalytics.language import detect_language
from cxm.textanalytics.masking import mask
from cxm.textanalytics.model import (
    DEFAULT_MODEL_DIR,
    FeatureConfig,
    Featurizer,
    Head,
    LanguageModel,
    ModelBundle,
    text_key,
)

SENTIMENT_LABELS: tuple[str, ...] = tuple(str(s) for s in Sentiment)
GERMEVAL = "germeval2017"
MOBASA = "mobasa"
MOBASA_TRAIN = "mobasa_train"
AIRLINE = "twitter_airline_sentiment"
DEFAULT_SOURCES: tuple[str, ...] = (GERMEVAL, MOBASA, AIRLINE)

SOURCE_INFO: dict[str, dict[str, str]] = {
    GERMEVAL: {
        "title": "GermEval 2017 shared task on aspect-based sentiment (Deutsche Bahn feedback), "
        "development split, final release 2017-09-15",
        "language": "de",
        "licence": "CC BY-NC 4.0 (non-commercial use only; attribution required)",
        "citation": "Wojatzki, Ruppert, Holschneider, Zesch, Biemann (2017). GermEval 2017: Shared "
        "Task on Aspect-based Sentiment in Social Media Customer Feedback.",
        "used_for": "document sentiment, relevance, aspect categories (German)",
        "file": "germeval2017/dev.jsonl",
    },
    MOBASA: {
        "title": "MobASA: German public-transport tweets with aspect-based sentiment "
        "(DFKI sim3s corpus dev split XML; train split opinion tweets via JakobFehle/"
        "German-ABSA-in-the-Wild, document polarity derived from aspect polarities)",
        "language": "de",
        "licence": "CC BY 4.0 (attribution required)",
        "citation": "Gabryszak & Thomas (2022). MobASA: Corpus for Aspect-based Sentiment Analysis "
        "and Social Inclusion in the Mobility Domain. CSRNLP@LREC 2022.",
        "used_for": "document sentiment (German), down-weighted",
        "file": "mobasa/raw/dev-sim3s-mobasa_v1.xml, mobasa/raw/fehle2025_train.jsonl",
    },
    AIRLINE: {
        "title": "Twitter US Airline Sentiment (Crowdflower / Figure Eight, Kaggle)",
        "language": "en",
        "licence": "CC BY-NC-SA 4.0 (non-commercial, share-alike; tweet texts under X/Twitter "
        "terms)",
        "citation": "Crowdflower 'Data for Everyone': Twitter US Airline Sentiment (2015).",
        "used_for": "document sentiment (English)",
        "file": "twitter_airline_sentiment/Tweets.csv",
    },
}


def default_datasets_dir() -> Path:
    """``$CXM_DATASETS_DIR``, else ``shared/datasets`` next to the repository."""
    env = os.environ.get("CXM_DATASETS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "datasets"


@dataclass(frozen=True, slots=True)
class GermEvalAspect:
    category: str
    polarity: str


@dataclass(frozen=True, slots=True)
class GermEvalDoc:
    id: str
    text: str
    relevance: bool
    sentiment: str
    aspects: tuple[GermEvalAspect, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.category.split("#")[0] for a in self.aspects))


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Hyper-parameters (chosen by 5-fold cross-validation on the GermEval dev split)."""

    features: FeatureConfig = FeatureConfig()
    sentiment_c: float = 3.0
    relevance_c: float = 10.0
    category_c: float = 10.0
    topic_c: float = 10.0
    english_c: float = 10.0
    mobasa_weight: float = 0.3
    mobasa_train_weight: float = 0.5
    user_weight: float = 2.0
    category_threshold: float = 0.3
    relevance_threshold: float = 0.6
    topic_threshold: float = 0.5
    min_category_docs: int = 3
    min_topic_docs: int = 3
    max_iter: int = 3000


@dataclass(slots=True)
class TrainingSet:
    """What one training run reads, per language; built from sources, feedback and corrections."""

    germeval: list[GermEvalDoc] = field(default_factory=list)
    extra: list[LabelledText] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)


# --- readers ---------------------------------------------------------------------------------


def load_germeval(datasets_dir: Path | None = None) -> list[GermEvalDoc]:
    path = (datasets_dir or default_datasets_dir()) / "germeval2017" / "dev.jsonl"
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs.append(
                GermEvalDoc(
                    id=d["id"],
                    text=d["text"],
                    relevance=bool(d["relevance"]),
                    sentiment=d["sentiment"],
                    aspects=tuple(
                        GermEvalAspect(a["category"], a["polarity"]) for a in d["aspects"]
                    ),
                )
            )
    return docs


def _tweet_sentiment(labels: Sequence[Sequence[str]]) -> str:
    """Document polarity of an opinion tweet from its aspect polarities: the single polarity,
    else negative when any aspect is negative, else neutral."""
    polarities = {str(label[1]) for label in labels}
    if len(polarities) == 1:
        return polarities.pop()
    return "negative" if "negative" in polarities else "neutral"


def load_mobasa(
    datasets_dir: Path | None = None, *, include_train: bool = True
) -> list[LabelledText]:
    """MobASA dev documents (document sentiment as annotated) and, unless disabled, the
    train split's opinion tweets (document sentiment derived from their aspect polarities)."""
    root = (datasets_dir or default_datasets_dir()) / "mobasa" / "raw"
    out = []
    for doc in ET.parse(root / "dev-sim3s-mobasa_v1.xml").getroot().iter("Document"):
        text, sentiment = doc.findtext("text"), doc.findtext("sentiment")
        if text and sentiment in SENTIMENT_LABELS:
            out.append(LabelledText(text, Sentiment(sentiment), None, "de", MOBASA))
    train_path = root / "fehle2025_train.jsonl"
    if include_train and train_path.exists():
        with train_path.open(encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d.get("text") and d.get("labels"):
                    label = _tweet_sentiment(d["labels"])
                    out.append(LabelledText(d["text"], Sentiment(label), None, "de", MOBASA_TRAIN))
    return out


def load_airline(datasets_dir: Path | None = None) -> list[LabelledText]:
    path = (datasets_dir or default_datasets_dir()) / "twitter_airline_sentiment" / "Tweets.csv"
    out, seen = [], set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["tweet_id"] in seen:
                continue
            seen.add(row["tweet_id"])
            out.append(
                LabelledText(row["text"], Sentiment(row["airline_sentiment"]), None, "en", AIRLINE)
            )
    return out


def _sentiment_or_none(value: Any) -> Sentiment | None:
    if value is None or value == "":
        return None
    return Sentiment(str(value).lower())


def _topics_or_none(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    return tuple(str(v).strip() for v in value)


def read_feedback(path: str | Path) -> list[LabelledText]:
    """Users' labelled feedback: JSON lines ``{"text", "sentiment"?, "topics"?, "language"?}``."""
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if not isinstance(d, dict) or not str(d.get("text", "")).strip():
                raise ValueError(f"{path}:{n}: each line needs a non-empty 'text'")
            out.append(
                LabelledText(
                    text=str(d["text"]),
                    sentiment=_sentiment_or_none(d.get("sentiment")),
                    topics=_topics_or_none(d.get("topics")),
                    language=d.get("language"),
                    source="feedback",
                    weight=float(d.get("weight", 1.0)),
                )
            )
    return out


def read_corrections(path: str | Path) -> list[Correction]:
    """Agents' corrections: JSON lines ``{"text", "sentiment"?, "topics"?}``; later lines win."""
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                out.append(
                    Correction(
                        str(d["text"]),
                        _sentiment_or_none(d.get("sentiment")),
                        _topics_or_none(d.get("topics")),
                    )
                )
    return out


def apply_corrections(
    examples: Sequence[LabelledText], corrections: Iterable[Correction], *, weight: float = 2.0
) -> list[LabelledText]:
    """Examples with corrected labels; a correction of an unseen text becomes a new example."""
    latest: dict[str, Correction] = {}
    for c in corrections:
        latest[text_key(c.text)] = c
    out: list[LabelledText] = []
    used: set[str] = set()
    for ex in examples:
        hit = latest.get(text_key(ex.text))
        if hit is None:
            out.append(ex)
            continue
        c = hit
        used.add(text_key(ex.text))
        out.append(
            replace(
                ex,
                sentiment=c.sentiment if c.sentiment is not None else ex.sentiment,
                topics=c.topics if c.topics is not None else ex.topics,
                weight=max(ex.weight, weight),
            )
        )
    for key, c in latest.items():
        if key not in used:
            out.append(LabelledText(c.text, c.sentiment, c.topics, None, "correction", weight))
    return out


def build_training_set(
    *,
    datasets_dir: Path | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
    feedback: Sequence[LabelledText] = (),
    corrections: Sequence[Correction] = (),
    config: TrainConfig = TrainConfig(),
) -> TrainingSet:
    ts = TrainingSet()
    unknown = set(sources) - set(SOURCE_INFO)
    if unknown:
        raise ValueError(f"unknown training sources: {sorted(unknown)}")
    if GERMEVAL in sources:
        ts.germeval = load_germeval(datasets_dir)
        ts.sources[GERMEVAL] = len(ts.germeval)
    if MOBASA in sources:
        mob = [
            replace(
                x,
                weight=config.mobasa_train_weight
                if x.source == MOBASA_TRAIN
                else config.mobasa_weight,
            )
            for x in load_mobasa(datasets_dir)
        ]
        ts.extra.extend(mob)
        ts.sources[MOBASA] = len(mob)
    if AIRLINE in sources:
        air = load_airline(datasets_dir)
        ts.extra.extend(air)
        ts.sources[AIRLINE] = len(air)
    user = [replace(x, weight=x.weight * config.user_weight) for x in feedback]
    if user:
        ts.sources["user_feedback"] = len(user)
    ts.extra.extend(user)
    if corrections:
        ts = _correct(ts, corrections, config)
        ts.sources["corrections"] = len(corrections)
    return ts


def _correct(
    ts: TrainingSet, corrections: Sequence[Correction], config: TrainConfig
) -> TrainingSet:
    latest = {text_key(c.text): c for c in corrections}
    germeval: list[GermEvalDoc] = []
    moved: list[LabelledText] = []
    for doc in ts.germeval:
        c = latest.get(text_key(doc.text))
        if c is None:
            germeval.append(doc)
            continue
        # Corrected document sentiment replaces GermEval's label; topics go to the user taxonomy.
        if c.sentiment is not None:
            germeval.append(replace(doc, sentiment=str(c.sentiment)))
        else:
            germeval.append(doc)
        if c.topics is not None:
            moved.append(
                LabelledText(doc.text, None, c.topics, "de", "correction", config.user_weight)
            )
    remaining = [
        c for c in corrections if text_key(c.text) not in {text_key(d.text) for d in ts.germeval}
    ]
    extra = apply_corrections(ts.extra, remaining, weight=config.user_weight) + moved
    return TrainingSet(germeval=germeval, extra=extra, sources=dict(ts.sources))


# --- fitting ---------------------------------------------------------------------------------


def _fit_lr(
    x: Any, y: NDArray[Any], w: NDArray[np.float64], c: float, seed: int, max_iter: int
) -> tuple[NDArray[np.float32], NDArray[np.float32], list[str]]:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    clf = LogisticRegression(C=c, max_iter=max_iter, random_state=seed)
    clf.fit(x, y, sample_weight=w)
    classes = [str(k) for k in clf.classes_]
    coef = np.asarray(clf.coef_, dtype=np.float32)
    bias = np.asarray(clf.intercept_, dtype=np.float32)
    return coef, bias, classes


@dataclass(slots=True)
class _HeadBuilder:
    columns: list[NDArray[np.float32]] = field(default_factory=list)
    biases: list[float] = field(default_factory=list)
    heads: dict[str, Head] = field(default_factory=dict)

    def add_softmax(
        self, name: str, coef: NDArray[np.float32], bias: NDArray[np.float32], labels: list[str]
    ) -> None:
        start = len(self.columns)
        if len(labels) == 2:
            # Binary LR has one coefficient row: softmax over (0, z) gives the same probabilities.
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            bias = np.array([0.0, bias[0]], dtype=np.float32)
        for row, b in zip(coef, bias, strict=True):
            self.columns.append(row)
            self.biases.append(float(b))
        self.heads[name] = Head(name, "softmax", tuple(labels), start)

    def add_sigmoids(
        self,
        name: str,
        rows: list[tuple[str, NDArray[np.float32], float]],
        threshold: float,
    ) -> None:
        start = len(self.columns)
        for _, row, b in rows:
            self.columns.append(row)
            self.biases.append(b)
        labels = tuple(label for label, _, _ in rows)
        self.heads[name] = Head(name, "sigmoid", labels, start, tuple(threshold for _ in labels))

    def build(self, language: str, featurizer: Featurizer) -> LanguageModel:
        n = featurizer.n_features
        weights = (
            np.stack(self.columns, axis=1).astype(np.float32)
            if self.columns
            else np.zeros((n, 0), np.float32)
        )
        return LanguageModel(
            language, featurizer, weights, np.array(self.biases, np.float32), dict(self.heads)
        )


def _sigmoid_rows(
    x: Any,
    label_sets: Sequence[frozenset[str]],
    weights: NDArray[np.float64],
    labels: Sequence[str],
    c: float,
    seed: int,
    config: TrainConfig,
    min_docs: int,
) -> list[tuple[str, NDArray[np.float32], float]]:
    rows = []
    for label in labels:
        y = np.array([label in s for s in label_sets], dtype=int)
        if y.sum() < min_docs or (len(y) - y.sum()) < min_docs:
            continue
        coef, bias, _ = _fit_lr(x, y, weights, c, seed, config.max_iter)
        rows.append((label, coef[0], float(bias[0])))
    return rows


def fit_language_model(
    language: str,
    *,
    germeval: Sequence[GermEvalDoc] = (),
    extra: Sequence[LabelledText] = (),
    seed: int = 0,
    config: TrainConfig = TrainConfig(),
) -> LanguageModel | None:
    """One language's featurizer and heads; None when there is nothing to learn."""
    g_texts = [mask(d.text) for d in germeval]
    e_texts = [mask(x.text) for x in extra]
    all_texts = g_texts + e_texts
    if not all_texts:
        return None
    featurizer = Featurizer.fit(all_texts, config.features)
    x_all = featurizer.transform(all_texts)
    ng = len(g_texts)
    builder = _HeadBuilder()

    sent_idx = list(range(ng)) + [ng + i for i, x in enumerate(extra) if x.sentiment is not None]
    sent_y = np.array(
        [d.sentiment for d in germeval]
        + [str(x.sentiment) for x in extra if x.sentiment is not None]
    )
    sent_w = np.array([1.0] * ng + [x.weight for x in extra if x.sentiment is not None])
    if len(set(sent_y.tolist())) >= 2:
        c = config.sentiment_c if language == "de" else config.english_c
        coef, bias, classes = _fit_lr(x_all[sent_idx], sent_y, sent_w, c, seed, config.max_iter)
        builder.add_softmax("sentiment", coef, bias, classes)

    if germeval:
        xg = x_all[:ng]
        rel_y = np.array(["true" if d.relevance else "false" for d in germeval])
        if len(set(rel_y.tolist())) == 2:
            coef, bias, classes = _fit_lr(
                xg, rel_y, np.ones(ng), config.relevance_c, seed, config.max_iter
            )
            builder.add_softmax("relevance", coef, bias, classes)
            rel = builder.heads["relevance"]
            rel.thresholds = tuple(
                config.relevance_threshold if lab == "true" else 1.0 - config.relevance_threshold
                for lab in rel.labels
            )
        from cxm.textanalytics.taxonomy import GERMEVAL_2017

        rows = _sigmoid_rows(
            xg,
            [frozenset(d.categories) for d in germeval],
            np.ones(ng),
            GERMEVAL_2017.topic_ids,
            config.category_c,
            seed,
            config,
            config.min_category_docs,
        )
        if rows:
            builder.add_sigmoids(GERMEVAL, rows, config.category_threshold)

    topic_idx = [ng + i for i, x in enumerate(extra) if x.topics is not None]
    if topic_idx:
        topic_sets = [frozenset(x.topics or ()) for x in extra if x.topics is not None]
        labels = sorted(set().union(*topic_sets))
        rows = _sigmoid_rows(
            x_all[topic_idx],
            topic_sets,
            np.array([x.weight for x in extra if x.topics is not None]),
            labels,
            config.topic_c,
            seed,
            config,
            config.min_topic_docs,
        )
        if rows:
            builder.add_sigmoids("topics", rows, config.topic_threshold)
    if not builder.heads:
        return None
    return builder.build(language, featurizer)


def _language_of(example: LabelledText) -> str:
    if example.language:
        return example.language
    lang = detect_language(example.text).language
    return "de" if lang == "de" else "en"


def train(
    seed: int = 0,
    *,
    datasets_dir: str | Path | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
    feedback: Sequence[LabelledText] | str | Path = (),
    corrections: Sequence[Correction] | str | Path = (),
    output_dir: str | Path | None = None,
    config: TrainConfig = TrainConfig(),
) -> ModelBundle:
    """Train all models from the given sources, users' feedback and corrections, offline and
    deterministically for a seed; writes the artefact and model card when ``output_dir`` is set."""
    started = time.perf_counter()
    np.random.seed(seed)
    fb = read_feedback(feedback) if isinstance(feedback, str | Path) else list(feedback)
    corr = (
        read_corrections(corrections) if isinstance(corrections, str | Path) else list(corrections)
    )
    ts = build_training_set(
        datasets_dir=Path(datasets_dir) if datasets_dir else None,
        sources=sources,
        feedback=fb,
        corrections=corr,
        config=config,
    )
    by_lang: dict[str, list[LabelledText]] = {"de": [], "en": []}
    for ex in ts.extra:
        by_lang.setdefault(_language_of(ex), []).append(ex)
    models: dict[str, LanguageModel] = {}
    for lang in ("de", "en"):
        m = fit_language_model(
            lang,
            germeval=ts.germeval if lang == "de" else (),
            extra=by_lang.get(lang, []),
            seed=seed,
            config=config,
        )
        if m is not None:
            models[lang] = m
    if not models:
        raise ValueError("nothing to train on: give sources, feedback or corrections")
    keys = frozenset(text_key(d.text) for d in ts.germeval) | frozenset(
        text_key(x.text) for x in ts.extra
    )
    metadata: dict[str, Any] = {
        "version": f"seed{seed}-{_digest(models)}",
        "trained_on": time.strftime("%Y-%m-%d"),
        "seed": seed,
        "sources": {
            name: {
                **SOURCE_INFO.get(name, {"title": name, "licence": "the user's own data"}),
                "documents": n,
            }
            for name, n in ts.sources.items()
        },
        "config": _config_dict(config),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    bundle = ModelBundle(models=models, metadata=metadata, training_keys=keys)
    if output_dir is not None:
        bundle.save(output_dir)
        from cxm.textanalytics.modelcard import write_model_card

        write_model_card(bundle, Path(output_dir))
    return bundle


def _digest(models: dict[str, LanguageModel]) -> str:
    import hashlib

    h = hashlib.sha256()
    for lang in sorted(models):
        m = models[lang]
        h.update(lang.encode())
        h.update(np.ascontiguousarray(m.weights.astype(np.float16)).tobytes())
        h.update(m.bias.tobytes())
    return h.hexdigest()[:10]


def _config_dict(config: TrainConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in config.__slots__:
        v = getattr(config, name)
        out[name] = v.to_dict() if isinstance(v, FeatureConfig) else v
    return out


def train_default(seed: int = 0) -> ModelBundle:
    """Train on all shipped sources and write the artefact to ``models/textanalytics/``."""
    return train(seed, output_dir=DEFAULT_MODEL_DIR)
