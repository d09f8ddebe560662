"""Fixtures for the quiz: the five-question `quiz.md` deck as a session in the running
app of tests/conftest.py (on the server's real clock: scores are timed by the stored
answers' times), and for the browser test a real server with the deck imported."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

QUIZ = Path(__file__).parent / "quiz.md"


@pytest.fixture
async def quizzing(running: Any) -> Any:
    """`running`, switched to a new session of the quiz deck."""
    user = await running.service.store.ensure_user("facilitator")
    deck = parse_deck(QUIZ.read_text(encoding="utf-8"))
    session = await running.service.sessions.create(deck, user.id)
    return dataclasses.replace(running, code=session.code)
