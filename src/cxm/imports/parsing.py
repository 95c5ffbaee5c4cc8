"""Turn one line of a CSV or JSON Lines import into the domain form, or say what is wrong."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from cxm.customers.domain import (
    CustomerType,
    IdentityKey,
    IdentityKind,
    InvalidIdentity,
    Language,
    Salutation,
    normalize_identity,
)
from cxm.interactions.domain import TYPE_PATTERN, Direction, NewInteraction
from cxm.touchpoints.domain import Channel

IDENTITY_COLUMNS = tuple(kind.value for kind in IdentityKind)


class LineError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _text(
    record: dict[str, Any], name: str, *, required: bool = False, max_len: int = 300
) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LineError(name, "is required")
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if len(value) > max_len:
        raise LineError(name, f"is longer than {max_len} characters")
    return value


def _enum(record: dict[str, Any], name: str, enum: Any, default: Any) -> Any:
    value = _text(record, name)
    if value is None:
        return default
    try:
        return enum(value.lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise LineError(name, f"'{value}' is not one of: {allowed}") from None


def _uuid(record: dict[str, Any], name: str) -> uuid.UUID | None:
    value = _text(record, name)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise LineError(name, f"'{value}' is not a UUID") from None


def _date(record: dict[str, Any], name: str) -> date | None:
    value = _text(record, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LineError(name, f"'{value}' is not a date (YYYY-MM-DD)") from None


def _aware(record: dict[str, Any], name: str) -> datetime:
    value = _text(record, name, required=True)
    assert value is not None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise LineError(name, f"'{value}' is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise LineError(name, "has no timezone (add Z or +01:00)")
    return parsed


def _json_object(record: dict[str, Any], name: str) -> dict[str, Any]:
    value = record.get(name)
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise LineError(name, f"is not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise LineError(name, "must be a JSON object")
    return value


@lru_cache(maxsize=262_144)
def _normalized(kind: IdentityKind, value: str, region: str) -> str:
    return normalize_identity(kind, value, phone_region=region)


def identities(record: dict[str, Any], *, phone_region: str) -> list[IdentityKey]:
    """Identities from flat columns (email, phone, ...) and/or an `identities` list."""
    raw: list[tuple[str, Any]] = [(c, record.get(c)) for c in IDENTITY_COLUMNS if record.get(c)]
    listed = record.get("identities")
    if listed:
        if isinstance(listed, str):
            try:
                listed = json.loads(listed)
            except json.JSONDecodeError:
                raise LineError("identities", "is not valid JSON") from None
        if not isinstance(listed, list):
            raise LineError("identities", "must be a list of {kind, value}")
        for entry in listed:
            if not isinstance(entry, dict) or "kind" not in entry or "value" not in entry:
                raise LineError("identities", "each entry needs kind and value")
            raw.append((str(entry["kind"]), entry["value"]))
    keys: list[IdentityKey] = []
    for kind_name, value in raw:
        try:
            kind = IdentityKind(kind_name)
        except ValueError:
            raise LineError("identities", f"unknown identity kind '{kind_name}'") from None
        try:
            keys.append(IdentityKey(kind, _normalized(kind, str(value), phone_region)))
        except InvalidIdentity as exc:
            raise LineError(kind.value, str(exc)) from None
    return list(dict.fromkeys(keys))


def customer(record: dict[str, Any], *, phone_region: str) -> dict[str, Any]:
    """Fields and identities of a customer line."""
    keys = identities(record, phone_region=phone_region)
    first = _text(record, "first_name", max_len=200)
    last = _text(record, "last_name", max_len=200)
    company = _text(record, "company_name")
    if not (first or last or company or _text(record, "display_name")):
        raise LineError("last_name", "give a name (first/last, company or display name)")
    if not keys:
        raise LineError("identities", "give at least one identity (e.g. customer_number)")
    return {
        "identities": keys,
        "fields": {
            "salutation": _enum(record, "salutation", Salutation, Salutation.NONE),
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "display_name": _text(record, "display_name"),
            "language": _enum(record, "language", Language, Language.DE),
            "type": _enum(record, "type", CustomerType, CustomerType.PRIVATE),
            "region": _text(record, "region", max_len=100),
            "postal_code": _text(record, "postal_code", max_len=20),
            "attributes": _json_object(record, "attributes"),
        },
    }


def holding(record: dict[str, Any], *, phone_region: str) -> dict[str, Any]:
    """The owner (id or identities) and fields of a holding line."""
    owner = _uuid(record, "customer_id")
    keys = identities(record, phone_region=phone_region)
    if owner is None and not keys:
        raise LineError("customer_id", "give customer_id or an identity of the owner")
    started, ended = _date(record, "started_on"), _date(record, "ended_on")
    if started and ended and ended < started:
        raise LineError("ended_on", "is before started_on")
    kind = _text(record, "kind") or "product"
    if kind not in ("product", "contract"):
        raise LineError("kind", "must be 'product' or 'contract'")
    return {
        "customer_id": owner,
        "identities": keys,
        "fields": {
            "external_id": _text(record, "external_id", max_len=128),
            "kind": kind,
            "product_code": _text(record, "product_code", required=True, max_len=64),
            "product_name": _text(record, "product_name", required=True),
            "model": _text(record, "model", max_len=200),
            "tariff": _text(record, "tariff", max_len=200),
            "serial": _text(record, "serial", max_len=200),
            "started_on": started,
            "ended_on": ended,
            "attributes": _json_object(record, "attributes"),
        },
    }


def interaction(record: dict[str, Any], *, phone_region: str) -> NewInteraction:
    """The interaction of a line."""
    customer_id = _uuid(record, "customer_id")
    keys = identities(record, phone_region=phone_region)
    if customer_id is None and not keys:
        raise LineError("customer_id", "give customer_id or an identity")
    touchpoint = _text(record, "touchpoint", max_len=64)
    channel = _enum(record, "channel", Channel, None)
    if touchpoint is None and channel is None:
        raise LineError("touchpoint", "give a touchpoint or a channel")
    type_ = _text(record, "type", required=True, max_len=64)
    assert type_ is not None
    if not TYPE_PATTERN.match(type_):
        raise LineError("type", f"'{type_}' is not a lower-case slug like 'call'")
    return NewInteraction(
        event_id=_text(record, "event_id", max_len=128),
        customer_id=customer_id,
        identities=keys,
        touchpoint=touchpoint,
        channel=channel,
        direction=_enum(record, "direction", Direction, Direction.IN),
        type=type_,
        occurred_at=_aware(record, "occurred_at"),
        employee_id=_uuid(record, "employee_id"),
        text=_text(record, "text", max_len=100_000),
        properties=_json_object(record, "properties"),
    )
