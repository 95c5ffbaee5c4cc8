"""Request and response shapes for journey stages and touchpoints."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from cxm.touchpoints.domain import Channel
from cxm.touchpoints.models import Touchpoint

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"


class StageCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=KEY_PATTERN)
    name_de: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, description="Order; appended when omitted.")


class StageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    name_de: str
    name_en: str
    position: int


class TouchpointCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=KEY_PATTERN)
    name_de: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    channel: Channel
    stage: str | None = Field(default=None, description="Journey stage key.")
    department: str | None = Field(default=None, description="Owning department key.")
    controllable: bool = True
    description: str | None = Field(default=None, max_length=1000)


class TouchpointUpdate(BaseModel):
    name_de: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    channel: Channel | None = None
    stage: str | None = None
    department: str | None = None
    controllable: bool | None = None
    description: str | None = Field(default=None, max_length=1000)
    active: bool | None = None


class TouchpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    name_de: str
    name_en: str
    channel: Channel
    stage: str | None
    department: str | None
    controllable: bool
    description: str | None
    active: bool

    @classmethod
    def of(cls, tp: Touchpoint) -> TouchpointOut:
        return cls(
            id=tp.id,
            key=tp.key,
            name_de=tp.name_de,
            name_en=tp.name_en,
            channel=tp.channel,
            stage=tp.stage.key if tp.stage else None,
            department=tp.department.key if tp.department else None,
            controllable=tp.controllable,
            description=tp.description,
            active=tp.active,
        )
