"""The settings pages of the web application (/app/settings/...).

Who sees what follows the permissions: touchpoints, stages and taxonomies are readable by every
role with analytics access and edited with catalogue:write (touchpoints, stages) or
surveys:manage (taxonomy rules, as in the API); users and roles are for admins only; API tokens
are each user's own (admins see and issue all); channels are for outreach managers.
Secrets from the configuration are never shown: only whether they are set.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Permission, Role, role_allows
from cxm.accounts.models import User
from cxm.accounts.schemas import DepartmentCreate, TokenCreate, UserCreate
from cxm.admin.labels import LABELS
from cxm.consent.domain import ContactChannel
from cxm.deps import ClockDep, DbSession, Forbidden, SettingsDep, web_require
from cxm.i18n import register, translate
from cxm.outreach.channels import (
    ConsoleSmsAdapter,
    DeliveryError,
    EmailAdapter,
    HttpSmsAdapter,
    Outbound,
    PermanentDeliveryError,
    WebhookAdapter,
)
from cxm.shared.errors import Conflict, CxmError, NotFound
from cxm.shared.mail import SmtpMailer
from cxm.textanalytics import services as textanalytics
from cxm.textanalytics.rules import Rule, RuleMatcher
from cxm.textanalytics.taxonomy import Taxonomy, Topic
from cxm.touchpoints import services as touchpoints
from cxm.touchpoints.domain import Channel
from cxm.touchpoints.schemas import StageCreate, TouchpointCreate, TouchpointUpdate
from cxm.web_support import csrf_ok, page

register(LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.ANALYTICS_READ))]
CatalogueEditor = Annotated[User, Depends(web_require(Permission.CATALOGUE_WRITE))]
TaxonomyEditor = Annotated[User, Depends(web_require(Permission.SURVEYS_MANAGE))]
Admin = Annotated[User, Depends(web_require(Permission.USERS_MANAGE))]
ChannelManager = Annotated[User, Depends(web_require(Permission.OUTREACH_MANAGE))]

LOCAL = ZoneInfo("Europe/Berlin")
SECTIONS: tuple[tuple[str, Permission], ...] = (
    ("touchpoints", Permission.ANALYTICS_READ),
    ("taxonomy", Permission.ANALYTICS_READ),
    ("users", Permission.USERS_MANAGE),
    ("tokens", Permission.ANALYTICS_READ),
    ("channels", Permission.OUTREACH_MANAGE),
)
TOPIC_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
Csrf = Annotated[str, Form(max_length=200)]


def sections_for(user: User) -> list[str]:
    """The settings sections this user's role may open (empty: no settings at all)."""
    return [name for name, permission in SECTIONS if role_allows(user.role, permission)]


