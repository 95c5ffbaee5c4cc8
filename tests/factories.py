"""Small factories: override only what a test needs."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.accounts.models import User
from cxm.customers import services as customers
from cxm.customers.models import Customer
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.models import Touchpoint

_seq = itertools.count(1)


def user(db: Session, *, role: Role = Role.AGENT, **overrides: Any) -> User:
    n = next(_seq)
    fields: dict[str, Any] = {"email": f"user{n}@example.com", "name": f"User {n}", "role": role}
    fields.update(overrides)
    return accounts.create_user(db, **fields)


def token(db: Session, *, role: Role = Role.AGENT, now: datetime) -> tuple[User, str]:
    u = user(db, role=role)
    _, plain = accounts.issue_token(db, user_id=u.id, name="test", now=now)
    return u, plain


def customer(db: Session, *, now: datetime, **overrides: Any) -> Customer:
    n = next(_seq)
    fields: dict[str, Any] = {
        "first_name": "Erika",
        "last_name": f"Muster{n}",
        "identities": [{"kind": "customer_number", "value": f"K{n:08d}"}],
    }
    fields.update(overrides)
    return customers.create_customer(db, now=now, **fields)


def touchpoint(db: Session, *, now: datetime, **overrides: Any) -> Touchpoint:
    touchpoints.ensure_default_stages(db)
    n = next(_seq)
    fields: dict[str, Any] = {
        "key": f"hotline-{n}",
        "name_de": "Hotline",
        "name_en": "Hotline",
        "channel": "phone",
        "stage": "service",
    }
    fields.update(overrides)
    return touchpoints.create_touchpoint(db, now=now, **fields)
