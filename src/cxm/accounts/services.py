"""Use cases for departments, users, API tokens and the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxm.accounts.domain import Role, hash_token, new_token
from cxm.accounts.models import ApiToken, AuditEntry, Department, User
from cxm.shared.errors import Conflict, Invalid, NotFound


def create_department(db: Session, *, key: str, name: str) -> Department:
    """A new department; keys are unique."""
    if db.scalar(select(Department).where(Department.key == key)) is not None:
        raise Conflict(f"department '{key}' exists", field="key")
    dept = Department(key=key, name=name)
    db.add(dept)
    db.commit()
    return dept


def get_or_create_department(db: Session, *, key: str, name: str) -> Department:
    """The department with this key, created (and flushed) if missing."""
    dept = db.scalar(select(Department).where(Department.key == key))
    if dept is None:
        dept = Department(key=key, name=name)
        db.add(dept)
        db.flush()
    return dept


def list_departments(db: Session) -> Sequence[Department]:
    return db.scalars(select(Department).order_by(Department.key)).all()


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    role: Role,
    language: str = "de",
    department_key: str | None = None,
) -> User:
    """A new active user; e-mail addresses are unique (case-insensitive)."""
    email = email.strip().lower()
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"user '{email}' exists", field="email")
    department_id = None
    if department_key:
        dept = db.scalar(select(Department).where(Department.key == department_key))
        if dept is None:
            raise NotFound(f"department '{department_key}' not found", field="department_key")
        department_id = dept.id
    user = User(
        email=email, name=name, role=Role(role), language=language, department_id=department_id
    )
    db.add(user)
    db.commit()
    return user


def list_users(db: Session) -> Sequence[User]:
    return db.scalars(select(User).order_by(User.email)).all()


def get_user(db: Session, user_id: uuid.UUID) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("user not found", field="user_id")
    return user


def update_user(
    db: Session,
    user_id: uuid.UUID,
    *,
    role: Role,
    department_key: str | None,
    active: bool,
) -> User:
    """Sets role, department (None: none) and whether the user may log in; at least one
    active admin always remains."""
    user = get_user(db, user_id)
    department_id = None
    if department_key:
        dept = db.scalar(select(Department).where(Department.key == department_key))
        if dept is None:
            raise NotFound(f"department '{department_key}' not found", field="department_key")
        department_id = dept.id
    if user.role is Role.ADMIN and user.active and (role is not Role.ADMIN or not active):
        others = db.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise Conflict("the last active admin must stay an active admin", field="role")
    user.role = Role(role)
    user.department_id = department_id
    user.active = active
    db.commit()
    db.refresh(user)
    return user


def issue_token(
    db: Session, *, user_id: uuid.UUID, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """A new API token for the user; the plain token is returned once, only its hash is kept."""
    get_user(db, user_id)
    plain = new_token()
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(plain),
        prefix=plain[:12],
        created_at=now,
    )
    db.add(token)
    db.commit()
    return token, plain


def authenticate(db: Session, *, token: str, now: datetime) -> User | None:
    """The active user behind a bearer token, or None for an unknown or revoked one."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    # Write last-use at most once a minute so reads stay cheap.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        db.commit()
    return row.user


def revoke_token(db: Session, *, token_id: uuid.UUID, now: datetime) -> ApiToken:
    """Revokes the token at once; revoking twice keeps the first time."""
    token = db.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token not found", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = now
        db.commit()
    return token


def list_tokens(db: Session, *, user_id: uuid.UUID | None = None) -> Sequence[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.created_at)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return db.scalars(query).all()


def record_access(
    db: Session,
    *,
    user_id: uuid.UUID | None,
    action: str,
    subject_type: str,
    subject_id: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Adds an audit entry to the caller's transaction (flushes; the caller commits)."""
    entry = AuditEntry(
        at=now,
        user_id=user_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
    )
    db.add(entry)
    db.flush()
    return entry


def list_audit(
    db: Session,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    user_id: uuid.UUID | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEntry.subject_id == subject_id)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    return db.scalars(query).all()


_hasher = PasswordHasher()


def set_password(db: Session, user_id: uuid.UUID, password: str) -> None:
    """Stores an Argon2id hash of the password (never the password)."""
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters", field="password")
    user = get_user(db, user_id)
    user.password_hash = _hasher.hash(password)
    db.commit()


def check_login(db: Session, *, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same answer for both mistakes)."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.password_hash:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return user


def set_language(db: Session, user_id: uuid.UUID, language: str) -> User:
    if language not in ("de", "en"):
        raise Invalid("language must be de or en", field="language")
    user = get_user(db, user_id)
    user.language = language
    db.commit()
    return user
