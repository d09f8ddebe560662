"""The Redis server the scale tests share (127.0.0.1:6379): each test gets its own key and
channel prefix on it, so tests running side by side (`pytest -n 2`) never hear each other."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from denkdag.live.redis_bus import RedisBroadcaster
from harness.services import need_service

SHARED_REDIS = "redis://127.0.0.1:6379/0"


async def reachable(url: str) -> bool:
    """Whether a Redis server answers a PING at `url`."""
    client = aioredis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(await client.ping())
    except (aioredis.RedisError, OSError):
        return False
    finally:
        await client.aclose()


async def forget_prefix(url: str) -> None:
    """Delete this test's counters (and nothing else) from the Redis server."""
    broadcaster = RedisBroadcaster(url)
    client = aioredis.Redis.from_url(url.split("?")[0])
    try:
        async for key in client.scan_iter(match=broadcaster.prefix + "*"):
            await client.delete(key)
    finally:
        await client.aclose()
        await broadcaster.stop()


@contextlib.asynccontextmanager
async def own_prefix() -> AsyncIterator[str]:
    """The shared server's URL with a prefix of the test's own, cleaned up afterwards
    (the body of the scale tests' `redis_url` fixture)."""
    if not await reachable(SHARED_REDIS):
        need_service(f"Redis is not reachable at {SHARED_REDIS}")
    url = f"{SHARED_REDIS}?prefix=denkdag-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield url
    finally:
        await forget_prefix(url)
