"""The survey pages of the web application: the list, the builder (create, revise as a new
version), publish/close, trigger rules, results per version and a preview of the public page.

Results are counted from the survey's own answers in the operational database (grouped in SQL)
and scored with the analytics layer's metric definitions (cxm.analytics.metrics), so they match
the dashboard's KPIs while being current to the last answer and available per version, which the
analytical store (synced with a lag, no version column) cannot give.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.analytics import metrics
from cxm.analytics.api import get_analytics_settings
from cxm.deps import ClockDep, DbSession, SettingsDep, web_require
from cxm.i18n import register
from cxm.interactions.domain import KNOWN_TYPES
from cxm.shared.errors import CxmError, Invalid
from cxm.surveys import services
from cxm.surveys import web as public
from cxm.surveys.admin_labels import LABELS
from cxm.surveys.domain import (
    AnswerError,
    Question,
    QuestionType,
    SurveyStatus,
    validate_answers,
)
from cxm.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from cxm.surveys.schemas import QuestionIn, SurveyCreate, SurveyUpdate, TriggerCreate
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.models import Touchpoint
from cxm.web_support import csrf_ok, page

register(LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(web_require(Permission.SURVEYS_MANAGE))]

LOCAL = ZoneInfo("Europe/Berlin")
DEFAULT_ROWS = 3
MAX_ROWS = 50
CHOICE = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
SCORED = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)
COMMENTS = 50
_SLUG = re.compile(r"[^a-z0-9]+")


async def form_data(request: Request) -> FormData:
    """The posted form, read once before a synchronous route runs in the thread pool."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def _text(form: FormData, name: str, limit: int = 5000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    survey: Survey
    version: int
    responses: int
    rate: metrics.Proportion
    touchpoint: str | None


@router.get("/app/surveys")
def survey_list(request: Request, db: DbSession, user: Reader) -> Response:
    cfg = get_analytics_settings(request)
    responses = dict(
        db.execute(
            select(SurveyResponse.survey_id, func.count()).group_by(SurveyResponse.survey_id)
        ).all()
    )
    sent = {
        sid: (int(n), int(hits))
        for sid, n, hits in db.execute(
            select(
                SurveyInvitation.survey_id,
                func.count(),
                func.count(SurveyInvitation.responded_at),
            )
            .where(SurveyInvitation.sent_at.is_not(None))
            .group_by(SurveyInvitation.survey_id)
        )
    }
    tp_keys = _touchpoint_keys(db)
    rows = []
    for survey in services.list_surveys(db):
        n, hits = sent.get(survey.id, (0, 0))
        rows.append(
            Row(
                survey=survey,
                version=survey.current_version.number if survey.current_version else 1,
                responses=int(responses.get(survey.id, 0)),
                rate=metrics.response_rate(hits, n, min_n=cfg.min_n),
                touchpoint=tp_keys.get(survey.touchpoint_id) if survey.touchpoint_id else None,
            )
        )
    return page(
        request,
        "surveys/admin/list.html",
        {"rows": rows, "can_manage": _can_manage(user), "min_n": cfg.min_n},
        user=user,
    )


def _can_manage(user: User) -> bool:
    return role_allows(user.role, Permission.SURVEYS_MANAGE)


def _touchpoint_keys(db: Session) -> dict[uuid.UUID | None, str]:
    return {tid: key for tid, key in db.execute(select(Touchpoint.id, Touchpoint.key))}


# --- the builder -------------------------------------------------------------------------------


def _blank_row(i: int) -> dict[str, Any]:
    kind = QuestionType.NPS if i == 0 else QuestionType.TEXT
    return {
        "key": "",
        "type": kind.value,
        "text_de": "",
        "text_en": "",
        "required": False,
        "options": "",
        "scale_min": "",
        "scale_max": "",
    }


def _rows_of(version: SurveyVersion) -> list[dict[str, Any]]:
    rows = []
    for q in version.questions:
        rows.append(
            {
                "key": q["key"],
                "type": q["type"],
                "text_de": q["text_de"],
                "text_en": q["text_en"],
                "required": bool(q.get("required")),
                "options": "\n".join(" | ".join(str(p) for p in o) for o in q.get("options") or ()),
                "scale_min": "" if q.get("scale_min") is None else str(q["scale_min"]),
                "scale_max": "" if q.get("scale_max") is None else str(q["scale_max"]),
            }
        )
    return rows


