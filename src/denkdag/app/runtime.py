"""Opening Denkdag: the store, the broadcaster and the `Denkdag` service built on them,
and closed again in the right order, so the entry points (the command line, the web
server) build the service without reaching into the storage and live layers themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from denkdag.app.denkdag import Denkdag
from denkdag.app.heavy import DEFAULT_WORKERS, HeavyWork
from denkdag.config import Settings
from denkdag.live import MemoryBroadcaster, make_broadcaster
from denkdag.storage import open_store


@asynccontextmanager
async def open_denkdag(settings: Settings, *, serving: bool = False) -> AsyncIterator[Denkdag]:
    """The service on `settings.database_url` (migrated first), stopped and closed on exit.

    `serving`: a server process, which shares live updates with the other instances
    (Redis, when `settings.redis_url` is set) and runs the background work (timers,
    coalesced tallies). Otherwise a one-shot command: an in-process broadcaster and
    nothing started, so it exits as soon as its work is done.
    """
    store = await open_store(settings.database_url)
    try:
        if serving:
            broadcaster = make_broadcaster(settings.redis_url)
            service = Denkdag(store, broadcaster, settings.tally_interval, settings.time_zone)
            await service.start()
        else:
            service = Denkdag(store, MemoryBroadcaster(), time_zone=settings.time_zone)
        service.reports.heavy = HeavyWork(
            settings.export_workers or DEFAULT_WORKERS, settings.export_seconds
        )
        try:
            yield service
        finally:
            await service.stop()
    finally:
        await store.close()


async def migrate(database_url: str) -> None:
    """Bring the database's schema up to date (as opening it does), then let go of it."""
    store = await open_store(database_url)
    await store.close()
