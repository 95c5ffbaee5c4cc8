"""Use cases for consent and channel preferences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from cxm.consent.domain import (
    ConsentDecision,
    ConsentState,
    ContactChannel,
    Purpose,
    consent_state,
)
from cxm.consent.models import ChannelPreference, ConsentEntry
from cxm.customers import services as customers
from cxm.shared import events


def record_consent(
    db: Session,
    customer_id: uuid.UUID,
    *,
    purpose: Purpose,
    channel: ContactChannel,
    granted: bool,
    source: str,
    now: datetime,
    recorded_by: uuid.UUID | None = None,
    at: datetime | None = None,
) -> ConsentEntry:
    """Appends a grant or withdrawal to the ledger; earlier entries are kept."""
    customer = customers.get_customer(db, customer_id)
    entry = ConsentEntry(
        customer_id=customer.id,
        purpose=Purpose(purpose),
        channel=ContactChannel(channel),
        granted=granted,
        source=source,
        at=at or now,
        recorded_by=recorded_by,
    )
    db.add(entry)
    db.commit()
    return entry


def ledger(db: Session, customer_id: uuid.UUID) -> Sequence[ConsentEntry]:
    """Every consent decision of the customer, oldest first."""
    cid = customers.resolve_id(db, customer_id)
    return db.scalars(
        select(ConsentEntry).where(ConsentEntry.customer_id == cid).order_by(ConsentEntry.at)
    ).all()


def check(
    db: Session, customer_id: uuid.UUID, *, purpose: Purpose, channel: ContactChannel
) -> ConsentState:
    """Whether cxm may contact the customer for this purpose on this channel, and why."""
    decisions = [
        ConsentDecision(e.purpose, e.channel, e.granted, e.at, e.source)
        for e in ledger(db, customer_id)
    ]
    return consent_state(decisions, purpose=purpose, channel=channel)


def set_preferred_channels(
    db: Session, customer_id: uuid.UUID, channels: Sequence[ContactChannel], *, now: datetime
) -> list[ContactChannel]:
    """Replaces the customer's preferred channels (first = most preferred)."""
    cid = customers.resolve_id(db, customer_id)
    db.execute(delete(ChannelPreference).where(ChannelPreference.customer_id == cid))
    unique = list(dict.fromkeys(ContactChannel(c) for c in channels))
    for rank, channel in enumerate(unique):
        db.add(ChannelPreference(customer_id=cid, channel=channel, rank=rank, updated_at=now))
    db.commit()
    return unique


def preferred_channels(db: Session, customer_id: uuid.UUID) -> list[ContactChannel]:
    cid = customers.resolve_id(db, customer_id)
    return list(
        db.scalars(
            select(ChannelPreference.channel)
            .where(ChannelPreference.customer_id == cid)
            .order_by(ChannelPreference.rank)
        )
    )


def first_allowed_channel(
    db: Session, customer_id: uuid.UUID, *, purpose: Purpose
) -> tuple[ContactChannel | None, str]:
    """The most preferred channel the customer allows for the purpose, or None with the reason."""
    preferred = preferred_channels(db, customer_id) or [ContactChannel.EMAIL]
    reasons = []
    for channel in preferred:
        state = check(db, customer_id, purpose=purpose, channel=channel)
        if state.allowed:
            return channel, state.reason
        reasons.append(f"{channel.value}: {state.reason}")
    return None, "; ".join(reasons)


@events.subscribe(events.CustomersMerged)
def _move_consent(db: Session, event: events.CustomersMerged) -> dict[str, int]:
    """The ledger moves with the customer; the survivor's own preferences are kept."""
    moved = db.execute(
        update(ConsentEntry)
        .where(ConsentEntry.customer_id == event.merged_id)
        .values(customer_id=event.survivor_id)
    )
    has_own = db.scalar(
        select(ChannelPreference.id).where(ChannelPreference.customer_id == event.survivor_id)
    )
    if has_own:
        db.execute(
            delete(ChannelPreference).where(ChannelPreference.customer_id == event.merged_id)
        )
    else:
        db.execute(
            update(ChannelPreference)
            .where(ChannelPreference.customer_id == event.merged_id)
            .values(customer_id=event.survivor_id)
        )
    return {"consent_entries": int(cast(CursorResult[Any], moved).rowcount)}
