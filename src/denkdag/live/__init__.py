"""Live broadcasting: per-session topics, coalesced tallies, replay for reconnecting phones."""

from denkdag.live.broadcaster import Broadcaster, MemoryBroadcaster
from denkdag.live.coalesce import Coalescer
from denkdag.live.hub import Envelope, Hub


def make_broadcaster(redis_url: str | None = None) -> Broadcaster:
    """The in-process broadcaster, or the Redis one when a Redis URL is configured."""
    if redis_url:
        from denkdag.live.redis_bus import RedisBroadcaster

        return RedisBroadcaster(redis_url)
    return MemoryBroadcaster()


__all__ = ["Broadcaster", "Coalescer", "Envelope", "Hub", "MemoryBroadcaster", "make_broadcaster"]
