"""Message templates: sandboxed Jinja2, checked at save time, with German and English defaults."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

from cxm.customers.domain import Language
from cxm.outreach.domain import MessageKind

TEMPLATE_VARIABLES: dict[str, str] = {
    "salutation": 'Opening line, e.g. "Guten Tag, Frau Weber" or "Dear Mr Becker".',
    "customer_first_name": "The customer's first name.",
    "customer_last_name": "The customer's last name.",
    "company_name": "Your company's name.",
    "case_reference": "The case reference, e.g. CASE-2026-00042.",
    "case_subject": "The case subject as the customer gave it.",
    "case_status": 'The case status in words, e.g. "in Bearbeitung" / "in progress".',
    "due_text": 'When the customer will hear from us, e.g. "bis Freitag, 16:00 Uhr".',
    "agent_name": "The name of the agent handling the case.",
    "survey_link": "Link to the short follow-up survey.",
    "notice_title": "Title of a proactive notice (e.g. a service disruption).",
    "notice_body": "Text of a proactive notice.",
    "update_link": "Link to the latest information on a notice.",
    "reply_body": "The agent's reply text.",
    "unsubscribe_link": "Link to stop receiving this kind of message.",
}


class TemplateError(ValueError):
    """A template that cannot be saved or rendered; says which field and which names."""

    def __init__(
        self, message: str, *, field: str, names: Collection[str] = (), line: int | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.names = tuple(sorted(names))
        self.line = line


# Immutable: templates cannot change the lists or dicts they are given, only read them.
# Autoescape is off because bodies are plain text; render_html escapes for the HTML part.
_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


def validate_template(
    subject: str | None, body: str, *, allowed: Collection[str] = TEMPLATE_VARIABLES
) -> None:
    """Raises TemplateError on a syntax error, an unknown variable or private attribute access."""
    for field, source in (("subject", subject), ("body", body)):
        if source is None:
            continue
        try:
            tree = _ENV.parse(source)
        except TemplateSyntaxError as error:
            raise TemplateError(
                f"{field}: syntax error on line {error.lineno}: {error.message}",
                field=field,
                line=error.lineno,
            ) from error
        unknown = meta.find_undeclared_variables(tree) - set(allowed)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise TemplateError(f"{field}: unknown variables: {names}", field=field, names=unknown)
        private = sorted(
            {node.attr for node in tree.find_all(nodes.Getattr) if node.attr.startswith("_")}
        )
        if private:
            raise TemplateError(
                f"{field}: private attributes are not allowed: {', '.join(private)}",
                field=field,
                names=private,
            )


@lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    return _ENV.from_string(source)


def _render_one(field: str, source: str, variables: Mapping[str, object]) -> str:
    try:
        return _compile(source).render(dict(variables))
    except TemplateSyntaxError as error:
        raise TemplateError(
            f"{field}: syntax error on line {error.lineno}: {error.message}",
            field=field,
            line=error.lineno,
        ) from error
    except SecurityError as error:
        raise TemplateError(f"{field}: not allowed: {error}", field=field) from error
    except UndefinedError as error:
        raise TemplateError(f"{field}: {error.message}", field=field) from error


def render(
    subject: str | None, body: str, variables: Mapping[str, object]
) -> tuple[str | None, str]:
    """The rendered (subject, body); the subject is one line, whatever the variables held."""
    rendered_subject = None
    if subject is not None:
        # Line breaks in a subject would end the mail header: collapse all whitespace.
        rendered_subject = " ".join(_render_one("subject", subject, variables).split())
    return rendered_subject, _render_one("body", body, variables)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")


def render_html(text: str) -> str:
    """A rendered text body as safe HTML: everything escaped, paragraphs in <p>, links clickable."""
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text.strip()) if part.strip()]
    return "\n".join(f"<p>{_paragraph_html(paragraph)}</p>" for paragraph in paragraphs)


def _paragraph_html(paragraph: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(paragraph):
        parts.append(str(escape(paragraph[position : match.start()])))
        url = str(escape(match.group(0)))
        parts.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    parts.append(str(escape(paragraph[position:])))
    return "".join(parts).replace("\n", "<br>\n")


_STATUS_TEXTS: dict[str, dict[Language, str]] = {
    "new": {Language.DE: "eingegangen", Language.EN: "received"},
    "acknowledged": {Language.DE: "angenommen", Language.EN: "acknowledged"},
    "in_progress": {Language.DE: "in Bearbeitung", Language.EN: "in progress"},
    "waiting_customer": {
        Language.DE: "wartet auf Ihre Rückmeldung",
        Language.EN: "waiting for your reply",
    },
    "waiting_third_party": {
        Language.DE: "wartet auf die Rückmeldung eines Partners",
        Language.EN: "waiting for a reply from a partner",
    },
    "resolved": {Language.DE: "gelöst", Language.EN: "resolved"},
    "closed": {Language.DE: "abgeschlossen", Language.EN: "closed"},
}


def status_text(status_value: str, language: Language | str) -> str:
    """A case status in the customer's words; an unknown status falls back to its plain name."""
    lang = Language.DE if str(language) == Language.DE else Language.EN
    texts = _STATUS_TEXTS.get(str(status_value))
    if texts is None:
        # A status added to cases later must not stop messages from going out.
        return str(status_value).replace("_", " ")
    return texts[lang]


_SIGN_OFF_DE = "Freundliche Grüße\nIhr Kundenservice von {{ company_name }}"
_SIGN_OFF_EN = "Kind regards\nCustomer service, {{ company_name }}"

