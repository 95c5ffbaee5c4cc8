"""Request and response bodies for cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cxm.cases.domain import CaseSource, CaseStatus, ClockState, Priority


class CaseCreate(BaseModel):
    customer_id: uuid.UUID
    subject: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    category: str = Field(default="complaint", pattern=r"^[a-z][a-z0-9_]{0,63}$")
    priority: Priority = Priority.NORMAL
    source: CaseSource = CaseSource.API
    touchpoint_id: uuid.UUID | None = None
    feedback_id: uuid.UUID | None = None
    response_id: uuid.UUID | None = None
    topic: str | None = Field(default=None, max_length=64)
    topics: list[str] = Field(default_factory=list, max_length=20)
    product_model: str | None = Field(default=None, max_length=200)
    team_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    external_ref: str | None = Field(
        default=None, max_length=64, description="Your id for the request: sent twice, one case."
    )


class ClockOut(BaseModel):
    kind: str
    state: str
    due_at: datetime | None
    warn_at: datetime | None
    remaining_s: int
    target_s: int

    @classmethod
    def of(cls, clock: ClockState) -> ClockOut:
        return cls(
            kind=clock.kind.value,
            state=clock.state,
            due_at=clock.due_at,
            warn_at=clock.warn_at,
            remaining_s=int(clock.remaining.total_seconds()),
            target_s=int(clock.target.total_seconds()),
        )


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    customer_id: uuid.UUID
    subject: str
    description: str | None
    category: str
    priority: Priority
    status: CaseStatus
    is_open: bool
    source: CaseSource
    language: str
    touchpoint_id: uuid.UUID | None
    feedback_id: uuid.UUID | None
    response_id: uuid.UUID | None
    topic: str | None
    topics: list[str]
    product_model: str | None
    team_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    escalation_level: int
    opened_at: datetime
    acknowledged_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    ack_due_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    next_due_at: datetime | None
    paused_since: datetime | None
    root_cause: str | None
    resolution_note: str | None
    goodwill: str | None
    goodwill_value_eur: float | None
    resurvey_invitation_id: uuid.UUID | None


class CaseOpened(CaseOut):
    duplicate: bool = Field(description="True when the request was linked to an existing case.")


class QueueItem(BaseModel):
    case: CaseOut
    customer_name: str
    clocks: list[ClockOut]


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class TransitionIn(BaseModel):
    to: CaseStatus
    note: str | None = Field(default=None, max_length=5000)
    root_cause: str | None = Field(default=None, max_length=64)
    resolution_note: str | None = Field(default=None, max_length=5000)
    goodwill: str | None = Field(default=None, max_length=300)
    goodwill_value_eur: float | None = Field(default=None, ge=0, le=100_000)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


class AssignIn(BaseModel):
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None


class PromiseIn(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    due_at: AwareDatetime


class PromiseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    team_id: uuid.UUID | None
    made_by: uuid.UUID | None
    made_at: datetime
    due_at: datetime
    description: str
    kept_at: datetime | None
    reminded_at: datetime | None
    state: str = ""


class TaskIn(BaseModel):
    party: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=5000)
    due_at: AwareDatetime


class TaskAnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=10_000)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    party: str
    question: str
    created_at: datetime
    due_at: datetime
    status: str
    answer: str | None
    answered_at: datetime | None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    kind: str
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    note: str | None
    data: dict[str, Any]


class CaseDetail(BaseModel):
    case: CaseOut
    allowed_transitions: list[CaseStatus]
    clocks: list[ClockOut]
    events: list[EventOut]
    promises: list[PromiseOut]
    checks: list[TaskOut]


class PromiseStatsOut(BaseModel):
    team_id: uuid.UUID | None
    team: str | None
    kept: int
    broken: int
    pending: int
    kept_rate: float | None


class RecoveryOut(BaseModel):
    group: str
    detractors: int
    answered: int
    recovered: int
    rate: float | None
