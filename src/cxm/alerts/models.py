"""Alert rules and the alerts they raised."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxm.alerts.domain import AlertKind, AlertStatus
from cxm.db import Base, JsonDict, UUIDKey, ValueEnum, new_id
from cxm.shared.clock import utcnow


class AlertRule(UUIDKey, Base):
    __tablename__ = "alert_rules"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AlertKind] = mapped_column(ValueEnum(AlertKind, 20))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    # Who hears about it: this department, else the touchpoint's owning department.
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))
    threshold: Mapped[float | None]  # NPS points for nps_drop
    min_n: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_time", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_rules.id"))
    kind: Mapped[AlertKind] = mapped_column(ValueEnum(AlertKind, 20))
    # One alert per rule and subject: a response id, or the week that dropped.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"))
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("touchpoints.id"))
    response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("survey_responses.id"))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[AlertStatus] = mapped_column(
        ValueEnum(AlertStatus, 20), default=AlertStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    emailed_to: Mapped[list[str] | None] = mapped_column(JsonDict)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
