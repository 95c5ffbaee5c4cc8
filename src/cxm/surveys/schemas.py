"""Request and response shapes for surveys, triggers, invitations and responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from cxm.surveys.domain import (
    SCALES,
    InvitationStatus,
    QuestionType,
    ResponseChannel,
    SurveyStatus,
)

KEY = r"^[a-z0-9][a-z0-9_\-]*$"


class QuestionIn(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=KEY)
    type: QuestionType
    text_de: str = Field(min_length=1, max_length=1000)
    text_en: str = Field(min_length=1, max_length=1000)
    required: bool = False
    options: list[tuple[str, str, str]] = Field(
        default_factory=list, description="Choices as [value, label_de, label_en]."
    )
    scale_min: int | None = Field(default=None, description="Only for type 'rating'.")
    scale_max: int | None = Field(default=None, description="Only for type 'rating'.")

    @model_validator(mode="after")
    def _consistent(self) -> QuestionIn:
        choice = self.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
        if choice and len(self.options) < 2:
            raise ValueError("choice questions need at least two options")
        if not choice and self.options:
            raise ValueError("only choice questions have options")
        if self.type in SCALES and (self.scale_min is not None or self.scale_max is not None):
            raise ValueError(f"{self.type.value} has a fixed scale {SCALES[self.type]}")
        if self.type is QuestionType.RATING:
            low, high = self.scale_min or 1, self.scale_max or 5
            if not 0 <= low < high <= 100:
                raise ValueError("rating scale must satisfy 0 <= scale_min < scale_max <= 100")
        return self


class SurveyCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=KEY)
    name: str = Field(min_length=1, max_length=200)
    title_de: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    intro_de: str | None = Field(default=None, max_length=5000)
    intro_en: str | None = Field(default=None, max_length=5000)
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    touchpoint: str | None = None
    anonymous_enabled: bool = False
    invitation_valid_days: int = Field(default=14, ge=1, le=365)


class SurveyUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title_de: str | None = Field(default=None, min_length=1, max_length=300)
    title_en: str | None = Field(default=None, min_length=1, max_length=300)
    intro_de: str | None = Field(default=None, max_length=5000)
    intro_en: str | None = Field(default=None, max_length=5000)
    questions: list[QuestionIn] | None = Field(default=None, min_length=1, max_length=50)
    touchpoint: str | None = None
    anonymous_enabled: bool | None = None
    invitation_valid_days: int | None = Field(default=None, ge=1, le=365)


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: int
    title_de: str
    title_en: str
    intro_de: str | None
    intro_en: str | None
    questions: list[dict[str, Any]]
    created_at: datetime


class SurveyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    name: str
    status: SurveyStatus
    anonymous_enabled: bool
    invitation_valid_days: int
    current_version: VersionOut | None
    created_at: datetime
    updated_at: datetime


class StatusChange(BaseModel):
    status: SurveyStatus


class TriggerCreate(BaseModel):
    interaction_type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    touchpoint: str | None = None
    delay_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    segment_id: uuid.UUID | None = Field(
        default=None, description="Invite only members of this saved segment (others: skipped)."
    )


class TriggerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    interaction_type: str
    touchpoint_id: uuid.UUID | None
    delay_minutes: int
    active: bool
    segment_id: uuid.UUID | None = None


class InvitationCreate(BaseModel):
    customer_id: uuid.UUID
    delay_minutes: int = Field(default=0, ge=0, le=60 * 24 * 30)


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    survey_id: uuid.UUID
    version_id: uuid.UUID
    customer_id: uuid.UUID
    channel: str | None
    language: str
    status: InvitationStatus
    skip_reason: str | None
    send_at: datetime
    sent_at: datetime | None
    expires_at: datetime
    responded_at: datetime | None
    link: str | None = Field(default=None, description="The personal survey link.")


class AnswersIn(BaseModel):
    answers: dict[str, Any] = Field(description="question key → score, option(s) or text")
    language: str | None = Field(default=None, pattern=r"^(de|en)$")


class ResponseCreate(AnswersIn):
    submitted_at: AwareDatetime
    customer_id: uuid.UUID | None = None
    touchpoint: str | None = None
    external_id: str | None = Field(default=None, max_length=128)


class AnswerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    question_key: str
    type: QuestionType
    score: int | None
    choices: list[str] | None
    text: str | None


class ResponseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    survey_id: uuid.UUID
    version_id: uuid.UUID
    invitation_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    channel: ResponseChannel
    language: str
    submitted_at: datetime
    answers: list[AnswerOut]
