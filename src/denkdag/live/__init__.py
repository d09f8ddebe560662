"""Live broadcasting: per-session topics, coalesced tallies, replay for reconnecting phones."""

from denkdag.live.broadcaster import Broadcaster, MemoryBroadcaster
from denkdag.live.coalesce import Coalescer
from denkdag.live.hub import Envelope, Hub
from denkdag.live.leases import TTL, Leases, LeaseUnavailable, LocalLeases


def make_broadcaster(redis_url: str | None = None) -> Broadcaster:
    """The in-process broadcaster, or the Redis one when a Redis URL is configured."""
    if redis_url:
        from denkdag.live.redis_bus import RedisBroadcaster

        return RedisBroadcaster(redis_url)
    return MemoryBroadcaster()


def make_leases(broadcaster: Broadcaster, ttl: float = TTL) -> Leases:
    """Leases shared through the broadcaster's Redis, or local ones for one process."""
    client = getattr(broadcaster, "client", None)
    if client is not None:
        from denkdag.live.redis_leases import RedisLeases

        return RedisLeases(client, getattr(broadcaster, "prefix", ""), ttl)
    return LocalLeases(ttl)


__all__ = [
    "Broadcaster",
    "Coalescer",
    "Envelope",
    "Hub",
    "LeaseUnavailable",
    "Leases",
    "LocalLeases",
    "MemoryBroadcaster",
    "make_broadcaster",
    "make_leases",
]
