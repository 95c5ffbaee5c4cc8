"""Routes for departments, users, API tokens and the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cxm.accounts import services
from cxm.accounts.domain import Permission, Role
from cxm.accounts.models import User
from cxm.accounts.schemas import (
    AuditEntryOut,
    DepartmentCreate,
    DepartmentOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
)
from cxm.deps import ClockDep, CurrentUser, DbSession, Forbidden, require

router = APIRouter(tags=["accounts"])

Admin = Annotated[User, Depends(require(Permission.USERS_MANAGE))]
Auditor = Annotated[User, Depends(require(Permission.AUDIT_READ))]


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/departments")
def list_departments(db: DbSession, user: CurrentUser) -> list[DepartmentOut]:
    return [DepartmentOut.model_validate(d) for d in services.list_departments(db)]


@router.post("/departments", status_code=201)
def create_department(body: DepartmentCreate, db: DbSession, user: Admin) -> DepartmentOut:
    return DepartmentOut.model_validate(services.create_department(db, **body.model_dump()))


@router.get("/users")
def list_users(db: DbSession, user: Admin) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in services.list_users(db)]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, db: DbSession, user: Admin) -> UserOut:
    return UserOut.model_validate(services.create_user(db, **body.model_dump()))


@router.get("/tokens")
def list_tokens(db: DbSession, user: CurrentUser) -> list[TokenOut]:
    owner = None if user.role == Role.ADMIN else user.id
    return [TokenOut.model_validate(t) for t in services.list_tokens(db, user_id=owner)]


@router.post("/tokens", status_code=201)
def create_token(
    body: TokenCreate, db: DbSession, user: CurrentUser, clock: ClockDep
) -> TokenCreated:
    owner = body.user_id or user.id
    if owner != user.id and user.role != Role.ADMIN:
        raise Forbidden("only admins issue tokens for other users")
    token, plain = services.issue_token(db, user_id=owner, name=body.name, now=clock.now())
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=plain)


@router.delete("/tokens/{token_id}")
def revoke_token(
    token_id: uuid.UUID, db: DbSession, user: CurrentUser, clock: ClockDep
) -> TokenOut:
    owned = {t.id for t in services.list_tokens(db, user_id=user.id)}
    if token_id not in owned and user.role != Role.ADMIN:
        raise Forbidden("only admins revoke other users' tokens")
    return TokenOut.model_validate(services.revoke_token(db, token_id=token_id, now=clock.now()))


@router.get("/audit")
def list_audit(
    db: DbSession,
    user: Auditor,
    subject_type: str | None = None,
    subject_id: str | None = None,
    user_id: uuid.UUID | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[AuditEntryOut]:
    entries = services.list_audit(
        db, subject_type=subject_type, subject_id=subject_id, user_id=user_id, limit=limit
    )
    return [AuditEntryOut.model_validate(e) for e in entries]
