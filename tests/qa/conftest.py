"""Fixtures for Q&A: `running` (tests/conftest.py) switched to a session of a small deck
whose front matter picks the Q&A moderation."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

DECK = """---
title: Vragenronde
language: en
{questions}---

# Welkom

# Open
kind: open
banned: stom, idioot
"""


def qa_deck_text(mode: str | None) -> str:
    return DECK.format(questions=f"questions: {mode}\n" if mode else "")


@pytest.fixture
def qa_session(running: Any) -> Callable[[str | None], Awaitable[Any]]:
    """A factory: `running` on a new session with `questions: mode` (None: the default)."""

    async def make(mode: str | None = None) -> Any:
        user = await running.service.store.ensure_user("facilitator")
        session = await running.service.sessions.create(parse_deck(qa_deck_text(mode)), user.id)
        return dataclasses.replace(running, code=session.code)

    return make


# --- browser: reuse tests/browser/conftest.py's server and Chromium helpers -------------


@pytest.fixture(scope="module")
def qa_server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`denkdag serve` with the seed session (whose Q&A is approve-first, the default)."""
    with helpers.seed_server(tmp_path_factory, "denkdag-qa") as server:
        yield server
