"""Segment rules: a JSON tree of all/any/not over typed conditions, parsed and checked (pure).

A rule is either a group or a condition::

    {"all": [node, ...]}   every child holds        {"any": [node, ...]}   at least one holds
    {"not": node}          the child does not hold
    {"field": "type", "op": "eq", "value": "business"}
    {"field": "complaints", "op": "gte", "value": 1, "days": 30}
    {"field": "interactions", "key": "call", "op": "gte", "value": 3, "days": 90}
    {"field": "attribute", "key": "segment", "op": "eq", "value": "young"}

`parse_rule` returns the tree or raises RuleError with the path of the first bad node
(``$.all[2].value``). Which fields exist, their operators and values: `FIELDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_DEPTH = 8
MAX_NODES = 100
MAX_VALUES = 100
MAX_TEXT = 200
MAX_DAYS = 3660
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class RuleError(ValueError):
    """A rule that cannot be used; ``path`` points at the offending node (JSONPath-like)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"


class Kind(StrEnum):
    CHOICE = "choice"  # one of fixed values
    TEXT = "text"
    NUMBER = "number"
    COUNT = "count"  # a count of events in the last `days` days
    FLAG = "flag"  # true / false


COMPARE = (Op.EQ, Op.GT, Op.GTE, Op.LT, Op.LTE)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    kind: Kind
    ops: tuple[Op, ...]
    choices: tuple[str, ...] = ()
    needs_key: bool = False  # attribute name or interaction type
    needs_days: bool = False
    minimum: float | None = None
    maximum: float | None = None
    label_de: str = ""
    label_en: str = ""


