"""`cxm kpi ...` and `cxm analytics ...`: the CX metrics and the analytical store from the shell.

The lead mounts them with ``app.add_typer(kpi_app, name="kpi")`` and
``app.add_typer(analytics_app, name="analytics")``.
"""

from __future__ import annotations

import json
import sys
import time as timer
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cxm.analytics import kpi
from cxm.analytics import sync as sync_mod
from cxm.analytics.engine import query_engine, spark_engine
from cxm.analytics.settings import AnalyticsSettings, parquet_path, store_path
from cxm.analytics.store import Store
from cxm.config import get_settings
from cxm.shared.errors import CxmError

kpi_app = typer.Typer(
    help="CX metrics (NPS, CSAT, CES, response and complaint rates) from the analytical store.",
    no_args_is_help=True,
)
analytics_app = typer.Typer(
    help="The analytical store (DuckDB, and its Parquet copy for Spark).", no_args_is_help=True
)
console = Console(stderr=True)

ByOpt = Annotated[
    str | None,
    typer.Option(
        help="Comma list: a period (day, week, month, quarter, year) and/or dimensions "
        "(touchpoint, stage, department, channel, survey, model, product, segment:<attr>)."
    ),
]
FromOpt = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC).")
]
ToOpt = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, inclusive.")
]
TouchpointOpt = Annotated[list[str] | None, typer.Option(help="Touchpoint key (repeatable).")]
SegmentOpt = Annotated[
    list[str] | None, typer.Option(help="attribute=value, e.g. tier=gold (repeatable).")
]
ModelOpt = Annotated[list[str] | None, typer.Option(help="Product model (repeatable).")]
SurveyOpt = Annotated[list[str] | None, typer.Option(help="Survey key (repeatable).")]
QuestionOpt = Annotated[str | None, typer.Option(help="Question key.")]
MinNOpt = Annotated[
    int | None, typer.Option(min=1, help="Minimum n (default CXM_ANALYTICS_MIN_N).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SyncOpt = Annotated[
    bool, typer.Option("--sync/--no-sync", help="Sync first when the store is stale.")
]
PathOpt = Annotated[Path | None, typer.Option(help="The DuckDB file (default from settings).")]


@contextmanager
def _store(path: Path | None, *, refresh: bool) -> Iterator[tuple[Store, AnalyticsSettings]]:
    from cxm import features  # noqa: F401  (registers every table of the store before it opens)

    settings = get_settings()
    cfg = AnalyticsSettings()
    try:
        with Store(path or store_path(settings, cfg)) as store:
            if refresh:
                with _session() as db:
                    sync_mod.ensure_fresh(db, store, settings=cfg)
            yield store, cfg
    except CxmError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None


@contextmanager
def _session() -> Iterator[Any]:
    from cxm import features  # noqa: F401  (registers every model)
    from cxm.db import make_engine, make_session_factory

    engine = make_engine(get_settings().database_url)
    db = make_session_factory(engine)()
    try:
        yield db
    finally:
        db.close()
        engine.dispose()


def _filters(
    start: datetime | None,
    end: datetime | None,
    touchpoint: list[str] | None,
    segment: list[str] | None,
    model: list[str] | None,
    survey: list[str] | None,
    question: str | None,
) -> kpi.Filters:
    return kpi.Filters(
        start=_day(start.date()) if start else None,
        end=_day(end.date() + timedelta(days=1)) if end else None,
        touchpoints=tuple(touchpoint or ()),
        segment=kpi.parse_segment(segment or ()),
        models=tuple(model or ()),
        surveys=tuple(survey or ()),
        question=question,
    )


def _day(d: date) -> datetime:
    return datetime.combine(d, time.min, UTC)


def _metric_command(metric: str, help_text: str) -> None:
    def command(
        by: ByOpt = None,
        start: FromOpt = None,
        end: ToOpt = None,
        touchpoint: TouchpointOpt = None,
        segment: SegmentOpt = None,
        model: ModelOpt = None,
        survey: SurveyOpt = None,
        question: QuestionOpt = None,
        min_n: MinNOpt = None,
        as_json: JsonOpt = False,
        refresh: SyncOpt = True,
        path: PathOpt = None,
    ) -> None:
        with _store(path, refresh=refresh) as (store, cfg):
            try:
                period, dims = kpi.split_by(by)
                filters = _filters(start, end, touchpoint, segment, model, survey, question)
                result = kpi.METRICS[metric](
                    query_engine(store, cfg),
                    period=period,
                    by=dims,
                    filters=filters,
                    min_n=min_n or cfg.min_n,
                )
            except CxmError as exc:
                console.print(f"[red]error:[/red] {exc.message}")
                raise typer.Exit(2) from None
        _print_kpi(result, as_json)

    command.__doc__ = help_text
    kpi_app.command(metric.replace("_", "-"))(command)


_metric_command("nps", "NPS (%promoters 9–10 − %detractors 0–6) with its 95 % margin of error.")
_metric_command("csat", "CSAT: % of 4–5 on the 1–5 scale (Wilson 95 % interval).")
_metric_command("ces", "CES 2.0: mean agreement 1–7 and % agree (5–7).")
_metric_command("response_rate", "Responses / invitations sent.")


@kpi_app.command("complaint-rate")
def complaint_rate(
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    touchpoint: TouchpointOpt = None,
    segment: SegmentOpt = None,
    model: ModelOpt = None,
    exposure: Annotated[
        str | None, typer.Option(help="holders (of the model) or interactions (at the touchpoint)")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="Feedback sources counted as complaints.")
    ] = None,
    topics: Annotated[str | None, typer.Option(help="Topic source: property or source.")] = None,
    per: Annotated[int, typer.Option(min=1, help="Per how many units of exposure.")] = 1000,
    min_n: MinNOpt = None,
    as_json: JsonOpt = False,
    refresh: SyncOpt = True,
    path: PathOpt = None,
) -> None:
    """Complaints per 1,000 holders of a product/model or per 1,000 interactions at a
    touchpoint, by topic, source, model or touchpoint; a time series with --by month."""
    with _store(path, refresh=refresh) as (store, cfg):
        try:
            period, dims = kpi.split_by(by)
            result = kpi.complaint_rate(
                query_engine(store, cfg),
                period=period,
                by=dims,
                filters=_filters(start, end, touchpoint, segment, model, None, None),
                min_n=min_n or cfg.min_n,
                exposure=exposure,
                sources=tuple(source or cfg.complaint_sources),
                topics=topics,
                per=per,
            )
        except CxmError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from None
    _print_kpi(result, as_json)


