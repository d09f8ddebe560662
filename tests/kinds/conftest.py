"""Fixtures for the answer kinds: a session with every kind (the `every_kind.md` deck) in
the running app of tests/conftest.py, and, for browser tests, a real server with it."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
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
    session = await running.service.create_session(deck, user.id)
    return dataclasses.replace(running, code=session.code)


# --- browser: reuse tests/browser/conftest.py's server and Chromium helpers -------------


@dataclasses.dataclass
class KindsServer:
    """The browser tests' server (seed session from `denkdag demo`) plus the every-kind
    session imported into the same database, owned by the demo facilitator."""

    server: Any
    code: str

    def url(self, path: str) -> str:
        return self.server.base + path

    def signin(self, target: str) -> str:
        """The demo's sign-in link, sent on to `target` (e.g. /p/CODE)."""
        link = self.server.presenter_url.split("?", 1)[0]
        return f"{link}?next={target}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        return self.server.api(method, path, body)

    def control(self, action: str, slide: str | None = None) -> Any:
        body: dict[str, str] = {"action": action}
        if slide:
            body["slide"] = slide
        return self.api("POST", f"/api/v1/sessions/{self.code}/control", body)

    def results(self, slide_id: str) -> dict[str, Any]:
        document = self.api("GET", f"/api/v1/sessions/{self.code}/results")
        found: dict[str, Any] = next(s for s in document["slides"] if s["id"] == slide_id)
        return found


@pytest.fixture(scope="module")
def kinds_server(
    helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KindsServer]:
    helpers.chromium_or_skip()
    server = helpers.start_server(tmp_path_factory.mktemp("denkdag-kinds"))
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "denkdag",
                "import",
                str(EVERY_KIND),
                "--database",
                server.database,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        yield KindsServer(server, done.stdout.strip().splitlines()[-1])
    finally:
        helpers.stop_server(server)
