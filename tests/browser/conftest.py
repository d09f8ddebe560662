"""Browser tests: a real `denkdag serve` subprocess and Debian's Chromium through Playwright.

Each test module gets its own server on a free port with a fresh SQLite database loaded by
`denkdag demo --no-serve` (the seed session). The helpers live in tests/harness/browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from harness.browser import (
    PHONE,
    PROJECTOR,
    Console,
    Server,
    join_by_code,
    join_by_link,
    launched_chromium,
    new_context,
    start_server,
    stop_server,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("denkdag"))
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def ui() -> SimpleNamespace:
    """The helpers of harness.browser, for test modules in this folder."""
    return SimpleNamespace(
        Console=Console,
        new_context=new_context,
        join_by_code=join_by_code,
        join_by_link=join_by_link,
        PHONE=PHONE,
        PROJECTOR=PROJECTOR,
    )
