"""What every HTML view shares: Jinja2 templates (autoescaped), static files, security headers,
and rate limiting for public endpoints."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

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
