"""Background jobs: a huey queue (SQLite file by default, Redis when CXM_REDIS_URL is set) whose
periodic tasks call the features' jobs. Run the consumer with `cxm worker`.

Jobs take no objects, only ids or nothing, open their own session and call one service; every job
is idempotent (watermarks, unique keys), so a retry or a second worker does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from cxm.config import Settings, get_settings
from cxm.db import make_engine, make_session_factory
from cxm.shared.clock import utcnow

log = logging.getLogger("cxm.worker")


def make_queue(settings: Settings) -> Huey:
    """The job queue the settings name."""
    if settings.redis_url:
        return RedisHuey("cxm", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("cxm", filename=str(settings.data_dir / "jobs.sqlite3"))


queue = make_queue(get_settings())


@lru_cache(maxsize=1)
def _sessions() -> Callable[[], Session]:
    return make_session_factory(make_engine(get_settings().database_url))


def _run(name: str, job: Callable[[Session, Settings], dict[str, Any]]) -> dict[str, Any]:
    with _sessions()() as db:
        result = job(db, get_settings())
    log.info("%s: %s", name, result)
    return result


def dispatch_surveys(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.app import build_mailer
    from cxm.surveys import dispatch

    return dispatch.run(db, settings=settings, mailer=build_mailer(settings), now=utcnow())


def evaluate_alerts(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.alerts import services as alerts
    from cxm.app import build_mailer

    return alerts.evaluate(db, now=utcnow(), mailer=build_mailer(settings))


def analyse_texts(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.textanalytics import services as text

    global _analyser
    if _analyser is None:
        _analyser = text.analyser_for(db)
    return text.analyse_pending(db, analyser=_analyser, now=utcnow())


_analyser: Any = None


def deliver_messages(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.app import build_mailer
    from cxm.outreach import jobs

    return jobs.deliver_messages(db, settings, build_mailer(settings))


def open_cases(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.cases import signals

    return signals.open_from_signals(db, now=utcnow(), calendar_code=settings.business_calendar)


def watch_cases(db: Session, settings: Settings) -> dict[str, Any]:
    from cxm.app import build_mailer
    from cxm.cases import services as cases

    return cases.watch(db, now=utcnow(), mailer=build_mailer(settings))


def refresh_scores(db: Session, settings: Settings) -> dict[str, Any]:
    """CLV and churn scores. The purchase histories come from the analytical store (synced
    first when stale; on Spark with CXM_ANALYTICS_ENGINE=spark); when another process holds
    the DuckDB file, from a scratch store synced from the database for this run."""
    from cxm import features  # noqa: F401  (every table of the store, before it opens)
    from cxm.analytics import sync
    from cxm.analytics.engine import query_engine, spark_engine
    from cxm.analytics.settings import AnalyticsSettings, parquet_path, store_path
    from cxm.analytics.store import Store, StoreBusy
    from cxm.insights import services as insights

    now = utcnow()
    cfg = AnalyticsSettings()
    path = store_path(settings, cfg)

    def run(engine: Any) -> dict[str, Any]:
        result = insights.refresh_scores(db, now=now, engine=engine)
        return {"customers": result.customers, "clv": result.clv, "churn": result.churn}

    if cfg.engine == "spark" and cfg.max_lag_seconds < 0:  # a query host: a scheduled sync
        return run(spark_engine(cfg, parquet_path(path, cfg)))
    try:
        store = Store(path)
    except StoreBusy:
        log.warning("refresh_scores: %s is in use; reading a scratch store", path)
        return run(None)
    with store:
        sync.ensure_fresh(db, store, settings=cfg, now=now)
        return run(query_engine(store, cfg))


JOBS: dict[str, Callable[[Session, Settings], dict[str, Any]]] = {
    "dispatch_surveys": dispatch_surveys,
    "evaluate_alerts": evaluate_alerts,
    "analyse_texts": analyse_texts,
    "open_cases": open_cases,
    "watch_cases": watch_cases,
    "deliver_messages": deliver_messages,
    "refresh_scores": refresh_scores,
}


def _every_minute() -> None:
    _run("dispatch_surveys", dispatch_surveys)
    _run("analyse_texts", analyse_texts)
    _run("open_cases", open_cases)
    _run("watch_cases", watch_cases)
    _run("deliver_messages", deliver_messages)


def _every_five_minutes() -> None:
    _run("evaluate_alerts", evaluate_alerts)


def _every_night() -> None:
    _run("refresh_scores", refresh_scores)


every_night = queue.periodic_task(crontab(minute="15", hour="2"), retries=1, retry_delay=300)(
    _every_night
)
every_minute = queue.periodic_task(crontab(minute="*"), retries=2, retry_delay=10)(_every_minute)
every_five_minutes = queue.periodic_task(crontab(minute="*/5"), retries=2, retry_delay=30)(
    _every_five_minutes
)


def run_once(names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Runs the named jobs (all when None) now, in this process: `cxm worker --once`."""
    chosen = names or list(JOBS)
    return {name: _run(name, JOBS[name]) for name in chosen}
