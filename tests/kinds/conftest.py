"""Fixtures for the answer kinds: a session with every kind (the `every_kind.md` deck) in
the running app of tests/conftest.py, and, for browser tests, a real server with it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

HERE = Path(__file__).parent
EVERY_KIND = HERE / "every_kind.md"


@pytest.fixture
def every_kind_deck_text() -> str:
    return EVERY_KIND.read_text(encoding="utf-8")


@pytest.fixture
async def kinds(running: Any) -> Any:
    """`running` (tests/conftest.py), switched to a new session of the every-kind deck."""
    user = await running.service.store.ensure_user("facilitator")
    deck = parse_deck(EVERY_KIND.read_text(encoding="utf-8"))
    session = await running.service.sessions.create(deck, user.id)
    return dataclasses.replace(running, code=session.code)


@pytest.fixture(scope="module")
def kinds_server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real server (tests/harness/browser.py) with the every-kind session."""
    with helpers.server_with_deck(tmp_path_factory.mktemp("denkdag-kinds"), EVERY_KIND) as server:
        yield server
