"""Fixtures for statement rounds: a session of the `statement_round.md` deck in the running
app of tests/conftest.py and, for the browser test, a real server with that session."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
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
    session = await running.service.create_session(parse_deck(DECK.read_text("utf-8")), user.id)
    return dataclasses.replace(running, code=session.code)


@dataclasses.dataclass
class RoundServer:
    """A real `denkdag serve` (tests/browser_support.py) with the statement-round session."""

    server: Any
    code: str

    def url(self, path: str) -> str:
        return str(self.server.base) + path

    def signin(self, target: str) -> str:
        link = str(self.server.presenter_url).split("?", 1)[0]
        return f"{link}?next={target}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        return self.server.api(method, path, body)

    def control(self, action: str, slide: str | None = None) -> Any:
        body: dict[str, str] = {"action": action} | ({"slide": slide} if slide else {})
        return self.api("POST", f"/api/v1/sessions/{self.code}/control", body)


@pytest.fixture(scope="module")
def round_server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    helpers.chromium_or_skip()
    server = helpers.start_server(tmp_path_factory.mktemp("denkdag-rounds"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "denkdag", "import", str(DECK), "--database", server.database],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        code = done.stdout.strip().splitlines()[-1]
        assert re.fullmatch(r"\d+", code), done.stdout
        yield RoundServer(server, code)
    finally:
        helpers.stop_server(server)