@kpi_app.command("compare")
def compare(
    metric: Annotated[str, typer.Argument(help="nps, csat, ces, response-rate, complaint-rate")],
    start: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day of the period.")
    ],
    end: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, inclusive.")
    ],
    previous_from: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Default: the equally long period before."),
    ] = None,
    previous_to: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    by: ByOpt = None,
    touchpoint: TouchpointOpt = None,
    segment: SegmentOpt = None,
    model: ModelOpt = None,
    survey: SurveyOpt = None,
    min_n: MinNOpt = None,
    as_json: JsonOpt = False,
    refresh: SyncOpt = True,
    path: PathOpt = None,
) -> None:
    """A metric in one period against another, per group, with the significance test."""
    name = metric.replace("-", "_")
    with _store(path, refresh=refresh) as (store, cfg):
        try:
            _, dims = kpi.split_by(by)
            previous = None
            if previous_from and previous_to:
                previous = (_day(previous_from.date()), _day(previous_to.date() + timedelta(1)))
            options: dict[str, Any] = {}
            if name == "complaint_rate":
                options["sources"] = tuple(cfg.complaint_sources)
            result = kpi.compare(
                query_engine(store, cfg),
                name,
                current=(_day(start.date()), _day(end.date() + timedelta(days=1))),
                previous=previous,
                by=dims,
                filters=_filters(None, None, touchpoint, segment, model, survey, None),
                min_n=min_n or cfg.min_n,
                **options,
            )
        except CxmError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from None
    rows = [kpi.comparison_dict(r) for r in result.rows]
    if as_json:
        _print_json(
            {
                "metric": result.metric,
                "current": [d.isoformat() for d in result.current],
                "previous": [d.isoformat() for d in result.previous],
                "min_n": result.min_n,
                "rows": rows,
            }
        )
        return
    title = (
        f"{result.metric}: {_span(result.current)} vs {_span(result.previous)}"
        f" (min n {result.min_n})"
    )
    table = Table(title=title)
    for col in [
        *result.by,
        "current",
        "previous",
        "delta",
        "p",
        "significant",
        "n now",
        "n before",
    ]:
        table.add_column(col, justify="left" if col in result.by else "right")
    for r in result.rows:
        ch = r.change
        table.add_row(
            *[str(r.group.get(d) or "—") for d in result.by],
            _fmt(ch.current),
            _fmt(ch.previous),
            _fmt(ch.delta, signed=True),
            "—" if ch.p_value is None else f"{ch.p_value:.3f}",
            {True: "yes", False: "no", None: "—"}[ch.significant],
            str(_n(r.current)),
            str(_n(r.previous)),
        )
    Console().print(table)


