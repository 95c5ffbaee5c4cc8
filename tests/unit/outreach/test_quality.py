"""Reply quality: salutation, reference, questions, readability, tone and next steps (de, en)."""

import json

import pytest

from cxm.outreach.quality import (
    WEIGHTS,
    Addressee,
    ReplyAssessment,
    assess_reply,
    detect_language,
    flesch_reading_ease,
    split_sentences,
)

WEBER = Addressee(salutation="ms", first_name="Anna", last_name="Weber")
SMITH = Addressee(salutation="mr", first_name="John", last_name="Smith")

DROPPED_CALLS = (
    "Hallo, seit zwei Wochen brechen bei mir ständig die Anrufe ab, vor allem zu Hause in "
    "Köln-Ehrenfeld. Ich nutze das Smartphone Modell X. Liegt das an meinem Gerät oder an "
    "Ihrem Netz? Und bekomme ich für die Zeit eine Gutschrift? Das ist wirklich ärgerlich.\n"
    "Anna Weber"
)
GOOD_REPLY = """Guten Tag, Frau Weber,

vielen Dank für Ihre Nachricht. Es tut mir leid, dass Ihre Anrufe abbrechen. Das ist ärgerlich.

Wir haben unser Netz in Köln-Ehrenfeld geprüft. An einer Antenne gab es eine Störung. \
Ihr Smartphone Modell X ist also nicht die Ursache. Unsere Technik hat die Störung am 12. März \
behoben.

Für die Zeit der Störung schreiben wir Ihnen 10 Euro gut. Die Gutschrift sehen Sie auf Ihrer \
nächsten Rechnung.

Brechen die Anrufe noch einmal ab, rufen Sie uns bitte unter 0800 123 4567 an. \
Wir helfen Ihnen gern.

Mit freundlichen Grüßen
Jonas Becker
Kundenservice"""

BILL_QUESTION = (
    "Guten Tag, meine Rechnung für März ist 20 Euro höher als sonst. Warum ist die Rechnung "
    "im März so hoch? Kann ich die Rechnung künftig per E-Mail bekommen?\nViele Grüße\n"
    "Anna Weber"
)
BILL_REPLY_FIRST_ONLY = """Guten Tag, Frau Weber,

vielen Dank für Ihre Nachricht. Der höhere Betrag im März kommt von Gesprächen ins Ausland \
am 3. und 4. März. Die Einzelverbindungen finden Sie im Kundenportal unter \
www.telco.example/rechnung.

Mit freundlichen Grüßen
Jonas Becker"""
BILL_REPLY_BOTH = BILL_REPLY_FIRST_ONLY.replace(
    "\n\nMit freundlichen",
    "\n\nJa, Ihre Rechnung kommt ab April per E-Mail. Die Umstellung habe ich schon erledigt."
    "\n\nMit freundlichen",
)

ENGLISH_REQUEST = (
    "Hi, my calls keep dropping since I switched to the Smartphone Model X. Is this a problem "
    "with my phone or with your network? Will I get a refund for the last month?"
)
ENGLISH_REPLY = """Dear Mr Smith,

thank you for your message. I am sorry that your calls keep dropping. We checked our network \
near your home and found a fault at one mast. Your Smartphone Model X is not the cause. Our \
engineers fixed the fault on 12 March.

For the last month we will credit 10 euros to your account. You will see the refund on your \
next bill.

If your calls drop again, please call us on 0800 123 4567.

Kind regards,
Jonas Becker"""


def _assess(
    reply: str = GOOD_REPLY,
    *,
    request: str | None = DROPPED_CALLS,
    addressee: Addressee = WEBER,
    language: str | None = None,
    case_reference: str | None = None,
) -> ReplyAssessment:
    return assess_reply(
        reply,
        request=request,
        addressee=addressee,
        language=language,
        case_reference=case_reference,
    )


def _hint_text(result: ReplyAssessment, key: str) -> str:
    return " ".join(f"{h.de} {h.en}" for h in result.hints_for(key))


# --------------------------------------------------------------------------- the whole reply


