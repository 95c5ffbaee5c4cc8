"""The ASGI application: create_app() mounts each feature and maps domain errors to HTTP once."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from cxm import __version__, features
from cxm.config import Settings, get_settings
from cxm.db import make_engine, make_session_factory
from cxm.shared.clock import Clock, SystemClock
from cxm.shared.errors import CxmError

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The cxm web application; settings come from the environment when none are given."""
    settings = settings or get_settings()
    app = FastAPI(
        title="cxm",
        version=__version__,
        description="Customer Experience Management: one customer record and history, the voice "
        "of the customer, closed loop. Authenticate with `Authorization: Bearer <token>`.",
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = clock or SystemClock()

    for router in features.API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)

    @app.exception_handler(CxmError)
    async def _domain_error(_request: Request, exc: CxmError) -> JSONResponse:
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app
