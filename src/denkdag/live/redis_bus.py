"""Broadcasting across instances over Redis pub/sub.

Each instance holds ONE pattern subscription, whatever the number of phones; the hub of
every instance fans out in-process. Event ids come from a Lua script that increments the
topic's counter and publishes in one step, so every instance sees the same ids in the same
order. Redis pub/sub keeps nothing: a phone that missed news catches up from its
instance's ring or from a fresh `state`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import redis.asyncio as aioredis

from denkdag.live.hub import Envelope, Hub, encode

log = logging.getLogger(__name__)

PREFIX = "denkdag:"
CHANNEL = PREFIX + "topic:"
_PUBLISH = """
local id = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[2])
if id < floor then
  redis.call('SET', KEYS[1], floor)
  id = floor
end
redis.call('EXPIRE', KEYS[1], 86400)
redis.call('PUBLISH', ARGV[1], id .. '|' .. ARGV[3])
return id
"""


class RedisBroadcaster:
    """The scale-out broadcaster; same interface as MemoryBroadcaster."""

    def __init__(self, url: str) -> None:
        self.hub = Hub()
        self._redis = aioredis.Redis.from_url(url)
        self._script = self._redis.register_script(_PUBLISH)
        self._listener: asyncio.Task[None] | None = None
        self.reconnects = 0

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="denkdag-redis-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._redis.aclose()

    async def publish(self, topic: str, event: str, public: Any, private: Any) -> Envelope:
        body = json.dumps({"e": event, "p": public, "f": private}, ensure_ascii=False)
        floor = time.time_ns() // 1000
        try:
            event_id = int(
                await self._script(
                    keys=[PREFIX + "seq:" + topic], args=[CHANNEL + topic, floor, body]
                )
            )
        except (aioredis.RedisError, OSError):
            # Redis is down: answers are stored regardless; deliver locally so this
            # instance's screens stay live, and let the others resynchronise later.
            log.warning("Redis unavailable; delivering %s on this instance only", event)
            event_id = max(self.hub.next_id(), floor)
            envelope = self._envelope(event_id, event, public, private)
            self.hub.deliver(topic, envelope)
            return envelope
        return self._envelope(event_id, event, public, private)

    @staticmethod
    def _envelope(event_id: int, event: str, public: Any, private: Any) -> Envelope:
        public_bytes = encode(event_id, event, public)
        private_bytes = public_bytes if private == public else encode(event_id, event, private)
        return Envelope(event_id, event, public_bytes, private_bytes)

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.psubscribe(CHANNEL + "*")
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    self._receive(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                self.reconnects += 1
                log.warning("Redis subscription lost; reconnecting in 0.5 s")
                await asyncio.sleep(0.5)

    def _receive(self, channel: bytes, data: bytes) -> None:
        topic = channel.decode()[len(CHANNEL) :]
        raw_id, _, body = data.decode().partition("|")
        message = json.loads(body)
        envelope = self._envelope(int(raw_id), message["e"], message["p"], message["f"])
        self.hub.deliver(topic, envelope)
