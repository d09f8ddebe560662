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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Job = Callable[[AsyncConnection], Awaitable[Any]]
Group = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any]]]
"""A group handler: the items of one batch in, one result per item out (same order)."""

MAX_BATCH = 500


def _new_future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass
class _Pending:
    job: Job | None = None
    group: Group | None = None
    item: Any = None
    done: asyncio.Future[Any] = field(default_factory=_new_future)

    def settle(self, result: Any) -> None:
        if not self.done.done():
            self.done.set_result(result)

    def fail(self, error: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(error)


class BatchWriter:
    """One task per store that runs queued writes in shared transactions."""

    def __init__(self, engine: AsyncEngine, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.jobs = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="denkdag-batch-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None

    async def submit(self, job: Job) -> Any:
        """Run `job` in the next batch; return its result once the batch has committed."""
        return await self._enqueue(_Pending(job=job))

    async def submit_grouped(self, group: Group, item: Any) -> Any:
        """Hand `item` to `group` with the batch's other items of that group; return its
        result once the batch has committed."""
        return await self._enqueue(_Pending(group=group, item=item))

    async def _enqueue(self, pending: _Pending) -> Any:
        if self._task is None or self._task.done():
            raise RuntimeError("the writer is not running")
        await self._queue.put(pending)
        return await asyncio.shield(pending.done)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                await self._commit(batch)
            except asyncio.CancelledError:  # never leave a caller waiting forever
                for pending in batch:
                    pending.fail(RuntimeError("the writer stopped before this write committed"))
                raise

    async def _commit(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.jobs += len(batch)
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
