"""Coalescing: turn a burst of votes into at most a few tally updates a second per slide.

Votes only mark their slide dirty. One task per session waits a short interval, then asks
for the dirty slides' tallies to be published; votes that arrive meanwhile mark the slides
dirty again and cause one more round, so the last update always carries the final count.
With several instances (`settle=True`) each burst ends with one more round after a quiet
interval: another instance may have published a tally it read before this one's last
commit, after this one's, and the settling round re-reads and publishes the final count.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Flush = Callable[[int, set[str]], Awaitable[None]]
Audience = Callable[[int], int]
"""How many streams listen to a session (on this instance)."""

DEFAULT_INTERVAL = 0.25
AUDIENCE_STEP = 1000
MAX_STRETCH = 4.0


def stretched(interval: float, listeners: int) -> float:
    """The tally interval for a session with `listeners` streams.

    Up to AUDIENCE_STEP listeners the base interval; beyond, it grows with the square root
    of the audience (0.25 s → 0.56 s at 5,000, capped at MAX_STRETCH×), so a huge room
    still sees its bars move about twice a second while the bytes written per second grow
    far slower than the audience, leaving the loop free to deliver slide changes at once.
    """
    if listeners <= AUDIENCE_STEP:
        return interval
    return interval * min(MAX_STRETCH, math.sqrt(listeners / AUDIENCE_STEP))


class Coalescer:
    """Dirty-slide tracking and one flushing task per session."""

    def __init__(
        self,
        flush: Flush,
        interval: float = DEFAULT_INTERVAL,
        settle: bool = False,
        audience: Audience | None = None,
    ):
        self._flush = flush
        self._interval = interval
        self._audience = audience
        self._settle = settle
        self._dirty: dict[int, set[str]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def touch(self, session_id: int, slide_id: str) -> None:
        self._dirty.setdefault(session_id, set()).add(slide_id)
        if session_id not in self._tasks:
            self._tasks[session_id] = asyncio.create_task(self._run(session_id))

    def busy(self, session_id: int) -> bool:
        """Whether tallies of the session are still to go out (a round waits or runs)."""
        return session_id in self._tasks

    async def _run(self, session_id: int) -> None:
        flushed: set[str] = set()
        try:
            while self._dirty.get(session_id):
                await asyncio.sleep(self._wait(session_id))
                slides = self._dirty.pop(session_id, set())
                if slides:
                    flushed |= slides
                    await self._publish(session_id, slides)
                if self._settle and not self._dirty.get(session_id) and flushed:
                    await asyncio.sleep(self._wait(session_id))
                    if not self._dirty.get(session_id):
                        await self._publish(session_id, flushed)
                        flushed = set()
        finally:
            self._tasks.pop(session_id, None)

    def _wait(self, session_id: int) -> float:
        if self._audience is None:
            return self._interval
        return stretched(self._interval, self._audience(session_id))

    async def _publish(self, session_id: int, slides: set[str]) -> None:
        try:
            await self._flush(session_id, slides)
        except Exception:
            log.exception("publishing tallies of session %s failed", session_id)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