@analytics_app.command("sync")
def sync_command(
    full: Annotated[bool, typer.Option(help="Reload every table whole.")] = False,
    parquet: Annotated[
        bool,
        typer.Option(
            help="Also refresh the Parquet copy (always done with CXM_ANALYTICS_ENGINE=spark)."
        ),
    ] = False,
    as_json: JsonOpt = False,
    path: PathOpt = None,
) -> None:
    """Bring the analytical store up to date (incremental and idempotent; safe to re-run)."""
    with _store(path, refresh=False) as (store, cfg), _session() as db:
        if parquet:
            cfg = cfg.model_copy(update={"parquet": True})
        report = sync_mod.sync(db, store=store, settings=cfg, full=full)
    if as_json:
        _print_json(report)
        return
    table = Table(title=f"analytics sync into {store.path} ({report['seconds']:.2f} s)")
    for col in ("table", "mode", "read", "written", "rows"):
        table.add_column(col, justify="left" if col in ("table", "mode") else "right")
    for name, t in report["tables"].items():
        mode = t["mode"] + (" (full)" if t["full"] and t["mode"] != "refresh" else "")
        table.add_row(
            name, mode, f"{t['rows_read']:,}", f"{t['rows_written']:,}", f"{t['rows_total']:,}"
        )
    Console().print(table)
    if report.get("parquet"):
        p = report["parquet"]
        console.print(
            f"Parquet copy in {p['dir']}: {p['files_written']:,} file(s), "
            f"{p['rows_written']:,} rows written ({p['seconds']:.2f} s)"
        )


@analytics_app.command("status")
def status_command(as_json: JsonOpt = False, path: PathOpt = None) -> None:
    """When the analytical store was last synced, and its tables."""
    with _store(path, refresh=False) as (store, cfg):
        report = sync_mod.status(store, settings=cfg)
    if as_json:
        _print_json(report)
        return
    lag = report["lag_seconds"]
    console.print(
        f"{report['path']}: last sync {report['last_sync_at'] or 'never'}"
        + ("" if lag is None else f" ({lag:,.0f} s ago)")
    )
    table = Table()
    for col in ("table", "rows", "synced at", "watermark"):
        table.add_column(col)
    for name, t in report["tables"].items():
        table.add_row(
            name,
            f"{t['rows'] or 0:,}",
            t["synced_at"] or "—",
            t["id_watermark"] or t["time_watermark"] or "—",
        )
    Console().print(table)
    if report.get("parquet"):
        p = report["parquet"]
        console.print(
            f"engine {report['engine']}; Parquet copy in {p['dir']}: "
            f"last sync {p['last_sync_at'] or 'never'}"
        )


def _journey_spec(key: str) -> Any:
    """The journey definition `key` from the operational database (a JourneySpec)."""
    from cxm.journeys import services as journey_services

    with _session() as db:
        journey = journey_services.get_journey(db, key, now=datetime.now(UTC))
        return journey_services.spec_of(journey)