DEFAULT_TEMPLATES: dict[tuple[MessageKind, str], tuple[str, str]] = {
    (MessageKind.CASE_ACKNOWLEDGEMENT, "de"): (
        "Ihre Anfrage ist bei uns: {{ case_subject }} [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage „{{ case_subject }}“ erhalten "
        "und unter der Vorgangsnummer {{ case_reference }} aufgenommen. "
        "Sie hören von uns {{ due_text }}.\n\n"
        "Möchten Sie noch etwas ergänzen? Antworten Sie einfach auf diese Nachricht.\n\n"
        + _SIGN_OFF_DE,
    ),
    (MessageKind.CASE_ACKNOWLEDGEMENT, "en"): (
        "We have received your request: {{ case_subject }} [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "thank you for getting in touch. We have received your request "
        "“{{ case_subject }}” under the reference {{ case_reference }}. "
        "You will hear from us {{ due_text }}.\n\n"
        "Anything to add? Simply reply to this message.\n\n" + _SIGN_OFF_EN,
    ),
    (MessageKind.CASE_UPDATE, "de"): (
        "Neuigkeiten zu Ihrer Anfrage [{{ case_reference }}]: {{ case_status }}",
        "{{ salutation }},\n\n"
        "es gibt Neuigkeiten zu Ihrer Anfrage „{{ case_subject }}“ ({{ case_reference }}). "
        "Der aktuelle Stand: {{ case_status }}.\n\n"
        "Bei Fragen antworten Sie einfach auf diese Nachricht.\n\n"
        "Freundliche Grüße\n{{ agent_name }}\n{{ company_name }}",
    ),
    (MessageKind.CASE_UPDATE, "en"): (
        "An update on your request [{{ case_reference }}]: {{ case_status }}",
        "{{ salutation }},\n\n"
        "there is news on your request “{{ case_subject }}” ({{ case_reference }}). "
        "Current status: {{ case_status }}.\n\n"
        "If you have any questions, simply reply to this message.\n\n"
        "Kind regards\n{{ agent_name }}\n{{ company_name }}",
    ),
    (MessageKind.CASE_RESOLVED, "de"): (
        "Ihre Anfrage ist erledigt [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "Ihre Anfrage „{{ case_subject }}“ ({{ case_reference }}) ist jetzt {{ case_status }}.\n\n"
        "Ist doch noch etwas offen? Antworten Sie einfach auf diese Nachricht, "
        "dann kümmern wir uns sofort weiter darum.\n\n"
        "Freundliche Grüße\n{{ agent_name }}\n{{ company_name }}",
    ),
    (MessageKind.CASE_RESOLVED, "en"): (
        "Your request has been dealt with [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "your request “{{ case_subject }}” ({{ case_reference }}) is now {{ case_status }}.\n\n"
        "Still something open? Simply reply to this message and we will pick it up again.\n\n"
        "Kind regards\n{{ agent_name }}\n{{ company_name }}",
    ),
    (MessageKind.AGENT_REPLY, "de"): (
        "Re: {{ case_subject }} [{{ case_reference }}]",
        "{{ salutation }},\n\n{{ reply_body }}\n\n"
        "Freundliche Grüße\n{{ agent_name }}\n{{ company_name }}\n\n"
        "Vorgangsnummer {{ case_reference }}, Stand: {{ case_status }}",
    ),
    (MessageKind.AGENT_REPLY, "en"): (
        "Re: {{ case_subject }} [{{ case_reference }}]",
        "{{ salutation }},\n\n{{ reply_body }}\n\n"
        "Kind regards\n{{ agent_name }}\n{{ company_name }}\n\n"
        "Reference {{ case_reference }}, status: {{ case_status }}",
    ),
    (MessageKind.RESURVEY, "de"): (
        "Ist Ihr Anliegen gelöst? [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "vor Kurzem haben wir Ihre Anfrage „{{ case_subject }}“ ({{ case_reference }}) "
        "abgeschlossen. Wurde Ihr Anliegen wirklich gelöst? Und wie einfach war es für Sie?\n\n"
        "Zwei kurze Fragen, eine Minute: {{ survey_link }}\n\n"
        "Danke, dass Sie uns helfen, besser zu werden.\n" + _SIGN_OFF_DE + "\n\n"
        "Keine Umfragen mehr erhalten: {{ unsubscribe_link }}",
    ),
    (MessageKind.RESURVEY, "en"): (
        "Has your issue been solved? [{{ case_reference }}]",
        "{{ salutation }},\n\n"
        "we recently closed your request “{{ case_subject }}” ({{ case_reference }}). "
        "Has it really been solved? And how easy was it for you?\n\n"
        "Two short questions, one minute: {{ survey_link }}\n\n"
        "Thank you for helping us improve.\n" + _SIGN_OFF_EN + "\n\n"
        "Stop receiving surveys: {{ unsubscribe_link }}",
    ),
    (MessageKind.PROACTIVE_NOTICE, "de"): (
        "{{ notice_title }}",
        "{{ salutation }},\n\n{{ notice_body }}\n\n"
        "Den aktuellen Stand finden Sie jederzeit hier: {{ update_link }}\n\n" + _SIGN_OFF_DE,
    ),
    (MessageKind.PROACTIVE_NOTICE, "en"): (
        "{{ notice_title }}",
        "{{ salutation }},\n\n{{ notice_body }}\n\n"
        "You can always find the latest information here: {{ update_link }}\n\n" + _SIGN_OFF_EN,
    ),
}
