"""Web figures: server time of the CX dashboard and the customer 360 page at 1,000,000 responses.

A throw-away SQLite operational database (migrated like any installation) is filled
deterministically: CXM_BENCH_WEB_RESPONSES (default 1,000,000) survey responses over the last
12 months in three surveys (an NPS answer each, a CSAT answer on half, a German or English
comment on ~30 %), as many interactions, a tenth as many feedback items (mostly complaints) and
customers (each with a customer number, an e-mail address, a product holding and segment
attributes), 20 touchpoints in 8 journey stages and 4 departments, and up to 5,000 open cases.
Activity is skewed: 30 % of all responses, interactions and feedback belong to 5 % of the
customers ("frequent" customers, ~60+ responses and interactions each), whose 360 pages are
the ones timed.

Text analyses are inserted directly (`text_analyses` with their `text_topics`, in the shape
`textanalytics.services` stores them) from a pool of 20 verbatims with fixed sentiment and
customer-service topics: running the real pipeline over ~450,000 texts would take longer than
the whole benchmark may. Surveys go through `surveys.services.create_survey`; the bulk rows are
SQLAlchemy Core inserts in chunks of 20,000.

The analytical store is then synced through `cxm.analytics.sync.sync` (what `cxm analytics
sync` runs), and a real `cxm serve` is timed over HTTP after logging in through the login form:
the dashboard (`/app`, and filtered), the 360 page of random frequent customers, the feedback
explorer's first page and the case queue. Latencies are measured at the client over loopback.
Pages that miss their goal are profiled once in-process (cProfile, FastAPI's TestClient, the
same database). CXM_BENCH_WEB_REQUESTS sets the timed requests per page (default 100, after 3
warm-ups); CXM_BENCH_WEB_PAGE_SECONDS caps the time per page (default 75 s, at least 20
requests): at full size the dashboards take seconds each on a busy 2-core machine.
`first_request_ms` is the first warm-up of each page: the dashboard's with empty caches (its
topic counts and the driver analysis are then kept for CXM_DASHBOARD_CACHE_SECONDS).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import numpy as np
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from cxm import features  # noqa: F401  (registers every model and analytics table)
from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics import sync
from cxm.analytics.settings import AnalyticsSettings, store_path
from cxm.analytics.store import Store
from cxm.cases.domain import (
    CaseSource,
    CaseStatus,
    Priority,
    add_business_time,
    calendar_from_code,
    policy_for,
)
from cxm.cases.models import Case, CaseNumber
from cxm.config import Settings
from cxm.customers.models import Customer, Holding, Identity
from cxm.db import make_engine, make_session_factory, new_id
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.migrate import upgrade
from cxm.surveys import services as surveys
from cxm.surveys.domain import SurveyStatus
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse
from cxm.textanalytics.models import TextAnalysis, TextTopic
from cxm.touchpoints import services as touchpoints

RESPONSES = int(os.environ.get("CXM_BENCH_WEB_RESPONSES", "1000000"))
CUSTOMERS = max(RESPONSES // 10, 1000)
INTERACTIONS = RESPONSES
FEEDBACK = max(RESPONSES // 10, 100)
CASES = min(5000, max(RESPONSES // 200, 100))
REQUESTS = int(os.environ.get("CXM_BENCH_WEB_REQUESTS", "100"))
PAGE_SECONDS = float(os.environ.get("CXM_BENCH_WEB_PAGE_SECONDS", "75"))
MIN_REQUESTS = 20  # per page, even past PAGE_SECONDS
WARMUP = 3
CHUNK = 20_000
DAYS = 365
FREQUENT_SHARE = 0.05  # of the customers ...
FREQUENT_ACTIVITY = 0.30  # ... get this share of all activity
COMMENT_SHARE = 0.30
INTERACTION_TEXT_SHARE = 0.05
PASSWORD = "bench-password-1"  # noqa: S105  (a throw-away user in a throw-away database)
GOALS_MS = {"dashboard": 500.0, "dashboard_filtered": 500.0, "customer_360": 150.0}
FILTERED = "/app?months=12&touchpoint=hotline-tech"
CALENDAR = "DE-BE"
TAXONOMY = "customer_service"

DEPARTMENTS = (("sales", "Vertrieb"), ("service", "Kundenservice"), ("tech", "Technik"))
DEPARTMENTS += (("billing", "Abrechnung"),)
# key, channel, interaction type, journey stage, department
TOUCHPOINTS = (
    ("web-home", "web", "page_view", "awareness", "sales"),
    ("web-tariffs", "web", "page_view", "consideration", "sales"),
    ("web-search", "web", "search", "consideration", "sales"),
    ("web-shop", "web", "order", "purchase", "sales"),
    ("shop-berlin", "store", "visit", "purchase", "sales"),
    ("shop-hamburg", "store", "visit", "purchase", "sales"),
    ("delivery", "field_service", "delivery", "onboarding", "tech"),
    ("activation", "web", "activation", "onboarding", "tech"),
    ("technician", "field_service", "visit", "onboarding", "tech"),
    ("app", "app", "app_event", "usage", "service"),
    ("app-billing", "app", "app_event", "usage", "billing"),
    ("invoice", "email", "email", "usage", "billing"),
    ("hotline-billing", "phone", "call", "service", "billing"),
    ("hotline-tech", "phone", "call", "service", "tech"),
    ("email-service", "email", "email", "service", "service"),
    ("chat", "chat", "chat_message", "service", "service"),
    ("social", "social", "post", "service", "service"),
    ("letter", "letter", "letter", "service", "service"),
    ("renewal-offer", "email", "email", "renewal", "sales"),
    ("cancellation", "phone", "call", "exit", "service"),
)
MODELS = (
    "Modell X",
    "Modell Y",
    "Modell Z",
    "Router 5G",
    "Router Fiber",
    "Tablet S",
    "Watch 2",
    "Modell X Pro",
)
TIERS = ("gold", "silver", "bronze")
CONTRACTS = ("prepaid", "postpaid", "business")
REGIONS = ("Berlin", "Hamburg", "Bayern", "Hessen", "NRW", "Sachsen")
FIRST = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ida", "Jonas")
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker")
# language, text, sentiment, score, ((topic, topic sentiment), ...), urgent
TEXTS: tuple[tuple[str, str, str, float, tuple[tuple[str, str], ...], bool], ...] = (
    ("de", "Anrufe brechen ständig ab, das Netz in der Wohnung ist eine Katastrophe.",
     "negative", -0.82, (("network_quality", "negative"),), False),
    ("de", "Die Rechnung ist zu hoch, der Tarif wurde doppelt berechnet.",
     "negative", -0.7, (("billing", "negative"), ("price_tariff", "negative")), False),
    ("de", "Schon wieder 30 Minuten in der Warteschleife, niemand erreichbar.",
     "negative", -0.75, (("hotline_waiting", "negative"),), False),
    ("de", "Das Handy ist nach zwei Wochen kaputt, die Reparatur dauert ewig.",
     "negative", -0.77, (("product_defect", "negative"),), False),
    ("de", "Ich will kündigen, wenn das Internet nicht endlich stabil läuft.",
     "negative", -0.85, (("contract_cancellation", "negative"), ("network_quality", "negative")),
     True),
    ("de", "Der Techniker kam nicht zum Termin, niemand hat Bescheid gegeben.",
     "negative", -0.8, (("delivery_provisioning", "negative"),), False),
    ("de", "Sehr freundliche Beratung im Shop, vielen Dank!",
     "positive", 0.88, (("staff", "positive"),), False),
    ("de", "Vielen Dank für die schnelle Hilfe bei der Freischaltung.",
     "positive", 0.8, (("delivery_provisioning", "positive"), ("staff", "positive")), False),
    ("de", "Die App ist übersichtlich, der Login klappt problemlos.",
     "positive", 0.6, (("website_app", "positive"),), False),
    ("de", "Preis ist in Ordnung, die Leistung auch.",
     "neutral", 0.1, (("price_tariff", "neutral"),), False),
    ("de", "Alles gut soweit.", "neutral", 0.2, (), False),
    ("en", "My internet keeps dropping every evening.",
     "negative", -0.72, (("network_quality", "negative"),), False),
    ("en", "I was charged twice on my last invoice.",
     "negative", -0.68, (("billing", "negative"),), False),
    ("en", "On hold for 40 minutes, nobody answers.",
     "negative", -0.74, (("hotline_waiting", "negative"),), False),
    ("en", "The app crashes when I log in.",
     "negative", -0.6, (("website_app", "negative"), ("product_defect", "negative")), False),
    ("en", "I want to cancel my contract, the price increase is too much.",
     "negative", -0.8, (("contract_cancellation", "negative"), ("price_tariff", "negative")),
     True),
    ("en", "Very friendly staff in the shop, thanks!",
     "positive", 0.9, (("staff", "positive"),), False),
    ("en", "Quick delivery and easy setup.",
     "positive", 0.78, (("delivery_provisioning", "positive"),), False),
    ("en", "Okay service overall.", "neutral", 0.05, (), False),
    ("en", "The new tariff is fair.", "neutral", 0.15, (("price_tariff", "neutral"),), False),
)  # fmt: skip
BY_SENTIMENT = {
    s: [i for i, t in enumerate(TEXTS) if t[2] == s] for s in ("negative", "neutral", "positive")
}


def run() -> dict[str, Any]:
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cxm-bench-web-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        settings = Settings(database_url=url, data_dir=folder)
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        now = datetime.now(UTC)
        with factory() as db:
            started = time.perf_counter()
            seeded, sample = _seed(db, now=now)
            seed_s = time.perf_counter() - started
            user = accounts.create_user(
                db, email="bench@example.com", name="Bench", role=Role.ADMIN, language="en"
            )
            accounts.set_password(db, user.id, PASSWORD)
        db_mb = (folder / "bench.db").stat().st_size / 1e6

        cfg = AnalyticsSettings()
        with factory() as db, Store(store_path(settings, cfg)) as store:
            started = time.perf_counter()
            report = sync.sync(db, store=store, settings=cfg)
            sync_s = time.perf_counter() - started
            started = time.perf_counter()
            sync.sync(db, store=store, settings=cfg)  # nothing new: what a stale read pays
            noop_s = time.perf_counter() - started
        engine.dispose()
        synced = sum(int(t["rows_written"]) for t in report["tables"].values())

        load_before = os.getloadavg()
        pages = _pages(sample)
        timings = _serve_and_time(url, folder, pages)
        load_after = os.getloadavg()
        profiles = {
            name: _profile(settings, pages[name])
            for name, figures in timings.items()
            if name in GOALS_MS and figures["p95_ms"] > GOALS_MS[name]
        }

    return {
        "data": {
            **seeded,
            "seed_seconds": round(seed_s, 1),
            "sqlite_mb": round(db_mb),
            "text_analyses_note": "inserted directly from a pool of 20 analysed verbatims; "
            "the real pipeline over this many texts would exceed the run's time",
        },
        "sync": {
            "rows": synced,
            "seconds": round(sync_s, 1),
            "rows_per_s": round(synced / sync_s),
            "noop_sync_seconds": round(noop_s, 2),
            "tables": {n: t["rows_written"] for n, t in report["tables"].items()},
        },
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_before_requests": [round(x, 2) for x in load_before],
        "load_average_at_end": [round(x, 2) for x in load_after],
        "pages": {
            name: {
                **figures,
                "goal_p95_ms": GOALS_MS.get(name),
                "p95_to_goal": round(figures["p95_ms"] / GOALS_MS[name], 2)
                if name in GOALS_MS
                else None,
            }
            for name, figures in timings.items()
        },
        "profiles": profiles,
    }


# --- data ------------------------------------------------------------------------------------


def _fast_insert(
    db: Session, model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk insert of rows already in SQLite's storage format (what SQLAlchemy's types write:
    UUIDs as 32 hex digits, naive-UTC 'YYYY-MM-DD HH:MM:SS.ffffff', JSON text, enum values):
    Core insert's per-value bind processing would triple the seeding time at this size."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    missing = [
        c.name
        for c in table.columns
        if not c.nullable and c.server_default is None and c.name not in columns
    ]
    assert not missing, (table.name, missing)
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    db.connection().exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(CHUNK, total - start)


def _customer_picks(rng: np.random.Generator, n: int, frequent: int) -> list[int]:
    """Customer indexes: FREQUENT_ACTIVITY of them among the first `frequent` customers."""
    skewed = rng.random(n) < FREQUENT_ACTIVITY
    picks = np.where(skewed, rng.integers(0, frequent, n), rng.integers(0, CUSTOMERS, n))
    return cast(list[int], picks.tolist())


def _ts(at: datetime) -> str:
    """A naive-UTC timestamp as SQLAlchemy's DateTime stores it on SQLite."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _seed(db: Session, *, now: datetime) -> tuple[dict[str, Any], list[uuid.UUID]]:
    """Everything the pages read; returns the counts and a sample of frequent customers."""
    rng = np.random.default_rng(2024)
    counts: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    base = now.astimezone(UTC).replace(tzinfo=None)

    started = time.perf_counter()
    touchpoints.ensure_default_stages(db)
    teams = [accounts.create_department(db, key=k, name=n).id for k, n in DEPARTMENTS]
    tp_ids = [
        touchpoints.create_touchpoint(
            db,
            key=key,
            name_de=key.replace("-", " ").title(),
            name_en=key.replace("-", " ").title(),
            channel=channel,
            stage=stage,
            department=dept,
            now=now,
        ).id.hex
        for key, channel, _, stage, dept in TOUCHPOINTS
    ]
    customer_ids = _seed_customers(db, rng, base=base)
    seconds["customers"] = time.perf_counter() - started
    frequent = max(int(CUSTOMERS * FREQUENT_SHARE), 1)

    started = time.perf_counter()
    survey_ids = _seed_surveys(db, now=now)
    counts |= _seed_responses(db, rng, customer_ids, tp_ids, survey_ids, frequent, base=base)
    seconds["responses"] = time.perf_counter() - started

    started = time.perf_counter()
    counts |= _seed_interactions(db, rng, customer_ids, tp_ids, frequent, base=base)
    seconds["interactions"] = time.perf_counter() - started

    started = time.perf_counter()
    counts |= _seed_feedback(db, rng, customer_ids, tp_ids, frequent, base=base)
    seconds["feedback"] = time.perf_counter() - started

    started = time.perf_counter()
    frequent_ids = [uuid.UUID(hex=h) for h in customer_ids[:frequent]]
    counts["open_cases"] = _seed_cases(
        db, frequent_ids, teams, [uuid.UUID(hex=h) for h in tp_ids], now=now
    )
    seconds["cases"] = time.perf_counter() - started

    started = time.perf_counter()
    db.connection().exec_driver_sql("ANALYZE")
    db.commit()
    seconds["analyze"] = time.perf_counter() - started
    sample = random.Random(5).sample(frequent_ids, min(frequent, 500))
    # the rows read back through the ORM as the app reads them
    assert db.get(Customer, sample[0]) is not None
    responses = select(func.count()).where(SurveyResponse.customer_id == sample[0])
    assert (db.scalar(responses) or 0) > 0
    assert db.scalars(select(TextAnalysis).limit(1)).one().occurred_at.tzinfo is not None
    first = db.scalars(select(SurveyResponse.id).order_by(SurveyResponse.id).limit(1)).one()
    assert first.version == 7 and first.variant == uuid.RFC_4122, first
    counts |= {
        "customers": CUSTOMERS,
        "frequent_customers": frequent,
        "touchpoints": len(TOUCHPOINTS),
        "surveys": len(survey_ids),
        "seed_seconds_by_part": {k: round(v, 1) for k, v in seconds.items()},
    }
    return counts, sample


