"""The `cxm` command line (Typer + Rich)."""

from __future__ import annotations

import csv
import json
import secrets
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.accounts.models import User
from cxm.config import Settings, get_settings
from cxm.db import make_engine, make_session_factory
from cxm.shared.clock import utcnow
from cxm.shared.errors import CxmError

app = typer.Typer(help="cxm — Customer Experience Management.", no_args_is_help=True)
import_app = typer.Typer(help="Import customers, holdings or interactions from CSV / JSON Lines.")
app.add_typer(import_app, name="import")
console = Console(stderr=True)


def _session(settings: Settings) -> Session:
    from cxm import features  # noqa: F401  (registers models and handlers)

    return make_session_factory(make_engine(settings.database_url))()


def _fail(exc: CxmError) -> None:
    field = f" ({exc.field})" if exc.field else ""
    console.print(f"[red]error{field}:[/red] {exc.message}")
    raise typer.Exit(2)


def _migrate(settings: Settings) -> None:
    from cxm import migrate

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    engine.dispose()


def _ensure_admin(db: Session, email: str, name: str) -> tuple[User, str | None]:
    """The first admin, created with a token and a password when the database has no admin yet
    (both printed once)."""
    from cxm.touchpoints import services as touchpoints

    touchpoints.ensure_default_stages(db)
    db.commit()
    admin = db.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.created_at))
    if admin is not None:
        return admin, None
    admin = accounts.create_user(db, email=email, name=name, role=Role.ADMIN, language="de")
    _, token = accounts.issue_token(db, user_id=admin.id, name="initial admin token", now=utcnow())
    password = secrets.token_urlsafe(9)
    accounts.set_password(db, admin.id, password)
    console.print(f"web login: [bold]{admin.email}[/bold] / password [bold]{password}[/bold]")
    return admin, token


@app.command()
def init(
    admin_email: Annotated[
        str, typer.Option(help="E-mail of the first admin.")
    ] = "admin@example.com",
    admin_name: Annotated[str, typer.Option(help="Name of the first admin.")] = "Administrator",
) -> None:
    """Create or upgrade the database, and the first admin with an API token (shown once)."""
    settings = get_settings()
    _migrate(settings)
    with _session(settings) as db:
        admin, token = _ensure_admin(db, admin_email, admin_name)
    console.print(f"[green]database ready[/green] at {settings.database_url}")
    if token:
        console.print(f"admin [bold]{admin.email}[/bold]; API token (shown once):")
        print(token)
    else:
        console.print(f"admin {admin.email} exists; create a new token with `cxm token create`.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API and web application with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "cxm.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 42,
    customers: Annotated[int, typer.Option(help="Number of customers.")] = 5000,
    months: Annotated[int, typer.Option(help="Months of history.")] = 12,
    interactions_per_customer: Annotated[
        float, typer.Option(help="Average interactions per customer.")
    ] = 40.0,
    reset: Annotated[bool, typer.Option(help="Delete an existing SQLite demo database.")] = False,
) -> None:
    """Build a realistic demo company (German telco + retail) into the configured database."""
    from cxm.demo import generator

    settings = get_settings()
    if reset:
        _remove_sqlite(settings.database_url)
    _migrate(settings)
    with _session(settings) as db:
        _, token = _ensure_admin(db, "admin@example.com", "Administrator")
        with _progress() as progress:
            tasks: dict[str, Any] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            try:
                summary = generator.build_demo(
                    db,
                    seed=seed,
                    customers=customers,
                    months=months,
                    interactions_per_customer=interactions_per_customer,
                    now=utcnow(),
                    progress=report,
                )
            except CxmError as exc:
                _fail(exc)
    table = Table(title="demo data")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in _fields(summary):
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value or "–"))
    console.print(table)
    if token:
        console.print("admin API token (shown once):")
        print(token)


