"""The broadcaster interface and its in-process implementation.

The service publishes an event for a session's topic; every instance's hub delivers it to
the phones and projectors connected to that instance. In one process the bus is a direct
call; across instances a Redis pub/sub bus carries the same envelopes.
"""

from __future__ import annotations

from typing import Any, Protocol

from denkdag.live.hub import Envelope, Hub, encode


class Broadcaster(Protocol):
    """What the service needs from live broadcasting."""

    hub: Hub

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, event: str, public: Any, private: Any) -> Envelope:
        """Send `event` to the topic: `public` to participants, `private` to facilitators."""
        ...


def make_envelope(hub: Hub, event: str, public: Any, private: Any) -> Envelope:
    event_id = hub.next_id()
    public_bytes = encode(event_id, event, public)
    private_bytes = public_bytes if private == public else encode(event_id, event, private)
    return Envelope(
        id=event_id, event=event, public=public_bytes, private=private_bytes, data=private
    )


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
