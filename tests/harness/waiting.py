"""Waiting for a condition instead of sleeping for a guessed time.

The time-out is a guard against a hang, not a measurement: it is generous, and when it
runs out the test fails with a sentence that says what never happened. A test that means
"within N seconds" should count or order events instead, or inject a clock.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

PATIENCE = 30.0
"""Seconds before a wait gives up: long enough for a loaded 2-core runner."""

POLL = 0.01
"""Seconds between two looks at the condition."""

Condition = Callable[[], bool | Awaitable[bool]]


async def wait_until(
    condition: Condition, message: str = "", *, timeout: float = PATIENCE, poll: float = POLL
) -> None:
    """Return once `condition()` (a plain or an async callable) is true.

    Raises AssertionError naming `message` (or the condition) if it is still false after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = condition()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout:g} s: {message or condition}")
        await asyncio.sleep(poll)


def wait_until_sync(
    condition: Callable[[], bool], message: str = "", *, timeout: float = PATIENCE
) -> None:
    """`wait_until` for code without an event loop (browser tests, subprocess start-up)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout:g} s: {message or condition}")
        time.sleep(0.05)
