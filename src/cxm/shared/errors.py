"""Domain errors; app.py maps each to its HTTP status once."""

from __future__ import annotations

from typing import Any


class CxmError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class NotFound(CxmError):
    status_code = 404


class Conflict(CxmError):
    status_code = 409


class Gone(CxmError):
    status_code = 410


class NotAllowed(CxmError):
    status_code = 403


class Invalid(CxmError):
    status_code = 422


class TooLarge(CxmError):
    status_code = 413