def _read_rows(form: FormData) -> list[dict[str, Any]]:
    count = _count(_text(form, "rows", 4), default=DEFAULT_ROWS)
    rows = []
    for i in range(count):
        kind = _text(form, f"q{i}_type", 32)
        rows.append(
            {
                "key": _text(form, f"q{i}_key", 64),
                "type": kind if kind in set(QuestionType) else QuestionType.TEXT.value,
                "text_de": _text(form, f"q{i}_text_de", 1000),
                "text_en": _text(form, f"q{i}_text_en", 1000),
                "required": form.get(f"q{i}_required") == "on",
                "options": _text(form, f"q{i}_options", 10_000),
                "scale_min": _text(form, f"q{i}_scale_min", 6),
                "scale_max": _text(form, f"q{i}_scale_max", 6),
            }
        )
    return rows


def _count(raw: str, *, default: int) -> int:
    return max(1, min(MAX_ROWS, int(raw))) if raw.isdigit() else default


def _read_survey(form: FormData) -> dict[str, Any]:
    return {
        "key": _text(form, "key", 64),
        "name": _text(form, "name", 200),
        "title_de": _text(form, "title_de", 300),
        "title_en": _text(form, "title_en", 300),
        "intro_de": _text(form, "intro_de"),
        "intro_en": _text(form, "intro_en"),
        "touchpoint": _text(form, "touchpoint", 64),
        "anonymous_enabled": form.get("anonymous_enabled") == "on",
        "invitation_valid_days": _text(form, "invitation_valid_days", 4) or "14",
    }


def _slug(label: str) -> str:
    return _SLUG.sub("_", label.lower()).strip("_")[:64] or "option"


def _options(raw: str, field_name: str) -> list[list[str]]:
    """One option a line: 'value | German | English', 'German | English' or one label."""
    out = []
    for line in raw.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not any(parts):
            continue
        if len(parts) == 1:
            value, de, en = _slug(parts[0]), parts[0], parts[0]
        elif len(parts) == 2:
            value, de, en = _slug(parts[0]), parts[0], parts[1]
        elif len(parts) == 3:
            value, de, en = parts[0] or _slug(parts[1]), parts[1], parts[2]
        else:
            raise Invalid("svy.error.option_line", field=field_name)
        if not de or not en:
            raise Invalid("svy.error.option_line", field=field_name)
        out.append([value, de, en])
    return out


