"""Service cases with their history, SLA pauses, promises, third-party checks and signals."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxm.cases.domain import CaseSource, CaseStatus, Priority
from cxm.db import Base, JsonDict, ValueEnum, new_id


class CaseNumber(Base):
    """Hands out the readable case numbers (CASE-000123) on every database."""

    __tablename__ = "case_numbers"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(unique=True)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The agent's queue: open cases by the next SLA deadline, overall and per team/agent.
        Index("ix_cases_queue", "is_open", "next_due_at", "id"),
        Index("ix_cases_team_queue", "team_id", "is_open", "next_due_at", "id"),
        Index("ix_cases_assignee_queue", "assignee_id", "is_open", "next_due_at", "id"),
        Index("ix_cases_customer_topic", "customer_id", "topic", "opened_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    priority: Mapped[Priority] = mapped_column(ValueEnum(Priority, 16))
    status: Mapped[CaseStatus] = mapped_column(ValueEnum(CaseStatus, 24))
    is_open: Mapped[bool] = mapped_column(default=True)
    source: Mapped[CaseSource] = mapped_column(ValueEnum(CaseSource, 24))
    language: Mapped[str] = mapped_column(String(2), default="de")
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    feedback_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("feedback.id"))
    response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("survey_responses.id"))
    topic: Mapped[str | None] = mapped_column(String(64))
    topics: Mapped[list[str]] = mapped_column(JsonDict, default=list)
    product_model: Mapped[str | None] = mapped_column(String(200))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    escalation_level: Mapped[int] = mapped_column(default=0)
    calendar_code: Mapped[str] = mapped_column(String(16))
    # SLA targets in seconds of business time, fixed when the case is opened.
    ack_target_s: Mapped[int]
    first_response_target_s: Mapped[int]
    resolution_target_s: Mapped[int]
    ack_due_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # The earliest unmet deadline; None while the clocks are paused or all are met.
    next_due_at: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime]
    warned_at: Mapped[datetime | None]
    root_cause: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    goodwill: Mapped[str | None] = mapped_column(String(300))
    goodwill_value_eur: Mapped[float | None]
    resurvey_invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_invitations.id")
    )

    events: Mapped[list[CaseEvent]] = relationship(
        order_by="CaseEvent.at", cascade="all, delete-orphan", viewonly=False
    )


class CaseEvent(Base):
    """One line of a case's history: a transition, note, promise, check, message or SLA event."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[CaseStatus | None] = mapped_column(ValueEnum(CaseStatus, 24))
    to_status: Mapped[CaseStatus | None] = mapped_column(ValueEnum(CaseStatus, 24))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CasePause(Base):
    """A span while the case waits on the customer: its SLA clocks do not run."""

    __tablename__ = "case_pauses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class CaseSignal(Base):
    """What caused or later joined the case (a detractor answer, complaint, text, API call)."""

    __tablename__ = "case_signals"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_case_signal_ref"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    summary: Mapped[str | None] = mapped_column(String(300))


class Promise(Base):
    """Something an agent promised the customer, with its deadline."""

    __tablename__ = "case_promises"
    __table_args__ = (Index("ix_case_promises_due", "kept_at", "due_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))
    made_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime]
    due_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(String(500))
    kept_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class CaseTask(Base):
    """A third-party check (e.g. an inquiry at the device maker) with its own due time."""

    __tablename__ = "case_tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    party: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
