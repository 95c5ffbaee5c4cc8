"""The feedback explorer: search verbatims, read their analysis, correct a label."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