def _questions(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """The non-blank rows as question dicts, and the row each one came from."""
    questions: list[dict[str, Any]] = []
    origin: list[int] = []
    for i, row in enumerate(rows):
        if not (row["key"] or row["text_de"] or row["text_en"] or row["options"]):
            continue
        kind = QuestionType(row["type"])
        question: dict[str, Any] = {
            "key": row["key"] or f"q{len(questions) + 1}",
            "type": kind.value,
            "text_de": row["text_de"],
            "text_en": row["text_en"],
            "required": row["required"],
        }
        if kind in CHOICE:
            question["options"] = _options(row["options"], f"q{i}_options")
        if kind is QuestionType.RATING:
            for bound in ("scale_min", "scale_max"):
                raw = row[bound]
                if raw and not raw.lstrip("-").isdigit():
                    raise Invalid("svy.error.whole_number", field=f"q{i}_{bound}")
                question[bound] = int(raw) if raw else None
        questions.append(question)
        origin.append(i)
    return questions, origin


_MESSAGES = {
    "missing": "svy.error.required",
    "string_too_short": "svy.error.required",
    "string_pattern_mismatch": "svy.error.key_pattern",
    "int_parsing": "svy.error.whole_number",
    "too_short": "svy.error.no_questions",
}


# The schema's own checks, by their message.
_VALUE_ERRORS = {
    "choice questions need at least two options": "svy.error.two_options",
    "rating scale must satisfy 0 <= scale_min < scale_max <= 100": "svy.error.scale",
}


def _field_errors(exc: ValidationError, origin: list[int]) -> dict[str, str]:
    """Pydantic errors keyed by the form field they belong to."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        text = str(err["msg"]).removeprefix("Value error, ")
        message = _MESSAGES.get(err["type"]) or _VALUE_ERRORS.get(text, text)
        if loc and loc[0] == "questions" and len(loc) > 1 and loc[1].isdigit():
            row = origin[int(loc[1])] if int(loc[1]) < len(origin) else 0
            name = f"q{row}_{loc[2]}" if len(loc) > 2 else f"q{row}"
        else:
            name = loc[0] if loc else "form"
        errors.setdefault(name, message)
    return errors


def _validated(model: type[BaseModel], data: dict[str, Any], origin: list[int]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FormErrors(_field_errors(exc, origin)) from None


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str], status_code: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code


def _builder(
    request: Request,
    db: Session,
    user: User,
    *,
    survey: Survey | None,
    form: dict[str, Any],
    rows: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "surveys/admin/builder.html",
        {
            "survey": survey,
            "form": form,
            "rows": rows,
            "errors": errors or {},
            "types": list(QuestionType),
            "touchpoints": touchpoints.list_touchpoints(db),
            "max_rows": MAX_ROWS,
            "action": f"/app/surveys/{survey.key}/edit" if survey else "/app/surveys/new",
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/surveys/new")
def new_survey(
    request: Request,
    db: DbSession,
    user: Manager,
    rows: str = Query(default="", max_length=4),
) -> Response:
    count = _count(rows, default=DEFAULT_ROWS)
    empty = {
        "key": "",
        "name": "",
        "title_de": "",
        "title_en": "",
        "intro_de": "",
        "intro_en": "",
        "touchpoint": "",
        "anonymous_enabled": False,
        "invitation_valid_days": "14",
    }
    return _builder(
        request, db, user, survey=None, form=empty, rows=[_blank_row(i) for i in range(count)]
    )


def _submit_builder(
    request: Request,
    db: Session,
    user: User,
    form: FormData,
    survey: Survey | None,
    save: Callable[[dict[str, Any], list[dict[str, Any]], list[int]], str],
) -> Response:
    """Adds a row, or validates and saves; errors show the builder again with each field's
    message (422 invalid, 409 conflict, 400 expired form)."""
    fields = _read_survey(form)
    if survey is not None:
        fields["key"] = survey.key
    rows = _read_rows(form)
    if not csrf_ok(request, _text(form, "csrf", 200)):
        errors = {"form": "csrf.failed"}
        return _builder(
            request, db, user, survey=survey, form=fields, rows=rows, errors=errors, status_code=400
        )
    if form.get("action") == "add_row":
        rows = rows + [_blank_row(len(rows))] if len(rows) < MAX_ROWS else rows
        return _builder(request, db, user, survey=survey, form=fields, rows=rows)
    try:
        questions, origin = _questions(rows)
        target = save(fields, questions, origin)
    except FormErrors as exc:
        db.rollback()
        return _builder(
            request,
            db,
            user,
            survey=survey,
            form=fields,
            rows=rows,
            errors=exc.errors,
            status_code=exc.status_code,
        )
    except CxmError as exc:
        db.rollback()
        status = 422 if exc.status_code == 404 else exc.status_code
        return _builder(
            request,
            db,
            user,
            survey=survey,
            form=fields,
            rows=rows,
            errors={exc.field or "form": exc.message},
            status_code=status,
        )
    return RedirectResponse(target, status_code=303)


@router.post("/app/surveys/new")
def create_survey(
    request: Request, db: DbSession, user: Manager, clock: ClockDep, form: Form
) -> Response:
    def save(fields: dict[str, Any], questions: list[dict[str, Any]], origin: list[int]) -> str:
        data = {
            **fields,
            "intro_de": fields["intro_de"] or None,
            "intro_en": fields["intro_en"] or None,
            "touchpoint": fields["touchpoint"] or None,
            "questions": questions,
        }
        body: SurveyCreate = _validated(SurveyCreate, data, origin)
        values = body.model_dump(mode="json", exclude={"questions"})
        survey = services.create_survey(
            db,
            **values,
            questions=[q.model_dump(mode="json") for q in body.questions],
            now=clock.now(),
        )
        return f"/app/surveys/{survey.key}?done=created"

    return _submit_builder(request, db, user, form, None, save)


@router.get("/app/surveys/{key}/edit")
def edit_survey(
    key: str,
    request: Request,
    db: DbSession,
    user: Manager,
    rows: str = Query(default="", max_length=4),
) -> Response:
    survey = services.get_survey(db, key)
    version = services.current_version(db, survey)
    current = _rows_of(version)
    extra = _count(rows, default=0) - len(current) if rows else 0
    current += [_blank_row(len(current) + i) for i in range(max(extra, 0))]
    tp_keys = _touchpoint_keys(db)
    fields = {
        "key": survey.key,
        "name": survey.name,
        "title_de": version.title_de,
        "title_en": version.title_en,
        "intro_de": version.intro_de or "",
        "intro_en": version.intro_en or "",
        "touchpoint": tp_keys.get(survey.touchpoint_id, "") if survey.touchpoint_id else "",
        "anonymous_enabled": survey.anonymous_enabled,
        "invitation_valid_days": str(survey.invitation_valid_days),
    }
    return _builder(request, db, user, survey=survey, form=fields, rows=current)


def _normalised(questions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [QuestionIn.model_validate(q).model_dump(mode="json") for q in questions]


@router.post("/app/surveys/{key}/edit")
def revise_survey(
    key: str, request: Request, db: DbSession, user: Manager, clock: ClockDep, form: Form
) -> Response:
    survey = services.get_survey(db, key)
    version = services.current_version(db, survey)

    def save(fields: dict[str, Any], questions: list[dict[str, Any]], origin: list[int]) -> str:
        data = {
            "name": fields["name"],
            "title_de": fields["title_de"],
            "title_en": fields["title_en"],
            "intro_de": fields["intro_de"],
            "intro_en": fields["intro_en"],
            "questions": questions,
            "anonymous_enabled": fields["anonymous_enabled"],
            "invitation_valid_days": fields["invitation_valid_days"],
        }
        if not questions:
            raise FormErrors({"questions": "svy.error.no_questions"})
        body: SurveyUpdate = _validated(SurveyUpdate, data, origin)
        new_questions = [q.model_dump(mode="json") for q in body.questions or ()]
        # Only what changed is passed on: any content change to a used survey is a new version.
        content: dict[str, Any] = {}
        if new_questions != _normalised(version.questions):
            content["questions"] = new_questions
        for name in ("title_de", "title_en", "intro_de", "intro_en"):
            if (getattr(body, name) or "") != (getattr(version, name) or ""):
                content[name] = getattr(body, name) or ""
        tp_keys = _touchpoint_keys(db)
        current_tp = tp_keys.get(survey.touchpoint_id, "") if survey.touchpoint_id else ""
        number = version.number
        updated = services.revise_survey(
            db,
            key,
            now=clock.now(),
            name=body.name,
            anonymous_enabled=body.anonymous_enabled,
            invitation_valid_days=body.invitation_valid_days,
            touchpoint=fields["touchpoint"]
            if fields["touchpoint"] and fields["touchpoint"] != current_tp
            else None,
            **content,
        )
        fresh = services.current_version(db, updated)
        done = "version" if fresh.number != number else "saved"
        return f"/app/surveys/{key}?done={done}"

    return _submit_builder(request, db, user, form, survey, save)


# --- one survey: versions, status, triggers, links ---------------------------------------------


def _survey_page(
    request: Request,
    db: Session,
    user: User,
    key: str,
    public_base: str,
    *,
    error: str | None = None,
    error_field: str | None = None,
    status_code: int = 200,
    trigger_form: dict[str, str] | None = None,
) -> Response:
    survey = services.get_survey(db, key)
    version = services.current_version(db, survey)
    tp_keys = _touchpoint_keys(db)
    counts = dict(
        db.execute(
            select(SurveyResponse.version_id, func.count())
            .where(SurveyResponse.survey_id == survey.id)
            .group_by(SurveyResponse.version_id)
        ).all()
    )
    return page(
        request,
        "surveys/admin/survey.html",
        {
            "survey": survey,
            "version": version,
            "questions": services.questions_of(version),
            "versions": list(reversed(services.list_versions(db, survey))),
            "counts": counts,
            "triggers": services.list_triggers(db, key),
            "segments": services.segment_names(db),
            "tp_keys": tp_keys,
            "touchpoints": touchpoints.list_touchpoints(db),
            "interaction_types": KNOWN_TYPES,
            "public_url": f"{public_base.rstrip('/')}/s/a/{survey.key}",
            "can_manage": _can_manage(user),
            "error": error,
            "error_field": error_field,
            "done": request.query_params.get("done"),
            "trigger_form": trigger_form
            or {"interaction_type": "", "touchpoint": "", "delay": "60", "segment": ""},
            "local": LOCAL,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/surveys/{key}")
def survey_page(
    key: str, request: Request, db: DbSession, user: Reader, settings: SettingsDep
) -> Response:
    return _survey_page(request, db, user, key, settings.public_base_url)


def _act(
    request: Request,
    db: Session,
    user: User,
    key: str,
    public_base: str,
    csrf: str,
    done: str,
    action: Callable[[], object],
    trigger_form: dict[str, str] | None = None,
) -> Response:
    """Runs one change; a domain error shows the survey page again with the reason."""
    if not csrf_ok(request, csrf):
        return _survey_page(
            request, db, user, key, public_base, error="csrf.failed", status_code=400
        )
    try:
        action()
    except CxmError as exc:
        db.rollback()
        if exc.status_code == 404 and exc.field in (None, "survey"):
            raise
        return _survey_page(
            request,
            db,
            user,
            key,
            public_base,
            error=exc.message,
            error_field=exc.field,
            status_code=422 if exc.status_code == 404 else exc.status_code,
            trigger_form=trigger_form,
        )
    return RedirectResponse(f"/app/surveys/{key}?{urlencode({'done': done})}", status_code=303)


@router.post("/app/surveys/{key}/status")
def change_status(
    key: str,
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
    form: Form,
) -> Response:
    wanted = _text(form, "status", 16)

    def run() -> None:
        if wanted not in set(SurveyStatus):
            raise Invalid("svy.error.status", field="status")
        survey = services.get_survey(db, key)
        if survey.status.value == wanted:
            raise Invalid("svy.error.same_status", field="status")
        services.set_status(db, key, SurveyStatus(wanted), now=clock.now())

    return _act(
        request,
        db,
        user,
        key,
        settings.public_base_url,
        _text(form, "csrf", 200),
        f"status_{wanted}" if wanted in set(SurveyStatus) else "saved",
        run,
    )


_TRIGGER_MESSAGES = {
    "interaction_type": "svy.error.interaction_type",
    "delay_minutes": "svy.error.delay",
    "segment_id": "svy.error.segment",
}


@router.post("/app/surveys/{key}/triggers")
def add_trigger(
    key: str,
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
    form: Form,
) -> Response:
    entered = {
        "interaction_type": _text(form, "interaction_type", 64),
        "touchpoint": _text(form, "touchpoint", 64),
        "delay": _text(form, "delay_minutes", 8),
        "segment": _text(form, "segment_id", 64),
    }

    def run() -> None:
        try:
            body = TriggerCreate.model_validate(
                {
                    "interaction_type": entered["interaction_type"],
                    "touchpoint": entered["touchpoint"] or None,
                    "delay_minutes": entered["delay"] or "60",
                    "segment_id": entered["segment"] or None,
                }
            )
        except ValidationError as exc:
            name, message = next(iter(_field_errors(exc, []).items()))
            message = _TRIGGER_MESSAGES.get(name, message)
            raise Invalid(message, field=name) from None
        try:
            services.add_trigger(db, key, now=clock.now(), **body.model_dump())
        except Invalid as exc:
            if exc.field != "segment_id":
                raise
            raise Invalid("svy.error.segment", field="segment_id") from None

    return _act(
        request,
        db,
        user,
        key,
        settings.public_base_url,
        _text(form, "csrf", 200),
        "trigger_added",
        run,
        trigger_form=entered,
    )


@router.post("/app/surveys/{key}/triggers/{trigger_id}/deactivate")
def deactivate_trigger(
    key: str,
    trigger_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Manager,
    settings: SettingsDep,
    form: Form,
) -> Response:
    return _act(
        request,
        db,
        user,
        key,
        settings.public_base_url,
        _text(form, "csrf", 200),
        "trigger_off",
        lambda: services.deactivate_trigger(db, key, trigger_id),
    )


# --- preview -----------------------------------------------------------------------------------


def _version(db: Session, survey: Survey, number: str) -> SurveyVersion:
    if number.isdigit():
        for version in services.list_versions(db, survey):
            if version.number == int(number):
                return version
    return services.current_version(db, survey)


@router.get("/app/surveys/{key}/preview")
def preview(
    key: str,
    request: Request,
    db: DbSession,
    user: Reader,
    version: str = Query(default="", max_length=6),
) -> Response:
    """The public page as a customer sees it; answers given here are checked, never stored."""
    survey = services.get_survey(db, key)
    chosen = _version(db, survey, version)
    language = public._language(request, "de")
    action = f"/app/surveys/{key}/preview?version={chosen.number}"
    return public._form(request, survey=survey, version=chosen, language=language, action=action)


@router.post("/app/surveys/{key}/preview")
def check_preview(
    key: str,
    request: Request,
    db: DbSession,
    user: Reader,
    form: Form,
    version: str = Query(default="", max_length=6),
) -> Response:
    survey = services.get_survey(db, key)
    chosen = _version(db, survey, version)
    language = _text(form, "lang", 2)
    language = language if language in public.TEXTS else "de"
    answers = public._answers(form, chosen)
    action = f"/app/surveys/{key}/preview?version={chosen.number}"
    try:
        validate_answers(services.questions_of(chosen), answers)
    except AnswerError as exc:
        return public._form(
            request,
            survey=survey,
            version=chosen,
            language=language,
            action=action,
            error=exc.message,
            values=answers,
            status_code=422,
        )
    return page(
        request, "surveys/admin/preview_ok.html", {"survey": survey, "version": chosen}, user=user
    )


# --- results -----------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int
    share: float


@dataclass
class QuestionResult:
    question: Question
    number: int  # the newest version that asks it
    n: int = 0
    bars: list[Bar] = field(default_factory=list)
    nps: metrics.Nps | None = None
    share: metrics.Proportion | None = None  # CSAT top-2-box
    ces: metrics.Ces | None = None
    mean: float | None = None


@dataclass
class Comment:
    at: datetime
    question: str
    text: str
    language: str
    version: int


def _questions_for(versions: Sequence[SurveyVersion]) -> list[tuple[Question, int]]:
    """Each question key once, with the wording of the newest version that asks it (and that
    version's number), in the newest version's order; keys dropped since come last."""
    newest_first = sorted(versions, key=lambda v: -v.number)
    seen: dict[str, tuple[Question, int]] = {}
    for version in newest_first:
        for q in services.questions_of(version):
            seen.setdefault(q.key, (q, version.number))
    return list(seen.values())


def _score(result: QuestionResult, counts: dict[int, int], min_n: int) -> None:
    q = result.question
    low, high = q.scale()
    n = sum(c for s, c in counts.items() if low <= s <= high)
    result.n = n
    result.bars = [
        Bar(str(s), counts.get(s, 0), counts.get(s, 0) / n if n else 0.0)
        for s in range(low, high + 1)
    ]
    if q.type is QuestionType.NPS:
        promoters = sum(c for s, c in counts.items() if metrics.PROMOTER_MIN <= s <= high)
        detractors = sum(c for s, c in counts.items() if low <= s <= metrics.DETRACTOR_MAX)
        result.nps = metrics.nps(promoters, n - promoters - detractors, detractors, min_n=min_n)
    elif q.type is QuestionType.CSAT:
        hits = sum(c for s, c in counts.items() if metrics.CSAT_SATISFIED_MIN <= s <= high)
        result.share = metrics.csat(hits, n, min_n=min_n)
    elif q.type is QuestionType.CES:
        valid = {s: c for s, c in counts.items() if low <= s <= high}
        result.ces = metrics.ces(
            n,
            float(sum(s * c for s, c in valid.items())),
            float(sum(s * s * c for s, c in valid.items())),
            sum(c for s, c in valid.items() if s >= metrics.CES_AGREE_MIN),
            min_n=min_n,
        )
    elif n:
        result.mean = sum(s * c for s, c in counts.items() if low <= s <= high) / n


@dataclass
class Counts:
    """Answer counts of a set of versions, grouped in SQL: score and choice distributions per
    question key, and how many non-empty texts each text question got."""

    scores: dict[str, dict[int, int]] = field(default_factory=dict)
    choices: dict[str, dict[str, int]] = field(default_factory=dict)
    choice_n: dict[str, int] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)


def _counts(db: Session, survey_id: uuid.UUID, version_ids: list[uuid.UUID]) -> Counts:
    a = (
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey_id, SurveyResponse.version_id.in_(version_ids))
    ).subquery()
    out = Counts()
    for qkey, score, n in db.execute(
        select(a.c.question_key, a.c.score, func.count())
        .where(a.c.score.is_not(None))
        .group_by(a.c.question_key, a.c.score)
    ):
        out.scores.setdefault(qkey, {})[int(score)] = int(n)
    # choices are grouped by the whole selection, then split per option here
    for qkey, selection, n in db.execute(
        select(a.c.question_key, a.c.choices, func.count())
        .where(a.c.choices.is_not(None))
        .group_by(a.c.question_key, a.c.choices)
    ):
        out.choice_n[qkey] = out.choice_n.get(qkey, 0) + int(n)
        per_option = out.choices.setdefault(qkey, {})
        for value in selection or ():
            per_option[str(value)] = per_option.get(str(value), 0) + int(n)
    for qkey, n in db.execute(
        select(a.c.question_key, func.count())
        .where(a.c.text.is_not(None), a.c.text != "")
        .group_by(a.c.question_key)
    ):
        out.texts[qkey] = int(n)
    return out


def _result(
    q: Question, number: int, counts: Counts, *, min_n: int, language: str
) -> QuestionResult:
    result = QuestionResult(q, number)
    if q.type in SCORED:
        _score(result, counts.scores.get(q.key, {}), min_n)
    elif q.type in CHOICE:
        n = counts.choice_n.get(q.key, 0)
        counted = counts.choices.get(q.key, {})
        labels = dict(q.option_labels(language))
        values = list(labels) + [v for v in counted if v not in labels]
        result.n = n
        result.bars = [
            Bar(labels.get(v, v), counted.get(v, 0), counted.get(v, 0) / n if n else 0.0)
            for v in values
        ]
    else:
        result.n = counts.texts.get(q.key, 0)
    return result


def _comments(
    db: Session,
    survey_id: uuid.UUID,
    version_ids: list[uuid.UUID],
    numbers: dict[uuid.UUID, int],
    questions: dict[str, Question],
    language: str,
) -> list[Comment]:
    rows = db.execute(
        select(
            SurveyResponse.submitted_at,
            SurveyAnswer.question_key,
            SurveyAnswer.text,
            SurveyResponse.language,
            SurveyResponse.version_id,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.version_id.in_(version_ids),
            SurveyAnswer.text.is_not(None),
            SurveyAnswer.text != "",
        )
        .order_by(SurveyResponse.submitted_at.desc())
        .limit(COMMENTS)
    )
    return [
        Comment(
            at,
            questions[qkey].text(language) if qkey in questions else qkey,
            text or "",
            lang,
            numbers.get(vid, 0),
        )
        for at, qkey, text, lang, vid in rows
    ]


@router.get("/app/surveys/{key}/results")
def results(
    key: str,
    request: Request,
    db: DbSession,
    user: Reader,
    version: str = Query(default="", max_length=6),
) -> Response:
    """Responses, response rate, NPS/CSAT/CES with their uncertainty, the distribution of every
    question and the newest comments, for all versions or one."""
    survey = services.get_survey(db, key)
    min_n = get_analytics_settings(request).min_n
    language = _lang(user)
    versions = services.list_versions(db, survey)
    chosen = next((v for v in versions if version.isdigit() and v.number == int(version)), None)
    scope = [chosen] if chosen else list(versions)
    ids = [v.id for v in scope]

    per_version = {
        vid: int(n)
        for vid, n in db.execute(
            select(SurveyResponse.version_id, func.count())
            .where(SurveyResponse.survey_id == survey.id)
            .group_by(SurveyResponse.version_id)
        )
    }
    sent, answered = db.execute(
        select(func.count(), func.count(SurveyInvitation.responded_at)).where(
            SurveyInvitation.survey_id == survey.id,
            SurveyInvitation.version_id.in_(ids),
            SurveyInvitation.sent_at.is_not(None),
        )
    ).one()
    counts = _counts(db, survey.id, ids)
    asked = _questions_for(scope)
    items = [_result(q, n, counts, min_n=min_n, language=language) for q, n in asked]
    numbers = {v.id: v.number for v in versions}
    questions = {q.key: q for q, _ in asked}
    return page(
        request,
        "surveys/admin/results.html",
        {
            "survey": survey,
            "versions": list(reversed(versions)),
            "per_version": per_version,
            "chosen": chosen,
            "responses": sum(per_version.get(i, 0) for i in ids),
            "rate": metrics.response_rate(int(answered), int(sent), min_n=min_n),
            "items": items,
            "comments": _comments(db, survey.id, ids, numbers, questions, language),
            "min_n": min_n,
            "local": LOCAL,
        },
        user=user,
    )


def _lang(user: User) -> str:
    return user.language if user.language in ("de", "en") else "de"
