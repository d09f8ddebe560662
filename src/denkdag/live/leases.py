"""Leases: which instance does a piece of shared work (a session's opinion map) right now.

A lease is a Redis key set with `SET NX PX`: at most one instance holds it, for `ttl`
seconds unless renewed. Its value is a *fencing token* — a number that grows with every
grant (a counter, never below the clock in milliseconds, so it keeps growing across a Redis
restart that lost the counter). Renewing and releasing compare the token first (Lua), so an
instance whose lease expired cannot extend or drop its successor's. Whatever the holder
writes elsewhere carries its token, and the store keeps the write with the highest one
(storage/opinion_maps.py): a holder that paused past its expiry cannot overwrite newer work.

One process (`MemoryBroadcaster`) has nobody to share with: `LocalLeases` grants every
lease at once and never loses one. The Redis leases are in `redis_leases.py`, imported only
when Redis is configured.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

TTL = 3.0
"""Seconds a lease lasts without renewal: how long work stops when its holder dies."""


class LeaseUnavailable(Exception):
    """The lease service (Redis) could not be asked: the caller decides alone."""


class Leases(Protocol):
    """Named leases with fencing tokens."""

    shared: bool
    """False when this process is the only instance (every lease is granted)."""
    ttl: float

    async def acquire(self, name: str) -> int | None:
        """The lease's fencing token, or None when another instance holds it."""
        ...

    async def renew(self, name: str, token: int) -> bool:
        """Extend the lease by `ttl`; False when it is no longer ours (it expired)."""
        ...

    async def release(self, name: str, token: int) -> None: ...


class LocalLeases:
    """One instance: every lease is ours, for good."""

    shared = False

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl

    async def acquire(self, name: str) -> int | None:
        return 0

    async def renew(self, name: str, token: int) -> bool:
        return True

    async def release(self, name: str, token: int) -> None:
        return None
