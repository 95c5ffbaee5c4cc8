"""`cxm text backfill --engine spark`: the text pipeline as an Apache Spark job.

The driver reads the stored texts not analysed yet exactly as the in-process backfill does
(per subject, after its watermark, in id order), hands them to Spark a chunk at a time, and
`mapInPandas` analyses each partition's texts in batches on the executors. The analyser (model
artefact, taxonomies, product catalogue) is built once per executor process and kept for its
later tasks. The analyses come back to the driver and are stored by the text-analytics
services' own writer, one transaction per chunk together with its watermark: the same rows as
`services.analyse_pending` writes, resumable the same way after a stop.

Executors need cxm installed and the model artefact at the same path (or `model_dir` on shared
storage); with a local master they use this interpreter.
"""

from __future__ import annotations

import json
import pickle
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.shared import watermarks
from cxm.textanalytics import services
from cxm.textanalytics.domain import Analysis
from cxm.textanalytics.models import TextAnalysis
from cxm.textanalytics.pipeline import Analyser, load_model
from cxm.textanalytics.taxonomy import Taxonomy

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]
    from pyspark.sql import SparkSession

OUTPUT_SCHEMA = "i long, analysis binary"


@dataclass(frozen=True)
class AnalyserConfig:
    """What an executor needs to build the same analyser as the driver (small, picklable)."""

    taxonomies: tuple[str, ...]  # JSON, as Taxonomy.to_dict writes them
    catalogue: tuple[str, ...]
    model_dir: str | None = None
    batch_size: int = 256

    @classmethod
    def of(
        cls, db: Session, *, model_dir: Path | str | None = None, batch_size: int = 256
    ) -> AnalyserConfig:
        """The installation's analyser (as `services.analyser_for` builds it), described."""
        return cls(
            taxonomies=tuple(
                json.dumps(t.to_dict(), sort_keys=True) for t in services.taxonomies(db)
            ),
            catalogue=tuple(services.catalogue(db)),
            model_dir=None if model_dir is None else str(model_dir),
            batch_size=batch_size,
        )

    def build(self) -> Analyser:
        model = load_model(self.model_dir)
        taxonomies = [Taxonomy.from_dict(json.loads(t)) for t in self.taxonomies]
        return Analyser(model, taxonomies=taxonomies, catalogue=self.catalogue)


_analysers: dict[AnalyserConfig, Analyser] = {}
_analysers_lock = threading.Lock()


def executor_analyser(config: AnalyserConfig) -> Analyser:
    """The analyser of this (executor) process for `config`: built and loaded once."""
    with _analysers_lock:
        analyser = _analysers.get(config)
        if analyser is None:
            analyser = _analysers[config] = config.build()
        return analyser


def analyse_partition(
    config: AnalyserConfig, frames: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """mapInPandas: (i, text) rows in, (i, pickled Analysis) rows out, in batches."""
    import pandas as pd

    analyser = executor_analyser(config)
    for frame in frames:
        for start in range(0, len(frame), config.batch_size):
            part = frame.iloc[start : start + config.batch_size]
            analyses = analyser.analyse_many([str(t) for t in part["text"]])
            yield pd.DataFrame(
                {
                    "i": part["i"].to_numpy(),
                    "analysis": [
                        pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL) for a in analyses
                    ],
                }
            )


def analyse_on_spark(
    spark: SparkSession, texts: list[str], config: AnalyserConfig
) -> list[Analysis]:
    """The analyses of `texts`, in order, computed by a Spark job."""
    import functools

    import pandas as pd

    if not texts:
        return []
    frame = pd.DataFrame({"i": range(len(texts)), "text": texts})
    slices = max(1, min(spark.sparkContext.defaultParallelism, len(texts)))
    rows = (
        spark.createDataFrame(frame, schema="i long, text string")
        .repartition(slices)
        .mapInPandas(functools.partial(analyse_partition, config), schema=OUTPUT_SCHEMA)
        .toArrow()
    )
    out: list[Analysis | None] = [None] * len(texts)
    for i, blob in zip(rows["i"].to_pylist(), rows["analysis"].to_pylist(), strict=True):
        out[i] = pickle.loads(blob)  # written by analyse_partition above
    missing = [i for i, a in enumerate(out) if a is None]
    if missing:
        raise RuntimeError(f"the Spark job lost {len(missing)} of {len(texts)} analyses")
    return [a for a in out if a is not None]


def backfill(
    db: Session,
    *,
    spark: SparkSession,
    now: datetime,
    chunk_size: int = 20_000,
    batch_size: int = 256,
    model_dir: Path | str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Analyses every stored text not analysed yet on Spark, `chunk_size` texts per job; each
    chunk commits with its watermark (resumable; nothing is analysed twice)."""
    config = AnalyserConfig.of(db, model_dir=model_dir, batch_size=batch_size)
    done: dict[str, int] = {}
    for subject in services.SUBJECTS:
        name = f"textanalytics.{subject}.id"
        count = 0
        while True:
            raw = watermarks.get(db, name)
            items = services._pending(db, subject, uuid.UUID(raw) if raw else None, chunk_size)
            if not items:
                break
            known = _known(db, subject, [i.id for i in items])
            todo = [i for i in items if i.id not in known and i.text.strip()]
            analyses = analyse_on_spark(spark, [i.text for i in todo], config)
            for item, analysis in zip(todo, analyses, strict=True):
                services._store(db, subject, item, analysis, now)
            watermarks.put(db, name, str(items[-1].id), now=now)
            db.commit()
            count += len(todo)
            if progress:
                progress(subject, count)
        done[subject] = count
    return done


def _known(db: Session, subject: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The ids that already have an analysis (in slices: IN lists have limits)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 5000):
        found.update(
            db.scalars(
                select(TextAnalysis.subject_id).where(
                    TextAnalysis.subject_type == subject,
                    TextAnalysis.subject_id.in_(ids[start : start + 5000]),
                )
            )
        )
    return found
