"""The segment pages: a builder (JSON rule plus a few guided fields) with a live count, the list
of saved segments, and each segment's members."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.deps import ClockDep, DbSession, web_require
from cxm.i18n import register, translate
from cxm.segments import domain, services
from cxm.segments.labels import LABELS
from cxm.shared.errors import Conflict, CxmError, Invalid
from cxm.web_support import csrf_ok, page

register(LABELS)

router = APIRouter(include_in_schema=False)

Reader = Annotated[User, Depends(web_require(Permission.ANALYTICS_READ))]
Manager = Annotated[User, Depends(web_require(Permission.OUTREACH_MANAGE))]

EXAMPLE = {
    "all": [
        {"field": "type", "op": "eq", "value": "business"},
        {"field": "holding_model", "op": "eq", "value": "Smartphone Modell X"},
        {"field": "complaints", "op": "gte", "value": 1, "days": 30},
    ]
}


def build_rule(
    text: str, *, customer_type: str, model: str, complaint_days: str, nps: str
) -> dict[str, Any]:
    """The JSON rule from the text area, AND the guided fields that were filled in."""
    parts: list[dict[str, Any]] = []
    if text.strip():
        try:
            parsed = json.loads(text)
        except ValueError:
            raise Invalid("segments.bad_json", field="rule", path="$") from None
        if not isinstance(parsed, dict):
            raise Invalid("expected an object", field="rule", path="$")
        parts.append(parsed)
    if customer_type:
        parts.append({"field": "type", "op": "eq", "value": customer_type})
    if model.strip():
        parts.append({"field": "holding_model", "op": "eq", "value": model.strip()})
    if complaint_days.strip():
        try:
            days = int(complaint_days)
        except ValueError:
            raise Invalid("a whole number of days", field="complaint_days", path="$") from None
        parts.append({"field": "complaints", "op": "gte", "value": 1, "days": days})
    if nps:
        parts.append({"field": "nps_category", "op": "eq", "value": nps})
    if not parts:
        raise Invalid("give a rule or fill in a field", field="rule", path="$")
    return parts[0] if len(parts) == 1 else {"all": parts}


def _page(
    request: Request,
    db: Session,
    user: User,
    *,
    form: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "segments/index.html",
        {
            "segments": services.list_segments(db),
            "describe": lambda rule: services.describe(rule, language=user.language),
            "fields": domain.FIELDS,
            "form": form or {"rule": json.dumps(EXAMPLE, indent=2, ensure_ascii=False)},
            "preview": preview,
            "error": error,
            "can_manage": role_allows(user.role, Permission.OUTREACH_MANAGE),
            "done": request.query_params.get("done"),
        },
        user=user,
        status_code=status_code,
    )


@router.get("/app/segments")
def segments_page(request: Request, db: DbSession, user: Reader) -> Response:
    return _page(request, db, user)


def _error(exc: CxmError, language: str) -> dict[str, str]:
    message = (
        translate(exc.message, language) if exc.message.startswith("segments.") else exc.message
    )
    return {"message": message, "path": str(exc.extra.get("path") or exc.field or "")}


FormText = Annotated[str, Form(max_length=20_000)]
FormShort = Annotated[str, Form(max_length=200)]


@router.post("/app/segments/preview")
def preview(
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    rule: FormText = "",
    name: FormShort = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    customer_type: Annotated[str, Form(max_length=16)] = "",
    model: FormShort = "",
    complaint_days: Annotated[str, Form(max_length=8)] = "",
    nps: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Counts the customers the rule selects now, without saving it."""
    form = {
        "rule": rule, "name": name, "description": description, "customer_type": customer_type,
        "model": model, "complaint_days": complaint_days, "nps": nps,
    }  # fmt: skip
    if not csrf_ok(request, csrf):
        return _page(
            request, db, user, form=form, status_code=400,
            error={"message": translate("csrf.failed", user.language), "path": ""},
        )  # fmt: skip
    now = clock.now()
    try:
        built = build_rule(
            rule, customer_type=customer_type, model=model, complaint_days=complaint_days, nps=nps
        )
        normalised = json.dumps(domain.to_json(services.parse(built)), indent=2, ensure_ascii=False)
        result: dict[str, Any] = {
            "count": services.count(db, rule=built, now=now),
            "sample": services.members(db, rule=built, now=now, limit=10),
        }
    except Invalid as exc:
        return _page(
            request, db, user, form=form, error=_error(exc, user.language), status_code=422
        )
    form["rule"] = normalised
    for guided in ("customer_type", "model", "complaint_days", "nps"):
        form[guided] = ""
    return _page(request, db, user, form=form, preview=result)


@router.post("/app/segments")
def save(
    request: Request,
    db: DbSession,
    user: Manager,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
    rule: FormText = "",
    name: FormShort = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    customer_type: Annotated[str, Form(max_length=16)] = "",
    model: FormShort = "",
    complaint_days: Annotated[str, Form(max_length=8)] = "",
    nps: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    form = {
        "rule": rule, "name": name, "description": description, "customer_type": customer_type,
        "model": model, "complaint_days": complaint_days, "nps": nps,
    }  # fmt: skip
    if not csrf_ok(request, csrf):
        return _page(
            request, db, user, form=form, status_code=400,
            error={"message": translate("csrf.failed", user.language), "path": ""},
        )  # fmt: skip
    try:
        if not name.strip():
            raise Invalid("give the segment a name", field="name", path="name")
        built = build_rule(
            rule, customer_type=customer_type, model=model, complaint_days=complaint_days, nps=nps
        )
        segment = services.create_segment(
            db,
            name=name,
            description=description or None,
            rule=built,
            created_by=user.id,
            now=clock.now(),
        )
    except CxmError as exc:
        db.rollback()
        return _page(
            request, db, user, form=form, error=_error(exc, user.language),
            status_code=exc.status_code,
        )  # fmt: skip
    return RedirectResponse(f"/app/segments/{segment.id}?done=created", status_code=303)


@router.get("/app/segments/{segment_id}")
def segment_page(
    segment_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Reader,
    clock: ClockDep,
    after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    segment = services.get_segment(db, segment_id)
    now = clock.now()
    start = None
    if after:
        try:
            start = uuid.UUID(after)
        except ValueError:
            start = None
    limit = 50
    rows = services.members(db, rule=segment.rule, now=now, limit=limit + 1, after=start)
    return page(
        request,
        "segments/detail.html",
        {
            "segment": segment,
            "summary": services.describe(segment.rule, language=user.language),
            "rule": json.dumps(segment.rule, indent=2, ensure_ascii=False),
            "count": services.count(db, rule=segment.rule, now=now),
            "members": rows[:limit],
            "next": str(rows[limit - 1].id) if len(rows) > limit else None,
            "can_manage": role_allows(user.role, Permission.OUTREACH_MANAGE),
            "done": request.query_params.get("done"),
        },
        user=user,
    )


@router.post("/app/segments/{segment_id}/delete")
def delete(
    segment_id: uuid.UUID,
    request: Request,
    db: DbSession,
    user: Manager,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, csrf):
        return _page(
            request, db, user, status_code=400,
            error={"message": translate("csrf.failed", user.language), "path": ""},
        )  # fmt: skip
    try:
        services.delete_segment(db, segment_id)
    except Conflict as exc:
        uses = "; ".join(str(u["label"]) for u in exc.extra.get("used_by", []))
        return _page(
            request, db, user, status_code=409,
            error={"kind": "in_use", "message": uses, "path": ""},
        )  # fmt: skip
    return RedirectResponse("/app/segments?done=deleted", status_code=303)
