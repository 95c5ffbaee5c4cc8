"""The demo company: shape, normalised identities, determinism, the stories it has to carry."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cxm import migrate
from cxm.accounts.models import Department, User
from cxm.cases.services import RESURVEY_KEY
from cxm.consent.domain import ConsentDecision, ContactChannel, Purpose, consent_state
from cxm.consent.models import ChannelPreference, ConsentEntry
from cxm.customers.domain import normalize_identity
from cxm.customers.models import Customer, Holding, Identity
from cxm.db import make_engine, make_session_factory
from cxm.demo import FAULTY_MODEL, DemoSummary, build_demo, voc_data
from cxm.feedback.models import Feedback
from cxm.interactions.models import Interaction
from cxm.shared import watermarks
from cxm.shared.errors import Conflict, Invalid
from cxm.surveys import dispatch
from cxm.surveys import services as surveys_services
from cxm.surveys.domain import (
    FatiguePolicy,
    InvitationStatus,
    ResponseChannel,
    SurveyStatus,
    nps_category,
    validate_answers,
)
from cxm.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    TriggerRuleRow,
)
from cxm.surveys.schemas import QuestionIn
from cxm.touchpoints.models import JourneyStage, Touchpoint

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
SIZE = 200


@dataclass
class Loaded:
    engine: Engine
    summary: DemoSummary


def _load(path: Path, **options: Any) -> Loaded:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as db:
        summary = build_demo(db, now=NOW, **options)
    return Loaded(engine, summary)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    loaded = _load(tmp_path_factory.mktemp("demo") / "demo.db", seed=7, customers=SIZE)
    yield loaded
    loaded.engine.dispose()


@pytest.fixture
def db(demo: Loaded) -> Iterator[Session]:
    with make_session_factory(demo.engine)() as session:
        yield session


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_summary_counts_what_the_database_holds(demo: Loaded, db: Session) -> None:
    s = demo.summary
    assert s.customers == SIZE == _count(db, Customer)
    assert s.identities == _count(db, Identity)
    assert s.holdings == _count(db, Holding)
    assert s.interactions == _count(db, Interaction)
    assert s.touchpoints == _count(db, Touchpoint) >= 40
    assert s.departments == _count(db, Department) >= 8
    assert s.users == _count(db, User)
    # The five surveys of the demo and the follow-up survey that closing a case sends.
    assert s.surveys == _count(db, Survey) == 6
    assert s.invitations == _count(db, SurveyInvitation) > 0
    assert s.responses == _count(db, SurveyResponse) > 0
    assert s.feedback == _count(db, Feedback) > 0
    assert s.consent_entries == _count(db, ConsentEntry) > 0


def test_history_averages_the_requested_interactions_per_customer(demo: Loaded) -> None:
    assert SIZE * 40 <= demo.summary.interactions <= SIZE * 40 * 1.1


def test_touchpoints_cover_every_channel_and_name_stage_and_owner(db: Session) -> None:
    tps = db.scalars(select(Touchpoint)).all()
    channels = {tp.channel for tp in tps}
    assert channels == {
        "web", "email", "phone", "chat", "store", "app", "social", "letter", "field_service"
    }  # fmt: skip
    assert all(tp.name_de and tp.name_en and tp.stage_id and tp.department_id for tp in tps)
    assert any(not tp.controllable for tp in tps)
    assert sum(tp.channel == "store" for tp in tps) >= 5
    keys = {tp.key for tp in tps}
    assert {"web_home", "web_checkout", "hotline_technical", "chat_web", "social_x"} <= keys
    stages = {s.key for s in db.scalars(select(JourneyStage))}
    assert {"awareness", "purchase", "service", "exit"} <= stages


def test_staff_has_agents_a_cx_manager_and_an_analyst(db: Session) -> None:
    roles = [str(u.role) for u in db.scalars(select(User))]
    assert roles.count("cx_manager") >= 1
    assert roles.count("analyst") >= 1
    assert roles.count("agent") >= 10
    emails = db.scalars(select(User.email)).all()
    assert all(e.endswith("@example.com") for e in emails)


def test_identity_values_are_stored_normalised(db: Session) -> None:
    rows = db.execute(select(Identity.kind, Identity.value)).all()
    for kind, value in rows:
        assert normalize_identity(kind, value) == value, (kind, value)
    kinds = {kind for kind, _ in rows}
    assert {"customer_number", "email", "phone", "social", "cookie"} <= kinds
    phones = [v for k, v in rows if k == "phone"]
    assert len(phones) == SIZE
    assert all(re.fullmatch(r"\+491[567]\d{8,10}", p) for p in phones)
    numbers = [v for k, v in rows if k == "customer_number"]
    assert all(re.fullmatch(r"K\d{8}", n) for n in numbers)


def test_customers_mix_languages_types_and_regions(db: Session) -> None:
    customers = db.scalars(select(Customer)).all()
    english = sum(c.language == "en" for c in customers)
    business = [c for c in customers if c.type == "business"]
    assert 0.05 * SIZE <= english <= 0.3 * SIZE
    assert 0.03 * SIZE <= len(business) <= 0.2 * SIZE
    assert all(c.company_name and c.display_name == c.company_name for c in business)
    assert all(c.postal_code and re.fullmatch(r"\d{5}", c.postal_code) for c in customers)
    assert len({c.region for c in customers}) >= 10
    assert all(c.attributes["segment"] and c.attributes["customer_since"] for c in customers)


def test_every_customer_has_a_contract_and_some_ended(db: Session) -> None:
    with_contract = db.scalar(
        select(func.count(func.distinct(Holding.customer_id))).where(Holding.kind == "contract")
    )
    assert with_contract == SIZE
    ended = db.scalar(
        select(func.count()).where(Holding.kind == "contract", Holding.ended_on.is_not(None))
    )
    assert ended and ended > 0
    tariffs = set(db.scalars(select(Holding.tariff).where(Holding.kind == "contract")))
    assert {"Tarif S", "Tarif M", "Tarif L"} <= tariffs


def test_about_fifteen_percent_own_the_faulty_model_and_report_dropped_calls(
    db: Session,
) -> None:
    owners = set(db.scalars(select(Holding.customer_id).where(Holding.model == FAULTY_MODEL)))
    assert 0.08 * SIZE <= len(owners) <= 0.25 * SIZE
    serials = db.scalars(select(Holding.serial).where(Holding.model == FAULTY_MODEL)).all()
    assert all(s and s.startswith("MX") for s in serials)
    reports = db.execute(
        select(Interaction.customer_id, Interaction.text).where(
            Interaction.text.like("%brechen%ständig ab%")
            | Interaction.text.like("%calls keep dropping%")
        )
    ).all()
    assert reports
    assert {cid for cid, _ in reports} <= owners


def test_texts_come_in_german_and_english_by_customer_language(db: Session) -> None:
    rows = db.execute(
        select(Customer.language, Interaction.text)
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(Interaction.text.is_not(None), Interaction.direction == "in")
    ).all()
    german = [t or "" for lang, t in rows if lang == "de"]
    english = [t or "" for lang, t in rows if lang == "en"]
    assert german and english
    assert sum(bool(re.search(r"\b(die|der|und|ich|Sie)\b", t)) for t in german) > len(german) / 2
    assert sum(bool(re.search(r"\b(the|and|my|I|you)\b", t)) for t in english) > len(english) / 2
    assert not any(re.search(r"\b(ich|nicht|Rechnung)\b", t) for t in english)


def test_interactions_lie_in_the_twelve_months_before_now_and_are_aware(db: Session) -> None:
    times = db.scalars(select(Interaction.occurred_at)).all()
    assert all(t.tzinfo is not None for t in times)
    assert all(datetime(2025, 3, 15, 12, 0, tzinfo=UTC) <= t < NOW for t in times)
    assert len({t.month for t in times}) >= 12


def test_interactions_carry_event_ids_agents_and_properties(db: Session) -> None:
    event_ids = db.scalars(select(Interaction.event_id)).all()
    assert all(e and e.startswith(("demo-", "survey-response:", "outreach:")) for e in event_ids)
    assert len(set(event_ids)) == len(event_ids)
    types = set(db.scalars(select(Interaction.type).distinct()))
    assert {
        "page_view", "search", "order", "invoice", "call", "email", "chat_message",
        "complaint", "social_post", "app_event", "technician_visit", "visit", "cancellation",
    } <= types  # fmt: skip
    calls = db.execute(
        select(Interaction.employee_id, Interaction.properties)
        .join(Touchpoint, Touchpoint.id == Interaction.touchpoint_id)
        .where(Touchpoint.key == "hotline_technical", Interaction.type == "call")
    ).all()
    answered = [c for c in calls if not c.properties.get("abandoned")]
    assert answered and all(c.employee_id is not None for c in answered)
    assert all("duration_s" in c.properties for c in calls)
    views = db.scalars(select(Interaction.properties).where(Interaction.type == "page_view")).all()
    assert all(v["path"] for v in views)
    orders = db.scalars(select(Interaction.properties).where(Interaction.type == "order")).all()
    assert orders and all(o["value_eur"] > 0 for o in orders)


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(
    demo: Loaded, db: Session, tmp_path: Path
) -> None:
    again = _load(tmp_path / "again.db", seed=7, customers=SIZE)
    other = _load(tmp_path / "other.db", seed=8, customers=SIZE)
    try:

        def snapshot(engine: Engine) -> tuple[object, ...]:
            with make_session_factory(engine)() as s:
                return (
                    s.scalars(select(Customer.id).order_by(Customer.id)).all(),
                    s.scalars(select(Identity.value).order_by(Identity.value)).all(),
                    s.execute(
                        select(Interaction.id, Interaction.occurred_at, Interaction.text).order_by(
                            Interaction.id
                        )
                    ).all(),
                    s.execute(
                        select(
                            ConsentEntry.customer_id,
                            ConsentEntry.purpose,
                            ConsentEntry.channel,
                            ConsentEntry.granted,
                            ConsentEntry.at,
                        ).order_by(ConsentEntry.id)
                    ).all(),
                    s.execute(
                        select(
                            SurveyInvitation.id,
                            SurveyInvitation.status,
                            SurveyInvitation.send_at,
                            SurveyInvitation.skip_reason,
                        ).order_by(SurveyInvitation.id)
                    ).all(),
                    s.execute(
                        select(
                            SurveyAnswer.response_id, SurveyAnswer.score, SurveyAnswer.text
                        ).order_by(SurveyAnswer.id)
                    ).all(),
                    s.execute(
                        select(
                            Feedback.id, Feedback.source, Feedback.text, Feedback.rating
                        ).order_by(Feedback.id)
                    ).all(),
                )

        assert again.summary == demo.summary
        assert snapshot(again.engine) == snapshot(demo.engine)
        assert snapshot(other.engine)[0] != snapshot(demo.engine)[0]
    finally:
        again.engine.dispose()
        other.engine.dispose()


def test_a_database_that_holds_customers_is_refused(db: Session) -> None:
    with pytest.raises(Conflict):
        build_demo(db, customers=10, now=NOW)
    assert _count(db, Customer) == SIZE


def test_a_short_period_and_tiny_size_still_load(tmp_path: Path) -> None:
    loaded = _load(tmp_path / "tiny.db", customers=15, months=1, interactions_per_customer=5)
    try:
        assert loaded.summary.customers == 15
        assert loaded.summary.interactions >= 15 * 5
    finally:
        loaded.engine.dispose()


def test_nonsense_sizes_are_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as db:
        with pytest.raises(Invalid):
            build_demo(db, customers=0, now=NOW)
        with pytest.raises(Invalid):
            build_demo(db, months=0, now=NOW)
        with pytest.raises(ValueError):
            build_demo(db, now=datetime(2026, 3, 15))
    engine.dispose()


# --- the voice of the customer -------------------------------------------------------------------

START = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
# Words every complaint carries (a test over the templates below keeps them honest).
NEGATIVE = re.compile(
    r"nicht|\bnie\b|kein|[Ww]arte|unfreundlich|falsch|[äÄ]rger|teuer|Frechheit|enttäusch|"
    r"brechen|abgebrochen|unmöglich|inakzeptabel|umständlich|kompliziert|unseriös|Fehler|"
    r"versteckt|zu spät|Katastrophe|versprochen|Schlechtes|Patzige|vertröstet|Sternchen|"
    r"Werbung|langsam|[Ss]tändig|[Ff]alsch|abgewimmelt|tot\b|kaum|niemand|passiert nichts|"
    r"n't|never|\bno\b|\bnot\b|wait|rude|unfriendly|wrong|annoying|expensive|outrageous|"
    r"dropping|disaster|late|useless|slow|confusing|hassle|complicated|fail|dodgy|[Pp]oor|"
    r"[Hh]ardly|impossible|brushed|fobbed|ads|[Cc]urt|only|[Ww]rong|going down|nobody|"
    r"nothing|crashed|keeps"
)
POSITIVE = re.compile(
    r"[Dd]anke|[Ss]uper|[Tt]op|[Tt]oll|kompetent|[Ff]reundlich|[Ss]chnell|einfach|zufrieden|"
    r"empfehle|klasse|gut|klar|fair|[Gg]reat|[Tt]hanks|competent|[Ff]riendly|[Qq]uick|[Ee]asy|"
    r"happy|[Cc]lear|[Bb]rilliant|[Rr]eliable|works|[Ff]ast|simple|good|listens|sofort|"
    r"[Üü]bersichtlich"
)


def test_comment_templates_match_the_mood_of_their_theme() -> None:
    for theme, texts in voc_data.COMMENTS.items():
        for template in (*texts["de"], *texts["en"]):
            if theme in voc_data.NEGATIVE_THEMES:
                assert NEGATIVE.search(template), (theme, template)
            elif theme in voc_data.POSITIVE_THEMES:
                assert POSITIVE.search(template), (theme, template)
            else:
                assert theme in voc_data.MIXED_THEMES
    for texts in voc_data.WEBSITE_COMMENTS.values():
        assert all(NEGATIVE.search(t) for t in (*texts["de"], *texts["en"]))


def test_surveys_are_live_with_valid_questions_titles_and_trigger_rules(db: Session) -> None:
    surveys = {s.key: s for s in db.scalars(select(Survey)) if s.key != RESURVEY_KEY}
    assert set(surveys) == {
        "nach-hotline", "nach-kauf", "nach-shopbesuch", "website-feedback", "relationship-nps"
    }  # fmt: skip
    for survey in surveys.values():
        assert survey.status is SurveyStatus.LIVE
        version = db.get(SurveyVersion, survey.current_version_id)
        assert version is not None and version.title_de and version.title_en
        for question in version.questions:
            assert QuestionIn.model_validate(question).model_dump(mode="json") == question
    types = {
        key: [q["type"] for q in surveys_services.current_version(db, survey).questions]
        for key, survey in surveys.items()
    }
    assert types["nach-hotline"] == ["nps", "csat", "ces", "text"]
    assert types["nach-kauf"] == ["nps", "csat", "text"]
    assert types["nach-shopbesuch"] == ["csat", "nps", "text"]
    assert types["website-feedback"] == ["nps", "text"]
    assert types["relationship-nps"] == ["nps", "text"]
    assert surveys["website-feedback"].anonymous_enabled
    assert len(surveys_services.list_versions(db, surveys["relationship-nps"])) == 2
    rules = db.execute(
        select(Survey.key, TriggerRuleRow.interaction_type, TriggerRuleRow.delay_minutes)
        .join(Survey, Survey.id == TriggerRuleRow.survey_id)
        .where(TriggerRuleRow.active.is_(True))
    ).all()
    assert {(key, kind) for key, kind, _ in rules} == {
        ("nach-hotline", "call"), ("nach-kauf", "order"), ("nach-kauf", "purchase"),
        ("nach-shopbesuch", "visit"),
    }  # fmt: skip
    assert all(delay > 0 for _, _, delay in rules)


def test_every_interaction_that_fires_a_trigger_already_has_its_invitation(db: Session) -> None:
    created, after = 0, None
    while True:
        more, last = surveys_services.apply_triggers(
            db, now=NOW, policy=FatiguePolicy(), after_id=after
        )
        created += more
        if last is None or last == after:
            break
        after = last
    assert created == 0
    invitations = db.scalars(select(SurveyInvitation)).all()
    triggered = [i for i in invitations if i.trigger_interaction_id is not None]
    assert triggered and len(triggered) < len(invitations)  # the relationship survey has none


def test_interaction_ids_are_time_ordered_and_the_dispatcher_starts_after_the_demo(
    db: Session,
) -> None:
    rows = db.execute(select(Interaction.id, Interaction.occurred_at)).all()
    assert all(row.id.version == 7 for row in rows)
    assert all((row.id.int >> 80) == int(row.occurred_at.timestamp() * 1000) for row in rows)
    assert watermarks.get(db, dispatch.WATERMARK) == str(max(row.id for row in rows))


def test_invitations_follow_their_trigger_and_the_delay(db: Session) -> None:
    rows = db.execute(
        select(SurveyInvitation, Interaction.occurred_at, Interaction.touchpoint_id).join(
            Interaction, Interaction.id == SurveyInvitation.trigger_interaction_id
        )
    ).all()
    delays = {
        (rule.survey_id, rule.touchpoint_id, rule.interaction_type): rule.delay_minutes
        for rule in db.scalars(select(TriggerRuleRow))
    }
    for invitation, occurred_at, touchpoint_id in rows:
        assert invitation.created_at == occurred_at
        assert invitation.touchpoint_id == touchpoint_id
        delay = invitation.send_at - occurred_at
        assert timedelta(minutes=60) <= delay <= timedelta(days=3)
        assert timedelta(minutes=delay.total_seconds() // 60) == delay
        assert invitation.expires_at > invitation.send_at
    assert len(delays) == 7


def test_no_customer_has_two_invitations_within_thirty_days(db: Session) -> None:
    # The follow-up after a closed case is expected by the customer: only consent stops it.
    rows = db.execute(
        select(SurveyInvitation.customer_id, SurveyInvitation.send_at)
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .where(SurveyInvitation.status != InvitationStatus.SKIPPED, Survey.key != RESURVEY_KEY)
        .order_by(SurveyInvitation.customer_id, SurveyInvitation.send_at)
    ).all()
    for before, after in itertools.pairwise(rows):
        if before.customer_id == after.customer_id:
            assert after.send_at - before.send_at >= timedelta(days=30)
    reasons = db.scalars(
        select(SurveyInvitation.skip_reason).where(
            SurveyInvitation.status == InvitationStatus.SKIPPED
        )
    ).all()
    fatigue = [r for r in reasons if r and r.startswith("contact fatigue: ")]
    consent = [r for r in reasons if r and r.startswith("no consent for surveys (")]
    assert fatigue and consent and len(fatigue) + len(consent) == len(reasons)
    assert all(r == "contact fatigue: 1 invitation(s) within 30 days" for r in fatigue)


def test_invitations_go_out_only_on_a_channel_with_consent_for_surveys(db: Session) -> None:
    ledger: dict[uuid.UUID, list[ConsentDecision]] = {}
    for e in db.scalars(select(ConsentEntry)):
        decision = ConsentDecision(e.purpose, e.channel, e.granted, e.at, e.source)
        ledger.setdefault(e.customer_id, []).append(decision)
    sent = db.scalars(
        select(SurveyInvitation).where(SurveyInvitation.status != InvitationStatus.SKIPPED)
    ).all()
    assert sent
    for invitation in sent:
        assert invitation.channel is not None
        decisions = [
            d for d in ledger.get(invitation.customer_id, []) if d.at <= invitation.created_at
        ]
        state = consent_state(
            decisions, purpose=Purpose.SURVEY, channel=ContactChannel(invitation.channel)
        )
        assert state.allowed, invitation.id


def test_most_customers_consent_to_surveys_by_email_and_some_withdrew(db: Session) -> None:
    entries = db.scalars(select(ConsentEntry)).all()
    assert {e.purpose for e in entries} == set(Purpose)
    assert all(e.at.tzinfo is not None and e.at <= NOW for e in entries)
    by_email = {
        e.customer_id
        for e in entries
        if e.purpose is Purpose.SURVEY and e.channel is ContactChannel.EMAIL and e.granted
    }
    assert len(by_email) >= 0.6 * SIZE
    withdrawn = [e for e in entries if not e.granted]
    assert withdrawn and {e.source for e in withdrawn} >= {"Abmeldelink"}
    assert {"Vertragsabschluss", "Kundenportal", "Abmeldelink"} <= {e.source for e in entries}
    ranks: dict[uuid.UUID, list[int]] = {}
    for pref in db.scalars(select(ChannelPreference)):
        ranks.setdefault(pref.customer_id, []).append(pref.rank)
    assert len(ranks) == SIZE
    assert all(sorted(r) == list(range(len(r))) for r in ranks.values())


def test_response_rates_lie_between_fifteen_and_thirty_five_percent(db: Session) -> None:
    rows = db.execute(
        select(SurveyInvitation.channel, SurveyInvitation.status).where(
            SurveyInvitation.status.in_([InvitationStatus.SENT, InvitationStatus.RESPONDED])
        )
    ).all()
    answered = sum(status is InvitationStatus.RESPONDED for _, status in rows)
    assert 0.15 <= answered / len(rows) <= 0.35
    email = [status for channel, status in rows if channel == "email"]
    assert 0.12 <= email.count(InvitationStatus.RESPONDED) / len(email) <= 0.35
    links = db.scalar(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.channel == "link")
    )
    assert links == answered


def test_responses_are_aware_inside_the_period_and_answers_inside_their_scales(
    db: Session,
) -> None:
    responses = db.scalars(select(SurveyResponse)).all()
    versions = {v.id: surveys_services.questions_of(v) for v in db.scalars(select(SurveyVersion))}
    invitations = {i.id: i for i in db.scalars(select(SurveyInvitation))}
    for response in responses:
        assert response.submitted_at.tzinfo is not None
        assert START <= response.submitted_at < NOW
        raw = {
            a.question_key: a.choices[0] if a.choices else a.score if a.text is None else a.text
            for a in response.answers
        }
        valid = validate_answers(versions[response.version_id], raw)
        assert {a.question_key: (a.type, a.score) for a in valid} == {
            a.question_key: (a.type, a.score) for a in response.answers
        }
        assert all(a.choices is None for a in response.answers if a.type != "single_choice")
        if response.invitation_id is not None:
            invitation = invitations[response.invitation_id]
            assert invitation.status is InvitationStatus.RESPONDED
            assert invitation.responded_at == response.submitted_at
            assert invitation.send_at <= response.submitted_at < invitation.expires_at
            assert response.language == invitation.language
        else:
            assert response.channel in (ResponseChannel.WIDGET, ResponseChannel.ANONYMOUS)
            assert response.customer_id is None and response.properties["page"].startswith("/")
    scores = db.execute(select(SurveyAnswer.type, SurveyAnswer.score)).all()
    ranges = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    for kind, score in scores:
        if kind in ranges:
            low, high = ranges[kind]
            assert score is not None and low <= score <= high
        else:
            assert score is None


def test_about_forty_percent_of_responses_carry_a_comment_in_the_customers_language(
    db: Session,
) -> None:
    rows = db.execute(
        select(SurveyResponse.id, SurveyResponse.language, Customer.language, SurveyAnswer.text)
        .join(Customer, Customer.id == SurveyResponse.customer_id)
        .outerjoin(
            SurveyAnswer,
            (SurveyAnswer.response_id == SurveyResponse.id) & SurveyAnswer.text.is_not(None),
        )
    ).all()
    commented = [row for row in rows if row.text]
    assert 0.28 <= len(commented) / len(rows) <= 0.55
    assert all(row[1] == row[2] for row in rows)
    english = [row.text for row in commented if row[1] == "en"]
    assert english and not any(re.search(r"\b(ich|nicht|und|Rechnung)\b", t) for t in english)


def test_detractors_complain_and_promoters_praise(db: Session) -> None:
    rows = db.execute(
        select(SurveyResponse.properties, SurveyAnswer.text, SurveyResponse.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyAnswer.text.is_not(None))
    ).all()
    nps: dict[uuid.UUID, int] = dict(
        db.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.score).where(SurveyAnswer.type == "nps")
        ).all()
    )
    checked = {"detractor": 0, "promoter": 0}
    for properties, text, response_id in rows:
        category = nps_category(nps[response_id])
        theme = properties["demo_topic"]
        if category == "detractor":
            assert theme in voc_data.NEGATIVE_THEMES and NEGATIVE.search(text), text
        elif category == "promoter":
            assert theme in voc_data.POSITIVE_THEMES and POSITIVE.search(text), text
        else:
            assert theme in voc_data.MIXED_THEMES
        checked[category] = checked.get(category, 0) + 1
    assert checked["detractor"] and checked["promoter"]


def test_each_response_of_a_customer_is_on_their_timeline(db: Session) -> None:
    responses = {
        r.id: r
        for r in db.scalars(select(SurveyResponse).where(SurveyResponse.customer_id.is_not(None)))
    }
    events = db.scalars(select(Interaction).where(Interaction.type == "survey_response")).all()
    assert len(events) == len(responses) > 0
    for event in events:
        response = responses[uuid.UUID(event.properties["survey_response_id"])]
        assert event.event_id == f"survey-response:{response.id}"
        assert event.customer_id == response.customer_id
        assert event.occurred_at == response.submitted_at
        assert event.channel == "web" and event.direction == "in"
        assert event.properties["scores"] == {
            a.question_key: a.score for a in response.answers if a.score is not None
        }
        assert event.text == next((a.text for a in response.answers if a.text), None)


def test_feedback_links_complaints_posts_and_notes_to_their_customers(db: Session) -> None:
    items = db.scalars(select(Feedback)).all()
    by_source: dict[str, list[Feedback]] = {}
    for item in items:
        by_source.setdefault(item.source.value, []).append(item)
    assert {"complaint", "review", "social", "agent_note"} <= set(by_source)
    complaints = db.scalars(select(Interaction).where(Interaction.type == "complaint")).all()
    assert {c.interaction_id for c in by_source["complaint"]} == {i.id for i in complaints}
    topics = {
        "network", "dropped_calls", "billing", "waiting_time", "staff", "delivery", "contract",
        "website", "service", "app", "device", "praise", "price", "activation",
    }  # fmt: skip
    for item in items:
        assert item.text.strip() and item.properties["topic"] in topics
        assert item.occurred_at.tzinfo is not None and START <= item.occurred_at < NOW
        assert item.occurred_at <= item.received_at < NOW
        assert item.language in ("de", "en")
        if item.rating is not None:
            assert item.rating_scale == 5 and 1 <= item.rating <= 5
        if item.properties.get("demo_topic") == "dropped_calls":
            assert item.product_model == FAULTY_MODEL
    assert all(item.customer_id and item.interaction_id for item in by_source["complaint"])
    notes = by_source["agent_note"]
    assert all(n.recorded_by and n.interaction_id for n in notes)
    assert any(re.match(r"(Kundin|Kunde) ", n.text) for n in notes)
    assert all(r.rating for r in by_source["review"])
    languages = {item.language for item in items}
    assert languages == {"de", "en"}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    loaded = _load(
        tmp_path_factory.mktemp("story") / "story.db",
        seed=11,
        customers=1500,
        interactions_per_customer=8,
    )
    yield loaded.engine
    loaded.engine.dispose()


def _nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def test_scores_differ_by_touchpoint_and_follow_the_dropped_calls_story(story: Engine) -> None:
    with make_session_factory(story)() as db:
        rows = db.execute(
            select(
                Survey.key,
                SurveyResponse.customer_id,
                SurveyResponse.submitted_at,
                SurveyAnswer.score,
            )
            .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .where(SurveyAnswer.type == "nps")
        ).all()
        owners = set(db.scalars(select(Holding.customer_id).where(Holding.model == FAULTY_MODEL)))
    by_survey: dict[str, list[int]] = {}
    for key, _, _, score in rows:
        by_survey.setdefault(key, []).append(score)
    assert _nps(by_survey["nach-hotline"]) + 20 < _nps(by_survey["nach-shopbesuch"])
    span = NOW - START
    fault, fixed = START + span * 0.5, NOW - timedelta(days=21)
    owner_before = [s for _, c, t, s in rows if c in owners and t < fault]
    owner_during = [s for _, c, t, s in rows if c in owners and fault <= t < fixed]
    assert _nps(owner_during) + 25 < _nps(owner_before)
    # The relationship survey goes out quarterly, so compare the contacts' surveys only.
    contacts = [(t, s) for key, _, t, s in rows if key != "relationship-nps"]
    during = [s for t, s in contacts if fixed - timedelta(days=42) <= t < fixed]
    after = [s for t, s in contacts if t >= fixed]
    assert _nps(during) + 10 < _nps(after)
