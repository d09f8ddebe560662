"""Heavy work off the event loop: a report's model, its exported files (XLSX, CSV, JSON,
the pol.is zip) and its PDF are built in worker processes, a few at a time, each within a
time budget.

Why processes: building a 400-slide workbook or PDF is seconds to minutes of pure Python;
in a thread it would hold the interpreter lock the event loop needs between votes, so
every vote and live update of every session on the instance would wait on it. A worker
process has its own lock. What crosses to it and back is pickled under the server's lock,
so a report's use cases run there whole (app/in_worker.py): the server sends a join code
and reads the file's bytes back.

Why bounded: each build takes a core and memory. `workers` builds run at once (one worker
process each, started on first use and kept for the life of the process); `queue` more may
wait for one; beyond that the caller is told at once that the server is busy with other
reports (`ReportsBusy`, 429).

Why a budget: a build that runs longer than `seconds` is stopped (its worker process is
ended and a fresh one started on next use) and the caller told so (`ReportTooSlow`, 503),
so one huge export cannot hold a worker for ever.

Why at a lower priority: on a small machine the builds and the event loop share the cores
(two, say, with the database beside them). A worker runs at a lower scheduling priority
(`WORKER_NICENESS`), so when the cores are busy the loop — every vote and live update —
gets them first and a build takes what is left; on an idle machine a build still gets a
whole core.

Whatever runs here must be a module-level function of arguments that pickle (the formats'
builders take plain domain values).

Why each build carries the plugins: a worker is a fresh interpreter (spawned) that knows
only the package's own kinds and templates, and it outlives any one registration. Each
build takes along the kinds registered from outside (`register`) and the template folders
added (`add_template_folder`) at the moment it is asked for, and the worker takes them
over before building, so a plugin's kind is exported exactly as the pages show it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copyreg
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from types import MappingProxyType
from typing import Any, TypeVar

from denkdag.domain.errors import N_, DomainError
from denkdag.domain.kinds import Kind, registered, use_registered
from denkdag.formats.templating import add_template_folder, template_folders

T = TypeVar("T")
DEFAULT_WORKERS = max(1, (os.cpu_count() or 2) // 2)
"""Half the cores: the other half stays with the event loop and the database."""
DEFAULT_SECONDS = 300.0
STARTING_SECONDS = 60.0
"""How long a fresh worker process may take to start (before the budget counts)."""
WORKER_NICENESS = 10
"""How much lower than the server's a worker's scheduling priority is (`os.nice`)."""


class ReportsBusy(DomainError):
    """Every worker is building and the queue is full: try again shortly (429)."""

    retry_after = 30

    def __init__(self) -> None:
        super().__init__(
            N_("The server is busy building other reports. Try again in half a minute.")
        )


class ReportTooSlow(DomainError):
    """A build ran past its time budget and was stopped (503)."""

    retry_after = 60

    def __init__(self, seconds: float) -> None:
        super().__init__(
            N_(
                "Building this file took longer than %(seconds)s seconds and was stopped. "
                "Try a smaller export, or ask the operator to raise DENKDAG_EXPORT_SECONDS."
            ),
            seconds=f"{seconds:g}",
        )


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only, (dict(mapping),)


copyreg.pickle(MappingProxyType, _reduce_mapping)
"""The domain's read-only mappings (a slide's settings) travel to the workers as copies."""

_POOLS: dict[int, tuple[ProcessPoolExecutor, int]] = {}
"""The worker process (its one-process pool, and its process id) by slot, shared by every
HeavyWork of this process (a test run builds hundreds of services; each would otherwise
start its own and pay the imports)."""


class HeavyWork:
    """Worker processes for the heavy builds: at most `workers` at once, `queue` waiting."""

    in_place = False
    """Whether builds run where they are asked for (`InPlace`)."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        seconds: float = DEFAULT_SECONDS,
        queue: int | None = None,
    ) -> None:
        self.workers = max(1, workers)
        self.seconds = seconds
        self.queue = 2 * self.workers if queue is None else queue
        self._free: asyncio.Queue[int] | None = None
        self._asked = 0

    async def run(self, build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`build(*args, **kwargs)` in a worker process; ReportsBusy when every worker and
        the queue are taken, ReportTooSlow when it runs past the time budget."""
        if self._asked >= self.workers + self.queue:
            raise ReportsBusy()
        self._asked += 1
        try:
            free = self._slots()
            slot = await free.get()
            try:
                plugins = (registered(), template_folders())
                work = partial(_with_plugins, plugins, partial(build, *args, **kwargs))
                return await self._in(slot, work)
            finally:
                free.put_nowait(slot)
        finally:
            self._asked -= 1

    def _slots(self) -> asyncio.Queue[int]:
        if self._free is None:
            self._free = asyncio.Queue()
            for slot in range(self.workers):
                self._free.put_nowait(slot)
        return self._free

    async def _in(self, slot: int, build: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        if slot not in _POOLS:
            # spawn, not fork: the serving process has threads (the database's, asyncio's)
            # that a forked child would inherit half-way through what they were doing.
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(1, mp_context=context, initializer=_lower_priority)
            # Started (and this module imported there, which every build unpickles with
            # `_with_plugins`) before the budget's clock runs: the budget is the build's own.
            # Its process id is how the worker is ended (`_end`).
            started = loop.run_in_executor(pool, _started)
            _POOLS[slot] = (pool, await asyncio.wait_for(started, STARTING_SECONDS))
        pool, _pid = _POOLS[slot]
        done = loop.run_in_executor(pool, build)
        try:
            return await asyncio.wait_for(asyncio.shield(done), self.seconds)
        except TimeoutError:
            done.add_done_callback(_forget)  # it ends as the worker is ended below
            _end(slot)
            raise ReportTooSlow(self.seconds) from None
        except BrokenProcessPool:
            _end(slot)  # the worker died (out of memory, killed): a fresh one next time
            raise


def _lower_priority() -> None:
    """In a fresh worker, before anything else: yield the cores to the server's loop."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


def _started() -> int:
    """In a fresh worker: nothing but being here (importing this module) first."""
    return os.getpid()


def _with_plugins(plugins: tuple[tuple[Kind, ...], tuple[str, ...]], build: Callable[[], T]) -> T:
    """In the worker: take over the parent's registered kinds and template folders, then
    build."""
    kinds, folders = plugins
    use_registered(kinds)
    for folder in folders:
        add_template_folder(folder)
    return build()


def _forget(done: asyncio.Future[Any]) -> None:
    """Read a stopped build's outcome (the worker ended under it), so none is reported."""
    if not done.cancelled():
        done.exception()


def _end(slot: int) -> None:
    """End slot's worker process now (a running build cannot be stopped any other way: a
    pool's shutdown waits for it)."""
    ended = _POOLS.pop(slot, None)
    if ended is None:
        return
    pool, pid = ended
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    pool.shutdown(wait=False, cancel_futures=True)


class InPlace(HeavyWork):
    """Heavy work where it is asked for: in a worker process, which is off the server's
    event loop already (app/in_worker.py). No budget or queue of its own: the job it is
    part of has them."""

    in_place = True

    async def run(self, build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return build(*args, **kwargs)