def test_a_good_german_reply_scores_at_least_85_and_has_no_hints() -> None:
    result = _assess()
    assert result.language == "de"
    assert result.score >= 85
    assert result.hints == ()
    assert all(c.passed for c in result.checks)
    assert [c.key for c in result.checks] == list(WEIGHTS)


def test_a_good_english_reply_scores_at_least_85_and_has_no_hints() -> None:
    result = assess_reply(ENGLISH_REPLY, request=ENGLISH_REQUEST, addressee=SMITH)
    assert result.language == "en"
    assert result.score >= 85
    assert result.hints == ()


def test_weights_sum_to_100_and_the_score_is_their_weighted_mean() -> None:
    assert sum(WEIGHTS.values()) == 100
    result = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber", "Hallo"))
    expected = round(sum(c.weight * c.score for c in result.checks))
    assert result.score == expected
    assert {c.key: c.weight for c in result.checks} == WEIGHTS


def test_every_hint_is_a_sentence_in_german_and_in_english() -> None:
    bad = "HALLO!! wie bereits erwähnt, Sie müssen diesbezüglich warten."
    result = _assess(bad)
    assert len(result.hints) >= 5
    for hint in result.hints:
        assert hint.key in WEIGHTS
        assert hint.de and hint.en and hint.de != hint.en
        assert hint.de[-1] in ".“" and hint.en[-1] in ".”"


def test_the_score_falls_as_the_reply_gets_worse() -> None:
    good = _assess().score
    impersonal = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber", "Hallo")).score
    blaming = _assess(
        GOOD_REPLY.replace("Guten Tag, Frau Weber", "Hallo").replace(
            "Wir helfen Ihnen gern.", "Wie bereits erwähnt, ist das nicht unser Problem."
        )
    ).score
    bare = _assess("Wir haben das geprüft.").score
    assert good > impersonal > blaming > bare
    assert 0 <= bare <= 100


def test_the_assessment_converts_to_json_for_the_api() -> None:
    data = _assess(BILL_REPLY_FIRST_ONLY, request=BILL_QUESTION).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["score"] == data["score"]
    assert set(data) == {"score", "language", "passed", "checks", "hints"}
    assert {c["key"] for c in data["checks"]} == set(WEIGHTS)
    assert all(set(h) == {"key", "de", "en"} for h in data["hints"])


def test_the_same_input_always_gives_the_same_assessment() -> None:
    assert _assess(BILL_REPLY_BOTH, request=BILL_QUESTION) == _assess(
        BILL_REPLY_BOTH, request=BILL_QUESTION
    )


# --------------------------------------------------------------------------- salutation


def test_an_impersonal_salutation_fails_with_a_personal_suggestion() -> None:
    result = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber", "Sehr geehrte Damen und Herren"))
    check = result.check("salutation")
    assert not check.passed
    assert check.detail["problem"] == "impersonal"
    (hint,) = result.hints_for("salutation")
    assert "Damen und Herren" in hint.de and "„Guten Tag, Frau Weber“" in hint.de
    assert "“Guten Tag, Frau Weber”" in hint.en
    assert result.score < _assess().score


@pytest.mark.parametrize(
    "opening", ["Hallo,", "Dear Sir or Madam,", "Liebe Kundin,", "To whom it may concern,"]
)
def test_salutations_without_the_customers_name_are_impersonal(opening: str) -> None:
    check = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber,", opening)).check("salutation")
    assert check.detail["problem"] == "impersonal"


def test_a_reply_without_salutation_is_told_to_open_with_one() -> None:
    result = _assess(GOOD_REPLY.split("\n", 2)[2])
    assert result.check("salutation").detail["problem"] == "missing"
    assert result.check("salutation").score == 0.0
    assert "Guten Tag, Frau Weber" in _hint_text(result, "salutation")


def test_a_wrong_name_is_reported_with_the_name_found_and_the_right_one() -> None:
    result = _assess(GOOD_REPLY.replace("Frau Weber", "Frau Schulz"))
    check = result.check("salutation")
    assert check.detail["problem"] == "wrong_name"
    assert check.detail["wrong_names"] == ["Schulz"]
    (hint,) = result.hints_for("salutation")
    for text in (hint.de, hint.en):
        assert "Schulz" in text and "Weber" in text


