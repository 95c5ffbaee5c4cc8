"""Use cases for the touchpoint catalogue and its journey stages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.accounts.models import Department
from cxm.shared.errors import Conflict, NotFound
from cxm.touchpoints.domain import DEFAULT_STAGES
from cxm.touchpoints.models import JourneyStage, Touchpoint


def ensure_default_stages(db: Session) -> None:
    """Creates the default journey stages when none exist (flushes; the caller commits)."""
    if db.scalar(select(func.count()).select_from(JourneyStage)):
        return
    for position, (key, name_de, name_en) in enumerate(DEFAULT_STAGES):
        db.add(JourneyStage(key=key, name_de=name_de, name_en=name_en, position=position))
    db.flush()


def list_stages(db: Session) -> Sequence[JourneyStage]:
    return db.scalars(select(JourneyStage).order_by(JourneyStage.position)).all()


def create_stage(
    db: Session, *, key: str, name_de: str, name_en: str, position: int | None = None
) -> JourneyStage:
    """A new journey stage, appended unless a position is given."""
    if db.scalar(select(JourneyStage.id).where(JourneyStage.key == key)):
        raise Conflict(f"stage '{key}' exists", field="key")
    if position is None:
        position = (db.scalar(select(func.max(JourneyStage.position))) or -1) + 1
    stage = JourneyStage(key=key, name_de=name_de, name_en=name_en, position=position)
    db.add(stage)
    db.commit()
    return stage


def update_stage(
    db: Session, key: str, *, name_de: str, name_en: str, position: int | None = None
) -> JourneyStage:
    """Renames a journey stage and, when a position is given, moves it there."""
    stage = db.scalar(select(JourneyStage).where(JourneyStage.key == key))
    if stage is None:
        raise NotFound(f"journey stage '{key}' not found", field="stage")
    stage.name_de = name_de
    stage.name_en = name_en
    if position is not None:
        stage.position = position
    db.commit()
    return stage


def _stage_id(db: Session, key: str | None) -> uuid.UUID | None:
    if key is None:
        return None
    stage_id = db.scalar(select(JourneyStage.id).where(JourneyStage.key == key))
    if stage_id is None:
        raise NotFound(f"journey stage '{key}' not found", field="stage")
    return stage_id


def _department_id(db: Session, key: str | None) -> uuid.UUID | None:
    if key is None:
        return None
    dept_id = db.scalar(select(Department.id).where(Department.key == key))
    if dept_id is None:
        raise NotFound(f"department '{key}' not found", field="department")
    return dept_id


def create_touchpoint(
    db: Session,
    *,
    key: str,
    name_de: str,
    name_en: str,
    channel: str,
    now: datetime,
    stage: str | None = None,
    department: str | None = None,
    controllable: bool = True,
    description: str | None = None,
    commit: bool = True,
) -> Touchpoint:
    """A new touchpoint in the catalogue; keys are unique."""
    if db.scalar(select(Touchpoint.id).where(Touchpoint.key == key)):
        raise Conflict(f"touchpoint '{key}' exists", field="key")
    tp = Touchpoint(
        key=key,
        name_de=name_de,
        name_en=name_en,
        channel=channel,
        stage_id=_stage_id(db, stage),
        department_id=_department_id(db, department),
        controllable=controllable,
        description=description,
        created_at=now,
        updated_at=now,
    )
    db.add(tp)
    if commit:
        db.commit()
    else:
        db.flush()
    return tp


def get_touchpoint(db: Session, key: str) -> Touchpoint:
    tp = db.scalar(select(Touchpoint).where(Touchpoint.key == key))
    if tp is None:
        raise NotFound(f"touchpoint '{key}' not found", field="touchpoint")
    return tp


def update_touchpoint(db: Session, key: str, *, now: datetime, **changes: Any) -> Touchpoint:
    tp = get_touchpoint(db, key)
    if "stage" in changes:
        tp.stage_id = _stage_id(db, changes.pop("stage"))
    if "department" in changes:
        tp.department_id = _department_id(db, changes.pop("department"))
    for name, value in changes.items():
        setattr(tp, name, value)
    tp.updated_at = now
    db.commit()
    db.refresh(tp)
    return tp


def list_touchpoints(db: Session, *, include_inactive: bool = False) -> Sequence[Touchpoint]:
    query = select(Touchpoint).order_by(Touchpoint.key)
    if not include_inactive:
        query = query.where(Touchpoint.active.is_(True))
    return db.scalars(query).all()


def touchpoint_ids(db: Session) -> dict[str, uuid.UUID]:
    """Key → id for every touchpoint, for bulk ingestion."""
    return {row.key: row.id for row in db.execute(select(Touchpoint.key, Touchpoint.id))}