def _fields(obj: Any) -> list[tuple[str, Any]]:
    from dataclasses import fields

    return [(f.name, getattr(obj, f.name)) for f in fields(obj)]


def _remove_sqlite(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        console.print("[red]--reset only deletes SQLite databases[/red]")
        raise typer.Exit(2)
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _import(kind: str, file: Path, chunk_size: int | None, report: Path | None) -> None:
    from cxm.imports import services as imports

    settings = get_settings()
    total = _count_lines(file)
    with _session(settings) as db, _progress() as progress:
        task = progress.add_task(f"import {kind}", total=total)
        try:
            run = imports.run_import(
                db,
                kind=kind,
                path=file,
                now=utcnow,
                chunk_size=chunk_size or settings.import_chunk_size,
                phone_region=settings.default_phone_region,
                progress=lambda done: progress.update(task, completed=done),
            )
        except CxmError as exc:
            _fail(exc)
        errors = imports.line_errors(db, run)
    console.print(
        f"{run.lines_done:,} lines: {run.created:,} created, {run.updated:,} updated, "
        f"{run.duplicates:,} already there, [{'red' if run.failed else 'green'}]"
        f"{run.failed:,} failed[/]"
    )
    if errors:
        report = report or file.with_name(file.name + ".errors.csv")
        with report.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "field", "reason"])
            writer.writerows((e.line, e.field, e.message) for e in errors)
        for err in errors[:20]:
            console.print(f"  line {err.line}: {err.field}: {err.message}")
        if len(errors) > 20:
            console.print(f"  ... {len(errors) - 20:,} more")
        console.print(f"error report: {report}")
        raise typer.Exit(1)


def _count_lines(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    return max(lines - (1 if path.suffix.lower() == ".csv" else 0), 0)


FileArg = Annotated[Path, typer.Argument(help="A .csv or .jsonl file.")]
ChunkOpt = Annotated[int | None, typer.Option(help="Lines per transaction.")]
ReportOpt = Annotated[Path | None, typer.Option(help="Where to write the bad-line report (CSV).")]


@import_app.command("customers")
def import_customers(file: FileArg, chunk_size: ChunkOpt = None, report: ReportOpt = None) -> None:
    """Customers with their identities (upserted by identity)."""
    _import("customers", file, chunk_size, report)


@import_app.command("holdings")
def import_holdings(file: FileArg, chunk_size: ChunkOpt = None, report: ReportOpt = None) -> None:
    """Products and contracts, by customer id or identity (upserted by external_id)."""
    _import("holdings", file, chunk_size, report)


@import_app.command("interactions")
def import_interactions(
    file: FileArg, chunk_size: ChunkOpt = None, report: ReportOpt = None
) -> None:
    """Interactions (idempotent by event_id; unknown identities create customers)."""
    _import("interactions", file, chunk_size, report)


@import_app.command("feedback")
def import_feedback(file: FileArg, chunk_size: ChunkOpt = None, report: ReportOpt = None) -> None:
    """Complaints, reviews, posts, notes (idempotent by external_id)."""
    _import("feedback", file, chunk_size, report)


@import_app.command("responses")
def import_responses(file: FileArg, chunk_size: ChunkOpt = None, report: ReportOpt = None) -> None:
    """Survey responses collected elsewhere (idempotent by external_id)."""
    _import("responses", file, chunk_size, report)


surveys_app = typer.Typer(help="Surveys.")
app.add_typer(surveys_app, name="surveys")


@surveys_app.command("dispatch")
def surveys_dispatch() -> None:
    """Create invitations from trigger rules and send those that are due (run from cron)."""
    from cxm.app import build_mailer
    from cxm.surveys import dispatch

    settings = get_settings()
    with _session(settings) as db:
        result = dispatch.run(db, settings=settings, mailer=build_mailer(settings), now=utcnow())
    console.print(f"{result['invited']:,} invited, {result['sent']:,} sent")


def _analytics_apps() -> None:
    from cxm.analytics.cli import analytics_app, kpi_app

    app.add_typer(kpi_app, name="kpi")
    app.add_typer(analytics_app, name="analytics")


_analytics_apps()

text_app = typer.Typer(help="Text analytics: train, evaluate, analyse stored texts.")
app.add_typer(text_app, name="text")


@text_app.command("train")
def text_train(
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same model).")] = 0,
    feedback: Annotated[
        Path | None, typer.Option(help="Your labelled feedback: JSONL {text, sentiment, topics}.")
    ] = None,
    with_corrections: Annotated[
        bool, typer.Option(help="Also learn from agents' corrections stored in the database.")
    ] = False,
    sources: Annotated[
        str, typer.Option(help="Shipped data sets to use, comma-separated.")
    ] = "germeval2017,mobasa,twitter_airline_sentiment",
    output: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped one).")
    ] = None,
) -> None:
    """Train the text models reproducibly and write the artefact and its model card."""
    from cxm.textanalytics import training
    from cxm.textanalytics.model import DEFAULT_MODEL_DIR

    corrections: list[Any] = []
    if with_corrections:
        from cxm.textanalytics import services as text
        from cxm.textanalytics.domain import Correction, Sentiment

        with _session(get_settings()) as db:
            corrections = [
                Correction(
                    text=line["text"],
                    sentiment=Sentiment(line["sentiment"]) if "sentiment" in line else None,
                    topics=tuple(line["topics"]) if "topics" in line else None,
                )
                for line in text.corrections_for_training(db)
            ]
        console.print(f"{len(corrections):,} corrections from the database")
    chosen = tuple(s.strip() for s in sources.split(",") if s.strip())
    bundle = training.train(
        seed,
        sources=chosen,
        feedback=feedback if feedback else (),
        corrections=corrections,
        output_dir=output or DEFAULT_MODEL_DIR,
    )
    console.print(f"trained model {bundle.version} into {output or DEFAULT_MODEL_DIR}")


