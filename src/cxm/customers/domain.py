"""Customer value objects and identity normalisation (pure)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class Language(StrEnum):
    DE = "de"
    EN = "en"


class CustomerType(StrEnum):
    PRIVATE = "private"
    BUSINESS = "business"


class Salutation(StrEnum):
    MS = "ms"  # Frau
    MR = "mr"  # Herr
    MX = "mx"  # divers / no gendered salutation
    NONE = "none"


class IdentityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CUSTOMER_NUMBER = "customer_number"
    CRM_ID = "crm_id"
    SOCIAL = "social"
    DEVICE = "device"
    COOKIE = "cookie"


class InvalidIdentity(ValueError):
    """An identity value that cannot be normalised (the message says why)."""


_SOCIAL = re.compile(r"^(?P<net>[a-z0-9_.-]+):@?(?P<handle>[^\s@]+)$")


class IdentityKey(NamedTuple):
    """A normalised identity; a tuple, so hashing it in bulk resolution is cheap."""

    kind: IdentityKind
    value: str


def normalize_identity(kind: IdentityKind | str, value: str, *, phone_region: str = "DE") -> str:
    """The canonical form of an identity value; raises InvalidIdentity when it has none.

    E-mail is lower-cased, phone numbers become E.164 (numbers without a country code are read in
    ``phone_region``), social handles become ``network:handle`` in lower case without '@'.
    """
    kind = IdentityKind(kind)
    raw = value.strip()
    if not raw:
        raise InvalidIdentity("identity value is empty")
    if kind is IdentityKind.EMAIL:
        try:
            result = validate_email(raw, check_deliverability=False)
        except EmailNotValidError as exc:
            raise InvalidIdentity(f"not an e-mail address: {exc}") from None
        return result.normalized.lower()
    if kind is IdentityKind.PHONE:
        try:
            number = phonenumbers.parse(raw, phone_region)
        except phonenumbers.NumberParseException as exc:
            raise InvalidIdentity(f"not a phone number: {exc}") from None
        if not phonenumbers.is_valid_number(number):
            raise InvalidIdentity("not a valid phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind is IdentityKind.SOCIAL:
        match = _SOCIAL.match(raw.lower())
        if not match:
            raise InvalidIdentity("social identity must look like 'network:handle'")
        return f"{match['net']}:{match['handle']}"
    if kind in (IdentityKind.CUSTOMER_NUMBER, IdentityKind.CRM_ID):
        return re.sub(r"\s+", "", raw).upper()
    return raw


def display_name_for(
    *,
    first_name: str | None,
    last_name: str | None,
    company_name: str | None,
    fallback: str | None = None,
) -> str:
    """The name shown for a customer: company, else first + last name, else a fallback."""
    if company_name:
        return company_name
    name = " ".join(part for part in (first_name, last_name) if part)
    return name or fallback or "Unbekannt / Unknown"