def test_the_wrong_form_of_address_is_reported() -> None:
    result = _assess(GOOD_REPLY.replace("Frau Weber", "Herr Weber"))
    check = result.check("salutation")
    assert check.detail["problem"] == "wrong_form"
    (hint,) = result.hints_for("salutation")
    assert "„Herr“" in hint.de and "„Guten Tag, Frau Weber“" in hint.de
    assert "“Herr”" in hint.en


def test_a_customer_without_gender_is_addressed_without_herr_or_frau() -> None:
    alex = Addressee(salutation="mx", first_name="Alex", last_name="Weber")
    wrong = _assess(GOOD_REPLY, addressee=alex)
    assert wrong.check("salutation").detail["problem"] == "wrong_form"
    assert "„Guten Tag, Alex Weber“" in wrong.hints_for("salutation")[0].de
    right = _assess(GOOD_REPLY.replace("Frau Weber", "Alex Weber"), addressee=alex)
    assert right.check("salutation").passed


@pytest.mark.parametrize(
    "opening",
    [
        "Guten Tag, Frau Weber,",
        "Sehr geehrte Frau Weber,",
        "Hallo Anna Weber,",
        "Liebe Frau Weber,",
        "Hallo Anna!",
        "guten tag frau weber,",
        "Guten Tag Frau Weber,",
    ],
)
def test_personal_german_salutations_pass(opening: str) -> None:
    check = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber,", opening)).check("salutation")
    assert check.passed, check.detail


@pytest.mark.parametrize("opening", ["Dear Mr Smith,", "Hello John,", "Hi Mr. Smith,", "Dear John"])
def test_personal_english_salutations_pass(opening: str) -> None:
    reply = ENGLISH_REPLY.replace("Dear Mr Smith,", opening)
    check = assess_reply(reply, request=ENGLISH_REQUEST, addressee=SMITH).check("salutation")
    assert check.passed, check.detail


def test_a_first_line_running_on_without_comma_still_separates_salutation_and_body() -> None:
    reply = "Guten Tag Frau Weber vielen Dank für Ihre Nachricht zum Smartphone. Wir melden uns."
    result = _assess(reply)
    assert result.check("salutation").detail["found"] == "Guten Tag Frau Weber"
    assert result.check("salutation").passed
    assert result.check("tone").detail["thanks"] is True
    assert result.check("next_steps").passed


def test_example_wording_in_hints_follows_the_replys_language() -> None:
    english = assess_reply("Dear Mr Smith,\n\nyour network is fine.", request=None, addressee=SMITH)
    assert "„Thank you for your message.“" in english.hints_for("tone")[0].de
    german = _assess("Guten Tag, Frau Weber,\n\ndas Netz ist in Ordnung.", request=None)
    assert "“Vielen Dank für Ihre Nachricht.”" in german.hints_for("tone")[0].en


def test_english_wrong_form_and_impersonal_salutations_fail() -> None:
    ms = assess_reply(
        ENGLISH_REPLY.replace("Mr Smith", "Ms Smith"), request=ENGLISH_REQUEST, addressee=SMITH
    )
    assert ms.check("salutation").detail["problem"] == "wrong_form"
    assert "“Dear Mr Smith”" in ms.hints_for("salutation")[0].en
    sir = assess_reply(
        ENGLISH_REPLY.replace("Mr Smith", "Sir or Madam"), request=ENGLISH_REQUEST, addressee=SMITH
    )
    assert sir.check("salutation").detail["problem"] == "impersonal"


def test_umlaut_spellings_of_the_name_are_the_same_name() -> None:
    mueller = Addressee(salutation="ms", first_name="Jürgen", last_name="Müller")
    for opening in ("Guten Tag, Frau Mueller,", "Guten Tag, Frau Müller,", "Hallo Juergen,"):
        reply = GOOD_REPLY.replace("Guten Tag, Frau Weber,", opening)
        assert _assess(reply, addressee=mueller).check("salutation").passed, opening


