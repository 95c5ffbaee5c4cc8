"""The ASGI application: create_app() mounts each feature and maps domain errors to HTTP once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from cxm import __version__, features
from cxm.config import Settings, get_settings
from cxm.db import make_engine, make_session_factory
from cxm.i18n import translate
from cxm.outreach.jobs import deliver_now, delivery_context
from cxm.shared.clock import Clock, SystemClock
from cxm.shared.errors import CxmError
from cxm.shared.mail import ConsoleMailer, Mailer, SmtpMailer
from cxm.web_support import STATIC_DIR, LoginRequired, RateLimiter, SecurityHeaders, page

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The cxm web application; settings come from the environment when none are given."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store = getattr(app.state, "analytics_store", None)
        if store is not None:
            store.close()
        app.state.engine.dispose()

    # FastAPIOffline serves the Swagger UI assets itself: these machines have no CDN.
    app = FastAPIOffline(
        title="cxm",
        version=__version__,
        description="Customer Experience Management: one customer record and history, the voice "
        "of the customer, closed loop. Authenticate with `Authorization: Bearer <token>`.",
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
    )
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = clock or SystemClock()

    app.state.mailer = build_mailer(settings)
    app.state.delivery = delivery_context(settings, app.state.mailer)
    app.state.deliver_now = deliver_now
    app.state.public_limiter = RateLimiter(settings.anonymous_rate_limit)

    for router in features.API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in features.WEB_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie="cxm_session",
        same_site="lax",
        https_only=settings.public_base_url.startswith("https://"),
        max_age=12 * 3600,
    )
    if settings.widget_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.widget_origins,
            allow_methods=["POST"],
            allow_headers=["Content-Type"],
        )

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(CxmError)
    async def _domain_error(request: Request, exc: CxmError) -> Response:
        if request.url.path.startswith("/app"):
            titles = {
                404: "error.not_found",
                403: "error.forbidden",
                409: "error.conflict",
                410: "error.gone",
                422: "error.invalid",
            }
            return page(
                request,
                "error.html",
                {
                    "title": translate(titles.get(exc.status_code, "error.not_found"), "de"),
                    "message": exc.message,
                },
                status_code=exc.status_code,
            )
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


def build_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return ConsoleMailer(sender=settings.mail_from)