@text_app.command("predict")
def text_predict(
    input: Annotated[Path, typer.Argument(help="GermEval 2017 TSV to read.")],
    output: Annotated[Path, typer.Argument(help="TSV to write with cxm's predictions.")],
    format: Annotated[str, typer.Option("--format", help="Only 'germeval'.")] = "germeval",
) -> None:
    """Predict relevance, sentiment and aspects for a GermEval 2017 TSV file."""
    from cxm.textanalytics import germeval

    if format != "germeval":
        console.print("[red]only --format germeval is supported[/red]")
        raise typer.Exit(2)
    count = germeval.predict_file(input, output)
    console.print(f"{count:,} documents predicted into {output}")


@text_app.command("eval")
def text_eval(
    gold: Annotated[Path, typer.Argument(help="GermEval 2017 TSV with the gold labels.")],
    predicted: Annotated[
        Path | None, typer.Argument(help="Predictions TSV (default: predict now).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="Only 'germeval'.")] = "germeval",
) -> None:
    """Micro-F1 for subtasks A, B, C1 and C2 as the official GermEval 2017 scorer computes them."""
    from cxm.textanalytics import germeval

    if format != "germeval":
        console.print("[red]only --format germeval is supported[/red]")
        raise typer.Exit(2)
    print(germeval.evaluate_json(gold, predicted))


@text_app.command("backfill")
def text_backfill(
    batch_size: Annotated[int, typer.Option(help="Texts per batch (one transaction each).")] = 256,
    engine: Annotated[
        str,
        typer.Option(
            help="process (this process) or spark (a Spark job on CXM_ANALYTICS_SPARK_MASTER)."
        ),
    ] = "process",
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master URL (default CXM_ANALYTICS_SPARK_MASTER, local[2])."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="With spark: texts per Spark job (one transaction each).")
    ] = 20_000,
) -> None:
    """Analyse every stored text not analysed yet (resumable: run it again after a stop)."""
    from cxm.textanalytics import services as text

    if engine not in ("process", "spark"):
        console.print("[red]error (engine):[/red] use process or spark")
        raise typer.Exit(2)
    with _session(get_settings()) as db:
        total = text.pending_count(db)
        with _progress() as progress:
            task = progress.add_task("analyse texts", total=total)
            done_before: dict[str, int] = {}

            def report(subject: str, count: int) -> None:
                done_before[subject] = count
                progress.update(task, completed=sum(done_before.values()))

            if engine == "spark":
                from cxm.analytics.settings import AnalyticsSettings
                from cxm.analytics.spark import spark_session
                from cxm.textanalytics import spark_backfill

                cfg = AnalyticsSettings()
                session = spark_session(spark_master or cfg.spark_master, cfg.spark_conf)
                result = spark_backfill.backfill(
                    db, spark=session, now=utcnow(), chunk_size=chunk_size,
                    batch_size=batch_size, progress=report,
                )  # fmt: skip
            else:
                result = text.analyse_pending(
                    db, analyser=text.analyser_for(db), now=utcnow(), batch_size=batch_size,
                    progress=report,
                )  # fmt: skip
    console.print(", ".join(f"{k}: {v:,}" for k, v in result.items()))


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run every job once now and exit.")] = False,
    workers: Annotated[int, typer.Option(help="Consumer threads.")] = 1,
) -> None:
    """Run the background jobs (survey dispatch, alerts, text analysis) on their schedule."""
    from cxm import worker as jobs

    if once:
        for name, result in jobs.run_once().items():
            console.print(f"{name}: {result}")
        return
    consumer = jobs.queue.create_consumer(workers=workers, periodic=True)
    console.print(f"worker started ({workers} thread(s)); Ctrl+C stops it")
    consumer.run()


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="customers, holdings or interactions")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Export as JSON Lines (the same shape `cxm import` reads)."""
    from cxm.exports import services as exports

    settings = get_settings()
    with _session(settings) as db:
        try:
            rows = exports.export_rows(db, what)
        except CxmError as exc:
            _fail(exc)
        out = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            count = 0
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                count += 1
        finally:
            if output:
                out.close()
    console.print(f"exported {count:,} {what}")


token_app = typer.Typer(help="API tokens.")
user_app = typer.Typer(help="Users.")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    email: str,
    name: str,
    role: Annotated[Role, typer.Option(help="admin, cx_manager, analyst or agent")] = Role.AGENT,
    language: Annotated[str, typer.Option(help="de or en")] = "de",
    department: Annotated[str | None, typer.Option(help="Department key.")] = None,
) -> None:
    """Create a user."""
    with _session(get_settings()) as db:
        try:
            user = accounts.create_user(
                db, email=email, name=name, role=role, language=language, department_key=department
            )
        except CxmError as exc:
            _fail(exc)
        print(user.id)


@user_app.command("set-password")
def user_set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password for the web application."""
    with _session(get_settings()) as db:
        user = db.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None:
            console.print(f"[red]no user {email}[/red]")
            raise typer.Exit(2)
        try:
            accounts.set_password(db, user.id, password)
        except CxmError as exc:
            _fail(exc)
    console.print("password set")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Issue an API token for a user (printed once)."""
    with _session(get_settings()) as db:
        user = db.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None:
            console.print(f"[red]no user {email}[/red]")
            raise typer.Exit(2)
        _, token = accounts.issue_token(db, user_id=user.id, name=name, now=utcnow())
    print(token)


@token_app.command("revoke")
def token_revoke(token_id: uuid.UUID) -> None:
    """Revoke a token by id."""
    with _session(get_settings()) as db:
        try:
            accounts.revoke_token(db, token_id=token_id, now=utcnow())
        except CxmError as exc:
            _fail(exc)
    console.print("revoked")


if __name__ == "__main__":
    app()
