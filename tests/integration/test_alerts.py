from datetime import timedelta

from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.alerts import services as alerts
from cxm.alerts.domain import AlertKind, AlertStatus
from cxm.shared.clock import FixedClock
from cxm.shared.mail import ConsoleMailer
from cxm.surveys import services as surveys
from cxm.surveys.domain import SurveyStatus
from tests import factories


def _setup(db: Session, clock: FixedClock) -> None:
    accounts.create_department(db, key="hotline-team", name="Hotline")
    factories.user(db, role=Role.AGENT, email="teamlead@example.com", department_key="hotline-team")
    factories.touchpoint(db, now=clock.now(), key="hotline-al", department="hotline-team")
    surveys.create_survey(
        db,
        key="al",
        name="A",
        title_de="T",
        title_en="T",
        touchpoint="hotline-al",
        now=clock.now(),
        questions=[
            {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?", "required": True},
            {"key": "comment", "type": "text", "text_de": "?", "text_en": "?"},
        ],
    )
    surveys.set_status(db, "al", SurveyStatus.LIVE, now=clock.now())


def _answer(db: Session, clock: FixedClock, score: int, *, days_ago: float = 0, n: int = 1) -> None:
    for _ in range(n):
        surveys.record_response(
            db,
            "al",
            answers={"nps": score, "comment": "Warteschleife!"},
            submitted_at=clock.now() - timedelta(days=days_ago),
            now=clock.now(),
        )


def test_a_detractor_alerts_the_owning_department_once(db: Session, clock: FixedClock) -> None:
    _setup(db, clock)
    alerts.create_rule(
        db,
        name="Detraktoren Hotline",
        kind=AlertKind.DETRACTOR,
        touchpoint="hotline-al",
        now=clock.now(),
    )
    _answer(db, clock, 9)
    _answer(db, clock, 6)
    mailer = ConsoleMailer()
    assert alerts.evaluate(db, now=clock.now(), mailer=mailer) == {"raised": 1, "emailed": 1}
    raised = alerts.list_alerts(db)
    assert raised[0].kind is AlertKind.DETRACTOR and "NPS 6" in raised[0].title
    assert mailer.sent[0]["To"] == "teamlead@example.com"
    assert "Warteschleife" in mailer.sent[0].get_content()
    assert alerts.evaluate(db, now=clock.now(), mailer=mailer)["raised"] == 0
    _answer(db, clock, 0)
    assert alerts.evaluate(db, now=clock.now(), mailer=mailer)["raised"] == 1


def test_a_significant_week_over_week_drop_alerts_and_noise_does_not(
    db: Session, clock: FixedClock
) -> None:
    _setup(db, clock)
    alerts.create_rule(
        db,
        name="NPS-Einbruch",
        kind=AlertKind.NPS_DROP,
        touchpoint="hotline-al",
        threshold=10,
        min_n=30,
        now=clock.now(),
    )
    # previous week: NPS +40 (60 promoters, 20 passives, 20 detractors of 100)
    _answer(db, clock, 10, days_ago=10, n=60)
    _answer(db, clock, 8, days_ago=10, n=20)
    _answer(db, clock, 3, days_ago=10, n=20)
    # this week: a small, insignificant dip (NPS +36)
    _answer(db, clock, 10, days_ago=2, n=58)
    _answer(db, clock, 8, days_ago=2, n=20)
    _answer(db, clock, 3, days_ago=2, n=22)
    assert alerts.evaluate(db, now=clock.now(), mailer=ConsoleMailer())["raised"] == 0
    # a week later: NPS falls to −20 → significant and beyond the threshold
    later = clock.now() + timedelta(days=7)
    clock.set(later)
    _answer(db, clock, 10, days_ago=1, n=20)
    _answer(db, clock, 8, days_ago=1, n=40)
    _answer(db, clock, 2, days_ago=1, n=40)
    result = alerts.evaluate(db, now=clock.now(), mailer=ConsoleMailer())
    assert result["raised"] == 1
    drop = alerts.list_alerts(db, status=AlertStatus.OPEN)[0]
    assert drop.kind is AlertKind.NPS_DROP and drop.details["p_value"] < 0.05
    assert alerts.evaluate(db, now=clock.now(), mailer=ConsoleMailer())["raised"] == 0


def test_alerts_are_listed_and_acknowledged_by_api(
    client, admin, db: Session, clock: FixedClock
) -> None:  # noqa: ANN001
    _setup(db, clock)
    created = client.post(
        "/api/v1/alert-rules",
        headers=admin,
        json={"name": "D", "kind": "detractor", "touchpoint": "hotline-al"},
    )
    assert created.status_code == 201
    bad = client.post(
        "/api/v1/alert-rules",
        headers=admin,
        json={"name": "X", "kind": "nps_drop", "touchpoint": "hotline-al"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "threshold"
    _answer(db, clock, 2)
    assert client.post("/api/v1/alerts/evaluate", headers=admin).json()["raised"] == 1
    listed = client.get("/api/v1/alerts", headers=admin, params={"status": "open"}).json()
    ack = client.post(f"/api/v1/alerts/{listed[0]['id']}/acknowledge", headers=admin).json()
    assert ack["status"] == "acknowledged"
