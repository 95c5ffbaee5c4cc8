"""Throughput and memory of the whole text-analytics pipeline on one core (for ``make bench``)."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from cxm.textanalytics.model import ARTEFACT_NAME, DEFAULT_MODEL_DIR

_SAMPLES: tuple[str, ...] = (
    "Seit Tagen ständige Verbindungsabbrüche mit meinem Modell X, schon wieder keiner erreichbar!",
    "Die Rechnung vom 12.03.2024 über 49,99 € ist falsch, bitte korrigieren. Kd.-Nr. K12345678",
    "Vielen Dank an Frau Müller von der Hotline, super freundlich und kompetent.",
    "Ich kündige zum Monatsende, wenn das nicht gelöst wird. Mein Anwalt ist informiert.",
    "@DB_Bahn Zug fällt schon wieder aus, 45 Minuten Verspätung in Hannover.",
    "The app keeps crashing since the update, third time I contact you about this.",
    "Great service, the technician was on time and very friendly. Thanks!",
    "My invoice shows a fee I never agreed to. Call me at +44 20 7946 0958.",
    "Lieferung kam pünktlich, Router läuft, alles gut.",
    "WLAN im ICE funktioniert mal wieder nicht, Steckdosen auch kaputt.",
)


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _one_core() -> None:
    # BLAS threads would blur a one-core figure; the caller may also pin the process.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if hasattr(os, "sched_setaffinity"):
        try:
            cpus = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpus[0]})
        except OSError:
            pass


def texts_for_bench(n: int, *, datasets_dir: Path | None = None) -> list[str]:
    """``n`` realistic texts: GermEval dev and airline tweets if present, else built-in samples."""
    texts: list[str] = []
    try:
        from cxm.textanalytics import training

        texts += [d.text for d in training.load_germeval(datasets_dir)]
        texts += [x.text for x in training.load_airline(datasets_dir)[:2000]]
    except OSError:
        pass
    if not texts:
        texts = list(_SAMPLES)
    return [texts[i % len(texts)] for i in range(n)]


def run(n: int = 5000, batch_size: int = 256, single: int = 500) -> dict[str, Any]:
    """Measure load time, batched and one-at-a-time throughput (texts/s), memory and size.

    Figures per wall-clock second and per CPU second of this process (the latter is the
    one-core figure that other load on the machine does not distort). The first pass starts with
    empty per-word caches; the warm pass repeats the texts, as a long-running worker would see."""
    _one_core()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    from cxm.textanalytics.pipeline import Analyser, load_model

    model = load_model()
    analyser = Analyser(model, catalogue=["Modell X", "Modell Y", "FritzBox 7590"])
    analyser.analyse("Warm-up: Verbindungsabbrüche beim Modell X.")
    load_s = time.perf_counter() - t0
    rss_loaded = _rss_mb()
    texts = texts_for_bench(n)
    t1, c1 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch_size):
        analyser.analyse_many(texts[i : i + batch_size])
    batch_s, batch_cpu = time.perf_counter() - t1, time.process_time() - c1
    # Second pass: per-word caches (lemmas, n-gram ids) are warm, as in a long-running worker.
    t3, c3 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch_size):
        analyser.analyse_many(texts[i : i + batch_size])
    warm_s, warm_cpu = time.perf_counter() - t3, time.process_time() - c3
    t2 = time.perf_counter()
    for t in texts[:single]:
        analyser.analyse(t)
    single_s = time.perf_counter() - t2
    artefact = DEFAULT_MODEL_DIR / ARTEFACT_NAME
    return {
        "texts": len(texts),
        "batch_size": batch_size,
        "mean_chars": round(sum(len(t) for t in texts) / max(1, len(texts)), 1),
        "pipeline_texts_per_s": round(len(texts) / batch_s, 1),
        "pipeline_texts_per_cpu_s": round(len(texts) / batch_cpu, 1),
        "warm_texts_per_s": round(len(texts) / warm_s, 1),
        "warm_texts_per_cpu_s": round(len(texts) / warm_cpu, 1),
        "single_texts_per_s": round(single / single_s, 1),
        "load_seconds": round(load_s, 2),
        "rss_mb_before_load": rss0,
        "rss_mb_after_load": rss_loaded,
        "peak_rss_mb": _peak_mb(),
        "artefact_mb": round(artefact.stat().st_size / 1e6, 2) if artefact.exists() else None,
        "model_version": model.version,
        "python": sys.version.split()[0],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
