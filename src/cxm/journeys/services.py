"""Use cases for journey definitions: the defaults seeded on first use, listing, creating,
changing and removing definitions, and the pure spec the analytics run on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.journeys import domain
from cxm.journeys.domain import Goal, JourneySpec, Stage, WebSettings
from cxm.journeys.models import Journey
from cxm.shared.errors import Conflict, Invalid, NotFound
from cxm.touchpoints import services as touchpoints


def spec_of(journey: Journey) -> JourneySpec:
    """The definition as the journey rules take it."""
    return JourneySpec(
        key=journey.key,
        name_de=journey.name_de,
        name_en=journey.name_en,
        stages=tuple(Stage.from_dict(s) for s in journey.stages),
        goal=Goal.from_dict(journey.goal),
        timeout=timedelta(hours=journey.timeout_hours),
        web=WebSettings.from_dict(journey.web),
    )


def _catalogue(db: Session) -> list[domain.CatalogueEntry]:
    return [
        domain.CatalogueEntry(tp.key, str(tp.channel), tp.stage.key if tp.stage else None)
        for tp in touchpoints.list_touchpoints(db)
    ]


def _known(db: Session) -> set[str]:
    return set(touchpoints.touchpoint_ids(db))


def ensure_defaults(db: Session, *, now: datetime) -> None:
    """Seeds the default journeys (from the touchpoint catalogue as it is now) when there are no
    journeys yet; commits only when it seeded."""
    if db.scalar(select(func.count()).select_from(Journey)):
        return
    for position, spec in enumerate(domain.default_journeys(_catalogue(db))):
        db.add(
            Journey(
                key=spec.key,
                name_de=spec.name_de,
                name_en=spec.name_en,
                description=None,
                stages=[s.to_dict() for s in spec.stages],
                goal=spec.goal.to_dict(),
                timeout_hours=int(spec.timeout.total_seconds() // 3600),
                web=spec.web.to_dict(),
                position=position,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    db.commit()


def list_journeys(
    db: Session, *, now: datetime, include_inactive: bool = False
) -> Sequence[Journey]:
    """Every journey in display order (seeding the defaults on first use)."""
    ensure_defaults(db, now=now)
    query = select(Journey).order_by(Journey.position, Journey.key)
    if not include_inactive:
        query = query.where(Journey.active.is_(True))
    return db.scalars(query).all()


def get_journey(db: Session, key: str, *, now: datetime) -> Journey:
    ensure_defaults(db, now=now)
    journey = db.scalar(select(Journey).where(Journey.key == key))
    if journey is None:
        raise NotFound(f"journey '{key}' not found", field="journey")
    return journey


def _check(
    db: Session,
    *,
    key: str | None,
    stages: Sequence[Stage],
    goal: Goal,
    timeout_hours: int,
    web: WebSettings,
) -> None:
    problems = domain.validate(
        key=key,
        stages=stages,
        goal=goal,
        timeout_hours=timeout_hours,
        web=web,
        known_touchpoints=_known(db),
    )
    if problems:
        first = problems[0]
        raise Invalid(
            first.message,
            field=first.field,
            problems=[{"field": p.field, "message": p.message} for p in problems],
        )


def create_journey(
    db: Session,
    *,
    key: str,
    name_de: str,
    name_en: str,
    stages: Sequence[Stage],
    goal: Goal,
    now: datetime,
    timeout_hours: int = domain.DEFAULT_TIMEOUT_HOURS,
    web: WebSettings | None = None,
    description: str | None = None,
    position: int | None = None,
) -> Journey:
    """A new journey definition; the key is unique, stages and goal are validated."""
    ensure_defaults(db, now=now)
    web = web or WebSettings()
    _check(db, key=key, stages=stages, goal=goal, timeout_hours=timeout_hours, web=web)
    if db.scalar(select(Journey.id).where(Journey.key == key)):
        raise Conflict(f"journey '{key}' exists", field="key")
    if position is None:
        position = (db.scalar(select(func.max(Journey.position))) or 0) + 1
    journey = Journey(
        key=key,
        name_de=name_de,
        name_en=name_en,
        description=description,
        stages=[s.to_dict() for s in stages],
        goal=goal.to_dict(),
        timeout_hours=timeout_hours,
        web=web.to_dict(),
        position=position,
        active=True,
        created_at=now,
        updated_at=now,
    )
    db.add(journey)
    db.commit()
    return journey


def update_journey(db: Session, key: str, *, now: datetime, **changes: Any) -> Journey:
    """Changes the given fields (stages, goal, web as domain objects); the result is validated
    as a whole."""
    journey = get_journey(db, key, now=now)
    spec = spec_of(journey)
    stages = changes.pop("stages", None)
    goal = changes.pop("goal", None)
    web = changes.pop("web", None)
    stages = spec.stages if stages is None else tuple(stages)
    goal = spec.goal if goal is None else goal
    web = spec.web if web is None else web
    timeout_hours = changes.get("timeout_hours")
    timeout_hours = journey.timeout_hours if timeout_hours is None else timeout_hours
    _check(db, key=None, stages=stages, goal=goal, timeout_hours=timeout_hours, web=web)
    journey.stages = [s.to_dict() for s in stages]
    journey.goal = goal.to_dict()
    journey.web = web.to_dict()
    for name, value in changes.items():
        if value is not None or name == "description":
            setattr(journey, name, value)
    journey.updated_at = now
    db.commit()
    db.refresh(journey)
    return journey


def delete_journey(db: Session, key: str, *, now: datetime) -> None:
    """Removes a definition (nothing else refers to it: instances are computed, not stored)."""
    journey = get_journey(db, key, now=now)
    db.delete(journey)
    db.commit()
