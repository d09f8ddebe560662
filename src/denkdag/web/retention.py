"""The retention task: once a day, delete answers older than `retention_days`.

`denkdag purge` does the same on demand; this keeps a long-running server within its
promise without a cron job. A failed run (database away) is logged and tried again the
next day; it never stops the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from denkdag.app.denkdag import Denkdag

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 24 * 3600.0


def start(
    service: Denkdag, days: int | None, interval: float = INTERVAL_SECONDS
) -> asyncio.Task[None] | None:
    """Start the daily purge when a retention is set; None otherwise."""
    if days is None:
        return None
    return asyncio.create_task(_run(service, days, interval), name="denkdag-retention")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _run(service: Denkdag, days: int, interval: float) -> None:
    while True:
        try:
            deleted = await service.participation.purge_answers(days)
            log.info("retention: deleted %d answers older than %d days", deleted, days)
        except Exception:
            log.exception("retention: the purge failed; trying again later")
        await asyncio.sleep(interval)
