"""What every HTML view shares: Jinja2 templates (autoescaped), static files, security headers,
and rate limiting for public endpoints."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from cxm.accounts.domain import Permission, role_allows
from cxm.i18n import LANGUAGES, translate

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
STATIC_DIR = HERE / "static"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """A Content-Security-Policy without 'unsafe-inline', and the usual hardening headers."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith("/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class RateLimiter:
    """A moving-window limit per client address (in-process; one per app)."""

    def __init__(self, rule: str) -> None:
        self._item = parse(rule)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, *keys: str) -> bool:
        """Counts one request; False when the client is over the limit."""
        return self._limiter.hit(self._item, *keys)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class LoginRequired(Exception):
    """Raised by web views without a logged-in user; answered with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return (
        bool(expected) and bool(submitted) and hmac.compare_digest(str(expected), submitted or "")
    )


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: Any = None,
    status_code: int = 200,
) -> Response:
    """Renders an application page with the user, language, translator and CSRF token."""
    language = getattr(user, "language", None) or request.session.get("lang") or "de"
    language = language if language in LANGUAGES else "de"
    base = {
        "user": user,
        "lang": language,
        "t": lambda key: translate(key, language),
        "csrf": csrf_token(request),
        "path": request.url.path,
        "can": lambda permission: bool(user) and role_allows(user.role, Permission(permission)),
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
