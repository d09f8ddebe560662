"""The broadcaster interface and its in-process implementation.

The service publishes an event for a session's topic; every instance's hub delivers it to
the phones and projectors connected to that instance. In one process the bus is a direct
call; across instances a Redis pub/sub bus carries the same envelopes.
"""

from __future__ import annotations

from typing import Any, Protocol

from denkdag.live.hub import Envelope, Hub, envelope


class Broadcaster(Protocol):
    """What the service needs from live broadcasting."""

    hub: Hub

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, event: str, public: Any, private: Any) -> Envelope:
        """Send `event` to the topic: `public` to participants, `private` to facilitators
        (a `public` of None: to facilitators only)."""
        ...


def make_envelope(hub: Hub, event: str, public: Any, private: Any) -> Envelope:
    return envelope(hub.next_id(), event, public, private)


class MemoryBroadcaster:
    """Broadcasting within one process: the default for a single `denkdag serve`."""

    def __init__(self) -> None:
        self.hub = Hub()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, event: str, public: Any, private: Any) -> Envelope:
        envelope = make_envelope(self.hub, event, public, private)
        self.hub.deliver(topic, envelope)
        return envelope
