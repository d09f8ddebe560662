"""Broadcasting across instances over Redis pub/sub.

Each instance holds ONE pattern subscription, whatever the number of phones; the hub of
every instance fans out in-process, so Redis traffic grows with instances, not phones.
Event ids come from a Lua script that increments the topic's counter and publishes in one
step, so every instance sees the same ids in the same order (never below the clock in
microseconds, so ids keep growing across a Redis restart that lost the counters).

Redis carries news, never truth: answers are committed to the database before anything is
published. When Redis is unreachable the broadcaster keeps serving this instance's screens
(events are delivered locally) and reconnects in the background with capped, jittered
backoff; once subscribed again it asks the hub to resynchronise, and the service then
republishes every cached session's current state, so phones on every instance catch up.

Several deployments may share one Redis: `redis://host:6379/0?prefix=conference-a:` gives
this one its own channels and counters (Redis pub/sub channels ignore the database number).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from denkdag.live.hub import Envelope, Hub, envelope

log = logging.getLogger(__name__)

PREFIX = "denkdag:"
START_WAIT = 3.0
"""Seconds `start` waits for the first subscription before serving without Redis."""
CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 2.0
HEALTH_CHECK = 5.0
"""Seconds of silence after which the subscription pings Redis, to notice a dead link."""
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 2.0
"""At most this long between reconnect attempts: news must resume within 5 s of Redis
coming back (tests/faults/test_redis_outage.py)."""

_PUBLISH = """
local id = redis.call('INCR', KEYS[1])
if id < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[2])
  id = redis.call('INCR', KEYS[1])
end
redis.call('EXPIRE', KEYS[1], 86400)
local text = string.format('%d', id)
redis.call('PUBLISH', ARGV[1], text .. '|' .. ARGV[3])
return text
"""
"""Lua numbers are doubles that `..` prints as 1.76e+15: ids are formatted with %d."""


def split_prefix(url: str) -> tuple[str, str]:
    """(the Redis URL without our `prefix` option, the key/channel prefix)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "prefix"), PREFIX)
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


def backoff(failures: int) -> float:
    """Seconds to wait before reconnect attempt `failures` (1, 2, …): doubling, capped,
    jittered so that many instances do not reconnect in lockstep."""
    ceiling: float = min(BACKOFF_MAX, BACKOFF_FIRST * 2.0 ** max(0, failures - 1))
    return ceiling * random.uniform(0.5, 1.0)


class RedisBroadcaster:
    """The scale-out broadcaster; same interface as MemoryBroadcaster."""

    def __init__(self, url: str) -> None:
        self.hub = Hub()
        plain_url, self.prefix = split_prefix(url)
        self._channel = self.prefix + "topic:"
        self._redis = aioredis.Redis.from_url(
            plain_url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT,
            health_check_interval=HEALTH_CHECK,
            retry=Retry(NoBackoff(), 0),  # we fall back at once instead of retrying
        )
        self._script = self._redis.register_script(_PUBLISH)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self.connected = False
        """True while the subscription is live; publishes then go through Redis."""
        self.reconnects = 0
        self.local_only = 0
        """Events delivered on this instance only, because Redis was unreachable."""

    @property
    def client(self) -> aioredis.Redis:
        """The Redis connection, for other shared state of this deployment (live/leases.py)."""
        return self._redis

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="denkdag-redis-listener")
        try:
            await asyncio.wait_for(self._subscribed.wait(), START_WAIT)
        except TimeoutError:
            log.warning("Redis is not reachable yet; live updates stay on this instance")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        await self._redis.aclose()

    async def publish(self, topic: str, event: str, public: Any, private: Any) -> Envelope:
        floor = time.time_ns() // 1000
        if self.connected:
            body = json.dumps({"e": event, "p": public, "f": private}, ensure_ascii=False)
            try:
                event_id = int(
                    await self._script(
                        keys=[self.prefix + "seq:" + topic],
                        args=[self._channel + topic, floor, body],
                    )
                )
            except (aioredis.RedisError, OSError) as error:
                log.warning("Redis publish failed (%s); delivering on this instance", error)
            else:
                # This instance's hub receives it back through the subscription.
                return self._envelope(event_id, event, public, private)
        self.local_only += 1
        envelope = self._envelope(max(self.hub.next_id(), floor), event, public, private)
        self.hub.deliver(topic, envelope)
        return envelope

    @staticmethod
    def _envelope(event_id: int, event: str, public: Any, private: Any) -> Envelope:
        return envelope(event_id, event, public, private)

    async def _listen(self) -> None:
        failures = 0
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self._channel + "*")
                self.connected = True
                self._subscribed.set()
                if failures:
                    self.reconnects += 1
                    log.warning("Redis subscription restored; resynchronising")
                    self.hub.resync()
                failures = 0
                while True:
                    message = await pubsub.get_message(timeout=HEALTH_CHECK)
                    if message is not None and message.get("type") == "pmessage":
                        self._receive(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                log.warning("Redis subscription lost (%s); reconnecting", error)
            finally:
                self.connected = False
                try:
                    await asyncio.shield(pubsub.aclose())
                except Exception:
                    log.debug("closing a broken Redis subscription failed", exc_info=True)
            await asyncio.sleep(backoff(failures))

    def _receive(self, channel: bytes, data: bytes) -> None:
        try:
            topic = channel.decode()[len(self._channel) :]
            raw_id, _, body = data.decode().partition("|")
            message = json.loads(body)
            envelope = self._envelope(int(raw_id), message["e"], message["p"], message["f"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed message on %r", channel)
            return
        self.hub.deliver(topic, envelope)
