"""The touchpoint catalogue and its configurable journey stages."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxm.accounts.models import Department
from cxm.db import Base, Timestamps, UUIDKey, ValueEnum
from cxm.touchpoints.domain import Channel


class JourneyStage(UUIDKey, Base):
    __tablename__ = "journey_stages"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]


class Touchpoint(UUIDKey, Timestamps, Base):
    __tablename__ = "touchpoints"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(ValueEnum(Channel, 20))
    stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("journey_stages.id"))
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))
    controllable: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(default=True)

    stage: Mapped[JourneyStage | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
