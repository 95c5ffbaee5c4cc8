"""GermEval 2017 interface: read and write the shared task's TSV, predict, and score exactly as the
official evaluation script does (github.com/muchafel/GermEval2017, GermevalEvaluator.java).

How the official script scores, reproduced here:

- documents are matched by id (the first column); a gold document missing from the predictions
  counts as wrong ("not there"/"nothing"), predictions without a gold document are ignored, and
  the two files must hold the same number of lines (else the script refuses);
- A (relevance) and B (sentiment): one (gold, predicted) pair per document;
- C1: per document, the *sets* of main categories (the part before ``#``); each gold category
  found in the prediction is a (c, c) pair, each one missed a (c, "none") pair, each predicted one
  not in gold a ("none", c) pair; C2 the same with ``category_polarity``;
- micro-F1 over all labels of those pairs, "none" included as a label. For A and B this equals
  accuracy; for C1/C2 it equals TP / (TP + FP + FN).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

HEADER = "SOURCE\tTEXT\tRELEVANCE\tSENTIMENT\tCATEGORY:SENTIMENT\t"


@dataclass(frozen=True, slots=True)
class TsvDoc:
    id: str
    text: str
    relevance: str
    sentiment: str
    aspects: tuple[tuple[str, str | None], ...]  # (category as written, polarity)
    raw: str = ""

    @property
    def is_relevant(self) -> bool:
        # Java's Boolean.valueOf: "true" in any case is true, anything else false.
        return self.relevance.lower() == "true"


def _java_split(s: str, sep: str) -> list[str]:
    """String.split as Java does it: trailing empty strings are dropped."""
    parts = s.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def parse_aspects(field: str) -> tuple[tuple[str, str | None], ...]:
    out = []
    for part in _java_split(field, " "):
        bits = _java_split(part, ":")
        category = bits[0] if bits else ""
        out.append((category, bits[1] if len(bits) > 1 else None))
    return tuple(out)


def read_tsv(path: str | Path) -> list[TsvDoc]:
    """Documents of a GermEval TSV file (the header line, if any, is skipped)."""
    docs = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for line in fh.read().split("\n"):
            line = line.rstrip("\r")
            if line == HEADER or line == HEADER.rstrip("\t"):
                continue
            if not line.strip():
                continue
            parts = _java_split(line, "\t")
            if len(parts) < 4:
                raise ValueError(f"{path}: not a GermEval TSV line: {line[:80]!r}")
            aspects = parse_aspects(parts[4]) if len(parts) > 4 else ()
            docs.append(TsvDoc(parts[0], parts[1], parts[2], parts[3], aspects, line))
    return docs


def clean_text(field: str) -> str:
    """The document text of a TSV field (spreadsheet quoting undone)."""
    if len(field) >= 2 and field[0] == '"' and field[-1] == '"':
        return field[1:-1].replace('""', '"')
    return field


def format_line(
    doc_id: str, text: str, relevant: bool, sentiment: str, aspects: Sequence[tuple[str, str]]
) -> str:
    cells = [doc_id, text, "true" if relevant else "false", sentiment]
    line = "\t".join(cells)
    if aspects:
        line += "\t" + " ".join(f"{c}:{p}" for c, p in aspects)
    return line


def _f1(pairs: Sequence[tuple[str, str]]) -> float:
    """Fscore.getMicroFscore of the official script over (gold, predicted) pairs."""
    labels = {g for g, _ in pairs} | {p for _, p in pairs}
    tp = fp = fn = 0
    for label in labels:
        for g, p in pairs:
            if g == label:
                if g == p:
                    tp += 1
                else:
                    fn += 1
            elif p == label:
                fp += 1
    if tp + fp == 0 or tp + fn == 0:
        return float("nan")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    if precision + recall == 0:
        return float("nan")
    return 2 * precision * recall / (precision + recall)


def _main_categories(aspects: Sequence[tuple[str, str | None]]) -> set[str]:
    return {c.split("#")[0] for c, _ in aspects}


def _category_polarities(aspects: Sequence[tuple[str, str | None]]) -> set[str]:
    # Java concatenates a null sentiment as the string "null".
    return {f"{c.split('#')[0]}_{'null' if p is None else p}" for c, p in aspects}


def _register(gold: set[str], pred: set[str], none: str, pairs: list[tuple[str, str]]) -> None:
    for a in gold:
        pairs.append((a, a) if a in pred else (a, none))
    for a in pred:
        if a not in gold:
            pairs.append((none, a))


def score(gold: Sequence[TsvDoc], predicted: Sequence[TsvDoc]) -> dict[str, Any]:
    """Micro-F1 for subtasks A, B, C1 and C2 as the official GermEval 2017 script computes them."""
    if len(gold) != len(predicted):
        raise ValueError(
            f"Unequal number of instances. Predicted= {len(predicted)} - Gold={len(gold)}"
        )
    gold_by_id = {d.id: d for d in gold}
    pred_by_id = {d.id: d for d in predicted}
    a: list[tuple[str, str]] = []
    b: list[tuple[str, str]] = []
    c1: list[tuple[str, str]] = []
    c2: list[tuple[str, str]] = []
    for doc_id, g in gold_by_id.items():
        p = pred_by_id.get(doc_id)
        if p is None:
            a.append((str(g.is_relevant).lower(), "not there"))
            b.append((g.sentiment, "nothing"))
            # The official script registers the gold set once per gold aspect here.
            for _ in g.aspects:
                c1.extend((x, "none") for x in _main_categories(g.aspects))
                c2.extend((x, "none_sentiment") for x in _category_polarities(g.aspects))
            continue
        a.append((str(g.is_relevant).lower(), str(p.is_relevant).lower()))
        b.append((g.sentiment, p.sentiment))
        _register(_main_categories(g.aspects), _main_categories(p.aspects), "none", c1)
        _register(
            _category_polarities(g.aspects), _category_polarities(p.aspects), "none_sentiment", c2
        )
    result: dict[str, Any] = {
        "A": _f1(a),
        "B": _f1(b),
        "C1": _f1(c1),
        "C2": _f1(c2),
        "documents": len(gold_by_id),
        "instances": {"A": len(a), "B": len(b), "C1": len(c1), "C2": len(c2)},
    }
    for k in ("A", "B", "C1", "C2"):
        v = result[k]
        result[k] = None if isinstance(v, float) and math.isnan(v) else round(float(v), 4)
    return result


# --- prediction ------------------------------------------------------------------------------


def predict_docs(docs: Sequence[TsvDoc], analyser: Any = None) -> list[TsvDoc]:
    """Predicted relevance, sentiment and aspects for documents, in the same order."""
    from cxm.textanalytics.pipeline import default_analyser

    an = analyser if analyser is not None else default_analyser()
    preds = an.predict_germeval([clean_text(d.text) for d in docs])
    out = []
    for d, p in zip(docs, preds, strict=True):
        line = format_line(d.id, d.text, p.relevance, p.sentiment, p.aspects)
        out.append(
            TsvDoc(
                d.id,
                d.text,
                "true" if p.relevance else "false",
                p.sentiment,
                tuple(p.aspects),
                line,
            )
        )
    return out


def predict_file(in_path: str | Path, out_path: str | Path, analyser: Any = None) -> int:
    """``cxm text predict --format germeval IN.tsv OUT.tsv``: writes predictions, returns count."""
    docs = read_tsv(in_path)
    preds = predict_docs(docs, analyser)
    Path(out_path).write_text("".join(p.raw + "\n" for p in preds), encoding="utf-8")
    return len(preds)


def evaluate_files(
    gold_path: str | Path, pred_path: str | Path | None = None, analyser: Any = None
) -> dict[str, Any]:
    """``cxm text eval --format germeval GOLD.tsv [PRED.tsv]``: the scores as a dict (print it as
    JSON). Without PRED the shipped model predicts first; the result then says how many gold
    texts the model was trained on (the dev split is training data: use cross-validation)."""
    gold = read_tsv(gold_path)
    if pred_path is not None:
        return score(gold, read_tsv(pred_path))
    from cxm.textanalytics.model import text_key
    from cxm.textanalytics.pipeline import default_analyser

    an = analyser if analyser is not None else default_analyser()
    result = score(gold, predict_docs(gold, an))
    keys = an.model.training_keys
    seen = sum(1 for d in gold if text_key(clean_text(d.text)) in keys)
    result["seen_in_training"] = seen
    return result


def evaluate_json(gold_path: str | Path, pred_path: str | Path | None = None) -> str:
    return json.dumps(evaluate_files(gold_path, pred_path), indent=2, sort_keys=True)


# --- cross-validation ------------------------------------------------------------------------


def _docs_from_germeval(items: Sequence[Any]) -> list[TsvDoc]:
    out = []
    for d in items:
        aspects = tuple((a.category, a.polarity) for a in d.aspects)
        out.append(TsvDoc(d.id, d.text, "true" if d.relevance else "false", d.sentiment, aspects))
    return out


def cross_validate(
    folds: int = 5,
    seed: int = 0,
    *,
    datasets_dir: str | Path | None = None,
    with_mobasa: bool = True,
    config: Any = None,
) -> dict[str, Any]:
    """Stratified k-fold cross-validation on the GermEval 2017 dev split (near-duplicate texts
    kept in one fold), scored with the official metric on the pooled out-of-fold predictions."""
    from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]

    from cxm.textanalytics import training
    from cxm.textanalytics.model import ModelBundle, text_key
    from cxm.textanalytics.pipeline import Analyser

    cfg = config if config is not None else training.TrainConfig()
    ddir = Path(datasets_dir) if datasets_dir else None
    docs = training.load_germeval(ddir)
    extra = (
        [
            replace(
                x,
                weight=cfg.mobasa_train_weight
                if x.source == training.MOBASA_TRAIN
                else cfg.mobasa_weight,
            )
            for x in training.load_mobasa(ddir)
        ]
        if with_mobasa
        else []
    )
    groups_map: dict[str, int] = {}
    groups = [groups_map.setdefault(text_key(d.text), len(groups_map)) for d in docs]
    strata = [f"{d.sentiment}-{d.relevance}" for d in docs]
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted: dict[int, TsvDoc] = {}
    gold_docs = _docs_from_germeval(docs)
    for train_idx, test_idx in splitter.split(docs, strata, groups):
        lm = training.fit_language_model(
            "de", germeval=[docs[i] for i in train_idx], extra=extra, seed=seed, config=cfg
        )
        assert lm is not None
        analyser = Analyser(ModelBundle(models={"de": lm}))
        for i, p in zip(
            test_idx, predict_docs([gold_docs[i] for i in test_idx], analyser), strict=True
        ):
            predicted[int(i)] = p
    result = score(gold_docs, [predicted[i] for i in range(len(docs))])
    result["folds"] = folds
    result["seed"] = seed
    result["extra_training"] = ["mobasa"] if with_mobasa else []
    return result


def per_label_counts(pairs: Sequence[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Per-label tp/fp/fn of (gold, predicted) pairs, for error analysis."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for g, p in pairs:
        if g == p:
            out[g]["tp"] += 1
        else:
            out[g]["fn"] += 1
            out[p]["fp"] += 1
    return dict(out)