def test_an_academic_title_is_expected_in_a_formal_salutation() -> None:
    doctor = Addressee(salutation="ms", first_name="Anna", last_name="Weber", title="Dr.")
    missing = _assess(addressee=doctor)
    assert missing.check("salutation").detail["problem"] == "missing_title"
    assert "„Guten Tag, Frau Dr. Weber“" in missing.hints_for("salutation")[0].de
    with_title = GOOD_REPLY.replace("Guten Tag, Frau Weber", "Sehr geehrte Frau Dr. Weber")
    assert _assess(with_title, addressee=doctor).check("salutation").passed


def test_german_adjective_must_agree_with_herr_or_frau() -> None:
    result = _assess(GOOD_REPLY.replace("Guten Tag, Frau Weber", "Sehr geehrter Frau Weber"))
    assert result.check("salutation").detail["problem"] == "agreement"
    assert "„Sehr geehrte Frau Weber“" in result.hints_for("salutation")[0].de


# --------------------------------------------------------------------------- reference


def test_the_reference_reports_the_request_words_the_reply_takes_up() -> None:
    check = _assess().check("reference")
    assert check.passed
    assert {"Smartphone", "Netz", "Gutschrift"} <= set(check.detail["matched"])


def test_a_reply_that_ignores_the_request_fails_the_reference_check() -> None:
    reply = GOOD_REPLY.split("\n\n")
    generic = "\n\n".join(
        [reply[0], "vielen Dank für Ihre Nachricht. Wir kümmern uns darum.", reply[-1]]
    )
    result = _assess(generic)
    assert not result.check("reference").passed
    assert "„Gutschrift“" in _hint_text(result, "reference")


def test_the_case_reference_alone_is_enough_reference() -> None:
    reply = "Guten Tag, Frau Weber,\n\nzu Ihrem Vorgang CX 2025 0042 gibt es Neuigkeiten."
    found = _assess(reply, request=None, case_reference="CX-2025-0042").check("reference")
    assert found.passed and found.detail["case_reference_found"]
    missing = _assess(
        reply.replace("CX 2025 0042", ""), request=None, case_reference="CX-2025-0042"
    )
    assert not missing.check("reference").passed
    assert "„CX-2025-0042“" in missing.hints_for("reference")[0].de


def test_without_request_or_case_reference_reference_and_questions_are_not_held_against() -> None:
    result = _assess(request=None)
    assert result.check("reference").passed
    assert result.check("questions").passed and result.check("questions").detail["asked"] == 0


# --------------------------------------------------------------------------- questions


def test_an_unanswered_question_is_listed_in_the_hint() -> None:
    result = _assess(BILL_REPLY_FIRST_ONLY, request=BILL_QUESTION)
    check = result.check("questions")
    assert not check.passed
    assert check.score == 0.5
    assert check.detail["unanswered"] == ["Kann ich die Rechnung künftig per E-Mail bekommen?"]
    (hint,) = result.hints_for("questions")
    assert "„Kann ich die Rechnung künftig per E-Mail bekommen?“" in hint.de
    assert "“Kann ich die Rechnung künftig per E-Mail bekommen?”" in hint.en


def test_both_bill_questions_answered_pass() -> None:
    check = _assess(BILL_REPLY_BOTH, request=BILL_QUESTION).check("questions")
    assert check.passed and check.score == 1.0
    assert check.detail["answered"] == 2


def test_a_yes_answer_sharing_a_word_answers_a_yes_no_question() -> None:
    reply = BILL_REPLY_FIRST_ONLY.replace(
        "\n\nMit freundlichen",
        "\n\nJa, gern stellen wir Ihre Rechnung ab April um.\n\nMit freundlichen",
    )
    check = _assess(reply, request=BILL_QUESTION).check("questions")
    assert check.passed
    assert check.detail["questions"][1]["how"] == "yes_no"


def test_long_unanswered_questions_are_quoted_shortened() -> None:
    question = "Warum " + "wird mein Tarif Premium Ultra " * 6 + "teurer?"
    result = _assess("Guten Tag, Frau Weber,\n\nvielen Dank.", request=question)
    hint = result.hints_for("questions")[0].de
    assert "…" in hint
    assert len(hint) < len(question) + 60


