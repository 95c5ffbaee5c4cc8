from datetime import UTC, datetime, timedelta

import pytest

from cxm.consent.domain import ConsentDecision, ContactChannel, Purpose, consent_state
from cxm.surveys.domain import (
    AnswerError,
    FatiguePolicy,
    Question,
    QuestionType,
    TriggerRule,
    fatigue_allows,
    nps_category,
    trigger_matches,
    validate_answers,
)

NPS = Question("nps", QuestionType.NPS, "Empfehlen?", "Recommend?", required=True)
CSAT = Question("csat", QuestionType.CSAT, "Zufrieden?", "Satisfied?")
CES = Question("ces", QuestionType.CES, "Einfach?", "Easy?")
STARS = Question("stars", QuestionType.RATING, "Sterne", "Stars", scale_min=1, scale_max=10)
PICK = Question(
    "why",
    QuestionType.MULTIPLE_CHOICE,
    "Warum?",
    "Why?",
    options=(("price", "Preis", "Price"), ("staff", "Personal", "Staff")),
)
TEXT = Question("comment", QuestionType.TEXT, "Kommentar", "Comment")
QUESTIONS = [NPS, CSAT, CES, STARS, PICK, TEXT]
T = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("nps", 11),
        ("nps", -1),
        ("csat", 0),
        ("csat", 6),
        ("ces", 8),
        ("stars", 11),
        ("nps", "x"),
        ("nps", 7.5),
    ],
)
def test_out_of_range_scores_are_refused_naming_the_question(key: str, value: object) -> None:
    answers = {"nps": 5, key: value}
    with pytest.raises(AnswerError) as err:
        validate_answers(QUESTIONS, answers)
    assert err.value.question == key


def test_the_ends_of_each_scale_are_valid() -> None:
    answers = validate_answers(QUESTIONS, {"nps": 0, "csat": 5, "ces": 1, "stars": 10})
    assert [(a.question_key, a.score) for a in answers] == [
        ("nps", 0),
        ("csat", 5),
        ("ces", 1),
        ("stars", 10),
    ]


def test_required_questions_and_unknown_keys() -> None:
    with pytest.raises(AnswerError, match="required"):
        validate_answers(QUESTIONS, {"csat": 3})
    with pytest.raises(AnswerError, match="not a question"):
        validate_answers(QUESTIONS, {"nps": 3, "bogus": 1})


def test_choices_must_be_offered_options() -> None:
    answers = validate_answers(QUESTIONS, {"nps": 9, "why": ["price", "price", "staff"]})
    assert answers[1].choices == ("price", "staff")
    with pytest.raises(AnswerError):
        validate_answers(QUESTIONS, {"nps": 9, "why": ["cheap"]})


def test_text_answers_are_trimmed() -> None:
    answers = validate_answers(QUESTIONS, {"nps": 9, "comment": "  Super Service!  "})
    assert answers[-1].text == "Super Service!"


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_nps_categories_at_the_boundaries(score: int, category: str) -> None:
    assert nps_category(score) == category


def test_fatigue_allows_one_invitation_per_window() -> None:
    policy = FatiguePolicy(window=timedelta(days=30), max_invitations=1)
    assert fatigue_allows(policy, [], at=T)
    assert not fatigue_allows(policy, [T - timedelta(days=29)], at=T)
    assert fatigue_allows(policy, [T - timedelta(days=30)], at=T)
    two = FatiguePolicy(window=timedelta(days=30), max_invitations=2)
    assert fatigue_allows(two, [T - timedelta(days=1)], at=T)


def test_trigger_rules_match_type_and_touchpoint() -> None:
    rule = TriggerRule("call", "hotline", timedelta(hours=1))
    assert trigger_matches(rule, interaction_type="call", touchpoint_key="hotline")
    assert not trigger_matches(rule, interaction_type="call", touchpoint_key="shop")
    assert not trigger_matches(rule, interaction_type="purchase", touchpoint_key="hotline")
    anywhere = TriggerRule("purchase", None, timedelta(0))
    assert trigger_matches(anywhere, interaction_type="purchase", touchpoint_key="shop")


def test_consent_latest_decision_wins_and_surveys_need_consent() -> None:
    email = ContactChannel.EMAIL
    assert not consent_state([], purpose=Purpose.SURVEY, channel=email).allowed
    assert consent_state([], purpose=Purpose.SERVICE, channel=email).allowed
    ledger = [
        ConsentDecision(Purpose.SURVEY, email, True, T, "web form"),
        ConsentDecision(Purpose.SURVEY, email, False, T + timedelta(days=1), "unsubscribe"),
    ]
    state = consent_state(ledger, purpose=Purpose.SURVEY, channel=email)
    assert not state.allowed and "unsubscribe" in state.reason
    assert not consent_state(ledger, purpose=Purpose.SURVEY, channel=ContactChannel.SMS).allowed
