"""Leases in Redis (see leases.py): imported only when Redis is configured, so a single
process never loads the Redis client."""

from __future__ import annotations

import logging
import time

import redis.asyncio as aioredis

from denkdag.live.leases import TTL, LeaseUnavailable

log = logging.getLogger(__name__)

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local token = redis.call('INCR', KEYS[2])
if token < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[2])
  token = redis.call('INCR', KEYS[2])
end
redis.call('EXPIRE', KEYS[2], 86400)
local text = string.format('%d', token)
redis.call('SET', KEYS[1], text, 'NX', 'PX', ARGV[1])
return text
"""
"""SET NX PX with a fencing token taken in the same step (so only a grant takes a token)."""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisLeases:
    """Leases in Redis, shared by every instance that uses the same Redis and prefix."""

    shared = True

    def __init__(self, client: aioredis.Redis, prefix: str, ttl: float = TTL) -> None:
        self._redis = client
        self._prefix = prefix
        self.ttl = ttl
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def _keys(self, name: str) -> tuple[str, str]:
        return self._prefix + "lease:" + name, self._prefix + "fence:" + name

    async def acquire(self, name: str) -> int | None:
        lease, fence = self._keys(name)
        floor = time.time_ns() // 1_000_000
        try:
            token = await self._acquire(keys=[lease, fence], args=[self._ms, floor])
        except (aioredis.RedisError, OSError) as error:
            raise LeaseUnavailable(str(error)) from error
        return None if token is None else int(token)

    async def renew(self, name: str, token: int) -> bool:
        lease, _ = self._keys(name)
        try:
            return bool(await self._renew(keys=[lease], args=[str(token), self._ms]))
        except (aioredis.RedisError, OSError) as error:
            raise LeaseUnavailable(str(error)) from error

    async def release(self, name: str, token: int) -> None:
        lease, _ = self._keys(name)
        try:
            await self._release(keys=[lease], args=[str(token)])
        except (aioredis.RedisError, OSError):
            log.warning("releasing the lease %s failed; it expires by itself", name)

    @property
    def _ms(self) -> int:
        return max(1, int(self.ttl * 1000))
