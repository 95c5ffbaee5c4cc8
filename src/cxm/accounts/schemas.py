"""Request and response shapes for users, departments, tokens and audit entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from cxm.accounts.domain import Role


class DepartmentCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=200)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    name: str


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: Role
    language: Literal["de", "en"] = "de"
    department_key: str | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    email: str
    name: str
    role: Role
    language: str
    department_id: uuid.UUID | None
    active: bool


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    user_id: uuid.UUID | None = Field(
        default=None, description="Whose token; defaults to the caller. Admins only for others."
    )


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    prefix: str
    user_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The bearer token. Shown once; only its hash is stored.")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    at: datetime
    user_id: uuid.UUID | None
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
