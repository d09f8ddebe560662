"""Use cases run whole in a worker process (app/heavy.py): the reads, the build and the
file, with only the file's bytes crossing back.

Why whole: what a worker is handed, and what it hands back, is pickled and unpickled by
the server's process while it holds the interpreter lock. A 400-slide session's answers
and report are megabytes of objects; handing them to a worker and its report back stalled
the event loop for tens of milliseconds per download, and every vote waited. Here the
server sends a join code and a format, and the worker reads the session from the database
itself, through its own store (opened on its first job, kept for its life), and builds
there; the bytes of a file cross in one copy.

The worker reads what the server would: every answer the server acknowledged is committed
(storage/writer.py), and the opinion map the room saw is stored before it is shown
(opinions.py). The worker's service is one-shot (no broadcaster to share, nothing
started), and its heavy work runs in place (`InPlace`): it is already off the loop.

Access is checked by the caller, in the server's process, before it asks for the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from denkdag.app.denkdag import Denkdag
from denkdag.app.heavy import InPlace
from denkdag.live import MemoryBroadcaster
from denkdag.storage import SqlStore

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[..., Awaitable[T]]
"""`job(service, *args)`: a module-level coroutine function (the worker imports it)."""


async def in_worker(svc: Denkdag, job: Job[T], *args: Any) -> T:
    """`await job(service, *args)` in a worker process, where `service` is the worker's own
    service on `svc`'s database; where heavy work runs in place (in a worker already),
    `job(svc, *args)` here."""
    heavy = svc.reports.heavy
    if heavy.in_place:
        return await job(svc, *args)
    return await heavy.run(_run_job, svc.store.url, svc.reports.time_zone, job, args)


# --- in the worker process ---------------------------------------------------------

_RUNNER: asyncio.Runner | None = None
"""The worker's event loop, kept between jobs: its store's connections belong to it."""
_STORE: SqlStore | None = None
"""The worker's store: the database of its last job (a worker serves one server)."""


def _run_job(database_url: str, time_zone: str, job: Job[T], args: tuple[Any, ...]) -> T:
    """In the worker: the job on the worker's service."""
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = asyncio.Runner()
    return _RUNNER.run(_on_service(database_url, time_zone, job, args))


async def _on_service(database_url: str, time_zone: str, job: Job[T], args: tuple[Any, ...]) -> T:
    # A fresh service per job (its session cache must not outlive the job: a deck edited
    # meanwhile is read again); the store and its connections stay.
    service = Denkdag(await _store(database_url), MemoryBroadcaster(), time_zone=time_zone)
    service.reports.heavy = InPlace()
    try:
        return await job(service, *args)
    finally:
        await service.stop()


async def _store(database_url: str) -> SqlStore:
    """The store on `database_url`, not migrated (the server did that) and without a
    writer: the jobs only read."""
    global _STORE
    if _STORE is not None and _STORE.url != database_url:
        previous, _STORE = _STORE, None
        with contextlib.suppress(Exception):  # its database may be gone (a test's)
            await previous.engine.dispose()
            await previous.reader.dispose()
    if _STORE is None:
        _STORE = SqlStore(database_url)
    return _STORE
