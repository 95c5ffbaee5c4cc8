"""The dashboard charts and the feedback explorer through HTTP: chart data blocks, filters kept in
the URL, empty states, escaped verbatims, keyset pages, label corrections and who may make them."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Role
from cxm.analytics.settings import AnalyticsSettings
from cxm.feedback import services as feedback
from cxm.feedback.domain import FeedbackSource
from cxm.feedback.models import Feedback
from cxm.shared.clock import FixedClock
from cxm.surveys import services as surveys
from cxm.textanalytics.models import LabelCorrection, TextAnalysis, TextTopic
from cxm.web_support import CSP
from tests import factories

PASSWORD = "richtig-geheim"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "page without CSRF token"
    return match.group(1)


def _login(client: TestClient, db: Session, role: Role) -> str:
    user = factories.user(db, role=role)
    accounts.set_password(db, user.id, PASSWORD)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return user.email


def _block(html: str, block_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S
    )
    assert match, f"no data block {block_id}"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _scripts_are_external_or_data(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def _analysed(
    db: Session,
    *,
    now: datetime,
    text: str,
    sentiment: str = "negative",
    topics: tuple[str, ...] = ("billing",),
    source: FeedbackSource = FeedbackSource.COMPLAINT,
    occurred_at: datetime | None = None,
    product_model: str | None = None,
    urgent: bool = False,
    analysed: bool = True,
) -> Feedback:
    """Feedback as the text pipeline would leave it: an analysis with its topic rows."""
    at = occurred_at or now - timedelta(days=1)
    item, _ = feedback.record_feedback(
        db,
        source=source,
        text=text,
        occurred_at=at,
        now=now,
        product_model=product_model,
        language="de",
    )
    if not analysed:
        return item
    analysis = TextAnalysis(
        subject_type="feedback",
        subject_id=item.id,
        source=source.value,
        product_model=product_model,
        occurred_at=at,
        language="de",
        masked_text=text.replace("0151 2345678", "[PHONE]"),
        sentiment=sentiment,
        sentiment_score=-0.62 if sentiment == "negative" else 0.4,
        topics=[
            {
                "taxonomy": "customer_service",
                "topic": t,
                "confidence": 0.87,
                "sentiment": sentiment,
                "evidence": [],
            }
            for t in topics
        ],
        flags=["churn_threat"] if urgent else [],
        products=[product_model] if product_model else [],
        urgent=urgent,
        model_version="test-1",
        analysed_at=now,
    )
    db.add(analysis)
    db.flush()
    for t in topics:
        db.add(
            TextTopic(
                analysis_id=analysis.id,
                taxonomy="customer_service",
                topic=t,
                sentiment=sentiment,
                confidence=0.87,
                occurred_at=at,
            )
        )
    db.commit()
    return item


@pytest.fixture
def analytics(app: FastAPI, tmp_path: Path) -> None:
    app.state.analytics_settings = AnalyticsSettings(path=tmp_path / "a.duckdb", min_n=3)


@pytest.fixture
def cx_data(
    client: TestClient, db: Session, clock: FixedClock, admin: dict[str, str], analytics: None
) -> dict[str, Any]:
    """Two months of NPS and CSAT answers at a hotline, contacts there, complaints with topics."""
    now = clock.now()
    tp = factories.touchpoint(
        db, now=now, key="hotline", name_de="Service-Hotline", name_en="Service hotline"
    )
    customer = factories.customer(db, now=now, attributes={"tier": "gold"})
    factories.customer(db, now=now, attributes={"tier": "silver"})
    surveys.create_survey(
        db,
        key="nach-hotline",
        name="Nach der Hotline",
        title_de="Wie war es?",
        title_en="How was it?",
        now=now,
        questions=[
            {"key": "nps", "type": "nps", "text_de": "?", "text_en": "?"},
            {"key": "csat", "type": "csat", "text_de": "?", "text_en": "?"},
        ],
    )
    for month_back in (0, 15):  # T0 is 2 March: 1 March and 14 February
        for n, (nps, csat) in enumerate([(10, 5), (9, 4), (3, 2), (10, 5), (8, 4)]):
            surveys.record_response(
                db,
                "nach-hotline",
                answers={"nps": nps, "csat": csat},
                now=now,
                submitted_at=now - timedelta(days=month_back + 1, minutes=n),
                customer_id=customer.id,
                touchpoint="hotline",
            )
    for n in range(6):
        response = client.post(
            "/api/v1/interactions",
            headers=admin,
            json={
                "customer_id": str(customer.id),
                "touchpoint": "hotline",
                "type": "call",
                "occurred_at": (now - timedelta(days=2, hours=n)).isoformat(),
            },
        )
        assert response.status_code == 201, response.text
    for n, topic in enumerate(["network", "network", "billing"]):
        feedback.record_feedback(
            db,
            source=FeedbackSource.COMPLAINT,
            text=f"Beschwerde {n}",
            occurred_at=now - timedelta(days=2, hours=n),
            now=now,
            customer_id=customer.id,
            touchpoint="hotline",
            properties={"topic": topic},
        )
    _analysed(db, now=now, text="Die Rechnung ist falsch", topics=("billing", "price_tariff"))
    _analysed(db, now=now, text="Netz super", sentiment="positive", topics=("network_quality",))
    return {"touchpoint": tp.key, "customer": customer}


# --- dashboard -------------------------------------------------------------------------------


def test_the_dashboard_draws_each_chart_from_a_data_block_with_a_table_alternative(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.ANALYST)
    page = client.get("/app")
    assert page.status_code == 200
    html = page.text
    for name in ("trend", "by-touchpoint", "complaints", "topics"):
        assert f'data-chart="{name}" data-source="chart-{name}"' in html
        assert _block(html, f"chart-{name}")["series"]
    trend = _block(html, "chart-trend")
    assert len(trend["labels"]) == 6 and trend["type"] == "lines"
    nps = trend["series"][0]["values"]
    assert nps[-1] == 40.0 and nps[-2] == 40.0  # 3 promoters, 1 passive, 1 detractor of 5
    assert trend["series"][1]["values"][-1] == 80.0  # CSAT: 4 of 5 answered 4 or 5
    by_tp = _block(html, "chart-by-touchpoint")
    assert by_tp["labels"] == ["Service-Hotline"] and by_tp["series"][0]["values"] == [40.0]
    complaints = _block(html, "chart-complaints")
    names = {s["name"] for s in complaints["series"]}
    assert names == {"network", "Rechnung", "ohne Thema"}  # the analysed ones have no topic
    network = next(s for s in complaints["series"] if s["name"] == "network")
    # February: 2 complaints per 11 contacts (6 calls, 5 survey answers); March: none of 5
    assert network["values"][-2:] == [pytest.approx(181.82), 0.0]
    topics = _block(html, "chart-topics")
    assert topics["labels"][0] == "Rechnung"
    assert [s["key"] for s in topics["series"]] == ["negative", "neutral", "positive"]
    assert 'data-testid="trend-table"' in html and 'data-testid="topic-sentiment"' in html
    assert html.count("<details>") == 4
    assert '<script src="/static/vendor/echarts.min.js" defer></script>' in html
    _scripts_are_external_or_data(html)
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert page.headers["content-security-policy"] == CSP


def test_dashboard_filters_stay_in_the_url_and_narrow_the_charts(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.ANALYST)
    html = client.get("/app", params={"months": "3", "touchpoint": "hotline"}).text
    assert '<option value="3" selected>' in html
    assert '<option value="hotline" selected>' in html
    assert len(_block(html, "chart-trend")["labels"]) == 3
    assert '<option value="tier=gold">' in html  # segments offered from customer attributes
    silver = client.get("/app", params={"segment": "tier=silver"}).text
    assert '<option value="tier=silver" selected>' in silver
    assert "Noch keine Antworten — legen Sie eine Umfrage an" in silver  # silver gave none
    assert "Der Segmentfilter gilt für dieses Diagramm nicht." in silver


def test_unknown_filter_values_fall_back_to_everything(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.ANALYST)
    page = client.get("/app", params={"months": "99", "touchpoint": "nope", "segment": "x=y"})
    assert page.status_code == 200
    assert '<option value="6" selected>' in page.text
    assert _block(page.text, "chart-by-touchpoint")["labels"] == ["Service-Hotline"]


def test_the_dashboard_shows_empty_states_in_both_languages(
    client: TestClient, db: Session, clock: FixedClock, analytics: None
) -> None:
    factories.customer(db, now=clock.now())
    _login(client, db, Role.ANALYST)
    page = client.get("/app")
    assert page.status_code == 200
    assert "Noch keine Antworten — legen Sie eine Umfrage an" in page.text
    assert "Keine Beschwerden in diesem Zeitraum." in page.text
    assert 'data-chart="' not in page.text
    client.post("/language", data={"language": "en", "csrf": _csrf(page.text), "next": "/app"})
    english = client.get("/app").text
    assert "No responses yet — create a survey" in english
    assert "No analysed customer texts yet" in english


def test_an_agent_sees_the_counts_but_no_charts(
    client: TestClient, db: Session, cx_data: dict[str, Any]
) -> None:
    _login(client, db, Role.AGENT)
    page = client.get("/app")
    assert page.status_code == 200
    assert 'data-testid="tiles"' in page.text
    assert "data-chart=" not in page.text and 'data-testid="kpis"' not in page.text


def test_the_chart_script_and_libraries_are_served_by_cxm(client: TestClient) -> None:
    script = client.get("/static/charts.js")
    assert script.status_code == 200 and "echarts.init" in script.text
    assert "renderMode" in script.text  # tooltips on the canvas: no inline styles
    assert client.get("/static/feedback.js").status_code == 200


# --- feedback explorer -----------------------------------------------------------------------


def test_the_explorer_needs_a_login(client: TestClient) -> None:
    response = client.get("/app/feedback?topic=billing", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/app/feedback%3Ftopic%3Dbilling"


def test_the_explorer_lists_feedback_with_its_analysis_and_escapes_it(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    item = _analysed(
        db,
        now=now,
        text="<script>alert('xss')</script> Rechnung doppelt, ruft mich an: 0151 2345678",
        urgent=True,
    )
    _analysed(db, now=now, text="Noch nicht gelesen", analysed=False)
    _login(client, db, Role.ANALYST)
    page = client.get("/app/feedback")
    assert page.status_code == 200
    html = page.text
    assert html.count('data-testid="feedback-item"') == 2
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;xss&#39;)" in html
    assert "[PHONE]" in html and "0151 2345678" not in html  # lists show the masked text
    assert "negativ" in html and "Rechnung" in html and "dringend" in html
    assert "noch nicht analysiert" in html
    assert f'href="/app/feedback/{item.id}"' in html
    _scripts_are_external_or_data(html)
    detail = client.get(f"/app/feedback/{item.id}").text
    assert "<script>alert" not in detail and "&lt;script&gt;alert" in detail
    assert "0151 2345678" in detail  # the original, for whoever may read customer data
    assert "-0.62" in detail and "87 %" in detail and "Kündigungsdrohung" in detail


def test_explorer_filters_combine_and_stay_in_links(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    _analysed(db, now=now, text="Rechnung falsch", product_model="Modell X")
    _analysed(db, now=now, text="Netz fällt aus", topics=("network_quality",))
    _analysed(
        db,
        now=now,
        text="Rechnung endlich korrekt",
        sentiment="positive",
        source=FeedbackSource.REVIEW,
        occurred_at=now - timedelta(days=40),
    )
    _login(client, db, Role.AGENT)

    def texts(**params: str) -> list[str]:
        html = client.get("/app/feedback", params=params).text
        return re.findall(r'<p class="verbatim">([^<]*)</p>', html)

    assert texts(q="rechnung") == ["Rechnung falsch", "Rechnung endlich korrekt"]
    assert texts(topic="billing", sentiment="negative") == ["Rechnung falsch"]
    assert texts(source="review") == ["Rechnung endlich korrekt"]
    assert texts(product="Modell X") == ["Rechnung falsch"]
    since = (now - timedelta(days=10)).date().isoformat()
    assert texts(**{"from": since, "q": "Rechnung"}) == ["Rechnung falsch"]
    assert texts(to=(now - timedelta(days=30)).date().isoformat()) == ["Rechnung endlich korrekt"]
    assert texts(q="100%_") == []  # LIKE wildcards are matched literally
    html = client.get("/app/feedback", params={"topic": "billing", "sentiment": "bogus"}).text
    assert '<option value="billing" selected>' in html
    item_link = re.search(r'href="(/app/feedback/[^"]+)"', html)
    assert item_link and item_link.group(1).endswith("?topic=billing")
    assert "Kein Feedback passt" in client.get("/app/feedback", params={"q": "zzz"}).text


def test_the_explorer_pages_by_keyset_and_loads_more_with_htmx(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    now = clock.now()
    for n in range(30):
        _analysed(db, now=now, text=f"Text {n:02d}", occurred_at=now - timedelta(hours=n))
    _login(client, db, Role.ANALYST)
    first = client.get("/app/feedback", params={"topic": "billing"}).text
    assert first.count('data-testid="feedback-item"') == 25
    more = re.search(r'href="(/app/feedback\?topic=billing&amp;cursor=[^"]+)"', first)
    assert more, "no link to the next page"
    url = more.group(1).replace("&amp;", "&")
    second = client.get(url).text
    assert second.count('data-testid="feedback-item"') == 5 and "<html" in second
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and partial.text.count('data-testid="feedback-item"') == 5
    assert 'hx-swap-oob="true"' in partial.text and 'data-testid="more"' not in partial.text
    assert "HX-Request" in partial.headers["vary"]
    texts = re.findall(r'<p class="verbatim">([^<]*)</p>', first + second)
    assert texts == [f"Text {n:02d}" for n in range(30)]
    assert client.get("/app/feedback?cursor=not-a-cursor").status_code == 422


def test_the_explorer_says_when_there_is_no_feedback_yet(client: TestClient, db: Session) -> None:
    _login(client, db, Role.ANALYST)
    page = client.get("/app/feedback")
    assert page.status_code == 200 and "Noch kein Feedback erfasst." in page.text


def test_an_agent_corrects_the_labels_and_sees_the_correction(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    item = _analysed(db, now=clock.now(), text="Rechnung falsch", topics=("billing",))
    _login(client, db, Role.AGENT)
    detail = client.get(f"/app/feedback/{item.id}?topic=billing")
    assert 'data-testid="correction-form"' in detail.text
    response = client.post(
        f"/app/feedback/{item.id}/correction",
        data={
            "csrf": _csrf(detail.text),
            "sentiment": "neutral",
            "topics": ["billing", "price_tariff"],
            "back": "topic=billing",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/app/feedback/{item.id}?saved=1&topic=billing"
    page = client.get(response.headers["location"]).text
    assert "Korrektur gespeichert." in page and "von Hand korrigiert" in page
    assert '<span class="tag neutral" data-testid="sentiment">neutral</span>' in page
    assert "Preis / Tarif" in page and 'href="/app/feedback?topic=billing"' in page
    analysis = db.scalar(select(TextAnalysis).where(TextAnalysis.subject_id == item.id))
    assert analysis is not None and analysis.sentiment == "neutral" and analysis.corrected
    stored = db.scalars(select(LabelCorrection)).all()
    assert [(c.sentiment, c.topics) for c in stored] == [("neutral", ["billing", "price_tariff"])]
    topics = db.scalars(select(TextTopic.topic).where(TextTopic.analysis_id == analysis.id))
    assert sorted(topics) == ["billing", "price_tariff"]
    listed = client.get("/app/feedback", params={"sentiment": "neutral"}).text
    assert "Rechnung falsch" in listed


def test_only_the_changed_label_is_recorded_and_an_unchanged_form_confirms_the_sentiment(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    item = _analysed(db, now=clock.now(), text="Rechnung falsch", topics=("billing",))
    _login(client, db, Role.AGENT)
    token = _csrf(client.get(f"/app/feedback/{item.id}").text)
    url = f"/app/feedback/{item.id}/correction"
    client.post(url, data={"csrf": token, "sentiment": "negative", "topics": ["billing"]})
    client.post(url, data={"csrf": token, "sentiment": "negative"})  # every topic unticked
    stored = db.scalars(select(LabelCorrection).order_by(LabelCorrection.corrected_at)).all()
    assert [(c.sentiment, c.topics) for c in stored] == [("negative", None), (None, [])]


def test_an_analyst_may_read_but_not_correct(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    item = _analysed(db, now=clock.now(), text="Rechnung falsch")
    _login(client, db, Role.ANALYST)
    detail = client.get(f"/app/feedback/{item.id}")
    assert detail.status_code == 200
    assert 'data-testid="correction-form"' not in detail.text
    assert "Ihre Rolle darf Bezeichnungen nicht korrigieren." in detail.text
    response = client.post(
        f"/app/feedback/{item.id}/correction",
        data={"csrf": _csrf(detail.text), "sentiment": "positive"},
    )
    assert response.status_code == 403
    assert db.scalars(select(LabelCorrection)).all() == []


def test_a_correction_without_csrf_or_with_an_unknown_topic_stores_nothing(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    item = _analysed(db, now=clock.now(), text="Rechnung falsch")
    _login(client, db, Role.AGENT)
    token = _csrf(client.get(f"/app/feedback/{item.id}").text)
    url = f"/app/feedback/{item.id}/correction"
    no_csrf = client.post(url, data={"csrf": "forged", "sentiment": "positive"})
    assert no_csrf.status_code == 400 and "Das Formular ist abgelaufen" in no_csrf.text
    unknown = client.post(url, data={"csrf": token, "topics": ["<b>made-up</b>"]})
    assert unknown.status_code == 422 and "&lt;b&gt;made-up&lt;/b&gt;" in unknown.text
    assert db.scalars(select(LabelCorrection)).all() == []


def test_unknown_or_unanalysed_feedback(client: TestClient, db: Session, clock: FixedClock) -> None:
    item = _analysed(db, now=clock.now(), text="Noch offen", analysed=False)
    _login(client, db, Role.AGENT)
    assert client.get(f"/app/feedback/{uuid.uuid4()}").status_code == 404
    page = client.get(f"/app/feedback/{item.id}")
    assert page.status_code == 200 and "noch nicht analysiert" in page.text
    assert 'data-testid="correction-form"' not in page.text
    token = _csrf(page.text)
    posted = client.post(f"/app/feedback/{item.id}/correction", data={"csrf": token})
    assert posted.status_code == 404


def test_explorer_labels_switch_to_english(
    client: TestClient, db: Session, clock: FixedClock
) -> None:
    item = _analysed(db, now=clock.now(), text="Bill wrong")
    _login(client, db, Role.AGENT)
    page = client.get("/app/feedback")
    client.post(
        "/language", data={"language": "en", "csrf": _csrf(page.text), "next": "/app/feedback"}
    )
    english = client.get("/app/feedback").text
    assert "Feedback explorer" in english and "Billing / invoice" in english
    assert "Correct the labels" in client.get(f"/app/feedback/{item.id}").text