def _seed_customers(db: Session, rng: np.random.Generator, *, base: datetime) -> list[str]:
    """Customers with a customer number, an e-mail address, segment attributes and a holding;
    returns their ids as hex."""
    ids = [uuid.UUID(int=x, version=4).hex for x in _random_ints(rng, CUSTOMERS)]
    attributes = {
        (t, c): json.dumps({"tier": TIERS[t], "contract": CONTRACTS[c]})
        for t in range(len(TIERS))
        for c in range(len(CONTRACTS))
    }
    for start, n in _chunks(CUSTOMERS):
        tier = rng.choice(3, n, p=[0.15, 0.35, 0.5]).tolist()
        contract = rng.choice(3, n, p=[0.3, 0.6, 0.1]).tolist()
        region = rng.integers(0, len(REGIONS), n).tolist()
        english = (rng.random(n) < 0.15).tolist()
        age = rng.integers(30, 3000, n).tolist()
        model = rng.integers(0, len(MODELS), n).tolist()
        customers, identities, holdings = [], [], []
        for j in range(n):
            i = start + j
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            since_at = base - timedelta(days=age[j])
            since = _ts(since_at)
            cid = ids[i]
            customers.append(
                (cid, f"{first} {last} {i}", "none", first, f"{last} {i}",
                 "en" if english[j] else "de", "private", REGIONS[region[j]],
                 attributes[tier[j], contract[j]], since, since)
            )  # fmt: skip
            identities.append((uuid.uuid4().hex, cid, "customer_number", f"K{i:08d}", 1, since))
            identities.append((uuid.uuid4().hex, cid, "email", f"kunde{i}@example.com", 1, since))
            holdings.append(
                (uuid.uuid4().hex, cid, "product", f"P{model[j]}", MODELS[model[j]],
                 MODELS[model[j]], since_at.date().isoformat(), "{}", since, since)
            )  # fmt: skip
        _fast_insert(
            db,
            Customer,
            ("id", "display_name", "salutation", "first_name", "last_name", "language", "type",
             "region", "attributes", "created_at", "updated_at"),
            customers,
        )  # fmt: skip
        _fast_insert(
            db,
            Identity,
            ("id", "customer_id", "kind", "value", "verified", "created_at"),
            identities,
        )
        _fast_insert(
            db,
            Holding,
            ("id", "customer_id", "kind", "product_code", "product_name", "model",
             "started_on", "attributes", "created_at", "updated_at"),
            holdings,
        )  # fmt: skip
    db.commit()
    return ids