def test_english_unanswered_question_is_listed() -> None:
    reply = ENGLISH_REPLY.replace(
        "For the last month we will credit 10 euros to your account. You will see the refund on "
        "your next bill.\n\n",
        "",
    )
    result = assess_reply(reply, request=ENGLISH_REQUEST, addressee=SMITH)
    assert result.check("questions").detail["unanswered"] == [
        "Will I get a refund for the last month?"
    ]


# --------------------------------------------------------------------------- readability


def test_a_60_word_sentence_is_flagged_with_its_start() -> None:
    long_sentence = (
        "Wir haben nach eingehender Prüfung Ihres Anliegens und nach Rücksprache mit unserer "
        "technischen Abteilung, die sich die Daten der Antenne in Ihrer Nähe über mehrere Tage "
        "hinweg genau angesehen hat, festgestellt, dass es in dem von Ihnen genannten Zeitraum "
        "wegen einer defekten Baugruppe zu Ausfällen gekommen ist, die inzwischen ausgetauscht "
        "wurde, sodass Ihre Gespräche nun wieder stabil und ohne weitere Abbrüche laufen "
        "sollten, was wir für Sie auch weiter beobachten werden."
    )
    assert len(long_sentence.split()) >= 60
    reply = GOOD_REPLY.replace("Wir helfen Ihnen gern.", long_sentence)
    result = _assess(reply)
    check = result.check("readability")
    assert not check.passed
    assert check.detail["longest_sentence_words"] >= 60
    hints = _hint_text(result, "readability")
    assert "„Wir haben nach eingehender Prüfung" in hints
    assert "Split the long sentence" in hints


def test_officialese_words_are_flagged_with_plain_alternatives() -> None:
    reply = GOOD_REPLY.replace(
        "Wir helfen Ihnen gern.", "Diesbezüglich melden wir uns zwecks Klärung erneut."
    )
    result = _assess(reply)
    assert result.check("readability").detail["jargon"] == ["Diesbezüglich", "zwecks"]
    hints = _hint_text(result, "readability")
    assert "„Diesbezüglich“" in hints and "„dazu“" in hints and "“herewith”" not in hints


def test_heavy_nominal_style_is_flagged() -> None:
    reply = GOOD_REPLY.replace(
        "Wir helfen Ihnen gern.",
        "Die Bearbeitung erfolgt nach Prüfung der Unterlagen unter Berücksichtigung der "
        "Vereinbarung. Eine Benachrichtigung über die Entscheidung folgt.",
    )
    check = _assess(reply).check("readability")
    assert not check.passed
    assert "Bearbeitung" in check.detail["nominal_style_words"]
    assert "Rechnung" not in check.detail["nominal_style_words"]


def test_flesch_uses_amstad_for_german_and_the_original_for_english() -> None:
    simple_de = ["Das Netz ist gut.", "Wir rufen Sie an."]
    hard_de = ["Die Verbindungsqualitätsüberprüfungsmaßnahmen wurden abgeschlossen."]
    assert flesch_reading_ease(simple_de, "de") > 80 > flesch_reading_ease(hard_de, "de")
    assert flesch_reading_ease(["The cat sat on the mat."], "en") > 100
    assert flesch_reading_ease([], "de") == 0.0


def test_sentences_split_at_ends_but_not_at_abbreviations_or_dates() -> None:
    text = "Wir melden uns z. B. am 12. März bei Ihnen. Dr. Weber hilft gern! Passt das?\n- Punkt"
    assert split_sentences(text) == [
        "Wir melden uns z. B. am 12. März bei Ihnen.",
        "Dr. Weber hilft gern!",
        "Passt das?",
        "- Punkt",
    ]


# --------------------------------------------------------------------------- tone


def test_wie_bereits_erwaehnt_is_flagged_by_name() -> None:
    reply = GOOD_REPLY.replace(
        "Wir helfen Ihnen gern.", "Wie bereits erwähnt, liegt es nicht am Gerät."
    )
    result = _assess(reply)
    check = result.check("tone")
    assert not check.passed and check.detail["blame"] == ["Wie bereits erwähnt"]
    assert "„Wie bereits erwähnt“" in result.hints_for("tone")[0].de
    assert result.score < _assess().score


