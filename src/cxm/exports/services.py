"""Streamed exports in the JSON Lines shape that `cxm import` reads back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.customers.models import Customer, Holding
from cxm.interactions.models import Interaction
from cxm.shared.errors import Invalid
from cxm.touchpoints.models import Touchpoint

KINDS = ("customers", "holdings", "interactions")


def export_rows(db: Session, what: str) -> Iterator[dict[str, Any]]:
    """Every living record of the kind, as plain dicts, read in batches."""
    if what not in KINDS:
        raise Invalid(f"cannot export '{what}'; choose one of {', '.join(KINDS)}", field="what")
    return {"customers": _customers, "holdings": _holdings, "interactions": _interactions}[what](db)


def _customers(db: Session) -> Iterator[dict[str, Any]]:
    query = (
        select(Customer)
        .where(Customer.merged_into_id.is_(None))
        .order_by(Customer.id)
        .execution_options(yield_per=2000)
    )
    for customer in db.scalars(query):
        yield {
            "id": str(customer.id),
            "display_name": customer.display_name,
            "salutation": customer.salutation,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "company_name": customer.company_name,
            "language": customer.language,
            "type": customer.type,
            "region": customer.region,
            "postal_code": customer.postal_code,
            "attributes": customer.attributes,
            "identities": [{"kind": i.kind, "value": i.value} for i in customer.identities],
            "created_at": customer.created_at.isoformat(),
        }


def _holdings(db: Session) -> Iterator[dict[str, Any]]:
    query = select(Holding).order_by(Holding.id).execution_options(yield_per=5000)
    for h in db.scalars(query):
        yield {
            "customer_id": str(h.customer_id),
            "external_id": h.external_id,
            "kind": h.kind,
            "product_code": h.product_code,
            "product_name": h.product_name,
            "model": h.model,
            "tariff": h.tariff,
            "serial": h.serial,
            "started_on": h.started_on.isoformat() if h.started_on else None,
            "ended_on": h.ended_on.isoformat() if h.ended_on else None,
            "attributes": h.attributes,
        }


def _interactions(db: Session) -> Iterator[dict[str, Any]]:
    query = (
        select(Interaction, Touchpoint.key)
        .outerjoin(Touchpoint, Touchpoint.id == Interaction.touchpoint_id)
        .order_by(Interaction.occurred_at, Interaction.id)
        .execution_options(yield_per=10_000)
    )
    for interaction, key in db.execute(query):
        yield {
            "id": str(interaction.id),
            "event_id": interaction.event_id,
            "customer_id": str(interaction.customer_id),
            "touchpoint": key,
            "channel": interaction.channel,
            "direction": interaction.direction,
            "type": interaction.type,
            "occurred_at": interaction.occurred_at.isoformat(),
            "employee_id": str(interaction.employee_id) if interaction.employee_id else None,
            "text": interaction.text,
            "properties": interaction.properties,
        }