@analytics_app.command("journeys")
def journeys_command(
    journey: Annotated[str, typer.Option(help="The journey's key (see /api/v1/journeys).")],
    engine: Annotated[
        str | None,
        typer.Option(help="duckdb or spark (default CXM_ANALYTICS_ENGINE)."),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    as_json: JsonOpt = False,
    refresh: SyncOpt = True,
    path: PathOpt = None,
) -> None:
    """A journey's funnel: instances reconstructed from the interactions (on DuckDB, or on
    Spark over the Parquet copy, which is brought up to date first), reached per stage,
    conversion, drop-off and the time between stages."""
    from cxm.analytics import journeys as aj
    from cxm.analytics import parquet
    from cxm.journeys.domain import judged_at

    if engine not in (None, "duckdb", "spark"):
        console.print("[red]error:[/red] --engine is duckdb or spark")
        raise typer.Exit(2)
    with _store(path, refresh=refresh) as (store, cfg):
        try:
            cfg = cfg.model_copy(update={"engine": engine or cfg.engine})
            spec = _journey_spec(journey)
            first = _day(start.date()) if start else None
            last = _day(end.date() + timedelta(days=1)) if end else None
            synced = store.last_synced_at()
            as_of = judged_at(
                datetime.now(UTC), last, synced.replace(tzinfo=UTC) if synced else None
            )
            source: Any = store
            if cfg.engine == "spark":
                directory = parquet_path(store.path, cfg)
                copied = parquet.read_manifest(directory).get("last_sync_at")
                if copied != (synced.isoformat() if synced else None) or not copied:
                    parquet.export(store, directory)
                source = spark_engine(cfg, directory)
            started = timer.perf_counter()
            with aj.JourneyQuery(source, spec, as_of=as_of, start=first, end=last) as q:
                funnel = q.funnel()
            seconds = round(timer.perf_counter() - started, 3)
        except CxmError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from None
    if as_json:
        from dataclasses import asdict

        _print_json(
            {
                "journey": spec.key,
                "engine": cfg.engine,
                "as_of": as_of.isoformat(),
                "seconds": seconds,
                "funnel": asdict(funnel),
            }
        )
        return
    table = Table(
        title=f"journey {spec.key} on {cfg.engine}: {funnel.instances:,} instances of "
        f"{funnel.customers:,} customers; goal {funnel.goal:,}, open {funnel.open:,}, "
        f"lost {funnel.lost:,} ({seconds:.2f} s)"
    )
    for col in ("step", "reached", "% of start", "conversion %", "stopped", "open", "lost",
                "median s to next", "p90 s to next"):  # fmt: skip
        table.add_column(col, justify="left" if col == "step" else "right")
    for step in funnel.steps:
        to_next = step.to_next
        table.add_row(
            step.key,
            _fmt(step.reached),
            _fmt(None if step.share_of_start is None else 100 * step.share_of_start),
            _fmt(None if step.conversion is None else 100 * step.conversion),
            _fmt(step.stopped),
            _fmt(step.open),
            _fmt(step.lost),
            _fmt(to_next.median if to_next else None),
            _fmt(to_next.p90 if to_next else None),
        )
    Console().print(table)


# --- printing ----------------------------------------------------------------------------------

_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "nps": [("n", "n"), ("NPS", "value"), ("±95%", "moe"), ("prom.", "promoters"),
            ("pass.", "passives"), ("detr.", "detractors")],
    "csat": [("n", "n"), ("CSAT %", "value"), ("CI low", "ci_low"), ("CI high", "ci_high")],
    "response_rate": [("sent", "n"), ("responses", "hits"), ("rate %", "value"),
                      ("CI low", "ci_low"), ("CI high", "ci_high")],
    "ces": [("n", "n"), ("CES mean", "mean"), ("CI low", "ci_low"), ("CI high", "ci_high"),
            ("% agree", "agree_value")],
    "complaint_rate": [("complaints", "events"), ("exposure", "exposure"), ("per", "per"),
                       ("rate", "value"), ("CI low", "ci_low"), ("CI high", "ci_high")],
}  # fmt: skip


def _print_kpi(result: kpi.Kpi[Any], as_json: bool) -> None:
    rows = [kpi.row_dict(r) for r in result.rows]
    if as_json:
        _print_json(
            {
                "metric": result.metric,
                "period": result.period,
                "by": list(result.by),
                "min_n": result.min_n,
                "notes": result.notes,
                "rows": rows,
            }
        )
        return
    extra = ", ".join(f"{k} {v}" for k, v in result.notes.items())
    table = Table(title=f"{result.metric} (min n {result.min_n}{', ' + extra if extra else ''})")
    dims = (["period"] if result.period else []) + list(result.by)
    for d in dims:
        table.add_column(d)
    for label, _ in _COLUMNS[result.metric]:
        table.add_column(label, justify="right")
    for row in rows:
        cells = [str(row.get(d) or "—") for d in dims]
        for _, key in _COLUMNS[result.metric]:
            value = row.get(key)
            suppressed = row.get("suppressed") and key in ("value", "mean", "agree_value")
            cells.append("[dim]suppressed[/dim]" if suppressed else _fmt(value))
        table.add_row(*cells)
    Console().print(table)
    if not rows:
        console.print("no data (run `cxm analytics sync`, or widen the filters)")


def _fmt(value: Any, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _n(result: Any) -> int:
    return int(getattr(result, "n", getattr(result, "exposure", 0)))


def _span(span: tuple[datetime, datetime]) -> str:
    return f"{span[0].date()}..{(span[1] - timedelta(days=1)).date()}"


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