def test_sie_muessen_is_blame_but_sie_muessen_nichts_tun_is_not() -> None:
    blame = _assess(
        GOOD_REPLY.replace("Wir helfen Ihnen gern.", "Sie müssen das Gerät neu starten.")
    )
    assert blame.check("tone").detail["blame"] == ["Sie müssen"]
    fine = _assess(GOOD_REPLY.replace("Wir helfen Ihnen gern.", "Sie müssen nichts weiter tun."))
    assert fine.check("tone").passed


def test_english_blame_phrases_are_flagged() -> None:
    reply = ENGLISH_REPLY.replace(
        "please call us", "as already stated, you should have called us; you must call us"
    )
    result = assess_reply(reply, request=ENGLISH_REQUEST, addressee=SMITH)
    assert result.check("tone").detail["blame"] == [
        "as already stated",
        "you should have",
        "you must",
    ]
    assert "“you should have”" in _hint_text(result, "tone")


def test_shouting_is_flagged_but_common_acronyms_are_not() -> None:
    shouting = _assess(GOOD_REPLY.replace("Wir helfen Ihnen gern.", "Das ist KEIN Fehler!!"))
    assert shouting.check("tone").detail["shouting"] == ["KEIN", "!!"]
    acronym = _assess(GOOD_REPLY.replace("Wir helfen Ihnen gern.", "Ihre IBAN bleibt gleich."))
    assert acronym.check("tone").passed


def test_a_complaint_without_apology_or_understanding_gets_a_hint() -> None:
    reply = GOOD_REPLY.replace(
        " Es tut mir leid, dass Ihre Anrufe abbrechen. Das ist ärgerlich.", ""
    )
    result = _assess(reply)
    assert result.check("tone").detail["negative_request"] is True
    assert "Es tut mir leid" in _hint_text(result, "tone")


def test_missing_thanks_and_an_anonymous_closing_get_hints() -> None:
    reply = GOOD_REPLY.replace("vielen Dank für Ihre Nachricht. ", "").replace(
        "Jonas Becker\nKundenservice", "Ihr Kundenservice-Team"
    )
    result = _assess(reply)
    hints = _hint_text(result, "tone")
    assert "Vielen Dank für Ihre Nachricht" in hints
    assert "mit Ihrem eigenen Namen" in hints
    assert result.check("tone").detail["signed_by"] is None


def test_the_closing_name_may_follow_on_the_same_line() -> None:
    check = assess_reply(
        ENGLISH_REPLY.replace(",\nJonas", ", Jonas"), request=None, addressee=SMITH
    )
    assert check.check("tone").detail["signed_by"] == "Jonas Becker"


# --------------------------------------------------------------------------- next steps


def test_a_reply_without_next_step_is_told_to_say_what_happens_next() -> None:
    reply = "Guten Tag, Frau Weber,\n\nvielen Dank. Das Netz ist in Ordnung.\n\nViele Grüße\nJonas"
    result = _assess(reply)
    assert not result.check("next_steps").passed
    assert "wie es weitergeht" in result.hints_for("next_steps")[0].de


@pytest.mark.parametrize(
    "sentence",
    [
        "Wir melden uns bei Ihnen.",
        "Ab dem 14.03. ist alles erledigt.",
        "Details stehen unter https://telco.example/hilfe.",
        "Rufen Sie uns gern unter +49 221 123456 an.",
        "We will send you a new SIM card.",
        "You can check your usage in the app.",
    ],
)
def test_next_steps_are_recognised(sentence: str) -> None:
    reply = f"Hallo Anna,\n\nvielen Dank. {sentence}\n\nViele Grüße\nJonas"
    assert _assess(reply).check("next_steps").passed


# --------------------------------------------------------------------------- language


def test_the_language_is_detected_from_stopwords_or_given() -> None:
    assert detect_language("Wir haben das für Sie geprüft und melden uns.") == "de"
    assert detect_language("We have checked this for you and will call you.") == "en"
    assert _assess(language="de-DE").language == "de"
    with pytest.raises(ValueError, match="unsupported language"):
        _assess(language="fr")
