"""Reads that a whole room asks for at once: computed once, shared for a moment.

When the presenter moves on, every phone in the room fetches its new slide within a
second, and each phone's page shows the slide's tally and how many have joined. Counted
per request, that is a read of every answer per phone: a room of 1,000 phones spent about
4 s of server CPU on one slide change (`/j/CODE/slide`, 4.5 ms each), a room of 5,000
twenty-five times that. Here the first request computes, the requests that arrive
meanwhile wait for that same result, and it serves for `ttl` seconds: the tally interval,
so a phone's page is no staler than the live `tally` events it gets anyway. Reports,
exports, the API and the facilitator's screens keep counting exactly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_ENTRIES = 10_000


class RecentValues(Generic[K, V]):
    """Per key, the value of the last computation started under `ttl` seconds ago.

    `clock` may be a wall clock: a value dated in its future (the clock was set back) is
    no longer recent, so a step back never keeps a stale value.
    """

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, asyncio.Future[V]]] = {}

    async def get(self, key: K, compute: Callable[[], Awaitable[V]]) -> V:
        """The key's recent value, or `compute()`'s, shared with every caller meanwhile.

        A computation that fails is not kept: its callers get the error, the next caller
        computes again. A caller that is cancelled does not cancel the others' result.
        """
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and (0 <= now - entry[0] < self.ttl or not entry[1].done()):
            return await asyncio.shield(entry[1])
        future = asyncio.ensure_future(compute())
        self._entries[key] = (now, future)
        future.add_done_callback(lambda done: self._forget_failure(key, done))
        if len(self._entries) > self.max_entries:
            self._prune(now)
        return await asyncio.shield(future)

    def _forget_failure(self, key: K, done: asyncio.Future[V]) -> None:
        if done.cancelled() or done.exception() is not None:  # retrieved: no warning
            entry = self._entries.get(key)
            if entry is not None and entry[1] is done:
                del self._entries[key]

    def _prune(self, now: float) -> None:
        for key, (stamp, future) in list(self._entries.items()):
            if not 0 <= now - stamp < self.ttl and future.done():
                del self._entries[key]
