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
never takes the others down with it; but a SQLite file that stayed locked past the busy
timeout fails the whole batch at once (503 and a retry for each caller), where retrying one
by one would wait the timeout again for each.

What a batch costs is mostly not SQLite but getting to it, so the hot path is kept lean:

- On a SQLite file, batches run on an *inline* connection (storage/engine.py), whose
  statements execute on the event loop's thread: one batch is a few hundred microseconds
  of SQLite, where aiosqlite's worker thread costs a thread hop and a loop wake-up for
  each of the dozen calls a transaction makes. The inline connection never waits for a
  lock (busy timeout 0, so the loop is never blocked): a batch that finds the database
  locked by another connection runs on the ordinary engine instead, which waits off the
  loop. It does not checkpoint the WAL either (that fsyncs); the writer has the ordinary
  engine do that, off the loop, every CHECKPOINT_EVERY seconds of writing, between two
  batches: the next batch then starts on a fully copied WAL and so writes it again from
  the start. (A checkpoint running beside the writes would always be a few frames behind,
  and the WAL would grow for as long as the votes keep coming.)
- A batch made only of groups that have a *SQLite twin* (`on_sqlite`: the same work
  written for a sqlite3 connection, as storage/answer_writes.py does for votes) runs on
  the inline connection's sqlite3 connection itself, in one synchronous transaction: no
  greenlet switch or execution context per statement. Any other batch, or one the twin
  could not commit, takes the ways above.
- Waiting callers are a plain list and one future each, settled right after the commit;
  the writer sleeps on one future when there is nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from denkdag.storage.engine import inline_sqlite3, inline_sqlite_engine

log = logging.getLogger(__name__)

Job = Callable[[AsyncConnection], Awaitable[Any]]
Group = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any]]]
SqliteGroup = Callable[[sqlite3.Connection, Sequence[Any]], Sequence[Any]]
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
        self._inline_conn: AsyncConnection | None = None
        """The inline engine's one connection, kept between batches (a checkout and a
        return to the pool per batch cost more than the batch's own statements)."""
        self._sqlite: sqlite3.Connection | None = None
        """The inline connection's own sqlite3 connection, for the groups' SQLite twins."""
        self._twins: dict[Group, SqliteGroup] = {}
        self._waiting: list[_Pending] = []
        self._wakeup: asyncio.Future[None] | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._checkpointed = 0.0
        self._wrote_inline = False
        self.batches = 0
        self.jobs = 0
        self.fallbacks = 0
        """Batches the inline connection did not commit (the database was locked by another
        connection, or a write in the batch failed): the ordinary engine ran them."""
        self.checkpoints = 0
        """WAL checkpoints the writer ran (see _run_checkpoint)."""
        self.sqlite_batches = 0
        """Batches the groups' SQLite twins committed (see on_sqlite)."""

    @property
    def inline(self) -> bool:
        """Whether batches run on the inline connection (a SQLite file, while running)."""
        return self._inline is not None

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
        await self._drop_inline_connection()
        if self._inline is not None:
            await self._inline.dispose()
            self._inline = None

    async def _drop_inline_connection(self) -> None:
        conn, self._inline_conn, self._sqlite = self._inline_conn, None, None
        if conn is not None:
            try:
                await conn.close()
            except Exception as error:  # closing a broken connection: nothing to keep
                log.debug("closing the inline connection: %s", error)

    async def submit(self, job: Job) -> Any:
        """Run `job` in the next batch; return its result once the batch has committed."""
        return await self._enqueue(job, None, None)

    def on_sqlite(self, group: Group, twin: SqliteGroup) -> None:
        """Let `twin` do `group`'s work when a batch runs on the inline SQLite connection:
        the same statements on its sqlite3 connection, in a transaction the writer holds."""
        self._twins[group] = twin

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
                if self._wrote_inline and time.monotonic() - self._checkpointed >= CHECKPOINT_EVERY:
                    await self._run_checkpoint()  # the batch's callers have their answers
            except asyncio.CancelledError:  # never leave a caller waiting forever
                for pending in (*batch, *self._waiting):
                    pending.fail(RuntimeError("the writer stopped before this write committed"))
                raise

    async def _commit(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.jobs += len(batch)
        if self._inline is not None:
            try:
                conn = self._inline_conn
                if conn is None:
                    conn = self._inline_conn = await self._inline.connect()
                    self._sqlite = await inline_sqlite3(conn)
                twins = self._twins_for(batch)
                if twins is not None:
                    results = self._commit_sqlite(batch, twins)
                    self.sqlite_batches += 1
                else:
                    async with conn.begin():
                        results = await self._apply(conn, batch)
            except Exception as error:  # locked by another connection, or a bad write
                self.fallbacks += 1
                log.debug("inline batch of %d not run (%s); using the engine", len(batch), error)
                if self._inline_conn is not None and self._inline_conn.invalidated:
                    await self._drop_inline_connection()
            else:
                self._settle(batch, results)
                self._wrote_inline = True
                return
        try:
            async with self._engine.begin() as conn:
                results = await self._apply(conn, batch)
        except Exception as error:
            if len(batch) == 1 or _locked(error):
                for pending in batch:
                    pending.fail(error)
                return
            log.warning("a batch of %d writes failed; retrying one by one", len(batch))
            for pending in batch:
                await self._commit_one(pending)
            return
        self._settle(batch, results)

    def _twins_for(self, batch: list[_Pending]) -> list[SqliteGroup] | None:
        """Each pending item's SQLite twin, or None when one has none (or is a job)."""
        if self._sqlite is None:
            return None
        twins = []
        for pending in batch:
            twin = None if pending.group is None else self._twins.get(pending.group)
            if twin is None:
                return None
            twins.append(twin)
        return twins

    def _commit_sqlite(self, batch: list[_Pending], twins: list[SqliteGroup]) -> list[Any]:
        """The batch in one transaction on the inline sqlite3 connection, each group once,
        as `_apply` runs them. Raises (nothing committed) when the database is locked or a
        statement fails; the caller then runs the batch on the ordinary engine."""
        db = self._sqlite
        assert db is not None
        results: list[Any] = [None] * len(batch)
        groups: dict[SqliteGroup, list[int]] = {}
        for index, twin in enumerate(twins):
            groups.setdefault(twin, []).append(index)
        db.execute("BEGIN IMMEDIATE")  # "database is locked" at once: busy timeout 0
        try:
            for twin, indexes in groups.items():
                outcomes = twin(db, [batch[i].item for i in indexes])
                for index, outcome in zip(indexes, outcomes, strict=True):
                    results[index] = outcome
            db.commit()
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise
        return results

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

    async def _run_checkpoint(self) -> None:
        """Copy the WAL into the database file (PASSIVE: waits for no one, blocks no one),
        on the ordinary engine's worker thread, while the writer waits (the loop does
        not); without it the WAL would grow forever."""
        self._checkpointed = time.monotonic()
        self._wrote_inline = False
        try:
            async with self._engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                async with driver.execute("PRAGMA wal_checkpoint(PASSIVE)"):
                    pass
        except Exception as error:  # the next one will try again
            log.warning("WAL checkpoint failed: %s", error)
        else:
            self.checkpoints += 1


def _locked(error: BaseException) -> bool:
    """SQLite's "database is locked": another connection kept the write lock for longer
    than the busy timeout."""
    message = str(getattr(error, "orig", None) or error)
    return isinstance(error, OperationalError) and "database is locked" in message
