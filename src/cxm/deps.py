"""Typed FastAPI dependencies shared by every feature's routes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from cxm.accounts import services as accounts
from cxm.accounts.domain import Permission, role_allows
from cxm.accounts.models import User
from cxm.config import Settings
from cxm.shared.clock import Clock
from cxm.shared.errors import CxmError
from cxm.web_support import LoginRequired


class Unauthenticated(CxmError):
    status_code = 401


class Forbidden(CxmError):
    status_code = 403


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    db: Session = request.app.state.session_factory()
    try:
        yield db
    finally:
        db.close()


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cxm_...`")


def get_current_user(
    db: DbSession,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("missing bearer token")
    user = accounts.authenticate(db, token=credentials.credentials, now=clock.now())
    if user is None:
        raise Unauthenticated("invalid or revoked token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require(permission: Permission) -> Callable[[User], User]:
    """A dependency that lets the request through only if the user's role allows it."""

    def check(user: CurrentUser) -> User:
        if not role_allows(user.role, permission):
            raise Forbidden(f"role '{user.role}' may not {permission.value}")
        return user

    return check


def get_web_user(request: Request, db: DbSession) -> User:
    """The user logged in to the web application; otherwise a redirect to the login page."""
    user_id = request.session.get("user_id")
    user = db.get(User, uuid.UUID(user_id)) if user_id else None
    if user is None or not user.active:
        request.session.pop("user_id", None)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


WebUser = Annotated[User, Depends(get_web_user)]


def web_require(permission: Permission) -> Callable[[User], User]:
    """Like `require`, for HTML views."""

    def check(user: WebUser) -> User:
        if not role_allows(user.role, permission):
            raise Forbidden(f"role '{user.role}' may not {permission.value}")
        return user

    return check
