"""Delivery of queued messages: right after a request, and by the worker for retries."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from cxm.config import Settings
from cxm.outreach import services
from cxm.outreach.channels import build_adapters
from cxm.shared.clock import utcnow
from cxm.shared.mail import Mailer

log = logging.getLogger("cxm.outreach")


def delivery_context(settings: Settings, mailer: Mailer) -> services.DeliveryContext:
    """The adapters and link settings the configuration names."""
    adapters = build_adapters(
        mailer=mailer,
        sms_url=settings.sms_provider_url,
        sms_api_key=settings.sms_api_key,
        sms_sender=settings.sms_sender,
        webhook_url=settings.webhook_url,
        webhook_secret=settings.webhook_secret,
    )
    return services.DeliveryContext(
        adapters=adapters,
        base_url=settings.public_base_url,
        secret=settings.signing_key(),
        company_name=settings.company_name,
    )


def deliver_now(app: Any) -> None:
    """Sends what is due now in a fresh session; failures stay queued for the worker."""
    try:
        with app.state.session_factory() as db:
            services.deliver(db, app.state.delivery, now=app.state.clock.now())
    except Exception:  # the request already succeeded; the worker will retry
        log.exception("delivery after request failed")


def deliver_messages(db: Session, settings: Settings, mailer: Mailer) -> dict[str, Any]:
    return services.deliver(db, delivery_context(settings, mailer), now=utcnow())
