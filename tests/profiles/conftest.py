"""Fixtures for profile questions: the `profile_deck.md` session in the running app of
tests/conftest.py, and a helper that has a room join, answer the profile and vote."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

HERE = Path(__file__).parent
PROFILE_DECK = HERE / "profile_deck.md"


@pytest.fixture
async def profiled(running: Any) -> Any:
    """`running`, switched to a new session of the profile deck (same facilitator)."""
    user = await running.service.store.ensure_user("facilitator")
    deck = parse_deck(PROFILE_DECK.read_text(encoding="utf-8"))
    session = await running.service.sessions.create(deck, user.id)
    return dataclasses.replace(running, code=session.code)
