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
from cxm.feedback.domain import FeedbackSource
from cxm.interactions.domain import TYPE_PATTERN, Direction, NewInteraction
from cxm.touchpoints.domain import Channel


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


_KINDS = tuple((kind.value, kind) for kind in IdentityKind)


def identities(record: dict[str, Any], *, phone_region: str) -> list[IdentityKey]:
    """Identities from flat columns (email, phone, ...) and/or an `identities` list."""
    raw: list[tuple[IdentityKind, Any]] = []
    get = record.get
    for column, kind in _KINDS:
        value = get(column)
        if value:
            raw.append((kind, value))
    listed = get("identities")
    if listed:
        raw.extend(_listed_identities(listed))
    keys: list[IdentityKey] = []
    for kind, value in raw:
        try:
            key = IdentityKey(kind, _normalized(kind, str(value), phone_region))
        except InvalidIdentity as exc:
            raise LineError(str(kind), str(exc)) from None
        if key not in keys:
            keys.append(key)
    return keys


def _listed_identities(listed: Any) -> list[tuple[IdentityKind, Any]]:
    if isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except json.JSONDecodeError:
            raise LineError("identities", "is not valid JSON") from None
    if not isinstance(listed, list):
        raise LineError("identities", "must be a list of {kind, value}")
    out: list[tuple[IdentityKind, Any]] = []
    for entry in listed:
        if not isinstance(entry, dict) or "kind" not in entry or "value" not in entry:
            raise LineError("identities", "each entry needs kind and value")
        try:
            out.append((IdentityKind(str(entry["kind"])), entry["value"]))
        except ValueError:
            raise LineError("identities", f"unknown identity kind '{entry['kind']}'") from None
    return out


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


_DIRECTIONS = {d.value: d for d in Direction}
_CHANNELS = {c.value: c for c in Channel}


def interaction(record: dict[str, Any], *, phone_region: str) -> NewInteraction:
    """The interaction of a line (this runs per line of large imports: kept lean)."""
    get = record.get
    customer_id = _uuid(record, "customer_id") if get("customer_id") else None
    keys = identities(record, phone_region=phone_region)
    if customer_id is None and not keys:
        raise LineError("customer_id", "give customer_id or an identity")
    touchpoint = _text(record, "touchpoint", max_len=64)
    channel_raw = get("channel")
    channel = None
    if channel_raw:
        channel = _CHANNELS.get(str(channel_raw).strip().lower())
        if channel is None:
            raise LineError("channel", f"'{channel_raw}' is not one of: {', '.join(_CHANNELS)}")
    if touchpoint is None and channel is None:
        raise LineError("touchpoint", "give a touchpoint or a channel")
    type_ = get("type")
    if not type_ or not isinstance(type_, str) or not TYPE_PATTERN.match(type_):
        raise LineError("type", f"'{type_ or ''}' is not a lower-case slug like 'call'")
    direction_raw = get("direction")
    direction = Direction.IN
    if direction_raw:
        found = _DIRECTIONS.get(str(direction_raw).strip().lower())
        if found is None:
            raise LineError("direction", f"'{direction_raw}' is not one of: in, out")
        direction = found
    properties = get("properties")
    return NewInteraction(
        event_id=_text(record, "event_id", max_len=128),
        customer_id=customer_id,
        identities=keys,
        touchpoint=touchpoint,
        channel=channel,
        direction=direction,
        type=type_,
        occurred_at=_aware(record, "occurred_at"),
        employee_id=_uuid(record, "employee_id") if get("employee_id") else None,
        text=_text(record, "text", max_len=100_000) if get("text") else None,
        properties=_json_object(record, "properties") if properties else {},
    )


_SOURCES = {s.value: s for s in FeedbackSource}


def feedback(record: dict[str, Any], *, phone_region: str) -> dict[str, Any]:
    """A complaint, review, post or note."""
    source_raw = _text(record, "source", required=True, max_len=20)
    assert source_raw is not None
    source = _SOURCES.get(source_raw.lower())
    if source is None:
        raise LineError("source", f"'{source_raw}' is not one of: {', '.join(_SOURCES)}")
    rating = _int(record, "rating")
    scale = _int(record, "rating_scale")
    if rating is not None and not 1 <= rating <= (scale or 5):
        raise LineError("rating", f"must be from 1 to {scale or 5}")
    return {
        "source": source,
        "text": _text(record, "text", required=True, max_len=100_000),
        "occurred_at": _aware(record, "occurred_at"),
        "customer_id": _uuid(record, "customer_id"),
        "identities": identities(record, phone_region=phone_region),
        "touchpoint": _text(record, "touchpoint", max_len=64),
        "rating": rating,
        "rating_scale": scale,
        "language": _text(record, "language", max_len=8),
        "product_model": _text(record, "product_model", max_len=200),
        "external_id": _text(record, "external_id", max_len=128),
        "properties": _json_object(record, "properties"),
    }


def response(record: dict[str, Any], *, phone_region: str) -> dict[str, Any]:
    """A survey response: answers as a JSON object `answers` or as columns `q_<question key>`."""
    answers = _json_object(record, "answers")
    for name, value in record.items():
        if name.startswith("q_") and value not in (None, ""):
            answers[name[2:]] = value
    if not answers:
        raise LineError("answers", "no answers (use an `answers` object or q_<key> columns)")
    language = _text(record, "language", max_len=2) or "de"
    if language not in ("de", "en"):
        raise LineError("language", "must be de or en")
    return {
        "survey": _text(record, "survey", required=True, max_len=64),
        "submitted_at": _aware(record, "submitted_at"),
        "answers": answers,
        "customer_id": _uuid(record, "customer_id"),
        "identities": identities(record, phone_region=phone_region),
        "touchpoint": _text(record, "touchpoint", max_len=64),
        "language": language,
        "external_id": _text(record, "external_id", max_len=128),
    }


def _int(record: dict[str, Any], name: str) -> int | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise LineError(name, f"'{value}' is not a whole number") from None
