"""The text pipeline over stored feedback, interaction texts and survey comments."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.customers import services as customers
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.interactions import services as interactions
from cxm.interactions.domain import NewInteraction
from cxm.shared.clock import FixedClock
from cxm.surveys import services as surveys
from cxm.textanalytics import services as text
from cxm.textanalytics.models import TextAnalysis
from cxm.textanalytics.pipeline import Analyser, load_model
from cxm.textanalytics.taxonomy import DEFAULT_TAXONOMIES
from tests import factories

pytestmark = pytest.mark.skipif(
    not (
        text.__file__
        and __import__("cxm.textanalytics.model", fromlist=["x"]).DEFAULT_MODEL_DIR.exists()
    ),
    reason="model artefact missing",
)


@pytest.fixture(scope="module")
def model():  # noqa: ANN201
    return load_model()


def _texts(db: Session, clock: FixedClock) -> dict[str, object]:
    erika = factories.customer(db, now=clock.now())
    customers.add_holding(
        db,
        erika.id,
        now=clock.now(),
        product_code="DEV-MX",
        product_name="Smartphone Modell X",
        model="Modell X",
    )
    complaint, _ = feedback.record_feedback(
        db,
        source=FeedbackSource.COMPLAINT,
        customer_id=erika.id,
        now=clock.now(),
        occurred_at=clock.now(),
        product_model="Modell X",
        text="Schon wieder ist die Rechnung falsch! Wenn das so weitergeht, kündige ich. "
        "Meine E-Mail ist erika.weber@example.com.",
    )
    praise, _ = feedback.record_feedback(
        db,
        source=FeedbackSource.REVIEW,
        now=clock.now(),
        occurred_at=clock.now(),
        text="Super freundliche Beratung im Shop, vielen Dank!",
    )
    interactions.ingest(
        db,
        [
            NewInteraction(
                type="call",
                occurred_at=clock.now(),
                customer_id=erika.id,
                channel="phone",
                text="Kundin meldet: Anrufe brechen mit dem Modell X ständig ab.",
            )
        ],
        now=clock.now(),
    )
    surveys.create_survey(
        db,
        key="tx",
        name="T",
        title_de="T",
        title_en="T",
        now=clock.now(),
        questions=[
            {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"},
            {"key": "comment", "type": "text", "text_de": "?", "text_en": "?"},
        ],
    )
    surveys.record_response(
        db,
        "tx",
        answers={"nps": 2, "comment": "The hotline kept me waiting for 40 minutes."},
        submitted_at=clock.now(),
        now=clock.now(),
        language="en",
    )
    return {"complaint": complaint.id, "praise": praise.id, "customer": erika.id}


def test_every_stored_text_is_analysed_once_with_pii_masked(
    db: Session, clock: FixedClock, model: object
) -> None:
    ids = _texts(db, clock)
    analyser = Analyser(model, taxonomies=text.taxonomies(db), catalogue=text.catalogue(db))  # type: ignore[arg-type]
    done = text.analyse_pending(db, analyser=analyser, now=clock.now())
    assert done == {"feedback": 2, "interaction": 1, "survey_answer": 1}
    assert text.analyse_pending(db, analyser=analyser, now=clock.now()) == {
        "feedback": 0,
        "interaction": 0,
        "survey_answer": 0,
    }
    complaint = db.scalar(select(TextAnalysis).where(TextAnalysis.subject_id == ids["complaint"]))
    assert complaint is not None
    assert (
        "erika.weber@example.com" not in complaint.masked_text
        and "[EMAIL]" in complaint.masked_text
    )
    assert complaint.urgent and {"churn_threat", "repeated_contact"} <= set(complaint.flags)
    assert "billing" in {t["topic"] for t in complaint.topics}
    assert complaint.sentiment_score < 0
    call = db.scalar(select(TextAnalysis).where(TextAnalysis.subject_type == "interaction"))
    assert call is not None and "Modell X" in call.products
    answer = db.scalar(select(TextAnalysis).where(TextAnalysis.subject_type == "survey_answer"))
    assert answer is not None and answer.language == "en"


def test_an_interrupted_backfill_resumes_without_doubles(
    db: Session, clock: FixedClock, model: object
) -> None:
    for n in range(5):
        feedback.record_feedback(
            db,
            source=FeedbackSource.SOCIAL,
            now=clock.now(),
            occurred_at=clock.now() - timedelta(minutes=n),
            text=f"Netz weg in Köln, Tag {n}",
        )
    analyser = Analyser(model, taxonomies=list(DEFAULT_TAXONOMIES.values()))  # type: ignore[arg-type]
    first = text.analyse_pending(
        db, analyser=analyser, now=clock.now(), batch_size=2, max_batches=1
    )
    assert first["feedback"] == 2
    rest = text.analyse_pending(db, analyser=analyser, now=clock.now(), batch_size=2)
    assert rest["feedback"] == 3
    assert db.scalar(select(func.count()).select_from(TextAnalysis)) == 5


def test_feedback_is_found_by_topic_sentiment_and_urgency_and_corrections_are_kept(
    client: TestClient,
    admin: dict[str, str],
    db: Session,
    clock: FixedClock,
    model: object,
    app,  # noqa: ANN001
) -> None:
    ids = _texts(db, clock)
    analyser = Analyser(model, taxonomies=text.taxonomies(db), catalogue=text.catalogue(db))  # type: ignore[arg-type]
    text.analyse_pending(db, analyser=analyser, now=clock.now())
    urgent = client.get(
        "/api/v1/text/analyses",
        headers=admin,
        params={
            "subject_type": "feedback",
            "topic": "billing",
            "urgent": True,
        },
    ).json()
    assert [a["subject_id"] for a in urgent] == [str(ids["complaint"])]
    churn = client.get(
        "/api/v1/text/analyses", headers=admin, params={"flag": "churn_threat"}
    ).json()
    assert len(churn) == 1

    praise = client.get("/api/v1/text/analyses", headers=admin, params={"source": "review"}).json()[
        0
    ]
    fixed = client.post(
        f"/api/v1/text/analyses/{praise['id']}/correction",
        headers=admin,
        json={"sentiment": "positive", "topics": ["staff"]},
    )
    assert fixed.status_code == 200 and fixed.json()["corrected"] is True
    bad = client.post(
        f"/api/v1/text/analyses/{praise['id']}/correction", headers=admin, json={"topics": ["nope"]}
    )
    assert bad.status_code == 422
    lines = list(text.corrections_for_training(db))
    assert lines == [{"text": praise["masked_text"], "sentiment": "positive", "topics": ["staff"]}]
    staff = client.get("/api/v1/text/analyses", headers=admin, params={"topic": "staff"}).json()
    assert praise["id"] in {a["id"] for a in staff}
    positive = client.get(
        "/api/v1/text/analyses", headers=admin, params={"sentiment": "positive", "source": "review"}
    ).json()
    assert [a["id"] for a in positive] == [praise["id"]]
    positive = client.get(
        "/api/v1/text/analyses", headers=admin, params={"sentiment": "positive", "source": "review"}
    ).json()
    assert [a["id"] for a in positive] == [praise["id"]]


def test_a_planted_spike_among_modell_x_owners_is_found(
    db: Session, clock: FixedClock, model: object
) -> None:
    from cxm.textanalytics.models import TextTopic

    analyses = []
    for day in range(35):
        at = clock.now() - timedelta(days=day)
        per_day = 12 if day < 7 else 2
        for n in range(per_day):
            record = TextAnalysis(
                subject_type="feedback",
                subject_id=__import__("uuid").uuid4(),
                source="complaint",
                product_model="Modell X",
                occurred_at=at - timedelta(minutes=n),
                language="de",
                masked_text="Verbindungsabbrüche",
                sentiment="negative",
                sentiment_score=-0.8,
                topics=[],
                flags=[],
                products=[],
                urgent=False,
                model_version="t",
            )
            db.add(record)
            analyses.append(record)
        for n in range(5):  # a stationary topic
            db.add(
                TextAnalysis(
                    subject_type="feedback",
                    subject_id=__import__("uuid").uuid4(),
                    source="complaint",
                    occurred_at=at - timedelta(minutes=30 + n),
                    language="de",
                    masked_text="Rechnung",
                    sentiment="negative",
                    sentiment_score=-0.5,
                    topics=[],
                    flags=[],
                    products=[],
                    urgent=False,
                    model_version="t",
                )
            )
    db.flush()
    for record in analyses:
        db.add(
            TextTopic(
                analysis_id=record.id,
                taxonomy="customer_service",
                topic="network_quality",
                sentiment="negative",
                confidence=0.9,
                occurred_at=record.occurred_at,
            )
        )
    for record in db.scalars(select(TextAnalysis).where(TextAnalysis.masked_text == "Rechnung")):
        db.add(
            TextTopic(
                analysis_id=record.id,
                taxonomy="customer_service",
                topic="billing",
                sentiment="negative",
                confidence=0.9,
                occurred_at=record.occurred_at,
            )
        )
    db.commit()
    found = text.topic_spikes(db, as_of=clock.now().date())
    assert {(s.topic, s.product) for s in found} >= {("network_quality", "Modell X")}
    assert all(s.topic != "billing" for s in found)
    from cxm.alerts import services as alerts
    from cxm.alerts.domain import AlertKind
    from cxm.shared.mail import ConsoleMailer

    alerts.create_rule(db, name="Neue Themen", kind=AlertKind.EMERGING_TOPIC, now=clock.now())
    result = alerts.evaluate(db, now=clock.now(), mailer=ConsoleMailer())
    titles = [a.title for a in alerts.list_alerts(db)]
    assert result["raised"] >= 1
    assert any("network_quality" in t and "Modell X" in t for t in titles)
    assert not any("billing" in t for t in titles)
    assert alerts.evaluate(db, now=clock.now(), mailer=ConsoleMailer())["raised"] == 0
