"""Roles, permissions and API-token rules (pure)."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

TOKEN_PREFIX = "cxm_"


class Role(StrEnum):
    ADMIN = "admin"
    CX_MANAGER = "cx_manager"
    ANALYST = "analyst"
    AGENT = "agent"


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    CUSTOMERS_MERGE = "customers:merge"
    INTERACTIONS_WRITE = "interactions:write"
    CATALOGUE_WRITE = "catalogue:write"
    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"
    ANALYTICS_READ = "analytics:read"
    SURVEYS_MANAGE = "surveys:manage"
    FEEDBACK_WRITE = "feedback:write"
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    OUTREACH_MANAGE = "outreach:manage"  # templates and proactive notices


_READ = {Permission.CUSTOMERS_READ, Permission.ANALYTICS_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CX_MANAGER: frozenset(
        _READ
        | {
            Permission.CUSTOMERS_WRITE,
            Permission.CUSTOMERS_MERGE,
            Permission.INTERACTIONS_WRITE,
            Permission.CATALOGUE_WRITE,
            Permission.AUDIT_READ,
            Permission.SURVEYS_MANAGE,
            Permission.FEEDBACK_WRITE,
            Permission.CASES_READ,
            Permission.CASES_WRITE,
            Permission.OUTREACH_MANAGE,
        }
    ),
    # Analysts see cases for their reports but do not work them.
    Role.ANALYST: frozenset(_READ | {Permission.CASES_READ}),
    Role.AGENT: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.CUSTOMERS_WRITE,
            Permission.INTERACTIONS_WRITE,
            Permission.FEEDBACK_WRITE,
            Permission.CASES_READ,
            Permission.CASES_WRITE,
        }
    ),
}


def role_allows(role: Role, permission: Permission) -> bool:
    """Whether a user with this role may do what the permission names."""
    return permission in ROLE_PERMISSIONS[role]


def new_token() -> str:
    """A fresh bearer token: 256 bits from the OS, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token; tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()
