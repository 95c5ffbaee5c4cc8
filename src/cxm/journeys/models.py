"""Journey definitions: ordered stages, a goal, a timeout and the website's goal pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cxm.db import Base, JsonDict, Timestamps, UUIDKey


class Journey(UUIDKey, Timestamps, Base):
    """One journey definition. Stages, goal and web settings are small JSON documents shaped
    by `cxm.journeys.domain` (`Stage.to_dict`, `Goal.to_dict`, `WebSettings.to_dict`)."""

    __tablename__ = "journeys"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JsonDict)
    goal: Mapped[dict[str, Any]] = mapped_column(JsonDict)
    timeout_hours: Mapped[int]
    web: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
