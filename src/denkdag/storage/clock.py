"""The time the store writes: aware UTC, read in one place for every storage module."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