def _random_ints(rng: np.random.Generator, n: int) -> Iterator[int]:
    hi = rng.integers(0, 2**63, n, dtype=np.uint64).tolist()
    lo = rng.integers(0, 2**63, n, dtype=np.uint64).tolist()
    for h, low in zip(hi, lo, strict=True):
        yield (h << 64) | low


def _seed_surveys(db: Session, *, now: datetime) -> list[str]:
    comment = {
        "key": "comment",
        "type": "text",
        "text_de": "Was können wir besser machen?",
        "text_en": "What could we do better?",
    }
    nps = {
        "key": "nps",
        "type": "nps",
        "text_de": "Wie wahrscheinlich empfehlen Sie uns weiter?",
        "text_en": "How likely are you to recommend us?",
        "required": True,
    }
    csat = {
        "key": "csat",
        "type": "csat",
        "text_de": "Wie zufrieden waren Sie?",
        "text_en": "How satisfied were you?",
    }
    ids = []
    for key, name in (
        ("relationship", "Beziehungsumfrage"),
        ("after-contact", "Nach dem Kontakt"),
        ("after-purchase", "Nach dem Kauf"),
    ):
        survey = surveys.create_survey(
            db,
            key=key,
            name=name,
            title_de=name,
            title_en=name,
            questions=[nps, csat, comment],
            now=now - timedelta(days=DAYS + 1),
        )
        surveys.set_status(db, key, SurveyStatus.LIVE, now=now - timedelta(days=DAYS + 1))
        ids.append(survey.id.hex)
    return ids


