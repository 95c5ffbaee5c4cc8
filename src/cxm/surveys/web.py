"""The public survey pages (server-rendered, no JavaScript needed) and the widget endpoint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Select, select
from starlette.datastructures import FormData

from cxm.deps import ClockDep, DbSession, SettingsDep
from cxm.shared.errors import CxmError, Invalid
from cxm.surveys import services
from cxm.surveys.domain import Question, QuestionType, ResponseChannel, SurveyStatus
from cxm.surveys.models import Survey, SurveyVersion
from cxm.web_support import client_address, templates

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["public"])

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "submit": "Absenden",
        "required": "Pflichtfeld",
        "nps_low": "0 = sehr unwahrscheinlich",
        "nps_high": "10 = sehr wahrscheinlich",
        "scale_low": "niedrig",
        "scale_high": "hoch",
        "ces_low": "1 = stimme überhaupt nicht zu",
        "ces_high": "7 = stimme voll und ganz zu",
        "thanks_title": "Vielen Dank!",
        "thanks": "Ihre Antworten sind bei uns angekommen. Sie helfen uns, besser zu werden.",
        "used_title": "Bereits beantwortet",
        "used": "Diese Umfrage wurde über diesen Link schon beantwortet. Vielen Dank!",
        "expired_title": "Link abgelaufen",
        "expired": "Dieser Umfrage-Link ist nicht mehr gültig.",
        "invalid_title": "Link ungültig",
        "invalid": "Diesen Umfrage-Link kennen wir nicht. Bitte prüfen Sie die Adresse.",
        "limited_title": "Zu viele Antworten",
        "limited": "Von Ihrer Verbindung kamen gerade sehr viele Antworten. "
        "Bitte versuchen Sie es in einigen Minuten erneut.",
        "error": "Bitte prüfen Sie Ihre Angaben",
        "language": "English",
    },
    "en": {
        "submit": "Send",
        "required": "required",
        "nps_low": "0 = not at all likely",
        "nps_high": "10 = extremely likely",
        "scale_low": "low",
        "scale_high": "high",
        "ces_low": "1 = strongly disagree",
        "ces_high": "7 = strongly agree",
        "thanks_title": "Thank you!",
        "thanks": "We have received your answers. They help us get better.",
        "used_title": "Already answered",
        "used": "This survey has already been answered through this link. Thank you!",
        "expired_title": "Link expired",
        "expired": "This survey link is no longer valid.",
        "invalid_title": "Invalid link",
        "invalid": "We do not know this survey link. Please check the address.",
        "limited_title": "Too many answers",
        "limited": "Many answers came from your connection just now. "
        "Please try again in a few minutes.",
        "error": "Please check your answers",
        "language": "Deutsch",
    },
}
_ERROR_PAGES = {404: "invalid", 409: "used", 410: "expired", 429: "limited"}


def _language(request: Request, default: str) -> str:
    wanted = request.query_params.get("lang")
    return wanted if wanted in TEXTS else default if default in TEXTS else "de"


def _scale_hint(q: Question, t: dict[str, str]) -> tuple[str, str]:
    if q.type is QuestionType.NPS:
        return t["nps_low"], t["nps_high"]
    if q.type is QuestionType.CES:
        return t["ces_low"], t["ces_high"]
    low, high = q.scale()
    return f"{low} = {t['scale_low']}", f"{high} = {t['scale_high']}"


def _form(
    request: Request,
    *,
    survey: Survey,
    version: SurveyVersion,
    language: str,
    action: str,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = TEXTS[language]
    questions = []
    for q in services.questions_of(version):
        low, high = q.scale() if q.type in _SCORED else (0, 0)
        questions.append(
            {
                "q": q,
                "text": q.text(language),
                "scored": q.type in _SCORED,
                "range": list(range(low, high + 1)),
                "hint": _scale_hint(q, t) if q.type in _SCORED else None,
                "options": q.option_labels(language),
            }
        )
    other = "en" if language == "de" else "de"
    return templates.TemplateResponse(
        request,
        "surveys/form.html",
        {
            "t": t,
            "lang": language,
            "other_lang": other,
            "title": version.title_en if language == "en" else version.title_de,
            "intro": version.intro_en if language == "en" else version.intro_de,
            "questions": questions,
            "action": action,
            "error": error,
            "values": values or {},
            "survey": survey,
        },
        status_code=status_code,
    )


_SCORED = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)


def _message(request: Request, language: str, key: str, status_code: int) -> HTMLResponse:
    t = TEXTS[language]
    return templates.TemplateResponse(
        request,
        "surveys/message.html",
        {"t": t, "lang": language, "title": t[f"{key}_title"], "text": t[key]},
        status_code=status_code,
    )


def _answers(form: FormData, version: SurveyVersion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in services.questions_of(version):
        if q.type is QuestionType.MULTIPLE_CHOICE:
            values = [str(v) for v in form.getlist(q.key)]
            if values:
                out[q.key] = values
        else:
            value = form.get(q.key)
            if isinstance(value, str) and value.strip():
                out[q.key] = value.strip()
    return out


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(
    token: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    language = _language(request, "de")
    try:
        invitation = services.open_invitation(
            db, token, secret=settings.signing_key(), now=clock.now()
        )
    except CxmError as exc:
        return _message(
            request, language, _ERROR_PAGES.get(exc.status_code, "invalid"), exc.status_code
        )
    language = _language(request, invitation.language)
    survey = db.get(Survey, invitation.survey_id)
    version = db.get(SurveyVersion, invitation.version_id)
    assert survey is not None and version is not None
    return _form(request, survey=survey, version=version, language=language, action=f"/s/{token}")


@router.post("/s/{token}", response_class=HTMLResponse)
async def submit_survey(
    token: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    form = await request.form()
    language = str(form.get("lang") or "de")
    language = language if language in TEXTS else "de"
    secret = settings.signing_key()
    try:
        invitation = services.open_invitation(db, token, secret=secret, now=clock.now())
    except CxmError as exc:
        return _message(
            request, language, _ERROR_PAGES.get(exc.status_code, "invalid"), exc.status_code
        )
    version = db.get(SurveyVersion, invitation.version_id)
    survey = db.get(Survey, invitation.survey_id)
    assert version is not None and survey is not None
    answers = _answers(form, version)
    try:
        services.respond_with_token(
            db, token, answers=answers, now=clock.now(), secret=secret, language=language
        )
    except Invalid as exc:
        db.rollback()
        return _form(
            request,
            survey=survey,
            version=version,
            language=language,
            action=f"/s/{token}",
            error=exc.message,
            values=answers,
            status_code=422,
        )
    except CxmError as exc:
        return _message(
            request, language, _ERROR_PAGES.get(exc.status_code, "invalid"), exc.status_code
        )
    return _message(request, language, "thanks", 200)


@router.get("/s/a/{key}", response_class=HTMLResponse)
def anonymous_page(key: str, request: Request, db: DbSession) -> HTMLResponse:
    language = _language(request, "de")
    survey = db.scalar(_live_public(key))
    if survey is None:
        return _message(request, language, "invalid", 404)
    version = services.current_version(db, survey)
    return _form(request, survey=survey, version=version, language=language, action=f"/s/a/{key}")


@router.post("/s/a/{key}", response_class=HTMLResponse)
async def submit_anonymous(
    key: str, request: Request, db: DbSession, clock: ClockDep
) -> HTMLResponse:
    form = await request.form()
    language = str(form.get("lang") or "de")
    language = language if language in TEXTS else "de"
    if not request.app.state.public_limiter.hit("anonymous", key, client_address(request)):
        return _message(request, language, "limited", 429)
    survey = db.scalar(_live_public(key))
    if survey is None:
        return _message(request, language, "invalid", 404)
    version = services.current_version(db, survey)
    answers = _answers(form, version)
    try:
        services.respond_anonymously(db, key, answers=answers, now=clock.now(), language=language)
    except Invalid as exc:
        db.rollback()
        return _form(
            request,
            survey=survey,
            version=version,
            language=language,
            action=f"/s/a/{key}",
            error=exc.message,
            values=answers,
            status_code=422,
        )
    return _message(request, language, "thanks", 200)


def _live_public(key: str) -> Select[Survey]:
    return select(Survey).where(
        Survey.key == key, Survey.status == SurveyStatus.LIVE, Survey.anonymous_enabled.is_(True)
    )


@api_router.post("/widget/{key}", status_code=201)
def widget_response(
    key: str,
    request: Request,
    db: DbSession,
    clock: ClockDep,
    answers: Annotated[dict[str, Any], Body(embed=True)],
    language: Annotated[str, Body(embed=True, pattern="^(de|en)$")] = "de",
    page: Annotated[str | None, Body(embed=True, max_length=2000)] = None,
) -> JSONResponse:
    """The website feedback widget posts here (CORS for CXM_WIDGET_ORIGINS; rate-limited)."""
    if not request.app.state.public_limiter.hit("widget", key, client_address(request)):
        return JSONResponse({"detail": "too many responses; try again later"}, status_code=429)
    response = services.respond_anonymously(
        db,
        key,
        answers=answers,
        now=clock.now(),
        channel=ResponseChannel.WIDGET,
        language=language,
        properties={"page": page} if page else None,
    )
    return JSONResponse({"id": str(response.id), "status": "thank you"}, status_code=201)
