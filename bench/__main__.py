"""`make bench`: runs cxm's benchmarks, prints a table and saves JSON under bench/results/."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import analytics, cases, drivers, foundation, journeys, web

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "load_average_at_start": os.getloadavg()[0],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv: list[str]) -> int:
    wanted = set(argv) or {
        "foundation",
        "analytics",
        "cases",
        "journeys",
        "drivers",
        "web",
        "textanalytics",
    }
    console = Console()
    RESULTS.mkdir(exist_ok=True)
    suites = {
        "foundation": foundation.run,
        "analytics": analytics.run,
        "cases": cases.run,
        "journeys": journeys.run,
        "drivers": drivers.run,
        "web": web.run,
    }
    try:
        from cxm.textanalytics import bench as text_bench

        suites["textanalytics"] = text_bench.run
    except ImportError:
        pass
    for name, run in suites.items():
        if name not in wanted:
            continue
        console.rule(f"bench: {name}")
        result = {"suite": name, "at": datetime.now(UTC).isoformat(), "machine": machine()}
        result["results"] = run()
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        table = Table(title=f"{name} ({result['machine']['cpu_count']} cores)")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key, value in _flatten(result["results"]):
            table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else str(value))
        console.print(table)
        console.print(f"saved {RESULTS / (name + '.json')}")
    return 0


def _flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        out: list[tuple[str, object]] = []
        for key, value in data.items():
            out += _flatten(value, f"{prefix}{key}.")
        return out
    return [(prefix.rstrip("."), data)]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
