"""Fixtures for statement rounds: a session of the `statement_round.md` deck in the running
app of tests/conftest.py and, for the browser test, a real server with that session."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

DECK = Path(__file__).with_name("statement_round.md")


@pytest.fixture
async def rounds(running: Any) -> Any:
    """`running` (tests/conftest.py), switched to a new session of the statement-round deck."""
    user = await running.service.store.ensure_user("facilitator")
    session = await running.service.sessions.create(parse_deck(DECK.read_text("utf-8")), user.id)
    return dataclasses.replace(running, code=session.code)


@pytest.fixture(scope="module")
def round_server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real server (tests/harness/browser.py) with the statement-round session."""
    with helpers.server_with_deck(tmp_path_factory.mktemp("denkdag-rounds"), DECK) as server:
        yield server