def _text_pick(rng: np.random.Generator, nps: list[int], n: int) -> list[int]:
    """A verbatim per row that fits the NPS (detractors mostly negative, promoters positive)."""
    u = rng.random(n).tolist()
    k = rng.integers(0, 1 << 30, n).tolist()
    out = []
    for j in range(n):
        score = nps[j]
        if score <= 6:
            mood = "negative" if u[j] < 0.85 else "neutral"
        elif score <= 8:
            mood = "neutral" if u[j] < 0.5 else ("negative" if u[j] < 0.75 else "positive")
        else:
            mood = "positive" if u[j] < 0.85 else "neutral"
        pool = BY_SENTIMENT[mood]
        out.append(pool[k[j] % len(pool)])
    return out


ANALYSIS_COLUMNS = (
    "id", "subject_type", "subject_id", "source", "customer_id", "touchpoint_id",
    "product_model", "occurred_at", "language", "masked_text", "sentiment", "sentiment_score",
    "topics", "flags", "products", "urgent", "model_version", "analysed_at", "corrected",
)  # fmt: skip
TOPIC_COLUMNS = ("id", "analysis_id", "taxonomy", "topic", "sentiment", "confidence", "occurred_at")
# the topics JSON of each verbatim, as textanalytics.services stores it
TOPICS_JSON = [
    json.dumps(
        [
            {"taxonomy": TAXONOMY, "topic": t, "confidence": 0.9, "sentiment": s, "evidence": []}
            for t, s in text[4]
        ]
    )
    for text in TEXTS
]


