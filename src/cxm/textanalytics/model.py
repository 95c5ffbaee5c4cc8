"""The trained part of text analytics: TF-IDF word and character n-grams feeding linear heads.

One :class:`LanguageModel` per analysed language (German, English). All heads of a language
share one sparse feature vector, so a text is vectorised once and scored by one sparse-dense
product. The artefact is plain arrays (``.npz``) plus JSON metadata: no pickle, nothing that
executes on load, and independent of the scikit-learn version it was trained with.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FORMAT_VERSION = 1
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "textanalytics"
ARTEFACT_NAME = "model.npz"
METADATA_NAME = "model.json"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_PLACEHOLDER = re.compile(r"\[([A-Z_]+)\]")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def preprocess(text: str) -> str:
    """The normalised form that the vectorisers read (the same in training and inference)."""
    t = _URL.sub(" xxurl ", text)
    t = _MENTION.sub(" xxuser ", t)
    t = _PLACEHOLDER.sub(lambda m: f" xx{m.group(1).lower()} ", t)
    t = _DIGIT.sub("0", t)
    return _SPACES.sub(" ", t).strip().lower()


def text_key(text: str) -> str:
    """A stable key for a text (for corrections and training-overlap checks)."""
    norm = _SPACES.sub(" ", text).strip().lower()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2
    max_features: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "min_df": self.min_df,
            "max_features": self.max_features,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureConfig:
        return cls(
            word_ngrams=(int(d["word_ngrams"][0]), int(d["word_ngrams"][1])),
            char_ngrams=(int(d["char_ngrams"][0]), int(d["char_ngrams"][1])),
            min_df=int(d["min_df"]),
            max_features=None if d.get("max_features") is None else int(d["max_features"]),
        )


def _vectorizer(kind: str, config: FeatureConfig, vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    common: dict[str, Any] = {
        "preprocessor": preprocess,
        "sublinear_tf": True,
        "min_df": config.min_df,
        "max_features": config.max_features,
        "dtype": np.float32,
        "vocabulary": vocabulary,
    }
    if kind == "word":
        return TfidfVectorizer(
            ngram_range=config.word_ngrams, token_pattern=r"(?u)\b\w+\b", **common
        )
    return TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, **common)


class Featurizer:
    """Word 1-2-gram and character 2-5-gram TF-IDF, each L2-normalised, side by side."""

    def __init__(
        self,
        config: FeatureConfig,
        vectorizers: tuple[Any, Any] | None = None,
        *,
        fast: tuple[FastTfidf, FastTfidf] | None = None,
    ) -> None:
        self.config = config
        self._vectorizers = vectorizers
        self._fast = fast

    @classmethod
    def fit(cls, texts: Sequence[str], config: FeatureConfig) -> Featurizer:
        word, char = _vectorizer("word", config), _vectorizer("char", config)
        word.fit(texts)
        char.fit(texts)
        return cls(config, (word, char))

    @property
    def n_features(self) -> int:
        if self._fast is not None:
            return sum(len(f.vocabulary) for f in self._fast)
        assert self._vectorizers is not None
        return sum(len(v.vocabulary_) for v in self._vectorizers)

    @property
    def is_fitted_with_sklearn(self) -> bool:
        return self._vectorizers is not None

    def transform(self, texts: Sequence[str]) -> Any:
        """A sparse (n_texts, n_features) matrix; needs SciPy."""
        import scipy.sparse as sp  # type: ignore[import-untyped]

        if self._vectorizers is None:
            rows, cols, vals = self.sparse_parts(texts)
            return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), self.n_features))
        word, char = self._vectorizers
        return sp.hstack([word.transform(texts), char.transform(texts)], format="csr")

    def export(self) -> dict[str, NDArray[Any]]:
        out: dict[str, NDArray[Any]] = {}
        if self._vectorizers is None:
            assert self._fast is not None
            for f in self._fast:
                terms = sorted(f.vocabulary, key=f.vocabulary.__getitem__)
                out[f"{f.kind}_vocab"] = np.frombuffer("\n".join(terms).encode("utf-8"), np.uint8)
                out[f"{f.kind}_idf"] = f.idf
            return out
        for name, vec in zip(("word", "char"), self._vectorizers, strict=True):
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            out[f"{name}_vocab"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
            out[f"{name}_idf"] = vec.idf_.astype(np.float32)
        return out

    @classmethod
    def restore(cls, config: FeatureConfig, arrays: dict[str, NDArray[Any]]) -> Featurizer:
        fast = []
        for name, ngrams in (("word", config.word_ngrams), ("char", config.char_ngrams)):
            terms = arrays[f"{name}_vocab"].tobytes().decode("utf-8").split("\n")
            vocab = {t: i for i, t in enumerate(terms)}
            fast.append(FastTfidf(name, ngrams, vocab, arrays[f"{name}_idf"]))
        return cls(config, fast=(fast[0], fast[1]))

    def sparse_parts(
        self, texts: Sequence[str]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
        """Row, column and value of every non-zero feature of the texts (inference path)."""
        assert self._fast is not None
        word, char = self._fast
        docs = [preprocess(t) for t in texts]
        wr, wc, wv = word.batch(docs)
        cr, cc, cv = char.batch(docs)
        return (
            np.concatenate([wr, cr]),
            np.concatenate([wc, cc + len(word.vocabulary)]),
            np.concatenate([wv, cv]),
        )


_WORD_TOKEN = re.compile(r"(?u)\b\w+\b")


class FastTfidf:
    """Inference-only TF-IDF equal to scikit-learn's TfidfVectorizer (sublinear tf, l2 norm) for
    the two analysers used here, without importing scikit-learn. Character n-grams are cached per
    word (``char_wb`` n-grams never cross words), so a frequent word costs one dict lookup."""

    _WORD_CACHE_LIMIT = 100_000

    def __init__(
        self,
        kind: str,
        ngrams: tuple[int, int],
        vocabulary: dict[str, int],
        idf: NDArray[np.float32],
    ) -> None:
        self.kind = kind
        self.ngrams = ngrams
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self._word_ids: dict[str, list[int]] = {}

    def grams(self, doc: str) -> list[str]:
        lo, hi = self.ngrams
        if self.kind == "word":
            tokens = _WORD_TOKEN.findall(doc)
            out = list(tokens) if lo == 1 else []
            n_tok = len(tokens)
            for n in range(max(lo, 2), min(hi + 1, n_tok + 1)):
                out += [" ".join(tokens[i : i + n]) for i in range(n_tok - n + 1)]
            return out
        out = []
        for w in doc.split():
            out += self._char_grams(w)
        return out

    def _char_grams(self, word: str) -> list[str]:
        lo, hi = self.ngrams
        w = f" {word} "
        w_len = len(w)
        out: list[str] = []
        for n in range(lo, hi + 1):
            if w_len <= n:
                out.append(w)
                break
            out += [w[i : i + n] for i in range(w_len - n + 1)]
        return out

    def ids(self, doc: str) -> list[int]:
        """Vocabulary ids of the document's n-grams, repeated as often as they occur."""
        vocab = self.vocabulary
        if self.kind == "word":
            return [j for j in map(vocab.get, self.grams(doc)) if j is not None]
        cache = self._word_ids
        out: list[int] = []
        for w in doc.split():
            hit = cache.get(w)
            if hit is None:
                hit = [j for j in map(vocab.get, self._char_grams(w)) if j is not None]
                if len(cache) > self._WORD_CACHE_LIMIT:
                    cache.clear()
                cache[w] = hit
            out += hit
        return out

    def batch(
        self, docs: Sequence[str]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
        """Row index, column index and TF-IDF value of every non-zero of the documents."""
        n_feat = max(1, len(self.vocabulary))
        all_ids: list[int] = []
        lengths = np.zeros(len(docs), dtype=np.int64)
        for i, d in enumerate(docs):
            ids = self.ids(d)
            lengths[i] = len(ids)
            all_ids += ids
        flat = np.array(all_ids, dtype=np.int64)
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        keys, counts = np.unique(doc_of * n_feat + flat, return_counts=True)
        rows, cols = np.divmod(keys, n_feat)
        vals = ((1.0 + np.log(counts.astype(np.float32))) * self.idf[cols]).astype(np.float32)
        sq = np.bincount(rows, weights=vals * vals, minlength=len(docs)).astype(np.float32)
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        vals /= norms[rows]
        return rows, cols, vals


@dataclass(slots=True)
class Head:
    """A group of output columns: 'softmax' over classes, or one 'sigmoid' per label."""

    name: str
    kind: str
    labels: tuple[str, ...]
    start: int
    thresholds: tuple[float, ...] = ()

    @property
    def stop(self) -> int:
        return self.start + (len(self.labels) if self.kind == "softmax" else len(self.labels))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "labels": list(self.labels),
            "start": self.start,
            "thresholds": list(self.thresholds),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Head:
        return cls(
            name=str(d["name"]),
            kind=str(d["kind"]),
            labels=tuple(str(x) for x in d["labels"]),
            start=int(d["start"]),
            thresholds=tuple(float(x) for x in d.get("thresholds", ())),
        )


@dataclass(slots=True)
class LanguageModel:
    """Featurizer plus stacked linear heads for one language."""

    language: str
    featurizer: Featurizer
    weights: NDArray[np.float32]  # (n_features, n_outputs)
    bias: NDArray[np.float32]  # (n_outputs,)
    heads: dict[str, Head] = field(default_factory=dict)

    def scores(self, texts: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """Per head: probabilities, shape (n_texts, n_labels)."""
        if not texts:
            return {
                h: np.zeros((0, len(head.labels)), np.float32) for h, head in self.heads.items()
            }
        z = self._logits(texts)
        out: dict[str, NDArray[np.float32]] = {}
        for name, head in self.heads.items():
            block = z[:, head.start : head.stop]
            if head.kind == "softmax":
                e = np.exp(block - block.max(axis=1, keepdims=True))
                out[name] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
            else:
                out[name] = (1.0 / (1.0 + np.exp(-block))).astype(np.float32)
        return out

    def _logits(self, texts: Sequence[str]) -> NDArray[np.float32]:
        x = self.featurizer.transform(texts)
        return np.asarray(x @ self.weights, dtype=np.float32) + self.bias


@dataclass(slots=True)
class ModelBundle:
    """All language models plus the metadata the model card is written from."""

    models: dict[str, LanguageModel]
    metadata: dict[str, Any] = field(default_factory=dict)
    training_keys: frozenset[str] = frozenset()

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", ""))

    def model_for(self, language: str) -> LanguageModel:
        """The model to read a text in this language with (German, else English)."""
        if language in self.models:
            return self.models[language]
        return self.models.get("en") or next(iter(self.models.values()))

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, NDArray[Any]] = {}
        langs: dict[str, Any] = {}
        for lang, m in self.models.items():
            for k, v in m.featurizer.export().items():
                arrays[f"{lang}/{k}"] = v
            arrays[f"{lang}/weights"] = m.weights.astype(np.float16)
            arrays[f"{lang}/bias"] = m.bias.astype(np.float32)
            langs[lang] = {
                "features": m.featurizer.config.to_dict(),
                "n_features": m.featurizer.n_features,
                "heads": [h.to_dict() for h in m.heads.values()],
            }
        keys = np.array(sorted(int(k, 16) for k in self.training_keys), dtype=np.uint64)
        arrays["training_keys"] = keys
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
        (directory / ARTEFACT_NAME).write_bytes(buf.getvalue())
        meta = dict(self.metadata)
        meta["format_version"] = FORMAT_VERSION
        meta["languages"] = langs
        (directory / METADATA_NAME).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return directory

    @classmethod
    def load(cls, directory: str | Path = DEFAULT_MODEL_DIR) -> ModelBundle:
        """Load an artefact written by :meth:`save`; reads local files only."""
        directory = Path(directory)
        meta = json.loads((directory / METADATA_NAME).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format {meta.get('format_version')!r}")
        with np.load(directory / ARTEFACT_NAME, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        models: dict[str, LanguageModel] = {}
        for lang, spec in meta["languages"].items():
            prefix = f"{lang}/"
            sub = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            featurizer = Featurizer.restore(FeatureConfig.from_dict(spec["features"]), sub)
            heads = {h["name"]: Head.from_dict(h) for h in spec["heads"]}
            models[lang] = LanguageModel(
                language=lang,
                featurizer=featurizer,
                weights=np.ascontiguousarray(sub["weights"].astype(np.float32)),
                bias=sub["bias"].astype(np.float32),
                heads=heads,
            )
        keys = frozenset(f"{int(k):016x}" for k in arrays.get("training_keys", np.array([])))
        return cls(models=models, metadata=meta, training_keys=keys)
