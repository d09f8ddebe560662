"""Fixtures for slide timers and audience pace: the `timed.md` and `survey.md` decks as
sessions in the running app of tests/conftest.py (with a clock the test sets), and for
browser tests a real server with both decks imported."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

HERE = Path(__file__).parent
TIMED = HERE / "timed.md"
SURVEY = HERE / "survey.md"


class FakeClock:
    """The server's clock in a test: it moves only when the test moves it."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(running: Any) -> FakeClock:
    fake = FakeClock()
    running.service.clock = fake
    return fake


async def _session_of(running: Any, deck_file: Path) -> Any:
    user = await running.service.store.ensure_user("facilitator")
    deck = parse_deck(deck_file.read_text(encoding="utf-8"))
    session = await running.service.sessions.create(deck, user.id)
    return dataclasses.replace(running, code=session.code)


@pytest.fixture
async def timed(running: Any, clock: FakeClock) -> Any:
    """`running`, switched to a new session of the timed deck, on a fake clock."""
    return await _session_of(running, TIMED)


@pytest.fixture
async def survey(running: Any) -> Any:
    """`running`, switched to a new session of the survey deck (audience pace)."""
    return await _session_of(running, SURVEY)


# --- browser: a real server with both decks ----------------------------------------------


@dataclasses.dataclass
class DeckServer:
    """The browser tests' server (seed session from `denkdag demo`) with the timed and
    survey sessions imported into the same database, owned by the demo facilitator."""

    server: Any
    codes: dict[str, str]

    def url(self, path: str) -> str:
        return self.server.base + path

    def signin(self, target: str) -> str:
        link = self.server.presenter_url.split("?", 1)[0]
        return f"{link}?next={target}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        return self.server.api(method, path, body)

    def control(self, deck: str, action: str, slide: str | None = None) -> Any:
        body: dict[str, str] = {"action": action}
        if slide:
            body["slide"] = slide
        return self.api("POST", f"/api/v1/sessions/{self.codes[deck]}/control", body)


@pytest.fixture(scope="module")
def deck_server(
    helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeckServer]:
    with helpers.seed_server(tmp_path_factory, "denkdag-timers") as server:
        codes = {
            "timed": helpers.import_deck(server, TIMED),
            "survey": helpers.import_deck(server, SURVEY),
        }
        yield DeckServer(server, codes)
