"""Cross-validated GermEval 2017 figures for the model card: ``python -m cxm.textanalytics.cv``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from cxm.textanalytics.germeval import cross_validate
from cxm.textanalytics.model import DEFAULT_MODEL_DIR, ModelBundle
from cxm.textanalytics.modelcard import CV_NAME, write_model_card


def run_cv(folds: int = 5, seed: int = 0, directory: Path = DEFAULT_MODEL_DIR) -> dict[str, Any]:
    """Cross-validate, store the figures next to the artefact and refresh its model card."""
    started = time.perf_counter()
    result = cross_validate(folds, seed)
    result["seconds"] = round(time.perf_counter() - started, 1)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CV_NAME).write_text(
        json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if (directory / "model.json").exists():
        write_model_card(ModelBundle.load(directory), directory)
    return result


if __name__ == "__main__":
    folds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    print(json.dumps(run_cv(folds, seed), indent=2, sort_keys=True))
