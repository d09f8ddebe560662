"""The batched writer: every write that arrived in the last few milliseconds, one commit.

A vote is acknowledged only after its transaction commits. Committing each vote on its own
would cap a SQLite file at a few hundred votes a second (one fsync each); one task that
drains a queue and commits whatever is waiting in one transaction keeps the guarantee and
removes the cap.

Two kinds of work share a batch. A *job* is a function run on the batch's connection, in
arrival order (joins, rare writes). A *grouped* item goes to a group handler that receives
every item of its group in the batch at once, so many answers become a few statements
(one read of the sessions' versions, one executemany) instead of a few statements each.
If a batch fails, its work is retried one transaction per job or item (logged as a
warning), so one bad write never takes the others down with it: the bad one's caller gets
its error. A SQLite file that stayed locked past the busy timeout fails the whole batch at
once instead: every caller gets the error (a 503 and a retry for each, see
web/faults.py), where retrying one by one would wait the timeout again for each.

Jobs and group handlers are plain synchronous SQLAlchemy Core on a `Connection`, written
once, and a batch runs in one way per database:

- on a SQLite file, in one call to the writer's own thread, on its one connection (as
  Datasette writes): the whole transaction is one hop off the event loop and back, where
  an async driver pays a thread hop and a loop wake-up for each of the dozen calls a
  transaction makes (a cursor, each execute, each fetch, the commit). A wait for another
  connection's lock (the busy timeout) and SQLite's own WAL checkpoints happen on that
  thread too, never on the loop;
- on any other database (PostgreSQL), in one transaction of the store's async engine,
  through `AsyncConnection.run_sync`.

Waiting callers are a plain list and one future each, settled right after the commit; the
writer sleeps on one future when there is nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from denkdag.storage.engine import sqlite_writer

log = logging.getLogger(__name__)

Job = Callable[[Connection], Any]
"""A job: run on the batch's connection, in its transaction; its result goes to its caller."""
Group = Callable[[Connection, Sequence[Any]], Sequence[Any]]
"""A group handler: the items of one batch in, one result per item out (same order)."""

MAX_BATCH = 500


class _Pending:
    """One queued write and the future its caller waits on."""

    __slots__ = ("done", "group", "item", "job")

    def __init__(self, done: asyncio.Future[Any], job: Job | None, group: Group | None, item: Any):
        self.done = done
        self.job = job
        self.group = group
        self.item = item

    def settle(self, result: Any) -> None:
        if not self.done.done():  # a caller that gave up (cancelled) has a done future
            self.done.set_result(result)

    def fail(self, error: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(error)


class BatchWriter:
    """One task per store that runs queued writes in shared transactions."""

    def __init__(self, engine: AsyncEngine, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._sqlite: Engine | None = None
        """A SQLite file's writer engine (storage/engine.sqlite_writer), used on `_thread`."""
        self._thread: ThreadPoolExecutor | None = None
        self._waiting: list[_Pending] = []
        self._wakeup: asyncio.Future[None] | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.jobs = 0
        self.failed_batches = 0
        """Batches that did not commit as one (each then failed whole, or ran item by item)."""

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            if self._thread is None:
                self._sqlite = sqlite_writer(self._engine.url.render_as_string(False))
                if self._sqlite is not None:
                    self._thread = ThreadPoolExecutor(1, thread_name_prefix="denkdag-writer")
            self._task = asyncio.create_task(self._run(), name="denkdag-batch-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is not None:
            self._stopping = True
            self._wake()
            await self._task
            self._task = None
        thread, sqlite = self._thread, self._sqlite
        self._thread = self._sqlite = None
        if thread is not None and sqlite is not None:
            await asyncio.get_running_loop().run_in_executor(thread, sqlite.dispose)
            thread.shutdown()

    async def submit(self, job: Job) -> Any:
        """Run `job` in the next batch; return its result once the batch has committed."""
        return await self._enqueue(job, None, None)

    def submit_grouped(self, group: Group, item: Any) -> asyncio.Future[Any]:
        """Hand `item` to `group` with the batch's other items of that group; the future
        of its result, set once the batch has committed.

        A plain function returning the future, not a coroutine: a vote awaits it directly,
        one frame less on the path every vote takes twice (there and back)."""
        return self._enqueue(None, group, item)

    def _enqueue(self, job: Job | None, group: Group | None, item: Any) -> asyncio.Future[Any]:
        # No shield: a caller that is cancelled cancels only its own future; the write stays
        # queued, commits with its batch, and settle() skips the future nobody awaits.
        if self._task is None or self._task.done() or self._stopping:
            raise RuntimeError("the writer is not running")
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Pending(done, job, group, item))
        self._wake()
        return done

    def _wake(self) -> None:
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._waiting:
                if self._stopping:
                    return
                self._wakeup = loop.create_future()
                await self._wakeup
                self._wakeup = None
                continue
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._commit(batch)
            except asyncio.CancelledError:  # never leave a caller waiting forever
                for pending in (*batch, *self._waiting):
                    pending.fail(RuntimeError("the writer stopped before this write committed"))
                raise

    async def _commit(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.jobs += len(batch)
        try:
            results = await self._transaction(batch)
        except Exception as error:
            self.failed_batches += 1
            if len(batch) == 1 or _locked(error):
                log.warning("a batch of %d writes failed: %s", len(batch), _first_line(error))
                for pending in batch:
                    pending.fail(error)
                return
            log.warning(
                "a batch of %d writes failed (%s); retrying one by one",
                len(batch),
                _first_line(error),
            )
            for pending in batch:
                await self._commit_one(pending)
            return
        self._settle(batch, results)

    @staticmethod
    def _settle(batch: list[_Pending], results: list[Any]) -> None:
        for pending, result in zip(batch, results, strict=True):
            pending.settle(result)

    async def _transaction(self, batch: list[_Pending]) -> list[Any]:
        """Run `batch` in one transaction and commit it: its results, in batch order."""
        if self._thread is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._thread, self._on_sqlite, batch)
        async with self._engine.begin() as conn:
            return await conn.run_sync(_apply, batch)

    def _on_sqlite(self, batch: list[_Pending]) -> list[Any]:
        """On the writer's thread: the batch in a transaction of its one connection."""
        assert self._sqlite is not None
        with self._sqlite.begin() as conn:
            return _apply(conn, batch)

    async def _commit_one(self, pending: _Pending) -> None:
        try:
            (result,) = await self._transaction([pending])
        except Exception as error:
            pending.fail(error)
        else:
            pending.settle(result)


def _apply(conn: Connection, batch: list[_Pending]) -> list[Any]:
    """Run the batch's jobs in order, then each group once; results in batch order."""
    results: list[Any] = [None] * len(batch)
    groups: dict[Group, list[int]] = {}
    for index, pending in enumerate(batch):
        if pending.job is not None:
            results[index] = pending.job(conn)
        elif pending.group is not None:
            groups.setdefault(pending.group, []).append(index)
    for group, indexes in groups.items():
        outcomes = group(conn, [batch[i].item for i in indexes])
        for index, outcome in zip(indexes, outcomes, strict=True):
            results[index] = outcome
    return results


def _locked(error: BaseException) -> bool:
    """SQLite's "database is locked": another connection kept the write lock for longer
    than the busy timeout. Retrying the batch's writes one by one would wait it again for
    each."""
    message = str(getattr(error, "orig", None) or error)
    return isinstance(error, OperationalError) and "database is locked" in message


def _first_line(error: BaseException) -> str:
    return str(error).split("\n", 1)[0][:200]
