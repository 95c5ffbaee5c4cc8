"""Surveys, their versions and trigger rules, invitations, responses and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxm.db import Base, JsonDict, Timestamps, UUIDKey, ValueEnum, new_id
from cxm.shared.clock import utcnow
from cxm.surveys.domain import InvitationStatus, QuestionType, ResponseChannel, SurveyStatus


class Survey(UUIDKey, Timestamps, Base):
    __tablename__ = "surveys"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[SurveyStatus] = mapped_column(
        ValueEnum(SurveyStatus, 10), default=SurveyStatus.DRAFT
    )
    current_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_versions.id", use_alter=True)
    )
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    anonymous_enabled: Mapped[bool] = mapped_column(default=False)
    invitation_valid_days: Mapped[int] = mapped_column(default=14)

    current_version: Mapped[SurveyVersion | None] = relationship(
        foreign_keys=[current_version_id], lazy="joined"
    )


class SurveyVersion(UUIDKey, Base):
    """An immutable set of questions once the survey is live; answers keep their version."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_survey_versions_number"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id"))
    number: Mapped[int]
    title_de: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    intro_de: Mapped[str | None] = mapped_column(Text)
    intro_en: Mapped[str | None] = mapped_column(Text)
    # [{key, type, text_de, text_en, required, options: [[value, de, en]], scale_min, scale_max}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TriggerRuleRow(UUIDKey, Base):
    """After an interaction of a type (at a touchpoint), by a member of a segment if one is
    set, invite to a survey after a delay."""

    __tablename__ = "survey_triggers"

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id"), index=True)
    interaction_type: Mapped[str] = mapped_column(String(64))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    delay_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Only members of this saved segment (cxm.segments) are invited; others are skipped.
    segment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("segments.id"), index=True)


class SurveyInvitation(Base):
    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("ix_survey_invitations_customer", "customer_id", "created_at"),
        Index("ix_survey_invitations_due", "status", "send_at"),
        UniqueConstraint("trigger_interaction_id", "survey_id", name="uq_invitation_trigger"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey_versions.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    trigger_interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"))
    channel: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="de")
    status: Mapped[InvitationStatus] = mapped_column(ValueEnum(InvitationStatus, 12))
    skip_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_survey_time", "survey_id", "submitted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey_versions.id"))
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_invitations.id"), unique=True
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    channel: Mapped[ResponseChannel] = mapped_column(ValueEnum(ResponseChannel, 12))
    language: Mapped[str] = mapped_column(String(2), default="de")
    submitted_at: Mapped[datetime]
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        lazy="selectin", order_by="SurveyAnswer.question_key"
    )


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[QuestionType] = mapped_column(ValueEnum(QuestionType, 20))
    score: Mapped[int | None]
    choices: Mapped[list[str] | None] = mapped_column(JsonDict)
    text: Mapped[str | None] = mapped_column(Text)
