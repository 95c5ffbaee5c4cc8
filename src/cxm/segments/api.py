"""Segment routes: CRUD, live counts, members, a preview for unsaved rules and the field list.

Reading needs analytics:read; saving, changing and deleting outreach:manage (segments feed
notices and triggers, which that permission governs).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from cxm.accounts.domain import Permission
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, require
from cxm.segments import domain, services
from cxm.segments.schemas import (
    CountOut,
    FieldOut,
    MemberOut,
    PreviewOut,
    RuleIn,
    SegmentCreate,
    SegmentOut,
    SegmentUpdate,
)
from cxm.shared.errors import Invalid
from cxm.shared.pagination import Page, decode_cursor, encode_cursor

router = APIRouter(tags=["segments"])

Reader = Annotated[User, Depends(require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(require(Permission.OUTREACH_MANAGE))]


@router.get("/segments/fields")
def fields(user: Reader) -> list[FieldOut]:
    """The conditions a rule can use, with their operators and values."""
    return [
        FieldOut(
            field=name,
            kind=spec.kind.value,
            ops=[op.value for op in spec.ops],
            choices=list(spec.choices),
            needs_key=spec.needs_key,
            needs_days=spec.needs_days,
            label_de=spec.label_de,
            label_en=spec.label_en,
        )
        for name, spec in domain.FIELDS.items()
    ]


@router.get("/segments")
def list_segments(db: DbSession, user: Reader) -> list[SegmentOut]:
    return [SegmentOut.model_validate(s) for s in services.list_segments(db)]


@router.post("/segments", status_code=201)
def create_segment(
    body: SegmentCreate, db: DbSession, user: Manager, clock: ClockDep
) -> SegmentOut:
    """Saves a segment; a bad rule is refused with 422 and the path of the bad node."""
    segment = services.create_segment(
        db,
        name=body.name,
        description=body.description,
        rule=body.rule,
        created_by=user.id,
        now=clock.now(),
    )
    out = SegmentOut.model_validate(segment)
    out.count = services.count(db, rule=segment.rule, now=clock.now())
    return out


@router.post("/segments/preview")
def preview(body: RuleIn, db: DbSession, user: Reader, clock: ClockDep) -> PreviewOut:
    """The live count (and the first members) of a rule that is not saved."""
    now = clock.now()
    node = services.parse(body.rule)
    return PreviewOut(
        count=services.count(db, rule=body.rule, now=now),
        at=now,
        rule=domain.to_json(node),
        sample=[
            MemberOut(**vars_of(m)) for m in services.members(db, rule=body.rule, now=now, limit=10)
        ],
    )


@router.get("/segments/{segment_id}")
def get_segment(segment_id: uuid.UUID, db: DbSession, user: Reader) -> SegmentOut:
    return SegmentOut.model_validate(services.get_segment(db, segment_id))


@router.patch("/segments/{segment_id}")
def update_segment(
    segment_id: uuid.UUID, body: SegmentUpdate, db: DbSession, user: Manager, clock: ClockDep
) -> SegmentOut:
    segment = services.update_segment(
        db,
        segment_id,
        now=clock.now(),
        name=body.name,
        description=body.description,
        rule=body.rule,
    )
    return SegmentOut.model_validate(segment)


@router.delete("/segments/{segment_id}", status_code=204)
def delete_segment(segment_id: uuid.UUID, db: DbSession, user: Manager) -> Response:
    services.delete_segment(db, segment_id)
    return Response(status_code=204)


@router.get("/segments/{segment_id}/count")
def count(segment_id: uuid.UUID, db: DbSession, user: Reader, clock: ClockDep) -> CountOut:
    """How many customers the segment holds now."""
    segment = services.get_segment(db, segment_id)
    now = clock.now()
    return CountOut(count=services.count(db, rule=segment.rule, now=now), at=now)


@router.get("/segments/{segment_id}/members")
def members(
    segment_id: uuid.UUID,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[MemberOut]:
    """The segment's members now, in pages (keyset cursor)."""
    segment = services.get_segment(db, segment_id)
    after = None
    if cursor:
        values = decode_cursor(cursor)
        try:
            after = uuid.UUID(str(values[0]))
        except (ValueError, IndexError):
            raise Invalid("cursor is not valid", field="cursor") from None
    rows = services.members(db, rule=segment.rule, now=clock.now(), limit=limit + 1, after=after)
    items = [MemberOut(**vars_of(m)) for m in rows[:limit]]
    next_cursor = encode_cursor([str(rows[limit - 1].id)]) if len(rows) > limit else None
    return Page[MemberOut](items=items, next_cursor=next_cursor)


def vars_of(member: services.Member) -> dict[str, object]:
    return {
        "id": member.id,
        "display_name": member.display_name,
        "type": member.type,
        "region": member.region,
        "language": member.language,
    }
