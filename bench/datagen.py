"""Deterministic data for the foundation benchmarks: customers and an interactions CSV."""

from __future__ import annotations

import csv
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cxm.customers.models import Customer, Identity
from cxm.touchpoints import services as touchpoints

TOUCHPOINTS = [
    ("web-home", "web", "page_view"),
    ("web-tariffs", "web", "page_view"),
    ("web-search", "web", "search"),
    ("hotline-billing", "phone", "call"),
    ("hotline-tech", "phone", "call"),
    ("email-service", "email", "email"),
    ("chat", "chat", "chat_message"),
    ("app", "app", "app_event"),
    ("shop-berlin", "store", "visit"),
    ("letter", "letter", "letter"),
]
TEXTS = [
    "Anrufe brechen ständig ab, bitte um Rückruf.",
    "Die Rechnung ist zu hoch, ich habe den Tarif M und zahle mehr.",
    "Very friendly staff in the shop, thanks!",
    "Warteschleife schon wieder 30 Minuten.",
    "My internet keeps dropping every evening.",
    "Vielen Dank für die schnelle Hilfe!",
]
START = datetime(2025, 11, 1, tzinfo=UTC)


def customer_number(n: int) -> str:
    return f"K{n:08d}"


def seed_customers(db: Session, n_customers: int, *, now: datetime) -> list[uuid.UUID]:
    """n customers with a customer number each, and the touchpoint catalogue."""
    touchpoints.ensure_default_stages(db)
    for key, channel, _ in TOUCHPOINTS:
        touchpoints.create_touchpoint(
            db, key=key, name_de=key, name_en=key, channel=channel, stage="service", now=now
        )
    rng = random.Random(7)
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n_customers)]
    for start in range(0, n_customers, 10_000):
        part = range(start, min(start + 10_000, n_customers))
        db.execute(
            insert(Customer),
            [
                {
                    "id": ids[i],
                    "display_name": f"Kunde {i}",
                    "attributes": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i in part
            ],
        )
        db.execute(
            insert(Identity),
            [
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": ids[i],
                    "kind": "customer_number",
                    "value": customer_number(i),
                    "verified": True,
                    "created_at": now,
                }
                for i in part
            ],
        )
    db.commit()
    return ids


def write_interactions_csv(path: Path, *, rows: int, n_customers: int, seed: int = 1) -> None:
    """A CSV of interactions referencing customers by customer number; 30% carry text."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "event_id",
                "customer_number",
                "touchpoint",
                "type",
                "direction",
                "occurred_at",
                "text",
                "properties",
            ]
        )
        for i in range(rows):
            key, _, type_ = TOUCHPOINTS[rng.randrange(len(TOUCHPOINTS))]
            at = START + timedelta(seconds=rng.randrange(365 * 86400))
            text = TEXTS[rng.randrange(len(TEXTS))] if rng.random() < 0.3 else ""
            props = json.dumps({"duration_s": rng.randrange(30, 900)}) if type_ == "call" else ""
            writer.writerow(
                [
                    f"bench-{i}",
                    customer_number(rng.randrange(n_customers)),
                    key,
                    type_,
                    "in" if rng.random() < 0.8 else "out",
                    at.isoformat(),
                    text,
                    props,
                ]
            )
