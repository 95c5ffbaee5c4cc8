"""The survey dispatcher: trigger rules over new interactions, then due invitations sent.

Run it from `cxm surveys dispatch` (cron or the worker) or `POST /api/v1/surveys/dispatch`.
It is idempotent: the interaction watermark and the one-invitation-per-trigger constraint make a
re-run after a crash create nothing twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cxm.config import Settings
from cxm.shared import watermarks
from cxm.shared.mail import Mailer
from cxm.surveys import services
from cxm.surveys.domain import FatiguePolicy

WATERMARK = "surveys.triggers.interaction_id"


def policy(settings: Settings) -> FatiguePolicy:
    """The one contact-fatigue policy every invitation obeys."""
    return FatiguePolicy(
        window=timedelta(days=settings.survey_fatigue_days),
        max_invitations=settings.survey_fatigue_max,
    )


def run(db: Session, *, settings: Settings, mailer: Mailer, now: datetime) -> dict[str, int]:
    """Creates invitations for new interactions and sends every invitation that is due."""
    invited = 0
    while True:
        raw = watermarks.get(db, WATERMARK)
        after = uuid.UUID(raw) if raw else None
        created, last = services.apply_triggers(
            db, now=now, policy=policy(settings), after_id=after
        )
        invited += created
        if last is None or last == after:
            break
        watermarks.put(db, WATERMARK, str(last), now=now)
        db.commit()
    sent = services.send_due(
        db,
        now=now,
        mailer=mailer,
        secret=settings.signing_key(),
        base_url=settings.public_base_url,
    )
    return {"invited": invited, "sent": sent}
