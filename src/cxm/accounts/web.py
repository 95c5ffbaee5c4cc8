"""Log in, log out and the language switch of the web application."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from cxm.accounts import services
from cxm.deps import DbSession, WebUser
from cxm.web_support import csrf_ok, page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after login."""
    if not target:
        return "/app"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/app"
    return target


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "accounts/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    email: str = Form(...),
    password: str = Form(...),
    csrf: str = Form(""),
    next: str = Form("/app"),
) -> Response:
    if not csrf_ok(request, csrf):
        return page(
            request,
            "accounts/login.html",
            {"next": _safe_next(next), "error": "csrf.failed"},
            status_code=400,
        )
    user = services.check_login(db, email=email, password=password)
    if user is None:
        return page(
            request,
            "accounts/login.html",
            {"next": _safe_next(next), "error": "login.failed"},
            status_code=401,
        )
    request.session.clear()  # a fresh session on login (no fixation)
    request.session["user_id"] = str(user.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    if csrf_ok(request, csrf):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/language")
def switch_language(
    request: Request,
    db: DbSession,
    user: WebUser,
    language: str = Form(...),
    csrf: str = Form(""),
    next: str = Form("/app"),
) -> Response:
    if csrf_ok(request, csrf) and language in ("de", "en"):
        services.set_language(db, user.id, language)
    return RedirectResponse(_safe_next(next), status_code=303)
