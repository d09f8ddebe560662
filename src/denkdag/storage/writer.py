"""The batched writer: every write that arrived in the last few milliseconds, one commit.

A vote is acknowledged only after its transaction commits. Committing each vote on its own
would cap a SQLite file at a few hundred votes a second (one fsync each); one task that
drains a queue and commits whatever is waiting in one transaction keeps the guarantee and
removes the cap. If a batch fails, its jobs are retried one transaction each, so one bad
job never takes the others down with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Job = Callable[[AsyncConnection], Awaitable[Any]]

MAX_BATCH = 500


@dataclass
class _Pending:
    job: Job
    done: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class BatchWriter:
    """One task per store that runs queued write jobs in shared transactions."""

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
        if self._task is None:
            raise RuntimeError("the writer is not running")
        pending = _Pending(job)
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
            await self._commit(batch)

    async def _commit(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.jobs += len(batch)
        try:
            results = []
            async with self._engine.begin() as conn:
                for pending in batch:
                    results.append(await pending.job(conn))
        except Exception:
            if len(batch) == 1:
                self._fail(batch[0])
                return
            log.warning("a batch of %d writes failed; retrying one by one", len(batch))
            for pending in batch:
                await self._commit_one(pending)
            return
        for pending, result in zip(batch, results, strict=True):
            if not pending.done.done():
                pending.done.set_result(result)

    async def _commit_one(self, pending: _Pending) -> None:
        try:
            async with self._engine.begin() as conn:
                result = await pending.job(conn)
        except Exception:
            self._fail(pending)
        else:
            if not pending.done.done():
                pending.done.set_result(result)

    @staticmethod
    def _fail(pending: _Pending) -> None:
        import sys

        error = sys.exc_info()[1]
        if not pending.done.done() and error is not None:
            pending.done.set_exception(error)
