"""Segments: saving rules, and compiling them to one SQL condition on the customers table.

Every condition becomes a column expression on ``customers`` (correlated EXISTS / scalar
subqueries for holdings, answers, cases and contacts), so a segment is counted and listed by
the database itself, on SQLite and PostgreSQL alike. Merged-away customers are never members.
Time windows ("in the last N days") end at ``now``; holdings count while active
(no end date, or one not before today).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxm.cases.models import Case
from cxm.customers.models import Customer, Holding
from cxm.interactions.models import Interaction
from cxm.segments import domain
from cxm.segments.domain import All, AnyOf, Condition, Node, Not, Op, RuleError
from cxm.segments.models import CustomerScore, Segment
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.surveys import services as surveys
from cxm.surveys.models import Survey, SurveyAnswer, SurveyResponse, TriggerRuleRow

COMPLAINT = "complaint"


def parse(rule: Any) -> Node:
    """The rule's tree; Invalid (422) naming the bad node's path otherwise."""
    try:
        return domain.parse_rule(rule)
    except RuleError as exc:
        raise Invalid(exc.message, field="rule", path=exc.path) from None


# ----------------------------------------------------------------------------------------------
# Compiling


def condition(node: Node, *, now: datetime) -> ColumnElement[bool]:
    """The rule as a boolean SQL expression over ``customers``."""
    if isinstance(node, All):
        return and_(*(condition(c, now=now) for c in node.children))
    if isinstance(node, AnyOf):
        return or_(*(condition(c, now=now) for c in node.children))
    if isinstance(node, Not):
        return not_(condition(node.child, now=now))
    return _leaf(node, now)


def _compare(column: Any, op: Op, value: Any) -> ColumnElement[bool]:
    match op:
        case Op.EQ:
            result: ColumnElement[bool] = column == value
        case Op.NE:
            result = or_(column.is_(None), column != value)
        case Op.IN:
            result = column.in_(list(value))
        case Op.NOT_IN:
            result = or_(column.is_(None), column.not_in(list(value)))
        case Op.CONTAINS:
            result = func.lower(column).contains(str(value).lower(), autoescape=True)
        case Op.STARTS_WITH:
            result = column.startswith(str(value), autoescape=True)
        case Op.GT:
            result = column > value
        case Op.GTE:
            result = column >= value
        case Op.LT:
            result = column < value
        case Op.LTE:
            result = column <= value
    return result


def _choice(column: Any, op: Op, value: Any, none: str = "none") -> ColumnElement[bool]:
    """A choice column where the value ``none`` stands for SQL NULL (no score, no answer)."""
    values = set(value) if isinstance(value, tuple) else {value}
    named = sorted(v for v in values if v != none)
    wants_none = none in values
    if op in (Op.NE, Op.NOT_IN):
        return and_(
            or_(column.is_(None), column.not_in(named)) if named else true(),
            column.is_not(None) if wants_none else true(),
        )
    return or_(
        column.in_(named) if named else false(),
        column.is_(None) if wants_none else false(),
    )


def _leaf(c: Condition, now: datetime) -> ColumnElement[bool]:
    field = c.field
    if field == "type":
        return _compare(Customer.type, c.op, c.value)
    if field == "language":
        return _compare(Customer.language, c.op, c.value)
    if field == "region":
        return _compare(Customer.region, c.op, c.value)
    if field == "postal_code":
        return _compare(Customer.postal_code, c.op, c.value)
    if field == "attribute":
        return _compare(Customer.attributes[c.key].as_string(), c.op, c.value)
    if field in ("holding_model", "holding_product"):
        column: Any = Holding.model if field == "holding_model" else Holding.product_code
        return exists(
            select(Holding.id).where(
                Holding.customer_id == Customer.id,
                or_(Holding.ended_on.is_(None), Holding.ended_on >= now.date()),
                _compare(column, c.op, c.value),
            )
        )
    if field == "nps_category":
        return _choice(_nps_category(), c.op, c.value)
    if field in ("value_tier", "value_category"):
        column = CustomerScore.value_tier if field == "value_tier" else CustomerScore.category
        return _choice(_score(column), c.op, c.value)
    if field == "churn_risk":
        return _compare(_score(CustomerScore.churn_risk), c.op, c.value)
    if field == "case_open":
        is_open = exists(
            select(Case.id).where(Case.customer_id == Customer.id, Case.is_open.is_(True))
        )
        return is_open if c.value else not_(is_open)
    assert c.days is not None
    since = now - timedelta(days=c.days)
    if field == "complaints":
        count = _count_interactions(COMPLAINT, since, now) + _count_complaint_cases(since, now)
    else:
        assert c.key is not None
        count = _count_interactions(c.key, since, now)
    return _compare(count, c.op, c.value)


def _score(column: Any) -> Any:
    return select(column).where(CustomerScore.customer_id == Customer.id).scalar_subquery()


def _nps_category() -> Any:
    latest = (
        select(SurveyAnswer.score)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyResponse.customer_id == Customer.id,
            SurveyAnswer.type == "nps",
            SurveyAnswer.score.is_not(None),
        )
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (latest >= 9, "promoter"),
        (latest >= 7, "passive"),
        (latest >= 0, "detractor"),
        else_=None,
    )


def _count_interactions(kind: str, since: datetime, now: datetime) -> Any:
    return (
        select(func.count(Interaction.id))
        .where(
            Interaction.customer_id == Customer.id,
            Interaction.type == kind,
            Interaction.occurred_at >= since,
            Interaction.occurred_at < now,
        )
        .scalar_subquery()
    )


def _count_complaint_cases(since: datetime, now: datetime) -> Any:
    return (
        select(func.count(Case.id))
        .where(
            Case.customer_id == Customer.id,
            Case.category == COMPLAINT,
            Case.opened_at >= since,
            Case.opened_at < now,
        )
        .scalar_subquery()
    )


def members_query(node: Node, *, now: datetime) -> Select[uuid.UUID]:
    """SELECT customers.id of the living customers the rule selects."""
    return select(Customer.id).where(Customer.merged_into_id.is_(None), condition(node, now=now))


# ----------------------------------------------------------------------------------------------
# Use cases


def count(db: Session, *, rule: Any, now: datetime) -> int:
    """How many living customers the (unsaved) rule selects now."""
    query = members_query(parse(rule), now=now).subquery()
    return int(db.scalar(select(func.count()).select_from(query)) or 0)


@dataclass(frozen=True, slots=True)
class Member:
    id: uuid.UUID
    display_name: str
    type: str
    region: str | None
    language: str


def members(
    db: Session,
    *,
    rule: Any,
    now: datetime,
    limit: int = 50,
    after: uuid.UUID | None = None,
) -> list[Member]:
    """A page of members in id order, after the id ``after`` (keyset pagination)."""
    node = parse(rule)
    query = (
        select(
            Customer.id, Customer.display_name, Customer.type, Customer.region, Customer.language
        )
        .where(Customer.merged_into_id.is_(None), condition(node, now=now))
        .order_by(Customer.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Customer.id > after)
    return [
        Member(row.id, row.display_name, str(row.type), row.region, str(row.language))
        for row in db.execute(query)
    ]


def member_ids(db: Session, segment_id: uuid.UUID, *, now: datetime) -> list[uuid.UUID]:
    """Every member of a saved segment now (for notices, triggers and dashboards)."""
    segment = get_segment(db, segment_id)
    node = parse(segment.rule)
    return list(db.scalars(members_query(node, now=now).order_by(Customer.id)))


# Candidates are checked in chunks: SQLite binds at most a few thousand parameters.
_CHUNK = 900


def contains(
    db: Session,
    segment_id: uuid.UUID,
    customer_ids: Iterable[uuid.UUID],
    *,
    now: datetime,
    rule: Any = None,
) -> set[uuid.UUID]:
    """The candidates that are members of the segment now: one query per 900 candidates.

    ``rule`` overrides the saved rule (a notice keeps the rule it was sent with)."""
    node = parse(rule if rule is not None else get_segment(db, segment_id).rule)
    ids = list(dict.fromkeys(customer_ids))
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(db.scalars(members_query(node, now=now).where(Customer.id.in_(chunk))))
    return found


def audience(
    db: Session, *, rule: Any, now: datetime, among: Select[Any] | None = None
) -> list[uuid.UUID]:
    """The rule's members now in id order; with ``among`` (a SELECT of customer ids, e.g. the
    holders of a model) only those it selects, intersected in the same query."""
    query = members_query(parse(rule), now=now)
    if among is not None:
        query = query.where(Customer.id.in_(among))
    return list(db.scalars(query.order_by(Customer.id)))


def find_segment(db: Session, segment_id: uuid.UUID, *, field: str = "segment_id") -> Segment:
    """The segment another feature refers to; an unknown id is a bad request (422 naming
    the field), not a missing page."""
    segment = db.get(Segment, segment_id)
    if segment is None:
        raise Invalid("segment not found", field=field)
    return segment


# ----------------------------------------------------------------------------------------------
# Where segments are used


@dataclass(frozen=True, slots=True)
class Usage:
    """Something that depends on a segment: deleting the segment would change what it does."""

    kind: str  # survey_trigger | notice
    id: uuid.UUID
    label: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": str(self.id), "label": self.label}


UsageFinder = Callable[[Session, uuid.UUID], list[Usage]]
Releaser = Callable[[Session, uuid.UUID], None]
_finders: list[UsageFinder] = []
_releasers: list[Releaser] = []


def register_usage(finder: UsageFinder, release: Releaser | None = None) -> None:
    """Lets a higher feature (outreach) report its uses of segments without segments
    importing it; ``release`` detaches references that must not block a deletion (history)."""
    if finder not in _finders:
        _finders.append(finder)
    if release is not None and release not in _releasers:
        _releasers.append(release)


def _trigger_usages(db: Session, segment_id: uuid.UUID) -> list[Usage]:
    rows = db.execute(
        select(TriggerRuleRow.id, TriggerRuleRow.interaction_type, Survey.key)
        .join(Survey, Survey.id == TriggerRuleRow.survey_id)
        .where(TriggerRuleRow.segment_id == segment_id, TriggerRuleRow.active.is_(True))
        .order_by(Survey.key, TriggerRuleRow.created_at)
    ).all()
    return [
        Usage("survey_trigger", row.id, f"survey '{row.key}': trigger on {row.interaction_type}")
        for row in rows
    ]


def _release_triggers(db: Session, segment_id: uuid.UUID) -> None:
    # A deactivated trigger never fires again; it need not keep the segment alive.
    db.execute(
        update(TriggerRuleRow)
        .where(TriggerRuleRow.segment_id == segment_id, TriggerRuleRow.active.is_(False))
        .values(segment_id=None)
    )


def usages(db: Session, segment_id: uuid.UUID) -> list[Usage]:
    """Active survey trigger rules and unsent notices that use the segment."""
    found = _trigger_usages(db, segment_id)
    for finder in _finders:
        found += finder(db, segment_id)
    return found


def get_segment(db: Session, segment_id: uuid.UUID) -> Segment:
    segment = db.get(Segment, segment_id)
    if segment is None:
        raise NotFound("segment not found")
    return segment


def list_segments(db: Session) -> list[Segment]:
    return list(db.scalars(select(Segment).order_by(Segment.name)))


def create_segment(
    db: Session,
    *,
    name: str,
    rule: Any,
    now: datetime,
    description: str | None = None,
    created_by: uuid.UUID | None = None,
) -> Segment:
    """Saves a named segment; the rule is checked first (422 with the bad node's path)."""
    node = parse(rule)
    segment = Segment(
        name=name.strip(),
        description=description,
        rule=domain.to_json(node),
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    db.add(segment)
    _commit(db)
    return segment


def update_segment(
    db: Session,
    segment_id: uuid.UUID,
    *,
    now: datetime,
    name: str | None = None,
    rule: Any = None,
    description: str | None = None,
) -> Segment:
    """Changes a segment's name, description or rule (checked as at creation)."""
    segment = get_segment(db, segment_id)
    if rule is not None:
        segment.rule = domain.to_json(parse(rule))
    if name is not None:
        segment.name = name.strip()
    if description is not None:
        segment.description = description
    segment.updated_at = now
    _commit(db)
    return segment


def delete_segment(db: Session, segment_id: uuid.UUID) -> None:
    """Deletes a segment nothing uses; 409 naming the trigger rules and unsent notices that do
    (sent notices keep the name and rule they were sent with)."""
    segment = get_segment(db, segment_id)
    used = usages(db, segment.id)
    if used:
        raise _in_use(used)
    _release_triggers(db, segment.id)
    for release in _releasers:
        release(db, segment.id)
    db.delete(segment)
    try:
        db.commit()
    except IntegrityError:
        # A trigger or notice took up the segment between the check and the delete.
        db.rollback()
        raise _in_use(usages(db, segment_id)) from None


def _in_use(used: list[Usage]) -> Conflict:
    names = "; ".join(u.label for u in used) or "another record"
    return Conflict(
        f"the segment is in use: {names}",
        field="segment_id",
        used_by=[u.as_dict() for u in used],
    )


def _commit(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict("a segment with this name exists", field="name") from None


def describe(rule: Any, *, language: str = "de") -> str:
    """A short human-readable form of a rule (for lists)."""
    node = parse(rule)
    return _describe(node, language)


def _describe(node: Node, language: str) -> str:
    if isinstance(node, All | AnyOf):
        word = (
            (" und " if language == "de" else " and ")
            if isinstance(node, All)
            else (" oder " if language == "de" else " or ")
        )
        parts = [_describe(c, language) for c in node.children]
        text = word.join(parts)
        return f"({text})" if len(parts) > 1 else text
    if isinstance(node, Not):
        return ("nicht " if language == "de" else "not ") + _describe(node.child, language)
    spec = domain.FIELDS[node.field]
    label = spec.label_de if language == "de" else spec.label_en
    value = ", ".join(map(str, node.value)) if isinstance(node.value, tuple) else str(node.value)
    extra = f"[{node.key}]" if node.key else ""
    days = f" ({node.days} d)" if node.days else ""
    return f"{label}{extra} {node.op.value} {value}{days}"


# ----------------------------------------------------------------------------------------------
# What lower features may ask (registered with them, so they need not import segments)


class _Directory:
    def name(self, db: Session, segment_id: uuid.UUID) -> str:
        return find_segment(db, segment_id).name

    def names(self, db: Session) -> dict[uuid.UUID, str]:
        rows = db.execute(select(Segment.id, Segment.name).order_by(Segment.name))
        return {row.id: row.name for row in rows}

    def contains(
        self,
        db: Session,
        segment_id: uuid.UUID,
        customer_ids: Iterable[uuid.UUID],
        *,
        now: datetime,
    ) -> set[uuid.UUID]:
        return contains(db, segment_id, customer_ids, now=now)


surveys.use_segments(_Directory())
