"""The model card written next to the artefact: sources, licences, metrics, limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cxm.textanalytics.model import ModelBundle

CARD_NAME = "MODEL_CARD.md"
CV_NAME = "cv_metrics.json"
BENCH_NAME = "bench.json"


def _fmt(v: Any) -> str:
    return "n/a" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))


def render_model_card(
    bundle: ModelBundle, cv: dict[str, Any] | None, bench: dict[str, Any] | None
) -> str:
    meta = bundle.metadata
    lines = [
        "# cxm text analytics model",
        "",
        f"Version `{bundle.version}`, trained with seed {meta.get('seed')} on "
        f"{meta.get('trained_on')} in {meta.get('train_seconds')} s by "
        "`cxm.textanalytics.training.train`.",
        "",
        "TF-IDF word 1-2-grams and character 2-5-grams (per language) feeding linear "
        "(logistic-regression) heads: document sentiment (de, en), GermEval 2017 relevance and "
        "aspect categories (de), and topics learnt from users' labelled feedback. Stored as plain "
        "arrays (`model.npz`) and JSON (`model.json`); loaded from local files only, no network.",
        "",
        "## Training data and licences",
        "",
        "| source | documents | licence | used for |",
        "|---|---|---|---|",
    ]
    for name, s in meta.get("sources", {}).items():
        lines.append(
            f"| {s.get('title', name)} | {s.get('documents')} | {s.get('licence', '')} | "
            f"{s.get('used_for', '')} |"
        )
    lines += [
        "",
        "**Licence of this artefact.** It is derived from GermEval 2017 (**CC BY-NC 4.0**) and "
        "Twitter US Airline Sentiment (**CC BY-NC-SA 4.0**): use it for non-commercial purposes "
        "only, with attribution, and share derived models alike. For commercial use retrain "
        'without those sources, e.g. `train(sources=("mobasa",), feedback="own.jsonl")` (MobASA '
        "is CC BY 4.0) or on your own labelled feedback alone.",
        "",
        "Citations:",
        "",
    ]
    for s in meta.get("sources", {}).values():
        if s.get("citation"):
            lines.append(f"- {s['citation']}")
    lines += ["", "## Evaluation", ""]
    if cv:
        lines += [
            f"{cv.get('folds')}-fold cross-validation on the GermEval 2017 dev split (seed "
            f"{cv.get('seed')}; near-duplicate texts kept in one fold; extra training data in each "
            f"fold: {', '.join(cv.get('extra_training', [])) or 'none'}), micro-F1 as the official "
            "GermEval 2017 script computes it on the pooled out-of-fold predictions:",
            "",
            "| subtask | micro-F1 |",
            "|---|---|",
            f"| A relevance | {_fmt(cv.get('A'))} |",
            f"| B document sentiment | {_fmt(cv.get('B'))} |",
            f"| C1 aspect category | {_fmt(cv.get('C1'))} |",
            f"| C2 aspect category + sentiment | {_fmt(cv.get('C2'))} |",
            "",
            "The GermEval test splits were never used. Majority baseline for B on the dev split: "
            "0.6889 (neutral). The few hyper-parameters (MobASA weights, regularisation, the "
            "relevance and category thresholds) were chosen on cross-validation of this same "
            "split, so the figures are slightly optimistic. Cross-validated dev scores are not "
            "test scores: the dev split has more neutral texts than the synchronic test set "
            "(majority 0.655 there).",
            "",
        ]
    else:
        lines += ["Run `cxm.textanalytics.germeval.cross_validate()` for figures.", ""]
    if bench:
        lines += [
            "## Speed and memory (one core)",
            "",
            f"- whole pipeline (masking, language, model, rules, flags, products) on "
            f"{bench.get('texts')} texts of {bench.get('mean_chars')} characters on average, in "
            f"batches of {bench.get('batch_size')}: {bench.get('pipeline_texts_per_s')} texts/s "
            f"({bench.get('pipeline_texts_per_cpu_s')} per CPU second) with cold per-word caches, "
            f"{bench.get('warm_texts_per_s')} texts/s ({bench.get('warm_texts_per_cpu_s')} per "
            f"CPU second) warm; {bench.get('single_texts_per_s')} texts/s one at a time",
            f"- model load: {bench.get('load_seconds')} s; resident memory after load: "
            f"{bench.get('rss_mb_after_load')} MB (peak {bench.get('peak_rss_mb')} MB)",
            f"- artefact size: {bench.get('artefact_mb')} MB",
            "",
        ]
    lines += [
        "## Intended use and limits",
        "",
        "- German and English customer feedback; other languages are detected and marked, and read "
        "with the English model (low confidence).",
        "- GermEval relevance and categories are specific to Deutsche Bahn feedback; the "
        "customer-service taxonomy is rule-based until users train topics from their own labels.",
        "- Aspect polarity is the polarity of the sentences where the topic's rules fired, else "
        "the document's.",
        "- PII is masked before training and analysis; masking is rule-based and can miss unusual "
        "formats.",
        "- The German sentiment head learnt from rail tweets and news, where 69% of texts are "
        "neutral: on customer-service German it leans to neutral (the signed score still moves). "
        "Retrain with your own labelled feedback to fix that.",
        "- The airline data's SOURCE.md advises evaluation-only use (CC BY-NC-SA 4.0, X/Twitter "
        'terms); leave it out with `train(sources=("germeval2017", "mobasa"))` if that matters.',
        "",
        "## Reproduce",
        "",
        "```",
        "cxm text train --seed 0            # cxm.textanalytics.training.train_default(seed=0)",
        "python -m cxm.textanalytics.cv      # cross-validated GermEval figures",
        "```",
        "",
    ]
    return "\n".join(lines)


def write_model_card(bundle: ModelBundle, directory: Path) -> Path:
    cv_path, bench_path = directory / CV_NAME, directory / BENCH_NAME
    cv = json.loads(cv_path.read_text(encoding="utf-8")) if cv_path.exists() else None
    bench = json.loads(bench_path.read_text(encoding="utf-8")) if bench_path.exists() else None
    path = directory / CARD_NAME
    path.write_text(render_model_card(bundle, cv, bench), encoding="utf-8")
    return path
