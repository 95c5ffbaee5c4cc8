import pytest

from cxm.outreach.domain import MessageKind
from cxm.outreach.templates import (
    DEFAULT_TEMPLATES,
    TEMPLATE_VARIABLES,
    TemplateError,
    render,
    render_html,
    status_text,
    validate_template,
)

SAMPLE = {
    "salutation": "Guten Tag, Frau Weber",
    "customer_first_name": "Anna",
    "customer_last_name": "Weber",
    "company_name": "Lindenfunk",
    "case_reference": "CASE-2026-00042",
    "case_subject": "Router verliert Verbindung",
    "case_status": "in Bearbeitung",
    "due_text": "bis Freitag, 16:00 Uhr",
    "agent_name": "Jonas Becker",
    "survey_link": "https://cx.example.com/s/abc",
    "notice_title": "Störung in Ihrer Region",
    "notice_body": "Seit 8 Uhr ist das Netz in Leipzig gestört.",
    "update_link": "https://status.example.com",
    "reply_body": "Wir haben Ihren Anschluss neu eingemessen.",
    "unsubscribe_link": "https://cx.example.com/u/abc",
}


def test_sample_variables_cover_every_declared_variable() -> None:
    assert set(SAMPLE) == set(TEMPLATE_VARIABLES)


def test_there_is_a_default_template_for_every_kind_in_german_and_english() -> None:
    assert set(DEFAULT_TEMPLATES) == {(kind, lang) for kind in MessageKind for lang in ("de", "en")}


@pytest.mark.parametrize("key", sorted(DEFAULT_TEMPLATES))
def test_every_default_template_validates_and_renders(key: tuple[MessageKind, str]) -> None:
    subject, body = DEFAULT_TEMPLATES[key]
    validate_template(subject, body)
    rendered_subject, rendered_body = render(subject, body, SAMPLE)
    assert rendered_subject and "{" not in rendered_subject
    assert rendered_body.startswith("Guten Tag, Frau Weber,")
    assert "{{" not in rendered_body and "Lindenfunk" in rendered_body


def test_case_templates_carry_the_reference_and_the_acknowledgement_its_due_time() -> None:
    for (kind, lang), (subject, body) in DEFAULT_TEMPLATES.items():
        if kind is not MessageKind.PROACTIVE_NOTICE:
            assert "CASE-2026-00042" in (render(subject, body, SAMPLE)[0] or ""), (kind, lang)
    _, body = render(*DEFAULT_TEMPLATES[(MessageKind.CASE_ACKNOWLEDGEMENT, "de")], SAMPLE)
    assert "bis Freitag, 16:00 Uhr" in body


def test_resurvey_asks_whether_it_was_solved_and_links_the_survey() -> None:
    _, body = render(*DEFAULT_TEMPLATES[(MessageKind.RESURVEY, "en")], SAMPLE)
    assert "solved" in body and "easy" in body and "https://cx.example.com/s/abc" in body


def test_an_unknown_variable_fails_at_validation_naming_it_and_its_field() -> None:
    with pytest.raises(TemplateError) as caught:
        validate_template("Hallo {{ customer_nickname }}", "{{ salutation }}")
    assert caught.value.field == "subject"
    assert caught.value.names == ("customer_nickname",)
    assert "customer_nickname" in str(caught.value)
    with pytest.raises(TemplateError) as caught:
        validate_template(None, "{{ salutation }}\n{{ voucher_code }} {{ iban }}")
    assert caught.value.field == "body"
    assert caught.value.names == ("iban", "voucher_code")


def test_a_custom_allow_list_narrows_what_validates() -> None:
    with pytest.raises(TemplateError):
        validate_template(None, "{{ survey_link }}", allowed={"salutation"})


def test_a_syntax_error_fails_with_its_line() -> None:
    with pytest.raises(TemplateError) as caught:
        validate_template("ok", "{{ salutation }},\n\n{% if case_status %}\nno end")
    assert caught.value.field == "body"
    assert caught.value.line is not None
    assert "line" in str(caught.value)


def test_the_sandbox_blocks_private_attribute_access() -> None:
    with pytest.raises(TemplateError):
        validate_template(None, "{{ ''.__class__ }}")
    with pytest.raises(TemplateError):
        render(None, "{{ ''.__class__.__mro__ }}", {})
    with pytest.raises(TemplateError):
        render(None, "{{ x['__class__'] }}", {"x": ""})


def test_rendering_with_a_missing_variable_fails_loudly() -> None:
    with pytest.raises(TemplateError):
        render(None, "{{ salutation }}", {})


def test_text_bodies_are_not_escaped_and_subjects_stay_on_one_line() -> None:
    subject, body = render("{{ case_subject }}", "{{ case_subject }}", {"case_subject": "A & B\nX"})
    assert subject == "A & B X"
    assert body == "A & B\nX"


def test_render_html_escapes_script_and_wraps_paragraphs() -> None:
    html = render_html("Hallo <script>alert(1)</script>\nZeile 2\n\nZweiter Absatz.")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html == (
        "<p>Hallo &lt;script&gt;alert(1)&lt;/script&gt;<br>\nZeile 2</p>\n<p>Zweiter Absatz.</p>"
    )


def test_render_html_makes_links_clickable_without_breaking_out_of_the_attribute() -> None:
    html = render_html('Umfrage: https://cx.example.com/s/abc?x=1&y=2.\n"https://a.example/"x')
    assert '<a href="https://cx.example.com/s/abc?x=1&amp;y=2">' in html
    assert "</a>.<br>" in html
    assert '&#34;<a href="https://a.example/">https://a.example/</a>&#34;x</p>' in html


@pytest.mark.parametrize(
    ("status", "de", "en"),
    [
        ("new", "eingegangen", "received"),
        ("in_progress", "in Bearbeitung", "in progress"),
        ("waiting_customer", "wartet auf Ihre Rückmeldung", "waiting for your reply"),
        ("resolved", "gelöst", "resolved"),
        ("closed", "abgeschlossen", "closed"),
    ],
)
def test_status_texts_speak_the_customers_language(status: str, de: str, en: str) -> None:
    assert status_text(status, "de") == de
    assert status_text(status, "en") == en


def test_every_case_status_has_a_text_and_unknown_ones_fall_back_to_their_name() -> None:
    statuses = ["new", "acknowledged", "in_progress", "waiting_customer"]
    statuses += ["waiting_third_party", "resolved", "closed"]
    for status in statuses:
        assert "_" not in status_text(status, "de") and "_" not in status_text(status, "en")
    assert status_text("on_hold", "de") == "on hold"
