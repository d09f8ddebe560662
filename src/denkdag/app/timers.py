"""The background half of slide timers: close a slide when its closing timer ends.

A late vote is refused without this (the vote path compares the deadline with the clock,
domain/timer.py); this task makes the closing visible: at the deadline it stores the
closed state and every screen hears of it. Each instance that has the session cached
keeps one sleeping task per session for its earliest closing deadline. With several
instances they all wake, and the state version lets exactly one store the change; the
others find nothing left to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from denkdag.domain import timer
from denkdag.domain.model import Session

log = logging.getLogger(__name__)

MARGIN = 0.01
"""Seconds to sleep past a deadline, so the loop's timer never wakes a hair early."""


class TimerWatch:
    """One sleeping task per session, for the earliest deadline of its closing timers."""

    def __init__(
        self, fire: Callable[[int], Awaitable[object]], clock: Callable[[], float]
    ) -> None:
        self._fire = fire
        self._clock = clock
        self._tasks: dict[int, tuple[float, asyncio.Task[None]]] = {}

    def watch(self, session: Session) -> None:
        """(Re)schedule the session's task for its state's next closing deadline."""
        deadline = timer.next_deadline(session.state)
        scheduled = self._tasks.get(session.id)
        if scheduled is not None:
            if scheduled[0] == deadline and not scheduled[1].done():
                return
            if scheduled[1] is not asyncio.current_task():
                scheduled[1].cancel()
            del self._tasks[session.id]
        if deadline is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(
                self._sleep_then_fire(session.id, deadline), name=f"denkdag-timer-{session.id}"
            )
        except RuntimeError:  # no running loop (a synchronous caller): the vote path still checks
            return
        self._tasks[session.id] = (deadline, task)

    async def _sleep_then_fire(self, session_id: int, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - self._clock()) + MARGIN)
        try:
            await self._fire(session_id)
        except Exception:
            log.exception("closing the ended timer of session %s failed", session_id)
        finally:
            entry = self._tasks.get(session_id)
            if entry is not None and entry[1] is asyncio.current_task():
                del self._tasks[session_id]

    def forget(self, session_id: int) -> None:
        scheduled = self._tasks.pop(session_id, None)
        if scheduled is not None:
            scheduled[1].cancel()

    async def stop(self) -> None:
        tasks = [task for _, task in self._tasks.values()]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
