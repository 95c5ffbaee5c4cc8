"""Use cases for alerts: rules, evaluation (detractor answers, significant NPS drops), e-mail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.accounts.models import Department, User
from cxm.alerts.domain import AlertKind, AlertStatus, drop_is_alert, week_over_week
from cxm.alerts.models import Alert, AlertRule
from cxm.analytics import metrics
from cxm.customers.models import Customer
from cxm.shared import watermarks
from cxm.shared.errors import Invalid, NotFound
from cxm.shared.mail import Mailer
from cxm.surveys.domain import QuestionType
from cxm.surveys.models import SurveyAnswer, SurveyResponse
from cxm.textanalytics import services as text
from cxm.touchpoints.models import Touchpoint

WATERMARK = "alerts.detractor.response_id"


def create_rule(
    db: Session,
    *,
    name: str,
    kind: AlertKind,
    now: datetime,
    touchpoint: str | None = None,
    department: str | None = None,
    threshold: float | None = None,
    min_n: int = 30,
) -> AlertRule:
    """A new alert rule; an NPS-drop rule needs a threshold in NPS points."""
    kind = AlertKind(kind)
    if kind is AlertKind.NPS_DROP and (threshold is None or threshold <= 0):
        raise Invalid("an NPS-drop rule needs a positive threshold (NPS points)", field="threshold")
    tp_id = _id_by_key(db, Touchpoint, touchpoint, "touchpoint")
    dept_id = _id_by_key(db, Department, department, "department")
    if kind is AlertKind.NPS_DROP and tp_id is None:
        raise Invalid("an NPS-drop rule watches one touchpoint", field="touchpoint")
    rule = AlertRule(
        name=name,
        kind=kind,
        touchpoint_id=tp_id,
        department_id=dept_id,
        threshold=threshold,
        min_n=min_n,
        created_at=now,
    )
    db.add(rule)
    db.commit()
    return rule


def _id_by_key(
    db: Session, model: type[Touchpoint] | type[Department], key: str | None, field: str
) -> uuid.UUID | None:
    if key is None:
        return None
    found = db.scalar(select(model.id).where(model.key == key))
    if found is None:
        raise NotFound(f"{field} '{key}' not found", field=field)
    return found


def list_rules(db: Session) -> Sequence[AlertRule]:
    return db.scalars(select(AlertRule).order_by(AlertRule.created_at)).all()


def list_alerts(
    db: Session,
    *,
    status: AlertStatus | None = None,
    department_id: uuid.UUID | None = None,
    limit: int = 100,
) -> Sequence[Alert]:
    query = select(Alert).order_by(Alert.created_at.desc()).limit(limit)
    if status:
        query = query.where(Alert.status == status)
    if department_id:
        query = query.where(Alert.department_id == department_id)
    return db.scalars(query).all()


def acknowledge(db: Session, alert_id: uuid.UUID, *, by: uuid.UUID, now: datetime) -> Alert:
    alert = db.get(Alert, alert_id)
    if alert is None:
        raise NotFound("alert not found", field="alert_id")
    if alert.status is AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = now
        alert.acknowledged_by = by
        db.commit()
    return alert


def evaluate(db: Session, *, now: datetime, mailer: Mailer) -> dict[str, int]:
    """Raises the alerts the active rules call for (each at most once) and e-mails them."""
    rules = db.scalars(select(AlertRule).where(AlertRule.active.is_(True))).all()
    raised: list[Alert] = []
    detractor_rules = [r for r in rules if r.kind is AlertKind.DETRACTOR]
    if detractor_rules:
        raised += _detractors(db, detractor_rules, now=now)
    for rule in rules:
        if rule.kind is AlertKind.NPS_DROP:
            alert = _nps_drop(db, rule, now=now)
            if alert is not None:
                raised.append(alert)
    emerging = [r for r in rules if r.kind is AlertKind.EMERGING_TOPIC]
    if emerging:
        raised += _emerging(db, emerging, now=now)
    db.commit()
    mailed = sum(_mail(db, alert, mailer) for alert in raised)
    db.commit()
    return {"raised": len(raised), "emailed": mailed}


def _department_of(
    db: Session, rule: AlertRule, touchpoint_id: uuid.UUID | None
) -> uuid.UUID | None:
    if rule.department_id:
        return rule.department_id
    if touchpoint_id:
        return db.scalar(select(Touchpoint.department_id).where(Touchpoint.id == touchpoint_id))
    return None


def _detractors(db: Session, rules: Sequence[AlertRule], *, now: datetime) -> list[Alert]:
    after = watermarks.get(db, WATERMARK)
    query = (
        select(SurveyResponse, SurveyAnswer.score)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyAnswer.type == QuestionType.NPS)
        .order_by(SurveyResponse.id)
    )
    if after:
        query = query.where(SurveyResponse.id > uuid.UUID(after))
    raised: list[Alert] = []
    last = None
    for response, score in db.execute(query):
        last = response.id
        if score is None or score > metrics.DETRACTOR_MAX:
            continue
        for rule in rules:
            if rule.touchpoint_id and rule.touchpoint_id != response.touchpoint_id:
                continue
            key = f"{rule.id}:{response.id}"
            if db.scalar(select(Alert.id).where(Alert.dedupe_key == key)):
                continue
            tp_name = db.scalar(
                select(Touchpoint.name_de).where(Touchpoint.id == response.touchpoint_id)
            )
            customer = db.get(Customer, response.customer_id) if response.customer_id else None
            comment = next((a.text for a in response.answers if a.text), None)
            alert = Alert(
                rule_id=rule.id,
                kind=AlertKind.DETRACTOR,
                dedupe_key=key,
                department_id=_department_of(db, rule, response.touchpoint_id),
                touchpoint_id=response.touchpoint_id,
                response_id=response.id,
                customer_id=response.customer_id,
                title=f"Detraktor (NPS {score}) – {tp_name or 'ohne Kontaktpunkt'}",
                body=(
                    f"{customer.display_name if customer else 'Anonym'} hat mit {score} von 10 "
                    f"geantwortet.\n\nKommentar: {comment or '—'}"
                ),
                details={"score": score, "rule": rule.name},
                created_at=now,
            )
            db.add(alert)
            raised.append(alert)
    if last is not None:
        watermarks.put(db, WATERMARK, str(last), now=now)
    db.flush()
    return raised


def _nps_drop(db: Session, rule: AlertRule, *, now: datetime) -> Alert | None:
    current_window, previous_window = week_over_week(now)
    key = f"{rule.id}:{current_window.end.date().isoformat()}"
    if db.scalar(select(Alert.id).where(Alert.dedupe_key == key)):
        return None

    def scores(start: datetime, end: datetime) -> list[int | None]:
        return list(
            db.scalars(
                select(SurveyAnswer.score)
                .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                .where(
                    SurveyAnswer.type == QuestionType.NPS,
                    SurveyResponse.touchpoint_id == rule.touchpoint_id,
                    SurveyResponse.submitted_at >= start,
                    SurveyResponse.submitted_at < end,
                )
            )
        )

    current = metrics.nps_from_scores(
        scores(current_window.start, current_window.end), min_n=rule.min_n
    )
    previous = metrics.nps_from_scores(
        scores(previous_window.start, previous_window.end), min_n=rule.min_n
    )
    change = metrics.nps_change(current, previous)
    if not drop_is_alert(
        delta=change.delta, significant=change.significant, threshold_points=rule.threshold or 0
    ):
        return None
    tp_name = db.scalar(select(Touchpoint.name_de).where(Touchpoint.id == rule.touchpoint_id))
    assert change.delta is not None and current.value is not None and previous.value is not None
    alert = Alert(
        rule_id=rule.id,
        kind=AlertKind.NPS_DROP,
        dedupe_key=key,
        department_id=_department_of(db, rule, rule.touchpoint_id),
        touchpoint_id=rule.touchpoint_id,
        title=f"NPS-Einbruch {tp_name}: {previous.value:.0f} → {current.value:.0f}",
        body=(
            f"Der NPS am Kontaktpunkt {tp_name} fiel in den letzten 7 Tagen um "
            f"{-change.delta:.1f} Punkte (n = {current.n} gegenüber {previous.n}; "
            f"p = {change.p_value:.3f}, {change.test})."
        ),
        details={
            "current": current.value,
            "previous": previous.value,
            "n_current": current.n,
            "n_previous": previous.n,
            "p_value": change.p_value,
        },
        created_at=now,
    )
    db.add(alert)
    db.flush()
    return alert


def _emerging(db: Session, rules: Sequence[AlertRule], *, now: datetime) -> list[Alert]:
    spikes = text.topic_spikes(db, as_of=now.date())
    raised: list[Alert] = []
    for rule in rules:
        tp_key = (
            db.scalar(select(Touchpoint.key).where(Touchpoint.id == rule.touchpoint_id))
            if rule.touchpoint_id
            else None
        )
        for spike in spikes:
            if tp_key and spike.touchpoint != tp_key:
                continue
            key = f"{rule.id}:{spike.topic}:{spike.product}:{spike.touchpoint}:{now.date()}"
            if db.scalar(select(Alert.id).where(Alert.dedupe_key == key)):
                continue
            scope = " · ".join(x for x in (spike.product, spike.touchpoint) if x)
            alert = Alert(
                rule_id=rule.id,
                kind=AlertKind.EMERGING_TOPIC,
                dedupe_key=key,
                department_id=rule.department_id,
                touchpoint_id=rule.touchpoint_id,
                title=f"Auffällig häufig: {spike.topic}" + (f" ({scope})" if scope else ""),
                body=(
                    f"Das Thema {spike.topic} kam in den letzten 7 Tagen {spike.recent_count}-mal "
                    f"vor, erwartet waren {spike.expected:.1f} (×{spike.ratio:.1f}, "
                    f"p = {spike.p_value:.2g})" + (f", bei {scope}" if scope else "") + "."
                ),
                details={
                    "topic": spike.topic,
                    "product": spike.product,
                    "touchpoint": spike.touchpoint,
                    "recent": spike.recent_count,
                    "expected": spike.expected,
                    "p_value": spike.p_value,
                },
                created_at=now,
            )
            db.add(alert)
            raised.append(alert)
    db.flush()
    return raised


def _mail(db: Session, alert: Alert, mailer: Mailer) -> int:
    if alert.department_id is None:
        return 0
    recipients = list(
        db.scalars(
            select(User.email).where(
                User.department_id == alert.department_id, User.active.is_(True)
            )
        )
    )
    for address in recipients:
        mailer.send(to=address, subject=f"[cxm] {alert.title}", body=alert.body)
    alert.emailed_to = recipients
    return 1 if recipients else 0