def _page(
    request: Request,
    user: User,
    template: str,
    context: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    base = {
        "sections": sections_for(user),
        "errors": errors or {},
        "done": request.query_params.get("done"),
        "local": LOCAL,
    }
    return page(request, template, {**base, **context}, user=user, status_code=status_code)


# --- form handling -----------------------------------------------------------------------------


class FormErrors(Exception):
    """Errors keyed by the id of the input they belong to."""

    def __init__(self, errors: dict[str, str], status_code: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code


_PYDANTIC = {
    "missing": "settings.error.required",
    "string_too_short": "settings.error.required",
    "string_pattern_mismatch": "settings.error.key_pattern",
    "int_parsing": "settings.error.whole_number",
    "greater_than_equal": "settings.error.whole_number",
    "enum": "settings.error.choose",
    "literal_error": "settings.error.choose",
    "value_error": "settings.error.email",
}
# Service field names that differ from the form's input names.
_ALIASES = {"department_key": "department", "user_id": "user", "token_id": "name"}


def _validated(model: type[BaseModel], data: dict[str, Any], prefix: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            name = _ALIASES.get(name, name)
            errors.setdefault(f"{prefix}_{name}", _PYDANTIC.get(err["type"], str(err["msg"])))
        raise FormErrors(errors) from None


def _attempt(
    request: Request,
    db: Session,
    csrf: str,
    prefix: str,
    action: Callable[[], str],
    render: Callable[[dict[str, str], int], Response],
) -> Response:
    """Runs one change and redirects to its result; invalid input or a conflict shows the page
    again with each message at its field (422, 409; 400 for an expired form)."""
    if not csrf_ok(request, csrf):
        return render({"form": "csrf.failed"}, 400)
    try:
        target = action()
    except FormErrors as exc:
        db.rollback()
        return render(exc.errors, exc.status_code)
    except CxmError as exc:
        db.rollback()
        if exc.status_code in (401, 403) or (exc.status_code == 404 and exc.field is None):
            raise
        name = f"{prefix}_{_ALIASES.get(exc.field, exc.field)}" if exc.field else "form"
        return render({name: exc.message}, 422 if exc.status_code == 404 else exc.status_code)
    return RedirectResponse(target, status_code=303)


def _done(path: str, done: str) -> str:
    return f"{path}?{urlencode({'done': done})}"


def _optional(value: str) -> str | None:
    return value.strip() or None


# --- landing page ------------------------------------------------------------------------------


@router.get("/app/settings")
def settings_home(request: Request, user: Reader) -> Response:
    return _page(request, user, "admin/index.html", {})


# --- touchpoints and journey stages ------------------------------------------------------------


def _touchpoints_page(
    request: Request,
    db: Session,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/touchpoints.html",
        {
            "touchpoints": touchpoints.list_touchpoints(db, include_inactive=True),
            "stages": touchpoints.list_stages(db),
            "departments": accounts.list_departments(db),
            "channels": list(Channel),
            "can_edit": role_allows(user.role, Permission.CATALOGUE_WRITE),
            "form": form or {},
        },
        errors=errors,
        status_code=status_code,
    )


@router.get("/app/settings/touchpoints")
def touchpoints_page(request: Request, db: DbSession, user: Reader) -> Response:
    return _touchpoints_page(request, db, user)


@router.post("/app/settings/touchpoints")
def create_touchpoint(
    request: Request,
    db: DbSession,
    user: CatalogueEditor,
    clock: ClockDep,
    csrf: Csrf = "",
    key: Annotated[str, Form(max_length=64)] = "",
    name_de: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=32)] = "",
    stage: Annotated[str, Form(max_length=64)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    controllable: Annotated[str, Form(max_length=8)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    form = {
        "key": key.strip(),
        "name_de": name_de.strip(),
        "name_en": name_en.strip(),
        "channel": channel,
        "stage": _optional(stage),
        "department": _optional(department),
        "controllable": controllable == "on",
        "description": _optional(description),
    }

    def run() -> str:
        body: TouchpointCreate = _validated(TouchpointCreate, form, "tp")
        tp = touchpoints.create_touchpoint(db, now=clock.now(), **body.model_dump())
        return _done("/app/settings/touchpoints", "tp_created") + f"#tp-{tp.key}"

    return _attempt(
        request,
        db,
        csrf,
        "tp",
        run,
        lambda errors, status: _touchpoints_page(
            request, db, user, errors=errors, form={"tp": form}, status_code=status
        ),
    )


def _touchpoint_edit(
    request: Request,
    db: Session,
    user: User,
    key: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/touchpoint.html",
        {
            "tp": touchpoints.get_touchpoint(db, key),
            "stages": touchpoints.list_stages(db),
            "departments": accounts.list_departments(db),
            "channels": list(Channel),
        },
        errors=errors,
        status_code=status_code,
    )


@router.get("/app/settings/touchpoints/{key}")
def touchpoint_page(key: str, request: Request, db: DbSession, user: CatalogueEditor) -> Response:
    return _touchpoint_edit(request, db, user, key)


@router.post("/app/settings/touchpoints/{key}")
def update_touchpoint(
    key: str,
    request: Request,
    db: DbSession,
    user: CatalogueEditor,
    clock: ClockDep,
    csrf: Csrf = "",
    name_de: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=32)] = "",
    stage: Annotated[str, Form(max_length=64)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    controllable: Annotated[str, Form(max_length=8)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    touchpoints.get_touchpoint(db, key)

    def run() -> str:
        body: TouchpointUpdate = _validated(
            TouchpointUpdate,
            {
                "name_de": name_de.strip(),
                "name_en": name_en.strip(),
                "channel": channel,
                "stage": _optional(stage),
                "department": _optional(department),
                "controllable": controllable == "on",
                "description": _optional(description),
            },
            "tpe",
        )
        touchpoints.update_touchpoint(
            db, key, now=clock.now(), **body.model_dump(exclude={"active"})
        )
        return _done("/app/settings/touchpoints", "tp_saved")

    return _attempt(
        request,
        db,
        csrf,
        "tpe",
        run,
        lambda errors, status: _touchpoint_edit(
            request, db, user, key, errors=errors, status_code=status
        ),
    )


@router.post("/app/settings/touchpoints/{key}/active")
def set_touchpoint_active(
    key: str,
    request: Request,
    db: DbSession,
    user: CatalogueEditor,
    clock: ClockDep,
    csrf: Csrf = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    touchpoints.get_touchpoint(db, key)
    on = active == "true"

    def run() -> str:
        touchpoints.update_touchpoint(db, key, now=clock.now(), active=on)
        return _done("/app/settings/touchpoints", "tp_on" if on else "tp_off")

    return _attempt(
        request,
        db,
        csrf,
        "tp",
        run,
        lambda errors, status: _touchpoints_page(
            request, db, user, errors=errors, status_code=status
        ),
    )


@router.post("/app/settings/stages")
def create_stage(
    request: Request,
    db: DbSession,
    user: CatalogueEditor,
    csrf: Csrf = "",
    key: Annotated[str, Form(max_length=64)] = "",
    name_de: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    position: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    form = {
        "key": key.strip(),
        "name_de": name_de.strip(),
        "name_en": name_en.strip(),
        "position": position.strip() or None,
    }

    def run() -> str:
        body: StageCreate = _validated(StageCreate, form, "stage")
        touchpoints.create_stage(db, **body.model_dump())
        return _done("/app/settings/touchpoints", "stage_created")

    return _attempt(
        request,
        db,
        csrf,
        "stage",
        run,
        lambda errors, status: _touchpoints_page(
            request, db, user, errors=errors, form={"stage": form}, status_code=status
        ),
    )


def _stage_edit(
    request: Request,
    db: Session,
    user: User,
    key: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    stage = next((s for s in touchpoints.list_stages(db) if s.key == key), None)
    if stage is None:
        raise NotFound(f"journey stage '{key}' not found")
    return _page(
        request, user, "admin/stage.html", {"stage": stage}, errors=errors, status_code=status_code
    )


@router.get("/app/settings/stages/{key}")
def stage_page(key: str, request: Request, db: DbSession, user: CatalogueEditor) -> Response:
    return _stage_edit(request, db, user, key)


@router.post("/app/settings/stages/{key}")
def update_stage(
    key: str,
    request: Request,
    db: DbSession,
    user: CatalogueEditor,
    csrf: Csrf = "",
    name_de: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    position: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    _stage_edit(request, db, user, key)

    def run() -> str:
        body: StageCreate = _validated(
            StageCreate,
            {
                "key": key,
                "name_de": name_de.strip(),
                "name_en": name_en.strip(),
                "position": position.strip() or None,
            },
            "stagee",
        )
        touchpoints.update_stage(
            db, key, name_de=body.name_de, name_en=body.name_en, position=body.position
        )
        return _done("/app/settings/touchpoints", "stage_saved")

    return _attempt(
        request,
        db,
        csrf,
        "stagee",
        run,
        lambda errors, status: _stage_edit(
            request, db, user, key, errors=errors, status_code=status
        ),
    )


# --- taxonomy ----------------------------------------------------------------------------------


@router.get("/app/settings/taxonomy")
def taxonomy_page(request: Request, db: DbSession, user: Reader) -> Response:
    return _page(
        request,
        user,
        "admin/taxonomy.html",
        {
            "taxonomies": textanalytics.taxonomies(db),
            "can_edit": role_allows(user.role, Permission.SURVEYS_MANAGE),
        },
    )


def _taxonomy(db: Session, name: str) -> Taxonomy:
    found = next((t for t in textanalytics.taxonomies(db) if t.name == name), None)
    if found is None:
        raise NotFound(f"taxonomy '{name}' not found")
    return found


def _topic_page(
    request: Request,
    user: User,
    taxonomy: Taxonomy,
    topic: dict[str, str],
    *,
    new: bool,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/topic.html",
        {"taxonomy": taxonomy, "topic": topic, "new": new},
        errors=errors,
        status_code=status_code,
    )


def _topic_form(topic: Topic | None) -> dict[str, str]:
    if topic is None:
        return {"id": "", "label": "", "keywords": "", "patterns": ""}
    return {
        "id": topic.id,
        "label": topic.label,
        "keywords": "\n".join(topic.keywords),
        "patterns": "\n".join(topic.patterns),
    }


@router.get("/app/settings/taxonomy/{name}/topics/new")
def new_topic(name: str, request: Request, db: DbSession, user: TaxonomyEditor) -> Response:
    return _topic_page(request, user, _taxonomy(db, name), _topic_form(None), new=True)


@router.get("/app/settings/taxonomy/{name}/topics/{topic_id}")
def topic_page(
    name: str, topic_id: str, request: Request, db: DbSession, user: TaxonomyEditor
) -> Response:
    taxonomy = _taxonomy(db, name)
    topic = next((t for t in taxonomy.topics if t.id == topic_id), None)
    if topic is None:
        raise NotFound(f"topic '{topic_id}' not found")
    return _topic_page(request, user, taxonomy, _topic_form(topic), new=False)


def _lines(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(line.strip() for line in raw.splitlines() if line.strip()))


def _checked_topic(form: dict[str, str]) -> Topic:
    """The topic as typed, with every keyword and pattern checked the way the analyser reads it."""
    errors: dict[str, str] = {}
    if not TOPIC_ID.match(form["id"]):
        errors["topic_id"] = "settings.error.key_pattern"
    if not form["label"]:
        errors["topic_label"] = "settings.error.required"
    keywords, patterns = _lines(form["keywords"]), _lines(form["patterns"])
    if not keywords and not patterns:
        errors["topic_keywords"] = "settings.error.rule_needed"
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            errors["topic_patterns"] = f"{pattern}: {exc}"
            break
    if not errors:
        try:
            RuleMatcher([Rule(label=form["id"], keywords=keywords, patterns=patterns)])
        except (ValueError, IndexError) as exc:
            errors["topic_keywords"] = str(exc) or "settings.error.rule_needed"
    if errors:
        raise FormErrors(errors)
    return Topic(form["id"], form["label"], keywords, patterns)


@router.post("/app/settings/taxonomy/{name}/topics")
def save_topic(
    name: str,
    request: Request,
    db: DbSession,
    user: TaxonomyEditor,
    clock: ClockDep,
    csrf: Csrf = "",
    new: Annotated[str, Form(max_length=8)] = "",
    topic_id: Annotated[str, Form(max_length=64)] = "",
    label: Annotated[str, Form(max_length=200)] = "",
    keywords: Annotated[str, Form(max_length=20_000)] = "",
    patterns: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Adds a topic or replaces a topic's label, keywords and patterns; texts analysed from now
    on use the rules."""
    taxonomy = _taxonomy(db, name)
    is_new = new == "true"
    form = {
        "id": topic_id.strip(),
        "label": label.strip(),
        "keywords": keywords,
        "patterns": patterns,
    }

    def run() -> str:
        topic = _checked_topic(form)
        exists = topic.id in taxonomy.topic_ids
        if is_new and exists:
            raise FormErrors({"topic_id": "settings.error.topic_exists"}, status_code=409)
        topics = [topic if t.id == topic.id else t for t in taxonomy.topics]
        if not exists:
            topics.append(topic)
        updated = Taxonomy(taxonomy.name, tuple(topics))
        textanalytics.save_taxonomy(db, updated.to_dict(), now=clock.now())
        request.app.state.analyser = None  # the API's cached analyser reloads the rules
        return _done("/app/settings/taxonomy", "topic_saved") + f"#topic-{name}-{topic.id}"

    return _attempt(
        request,
        db,
        csrf,
        "topic",
        run,
        lambda errors, status: _topic_page(
            request, user, taxonomy, form, new=is_new, errors=errors, status_code=status
        ),
    )


# --- users and roles ---------------------------------------------------------------------------


def _users_page(
    request: Request,
    db: Session,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/users.html",
        {
            "users": accounts.list_users(db),
            "departments": accounts.list_departments(db),
            "roles": list(Role),
            "form": form or {},
        },
        errors=errors,
        status_code=status_code,
    )


@router.get("/app/settings/users")
def users_page(request: Request, db: DbSession, user: Admin) -> Response:
    return _users_page(request, db, user)


@router.post("/app/settings/users")
def create_user(
    request: Request,
    db: DbSession,
    user: Admin,
    csrf: Csrf = "",
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    language: Annotated[str, Form(max_length=2)] = "de",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {
        "email": email.strip(),
        "name": name.strip(),
        "role": role,
        "department_key": _optional(department),
        "language": language,
    }

    def run() -> str:
        body: UserCreate = _validated(UserCreate, form, "user")
        if password and len(password) < 8:
            raise FormErrors({"user_password": "settings.error.password"})
        created = accounts.create_user(db, **body.model_dump())
        if password:
            accounts.set_password(db, created.id, password)
        return _done("/app/settings/users", "user_created") + f"#user-{created.id}"

    return _attempt(
        request,
        db,
        csrf,
        "user",
        run,
        lambda errors, status: _users_page(
            request, db, user, errors=errors, form={"user": form}, status_code=status
        ),
    )


@router.post("/app/settings/departments")
def create_department(
    request: Request,
    db: DbSession,
    user: Admin,
    csrf: Csrf = "",
    key: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {"key": key.strip(), "name": name.strip()}

    def run() -> str:
        body: DepartmentCreate = _validated(DepartmentCreate, form, "dept")
        accounts.create_department(db, **body.model_dump())
        return _done("/app/settings/users", "dept_created")

    return _attempt(
        request,
        db,
        csrf,
        "dept",
        run,
        lambda errors, status: _users_page(
            request, db, user, errors=errors, form={"dept": form}, status_code=status
        ),
    )


def _user_page(
    request: Request,
    db: Session,
    user: User,
    user_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/user.html",
        {
            "subject": accounts.get_user(db, user_id),
            "departments": accounts.list_departments(db),
            "roles": list(Role),
            "tokens": accounts.list_tokens(db, user_id=user_id),
        },
        errors=errors,
        status_code=status_code,
    )


@router.get("/app/settings/users/{user_id}")
def user_page(user_id: uuid.UUID, request: Request, db: DbSession, user: Admin) -> Response:
    return _user_page(request, db, user, user_id)


@router.post("/app/settings/users/{user_id}")
def update_user(
    user_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Admin,
    csrf: Csrf = "",
    role: Annotated[str, Form(max_length=20)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    accounts.get_user(db, user_id)

    def run() -> str:
        if role not in set(Role):
            raise FormErrors({"edit_role": "settings.error.choose"})
        if user_id == user.id and (role != Role.ADMIN or active != "on"):
            raise Conflict("settings.error.not_yourself", field="role")
        accounts.update_user(
            db,
            user_id,
            role=Role(role),
            department_key=_optional(department),
            active=active == "on",
        )
        return _done(f"/app/settings/users/{user_id}", "user_saved")

    return _attempt(
        request,
        db,
        csrf,
        "edit",
        run,
        lambda errors, status: _user_page(
            request, db, user, user_id, errors=errors, status_code=status
        ),
    )


@router.post("/app/settings/users/{user_id}/password")
def set_password(
    user_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Admin,
    csrf: Csrf = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    accounts.get_user(db, user_id)

    def run() -> str:
        accounts.set_password(db, user_id, password)
        return _done(f"/app/settings/users/{user_id}", "password_set")

    return _attempt(
        request,
        db,
        csrf,
        "pw",
        run,
        lambda errors, status: _user_page(
            request, db, user, user_id, errors=errors, status_code=status
        ),
    )


# --- API tokens --------------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return role_allows(user.role, Permission.USERS_MANAGE)


def _tokens_page(
    request: Request,
    db: Session,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    issued: tuple[Any, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    admin = _is_admin(user)
    response = _page(
        request,
        user,
        "admin/tokens.html",
        {
            "tokens": accounts.list_tokens(db, user_id=None if admin else user.id),
            "users": [u for u in accounts.list_users(db) if u.active] if admin else [],
            "is_admin": admin,
            "issued": issued,
            "form": form or {},
        },
        errors=errors,
        status_code=status_code,
    )
    if issued is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/app/settings/tokens")
def tokens_page(request: Request, db: DbSession, user: Reader) -> Response:
    return _tokens_page(request, db, user)


@router.post("/app/settings/tokens")
def issue_token(
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    csrf: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    owner: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Issues a token and shows it on this one response (never stored, never shown again)."""
    form = {"name": name.strip(), "owner": owner}
    if not csrf_ok(request, csrf):
        return _tokens_page(request, db, user, errors={"form": "csrf.failed"}, status_code=400)
    try:
        body: TokenCreate = _validated(
            TokenCreate, {"name": form["name"], "user_id": owner or None}, "token"
        )
        target = body.user_id or user.id
        if target != user.id and not _is_admin(user):
            raise Forbidden("only admins issue tokens for other users")
        token, plain = accounts.issue_token(db, user_id=target, name=body.name, now=clock.now())
    except FormErrors as exc:
        db.rollback()
        return _tokens_page(request, db, user, errors=exc.errors, form=form, status_code=422)
    except CxmError as exc:
        db.rollback()
        if exc.status_code in (401, 403):
            raise
        errors = {"token_user": exc.message}
        return _tokens_page(request, db, user, errors=errors, form=form, status_code=422)
    return _tokens_page(request, db, user, issued=(token, plain), status_code=201)


@router.post("/app/settings/tokens/{token_id}/revoke")
def revoke_token(
    token_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    csrf: Csrf = "",
) -> Response:
    owned = {t.id for t in accounts.list_tokens(db, user_id=user.id)}
    if token_id not in owned and not _is_admin(user):
        raise Forbidden("only admins revoke other users' tokens")

    def run() -> str:
        accounts.revoke_token(db, token_id=token_id, now=clock.now())
        return _done("/app/settings/tokens", "token_revoked")

    return _attempt(
        request,
        db,
        csrf,
        "token",
        run,
        lambda errors, status: _tokens_page(request, db, user, errors=errors, status_code=status),
    )


# --- channels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    channel: ContactChannel
    kind: str  # smtp | console_mail | http | console | webhook | custom | off | none
    details: list[tuple[str, str]]

    @property
    def can_test(self) -> bool:
        return self.kind not in ("none", "off")


def _endpoint(url: str) -> str:
    """Scheme and host only: paths and queries may carry credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else "—"


def _set(value: object) -> str:
    return "settings.channels.set" if value else "settings.channels.not_set"


def channel_rows(adapters: Any, mail_from: str) -> list[ChannelRow]:
    """What each contact channel is delivered through, without any secret."""
    rows = []
    for channel in ContactChannel:
        adapter = adapters.get(channel)
        details: list[tuple[str, str]] = []
        if adapter is None:
            manual = channel in (ContactChannel.PHONE, ContactChannel.LETTER)
            kind = "none" if manual else "off"
        elif isinstance(adapter, EmailAdapter):
            mailer = adapter.mailer
            if isinstance(mailer, SmtpMailer):
                kind = "smtp"
                details = [
                    ("settings.channels.server", f"{mailer.host}:{mailer.port}"),
                    (
                        "settings.channels.starttls",
                        "settings.yes" if mailer.starttls else "settings.no",
                    ),
                    ("settings.channels.login", _set(mailer.user)),
                    ("settings.channels.sender", mailer.sender),
                ]
            else:
                kind = "console_mail"
                details = [("settings.channels.sender", mail_from)]
        elif isinstance(adapter, HttpSmsAdapter):
            kind = "http"
            details = [
                ("settings.channels.endpoint", _endpoint(adapter.url)),
                ("settings.channels.api_key", _set(adapter.api_key)),
                ("settings.channels.sender", adapter.sender),
            ]
        elif isinstance(adapter, ConsoleSmsAdapter):
            kind = "console"
        elif isinstance(adapter, WebhookAdapter):
            kind = "webhook"
            details = [
                ("settings.channels.endpoint", _endpoint(adapter.url)),
                ("settings.channels.secret", _set(adapter.secret)),
            ]
        else:
            kind = "custom"
            details = [("settings.channels.adapter", type(adapter).__name__)]
        rows.append(ChannelRow(channel, kind, details))
    return rows


def _adapters(request: Request) -> Any:
    delivery = getattr(request.app.state, "delivery", None)
    return delivery.adapters if delivery is not None else {}


def _channels_page(
    request: Request,
    user: User,
    mail_from: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    result: str | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        user,
        "admin/channels.html",
        {
            "rows": channel_rows(_adapters(request), mail_from),
            "form": form or {"channel": "email", "address": ""},
            "result": result,
        },
        errors=errors,
        status_code=status_code,
    )


@router.get("/app/settings/channels")
def channels_page(request: Request, user: ChannelManager, settings: SettingsDep) -> Response:
    return _channels_page(request, user, settings.mail_from)


@router.post("/app/settings/channels/test")
def send_test(
    request: Request,
    user: ChannelManager,
    settings: SettingsDep,
    csrf: Csrf = "",
    channel: Annotated[str, Form(max_length=20)] = "",
    address: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Sends a test message through the channel's adapter to the address typed (no customer,
    no consent involved); the provider's answer is shown on the page."""
    form = {"channel": channel, "address": address.strip()}
    if not csrf_ok(request, csrf):
        return _channels_page(
            request, user, settings.mail_from, errors={"form": "csrf.failed"}, status_code=400
        )
    adapters = _adapters(request)
    chosen = ContactChannel(channel) if channel in set(ContactChannel) else None
    if chosen is None or adapters.get(chosen) is None:
        errors = {"test_channel": "settings.error.no_adapter"}
        return _channels_page(
            request, user, settings.mail_from, errors=errors, form=form, status_code=422
        )
    if not form["address"]:
        errors = {"test_address": "settings.error.required"}
        return _channels_page(
            request, user, settings.mail_from, errors=errors, form=form, status_code=422
        )
    language = user.language if user.language in ("de", "en") else "de"
    message = Outbound(
        message_id=f"test-{uuid.uuid4()}",
        channel=chosen,
        to=form["address"],
        subject=translate("settings.channels.test_subject", language),
        body=translate("settings.channels.test_body", language),
        metadata={"kind": "test", "sent_by": str(user.id)},
    )
    try:
        receipt = adapters[chosen].send(message)
    except DeliveryError as exc:
        status = 422 if isinstance(exc, PermanentDeliveryError) else 503
        errors = {"test_address": exc.reason}
        return _channels_page(
            request, user, settings.mail_from, errors=errors, form=form, status_code=status
        )
    return _channels_page(request, user, settings.mail_from, form=form, result=receipt.provider_id)
