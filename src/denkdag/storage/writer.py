"""The batched writer: every write that arrived in the last few milliseconds, one commit.

A vote is acknowledged only after its transaction commits. Committing each vote on its own
would cap a SQLite file at a few hundred votes a second (one fsync each); one task that
drains a queue and commits whatever is waiting in one transaction keeps the guarantee and
removes the cap.

Two kinds of work share a batch. A *job* is a function run on the batch's connection, in
arrival order (joins, rare writes). A *grouped* item goes to a group handler that receives
every item of its group in the batch at once, so many answers become a few statements
(one read of the sessions' versions, one executemany) instead of a few statements each.
If a batch fails, its work is retried one transaction per job or item, so one bad write
never takes the others down with it.

What a batch costs is mostly not SQLite but getting to it, so the hot path is kept lean:

- On a SQLite file, batches run on an *inline* connection (storage/engine.py), whose
  statements execute on the event loop's thread: one batch is a few hundred microseconds
  of SQLite, where aiosqlite's worker thread costs a thread hop and a loop wake-up for
  each of the dozen calls a transaction makes. The inline connection never waits for a
  lock (busy timeout 0, so the loop is never blocked): a batch that finds the database
  locked by another connection runs on the ordinary engine instead, which waits off the
  loop. It does not checkpoint the WAL either (that fsyncs); the writer has the ordinary
  engine do that, off the loop, every CHECKPOINT_EVERY seconds of writing.
- Waiting callers are a plain list and one future each, settled right after the commit;
  the writer sleeps on one future when there is nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from denkdag.storage.engine import inline_sqlite_engine

log = logging.getLogger(__name__)

Job = Callable[[AsyncConnection], Awaitable[Any]]
Group = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any]]]
"""A group handler: the items of one batch in, one result per item out (same order)."""

MAX_BATCH = 500
CHECKPOINT_EVERY = 1.0
"""Seconds between WAL checkpoints while the inline connection writes."""


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
        self._inline: AsyncEngine | None = None
        self._waiting: list[_Pending] = []
        self._wakeup: asyncio.Future[None] | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._checkpoint: asyncio.Task[None] | None = None
        self._checkpointed = 0.0
        self.batches = 0
        self.jobs = 0
        self.fallbacks = 0
        """Batches the inline connection could not run (the database was locked)."""

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            if self._inline is None:
                self._inline = inline_sqlite_engine(self._engine)
            self._task = asyncio.create_task(self._run(), name="denkdag-batch-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is not None:
            self._stopping = True
            self._wake()
            await self._task
            self._task = None
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
            self._checkpoint = None
        if self._inline is not None:
            await self._inline.dispose()
            self._inline = None

    async def submit(self, job: Job) -> Any:
        """Run `job` in the next batch; return its result once the batch has committed."""
        return await self._enqueue(job, None, None)

    async def submit_grouped(self, group: Group, item: Any) -> Any:
        """Hand `item` to `group` with the batch's other items of that group; return its
        result once the batch has committed."""
        return await self._enqueue(None, group, item)

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
        if self._inline is not None:
            try:
                async with self._inline.begin() as conn:
                    results = await self._apply(conn, batch)
            except Exception as error:  # locked by another connection, or a bad write
                self.fallbacks += 1
                log.debug("inline batch of %d not run (%s); using the engine", len(batch), error)
            else:
                self._settle(batch, results)
                self._maybe_checkpoint()
                return
        try:
            async with self._engine.begin() as conn:
                results = await self._apply(conn, batch)
        except Exception as error:
            if len(batch) == 1:
                batch[0].fail(error)
                return
            log.warning("a batch of %d writes failed; retrying one by one", len(batch))
            for pending in batch:
                await self._commit_one(pending)
            return
        self._settle(batch, results)

    @staticmethod
    def _settle(batch: list[_Pending], results: list[Any]) -> None:
        for pending, result in zip(batch, results, strict=True):
            pending.settle(result)

    @staticmethod
    async def _apply(conn: AsyncConnection, batch: list[_Pending]) -> list[Any]:
        """Run the batch's jobs in order, then each group once; results in batch order."""
        results: list[Any] = [None] * len(batch)
        groups: dict[Group, list[int]] = {}
        for index, pending in enumerate(batch):
            if pending.job is not None:
                results[index] = await pending.job(conn)
            elif pending.group is not None:
                groups.setdefault(pending.group, []).append(index)
        for group, indexes in groups.items():
            outcomes = await group(conn, [batch[i].item for i in indexes])
            for index, outcome in zip(indexes, outcomes, strict=True):
                results[index] = outcome
        return results

    async def _commit_one(self, pending: _Pending) -> None:
        try:
            async with self._engine.begin() as conn:
                (result,) = await self._apply(conn, [pending])
        except Exception as error:
            pending.fail(error)
        else:
            pending.settle(result)

    # WAL checkpoints, off the event loop ----------------------------------------------

    def _maybe_checkpoint(self) -> None:
        now = time.monotonic()
        if now - self._checkpointed < CHECKPOINT_EVERY:
            return
        if self._checkpoint is not None and not self._checkpoint.done():
            return
        self._checkpointed = now
        self._checkpoint = asyncio.create_task(self._run_checkpoint())

    async def _run_checkpoint(self) -> None:
        """Copy the WAL into the database file (PASSIVE: waits for no one, blocks no one),
        on the ordinary engine's worker thread; without it the WAL would grow forever."""
        try:
            async with self._engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                async with driver.execute("PRAGMA wal_checkpoint(PASSIVE)"):
                    pass
        except Exception as error:  # the next one will try again
            log.warning("WAL checkpoint failed: %s", error)