class _Clock:
    """Instants over the last DAYS days in arrival order, chunk by chunk, and UUIDv7 ids of
    those instants: rows get both when they arrive live, and the sync's id watermarks and
    overlap window rely on it (ids all minted during the seeding would all fall in the overlap)."""

    def __init__(self, rng: np.random.Generator, base: datetime, total: int) -> None:
        self.rng, self.total = rng, max(total, 1)
        self.start = base - timedelta(days=DAYS)
        self.start_ms = int(self.start.replace(tzinfo=UTC).timestamp() * 1000)
        self.span_ms = DAYS * 86400 * 1000
        self.bits: list[int] = []

    def chunk(self, first: int, n: int) -> tuple[list[str], list[int]]:
        """n ascending instants of rows first..first+n: stored text and epoch milliseconds."""
        lo = self.span_ms * first // self.total
        hi = max(self.span_ms * (first + n) // self.total, lo + 1)
        offsets = np.sort(self.rng.integers(lo, hi, n)).tolist()
        at = [
            (self.start + timedelta(milliseconds=m)).isoformat(" ", "microseconds") for m in offsets
        ]
        return at, [self.start_ms + m for m in offsets]

    def id(self, ms: int) -> str:
        """A UUIDv7 (RFC 9562) of the instant, as hex: 48-bit ms, version, random, variant."""
        if not self.bits:
            self.bits = self.rng.integers(0, 2**62, 65_536, dtype=np.uint64).tolist()
        r = self.bits.pop()
        return f"{(ms << 80) | (0x7 << 76) | ((r >> 50) << 64) | (0b10 << 62) | r:032x}"


class _Analyses:
    """text_analyses and text_topics rows of one chunk (analysed when the text arrived)."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.rows: list[tuple[Any, ...]] = []
        self.topics: list[tuple[Any, ...]] = []

    def add(
        self,
        subject_type: str,
        subject_id: str,
        source: str,
        text_no: int,
        customer_id: str,
        touchpoint_id: str,
        at: str,
        ms: int,
        model: str | None = None,
    ) -> None:
        language, text, sentiment, score, topics, urgent = TEXTS[text_no]
        analysis_id = self.clock.id(ms)
        self.rows.append(
            (analysis_id, subject_type, subject_id, source, customer_id, touchpoint_id, model,
             at, language, text, sentiment, score, TOPICS_JSON[text_no],
             '["churn_threat"]' if urgent else "[]", json.dumps([model] if model else []),
             urgent, "bench-synthetic", at, False)
        )  # fmt: skip
        for topic, mood in topics:
            self.topics.append((self.clock.id(ms), analysis_id, TAXONOMY, topic, mood, 0.9, at))

    def insert(self, db: Session) -> None:
        _fast_insert(db, TextAnalysis, ANALYSIS_COLUMNS, self.rows)
        _fast_insert(db, TextTopic, TOPIC_COLUMNS, self.topics)


def _seed_responses(
    db: Session,
    rng: np.random.Generator,
    customer_ids: list[str],
    tp_ids: list[str],
    survey_ids: list[str],
    frequent: int,
    *,
    base: datetime,
) -> dict[str, int]:
    """RESPONSES responses with their answers and the comments' analyses."""
    versions = {s.id.hex: s.current_version_id.hex for s in db.scalars(select(Survey))}  # type: ignore[union-attr]
    # touchpoints differ in NPS: a mean per touchpoint between 5.5 and 9
    tp_mean = np.linspace(5.5, 9.0, len(tp_ids))
    rng.shuffle(tp_mean)
    answers_n = comments = topics_n = 0
    clock = _Clock(rng, base, RESPONSES)
    for first, n in _chunks(RESPONSES):
        cust = _customer_picks(rng, n, frequent)
        tp = rng.integers(0, len(tp_ids), n)
        nps = np.clip(np.rint(rng.normal(tp_mean[tp], 2.2)), 0, 10).astype(int)
        csat = np.clip(np.rint(nps / 10 * 4 + 1 + rng.normal(0, 0.7, n)), 1, 5).astype(int)
        has_csat = (rng.random(n) < 0.5).tolist()
        has_comment = (rng.random(n) < COMMENT_SHARE).tolist()
        survey = rng.integers(0, len(survey_ids), n).tolist()
        channel = rng.choice(3, n, p=[0.7, 0.15, 0.15]).tolist()
        english = (rng.random(n) < 0.15).tolist()
        times, stamps = clock.chunk(first, n)
        nps_l, csat_l, tp_l = nps.tolist(), csat.tolist(), tp.tolist()
        texts = _text_pick(rng, nps_l, n)
        responses, answers = [], []
        analyses = _Analyses(clock)
        for j in range(n):
            at, ms = times[j], stamps[j]
            rid = clock.id(ms)
            sid = survey_ids[survey[j]]
            cid = customer_ids[cust[j]]
            tid = tp_ids[tp_l[j]]
            text_no = texts[j]
            language = TEXTS[text_no][0] if has_comment[j] else ("en" if english[j] else "de")
            responses.append(
                (rid, sid, versions[sid], cid, tid, ("link", "anonymous", "widget")[channel[j]],
                 language, at, "{}")
            )  # fmt: skip
            answers.append((clock.id(ms), rid, "nps", "nps", nps_l[j], None))
            if has_csat[j]:
                answers.append((clock.id(ms), rid, "csat", "csat", csat_l[j], None))
            if has_comment[j]:
                aid = clock.id(ms)
                answers.append((aid, rid, "comment", "text", None, TEXTS[text_no][1]))
                analyses.add("survey_answer", aid, "survey", text_no, cid, tid, at, ms)
        _fast_insert(
            db,
            SurveyResponse,
            ("id", "survey_id", "version_id", "customer_id", "touchpoint_id", "channel",
             "language", "submitted_at", "properties"),
            responses,
        )  # fmt: skip
        _fast_insert(
            db,
            SurveyAnswer,
            ("id", "response_id", "question_key", "type", "score", "text"),
            answers,
        )
        analyses.insert(db)
        db.commit()
        answers_n += len(answers)
        comments += len(analyses.rows)
        topics_n += len(analyses.topics)
    return {
        "responses": RESPONSES,
        "answers": answers_n,
        "comments": comments,
        "text_topics_of_comments": topics_n,
    }


def _seed_interactions(
    db: Session,
    rng: np.random.Generator,
    customer_ids: list[str],
    tp_ids: list[str],
    frequent: int,
    *,
    base: datetime,
) -> dict[str, int]:
    texts_n = 0
    clock = _Clock(rng, base, INTERACTIONS)
    for first, n in _chunks(INTERACTIONS):
        cust = _customer_picks(rng, n, frequent)
        tp = rng.integers(0, len(tp_ids), n).tolist()
        times, stamps = clock.chunk(first, n)
        inbound = (rng.random(n) < 0.8).tolist()
        has_text = (rng.random(n) < INTERACTION_TEXT_SHARE).tolist()
        text_no = rng.integers(0, len(TEXTS), n).tolist()
        duration = rng.integers(30, 900, n).tolist()
        rows = []
        analyses = _Analyses(clock)
        for j in range(n):
            at, ms = times[j], stamps[j]
            iid = clock.id(ms)
            _, channel, type_, _, _ = TOUCHPOINTS[tp[j]]
            cid, tid = customer_ids[cust[j]], tp_ids[tp[j]]
            text = TEXTS[text_no[j]][1] if has_text[j] and inbound[j] else None
            props = f'{{"duration_s": {duration[j]}}}' if type_ == "call" else "{}"
            rows.append(
                (iid, cid, tid, channel, "in" if inbound[j] else "out", type_, at, at, text, props)
            )
            if text is not None:
                analyses.add("interaction", iid, type_, text_no[j], cid, tid, at, ms)
        _fast_insert(
            db,
            Interaction,
            ("id", "customer_id", "touchpoint_id", "channel", "direction", "type",
             "occurred_at", "received_at", "text", "properties"),
            rows,
        )  # fmt: skip
        analyses.insert(db)
        db.commit()
        texts_n += len(analyses.rows)
    return {"interactions": INTERACTIONS, "interaction_texts": texts_n}


def _seed_feedback(
    db: Session,
    rng: np.random.Generator,
    customer_ids: list[str],
    tp_ids: list[str],
    frequent: int,
    *,
    base: datetime,
) -> dict[str, int]:
    sources = ("complaint", "review", "social", "agent_note", "email")
    complaints = 0
    neg = BY_SENTIMENT["negative"]
    clock = _Clock(rng, base, FEEDBACK)
    for first, n in _chunks(FEEDBACK):
        cust = _customer_picks(rng, n, frequent)
        tp = rng.integers(0, len(tp_ids), n).tolist()
        times, stamps = clock.chunk(first, n)
        source = rng.choice(len(sources), n, p=[0.6, 0.15, 0.1, 0.1, 0.05]).tolist()
        model = rng.integers(0, len(MODELS), n).tolist()
        rating = rng.integers(1, 6, n).tolist()
        pick = rng.integers(0, 1 << 30, n).tolist()
        rows = []
        analyses = _Analyses(clock)
        for j in range(n):
            at, ms = times[j], stamps[j]
            fid = clock.id(ms)
            cid, tid = customer_ids[cust[j]], tp_ids[tp[j]]
            src = sources[source[j]]
            text_no = neg[pick[j] % len(neg)] if src == "complaint" else pick[j] % len(TEXTS)
            product = MODELS[model[j]]
            review = src == "review"
            complaints += src == "complaint"
            rows.append(
                (fid, src, cid, tid, at, at, TEXTS[text_no][1], rating[j] if review else None,
                 5 if review else None, TEXTS[text_no][0], product, "{}")
            )  # fmt: skip
            analyses.add("feedback", fid, src, text_no, cid, tid, at, ms, product)
        _fast_insert(
            db,
            Feedback,
            ("id", "source", "customer_id", "touchpoint_id", "occurred_at", "received_at",
             "text", "rating", "rating_scale", "language", "product_model", "properties"),
            rows,
        )  # fmt: skip
        analyses.insert(db)
        db.commit()
    return {"feedback": FEEDBACK, "complaints": complaints}


def _seed_cases(
    db: Session,
    customer_ids: list[uuid.UUID],
    teams: list[uuid.UUID],
    tp_ids: list[uuid.UUID],
    *,
    now: datetime,
) -> int:
    """CASES open cases of frequent customers, in the shape open_case leaves them (as
    bench/cases.py seeds them, without pauses)."""
    rng = random.Random(17)
    calendar = calendar_from_code(CALENDAR)
    instants = [now - timedelta(seconds=rng.uniform(60, 30 * 86400)) for _ in range(24)]
    dues: dict[tuple[int, str, Priority], tuple[datetime, datetime, datetime]] = {}
    rows, numbers = [], []
    for n in range(CASES):
        sample = rng.randrange(len(instants))
        opened = instants[sample]
        category = rng.choice(("complaint", "inquiry", "technical", "billing"))
        priority = rng.choice((Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.HIGH))
        targets = policy_for(category, priority).targets
        key = (sample, category, priority)
        if key not in dues:
            dues[key] = (
                add_business_time(calendar, opened, targets.acknowledgement),
                add_business_time(calendar, opened, targets.first_response),
                add_business_time(calendar, opened, targets.resolution),
            )
        ack_due, first_due, resolve_due = dues[key]
        acked: datetime | None = opened + min((now - opened) * 0.1, timedelta(hours=2))
        status = rng.choice((CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.IN_PROGRESS))
        if status is CaseStatus.NEW:
            acked = None
        case_id = new_id()
        rows.append(
            {
                "id": case_id,
                "reference": f"CASE-{n + 1:06d}",
                "customer_id": customer_ids[rng.randrange(len(customer_ids))],
                "subject": rng.choice(TEXTS)[1][:80],
                "description": None,
                "category": category,
                "priority": priority,
                "status": status,
                "is_open": True,
                "source": rng.choice((CaseSource.AGENT, CaseSource.COMPLAINT)),
                "language": "de",
                "touchpoint_id": rng.choice(tp_ids),
                "topic": rng.choice(("network_quality", "billing", "hotline_waiting")),
                "topics": [],
                "team_id": rng.choice(teams),
                "escalation_level": 0,
                "calendar_code": CALENDAR,
                "ack_target_s": int(targets.acknowledgement.total_seconds()),
                "first_response_target_s": int(targets.first_response.total_seconds()),
                "resolution_target_s": int(targets.resolution.total_seconds()),
                "ack_due_at": ack_due,
                "first_response_due_at": first_due,
                "resolution_due_at": resolve_due,
                "next_due_at": first_due if acked else ack_due,
                "opened_at": opened,
                "acknowledged_at": acked,
                "status_changed_at": acked or opened,
            }
        )
        numbers.append({"number": n + 1, "case_id": case_id})
    for start in range(0, len(rows), CHUNK):  # few rows: Core insert
        db.execute(insert(cast(Table, Case.__table__)), rows[start : start + CHUNK])
        db.execute(insert(cast(Table, CaseNumber.__table__)), numbers[start : start + CHUNK])
    db.commit()
    return int(db.scalar(select(func.count()).select_from(Case)) or 0)


# --- the pages over HTTP -----------------------------------------------------------------------


def _pages(sample: list[uuid.UUID]) -> dict[str, Callable[[int], str]]:
    return {
        "dashboard": lambda _n: "/app",
        "dashboard_filtered": lambda _n: FILTERED,
        "customer_360": lambda n: f"/app/customers/{sample[n % len(sample)]}",
        "feedback_explorer": lambda _n: "/app/feedback",
        "case_queue": lambda _n: "/app/cases",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _login(client: Any) -> None:
    form = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and found, form.text[:500]
    response = client.post(
        "/login",
        data={"email": "bench@example.com", "password": PASSWORD, "csrf": found.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, (response.status_code, response.text[:500])
    check = client.get("/app/feedback")
    assert check.status_code == 200 and "/login" not in str(check.url), check.status_code


def _get(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])


def _serve_and_time(
    url: str, folder: Path, pages: dict[str, Callable[[int], str]]
) -> dict[str, dict[str, Any]]:
    port = _free_port()
    env = {**os.environ, "CXM_DATABASE_URL": url, "CXM_DATA_DIR": str(folder)}
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "cxm.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            _login(client)
            out = {}
            for name, path in pages.items():
                cold: list[float] = []  # the warm-ups; the first meets empty caches
                for n in range(WARMUP):
                    started = time.perf_counter()
                    _get(client, path(REQUESTS + n))
                    cold.append((time.perf_counter() - started) * 1000)
                latencies: list[float] = []
                began = time.perf_counter()
                for n in range(REQUESTS):
                    started = time.perf_counter()
                    _get(client, path(n))
                    latencies.append((time.perf_counter() - started) * 1000)
                    if time.perf_counter() - began > PAGE_SECONDS and n + 1 >= MIN_REQUESTS:
                        break
                out[name] = _figures(latencies, path(0))
                out[name]["first_request_ms"] = round(cold[0], 1)
        return out
    except Exception:
        log.flush()
        sys.stderr.write((folder / "serve.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _figures(latencies: list[float], path: str) -> dict[str, Any]:
    return {
        "example": path if "/customers/" not in path else "/app/customers/{frequent customer}",
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(statistics.quantiles(latencies, n=20)[-1], 1),
        "max_ms": round(max(latencies), 1),
    }


# --- profiles of pages that miss their goal ----------------------------------------------------


def _profile(settings: Settings, path: Callable[[int], str], runs: int = 3) -> dict[str, Any]:
    """cProfile over `runs` requests in-process (after 2 warm-ups): the costliest functions of
    the endpoint (FastAPI runs it in a worker thread, so the profiler is switched on there) and
    the costliest SQL statements on the operational database."""
    import fastapi.concurrency
    import fastapi.dependencies.utils
    import fastapi.routing
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from cxm.app import create_app

    app = create_app(settings)
    profiler = cProfile.Profile()
    patched = (fastapi.routing, fastapi.dependencies.utils, fastapi.concurrency)
    original = fastapi.routing.run_in_threadpool

    async def profiled(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            profiler.enable()
            try:
                return func(*args, **kwargs)
            finally:
                profiler.disable()

        return await original(call)

    statements: dict[str, list[float]] = {}
    recording = False

    def before(conn: Any, *_: Any) -> None:
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    def after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - conn.info["bench_t"].pop()
        if recording:
            statements.setdefault(" ".join(statement.split())[:150], []).append(elapsed)

    event.listen(app.state.engine, "before_cursor_execute", before)
    event.listen(app.state.engine, "after_cursor_execute", after)
    with TestClient(app) as client:
        _login(client)
        for n in range(2):
            _get(client, path(REQUESTS + WARMUP + n))
        for module in patched:
            module.run_in_threadpool = profiled  # type: ignore[attr-defined]
        recording = True
        cache_before = _compile_cache()
        try:
            started = time.perf_counter()
            for n in range(runs):
                _get(client, path(n))
            wall = (time.perf_counter() - started) / runs * 1000
            cache_after = _compile_cache()
        finally:
            recording = False
            for module in patched:
                module.run_in_threadpool = original  # type: ignore[attr-defined]
    stats = pstats.Stats(profiler, stream=io.StringIO())
    raw = cast(dict[Any, Any], stats.stats)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func_name), (_cc, calls, tottime, cumtime, _) in raw.items():
        rows.append((cumtime, tottime, calls, _where(filename, line, func_name)))
    cumulative = sorted(rows, key=lambda r: -r[0])
    own = sorted(rows, key=lambda r: -r[1])
    cxm_rows = [r for r in cumulative if r[3].startswith("cxm/")]
    sql = sorted(statements.items(), key=lambda kv: -sum(kv[1]))
    return {
        "requests": runs,
        "in_process_ms_per_request": round(wall, 1),
        "top_cxm_cumulative_ms": [_row(r, runs) for r in cxm_rows[:18]],
        "top_own_time_ms": [_row(r, runs) for r in own[:12]],
        "kpi_sql_compile_cache_per_request": {
            k: round((cache_after[k] - cache_before[k]) / runs, 1) for k in cache_before
        },
        "sqlite_ms_per_request": round(sum(sum(v) for v in statements.values()) / runs * 1000, 1),
        "top_sql_ms": [
            f"{sum(times) / runs * 1000:8.1f} ms {len(times) // runs:4d}x {text}"
            for text, times in sql[:6]
        ],
    }


def _compile_cache() -> dict[str, int]:
    """Hits and misses of the KPI layer's compiled-SQL cache (Ibis → SQL), if it has one."""
    from cxm.analytics import kpi

    info = getattr(getattr(kpi, "compiled_for", None), "cache_info", None)
    if info is None:
        return {}
    found = info()
    return {"hits": int(found.hits), "misses": int(found.misses)}


def _where(filename: str, line: int, func_name: str) -> str:
    marker = "/src/cxm/"
    if marker in filename:
        return f"cxm/{filename.split(marker, 1)[1]}:{line} {func_name}"
    if "site-packages/" in filename:
        return f"{filename.split('site-packages/', 1)[1]}:{line} {func_name}"
    return f"{Path(filename).name}:{line} {func_name}" if line else func_name


def _row(r: tuple[float, float, int, str], runs: int) -> str:
    cum, own, calls, where = r
    return f"{cum / runs * 1000:8.1f} cum {own / runs * 1000:7.1f} own {calls // runs:6d}x {where}"


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