FIELDS: dict[str, FieldSpec] = {
    "type": FieldSpec(
        Kind.CHOICE, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), ("private", "business"),
        label_de="Kundentyp", label_en="Customer type",
    ),
    "language": FieldSpec(
        Kind.CHOICE, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), ("de", "en"),
        label_de="Sprache", label_en="Language",
    ),
    "region": FieldSpec(
        Kind.TEXT, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), label_de="Region", label_en="Region"
    ),
    "postal_code": FieldSpec(
        Kind.TEXT, (Op.EQ, Op.IN, Op.STARTS_WITH), label_de="Postleitzahl", label_en="Postal code"
    ),
    "attribute": FieldSpec(
        Kind.TEXT, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), needs_key=True,
        label_de="Kundenmerkmal", label_en="Customer attribute",
    ),
    "holding_model": FieldSpec(
        Kind.TEXT, (Op.EQ, Op.IN, Op.CONTAINS),
        label_de="Gerät/Modell (aktiv)", label_en="Device/model (active)",
    ),
    "holding_product": FieldSpec(
        Kind.TEXT, (Op.EQ, Op.IN), label_de="Produktcode (aktiv)", label_en="Product code (active)"
    ),
    "nps_category": FieldSpec(
        Kind.CHOICE, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), ("promoter", "passive", "detractor", "none"),
        label_de="NPS-Kategorie (letzte Antwort)", label_en="NPS category (latest answer)",
    ),
    "value_tier": FieldSpec(
        Kind.CHOICE, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN), ("high", "medium", "low", "none"),
        label_de="CLV-Stufe", label_en="CLV tier",
    ),
    "value_category": FieldSpec(
        Kind.CHOICE, (Op.EQ, Op.NE, Op.IN, Op.NOT_IN),
        ("priority", "nurture", "watch", "retain_cheaply", "standard", "none"),
        label_de="Wert × Erlebnis", label_en="Value × experience",
    ),
    "churn_risk": FieldSpec(
        Kind.NUMBER, (Op.GT, Op.GTE, Op.LT, Op.LTE), minimum=0.0, maximum=1.0,
        label_de="Abwanderungsrisiko (0–1)", label_en="Churn risk (0–1)",
    ),
    "complaints": FieldSpec(
        Kind.COUNT, COMPARE, needs_days=True, minimum=0,
        label_de="Beschwerden in den letzten N Tagen", label_en="Complaints in the last N days",
    ),
    "case_open": FieldSpec(
        Kind.FLAG, (Op.EQ,), label_de="Offener Fall", label_en="Open case"
    ),
    "interactions": FieldSpec(
        Kind.COUNT, COMPARE, needs_key=True, needs_days=True, minimum=0,
        label_de="Kontakte eines Typs in den letzten N Tagen",
        label_en="Contacts of a type in the last N days",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: Op
    value: Any  # str | float | int | bool | tuple[str, ...]
    key: str | None = None
    days: int | None = None


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = All | AnyOf | Not | Condition


def parse_rule(data: Any) -> Node:
    """The rule as a tree; RuleError (with the node's path) when any node is not valid."""
    counter = [0]
    return _node(data, "$", 1, counter)


def _node(data: Any, path: str, depth: int, counter: list[int]) -> Node:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise RuleError(path, f"a rule may have at most {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise RuleError(path, f"a rule may nest at most {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise RuleError(path, "expected an object: {all|any: [...]}, {not: ...} or a condition")
    groups = [k for k in ("all", "any", "not") if k in data]
    if groups:
        if len(data) != 1:
            raise RuleError(path, f"'{groups[0]}' must be the object's only key")
        name = groups[0]
        inner = data[name]
        if name == "not":
            return Not(_node(inner, f"{path}.not", depth + 1, counter))
        if not isinstance(inner, list) or not inner:
            raise RuleError(f"{path}.{name}", "expected a non-empty list of rules")
        children = tuple(
            _node(child, f"{path}.{name}[{i}]", depth + 1, counter) for i, child in enumerate(inner)
        )
        return All(children) if name == "all" else AnyOf(children)
    return _condition(data, path)


def _condition(data: dict[str, Any], path: str) -> Condition:
    allowed = {"field", "op", "value", "key", "days"}
    extra = sorted(set(data) - allowed)
    if extra:
        raise RuleError(f"{path}.{extra[0]}", "unknown key (use all, any, not or a condition)")
    name = data.get("field")
    if not isinstance(name, str) or name not in FIELDS:
        raise RuleError(f"{path}.field", f"unknown field; one of: {', '.join(FIELDS)}")
    spec = FIELDS[name]
    raw_op = data.get("op", "eq")
    if raw_op not in {op.value for op in spec.ops}:
        options = ", ".join(op.value for op in spec.ops)
        raise RuleError(f"{path}.op", f"'{name}' takes the operators {options}")
    op = Op(raw_op)

    key = data.get("key")
    if spec.needs_key:
        if not isinstance(key, str) or not _KEY.match(key):
            raise RuleError(f"{path}.key", "a name of 1–64 letters, digits, '_', '-' or '.'")
    elif key is not None:
        raise RuleError(f"{path}.key", f"'{name}' takes no key")

    days = data.get("days")
    if spec.needs_days:
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise RuleError(f"{path}.days", f"a whole number of days from 1 to {MAX_DAYS}")
    elif days is not None:
        raise RuleError(f"{path}.days", f"'{name}' takes no days")

    if "value" not in data:
        raise RuleError(f"{path}.value", "missing")
    value = _value(spec, op, data["value"], f"{path}.value")
    return Condition(name, op, value, key, days)


def _value(spec: FieldSpec, op: Op, value: Any, path: str) -> Any:
    if op in (Op.IN, Op.NOT_IN):
        if not isinstance(value, list) or not value or len(value) > MAX_VALUES:
            raise RuleError(path, f"a list of 1 to {MAX_VALUES} values")
        return tuple(_scalar(spec, item, f"{path}[{i}]") for i, item in enumerate(value))
    return _scalar(spec, value, path)


def _scalar(spec: FieldSpec, value: Any, path: str) -> Any:
    if spec.kind is Kind.FLAG:
        if not isinstance(value, bool):
            raise RuleError(path, "true or false")
        return value
    if spec.kind in (Kind.NUMBER, Kind.COUNT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(path, "a number")
        if spec.kind is Kind.COUNT and value != int(value):
            raise RuleError(path, "a whole number")
        if spec.minimum is not None and value < spec.minimum:
            raise RuleError(path, f"at least {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise RuleError(path, f"at most {spec.maximum:g}")
        return int(value) if spec.kind is Kind.COUNT else float(value)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise RuleError(path, f"a text of 1 to {MAX_TEXT} characters")
    if spec.kind is Kind.CHOICE and value not in spec.choices:
        raise RuleError(path, f"one of: {', '.join(spec.choices)}")
    return value


def to_json(node: Node) -> dict[str, Any]:
    """The tree back as its JSON form (normalised: default operators written out)."""
    if isinstance(node, All):
        return {"all": [to_json(c) for c in node.children]}
    if isinstance(node, AnyOf):
        return {"any": [to_json(c) for c in node.children]}
    if isinstance(node, Not):
        return {"not": to_json(node.child)}
    out: dict[str, Any] = {"field": node.field, "op": node.op.value}
    if node.key is not None:
        out["key"] = node.key
    if node.days is not None:
        out["days"] = node.days
    out["value"] = list(node.value) if isinstance(node.value, tuple) else node.value
    return out


def nps_category(score: int | None) -> str:
    """promoter (9–10), passive (7–8), detractor (0–6), none without an answer."""
    if score is None:
        return "none"
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
