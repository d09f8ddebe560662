"""The in-process hub: one topic per session, subscribers as bounded queues, a replay ring.

Every broadcast is encoded once into SSE bytes and the same bytes object is handed to every
subscriber, so fan-out costs one queue put per phone and no per-phone encoding. A
subscriber that falls too far behind is dropped; its phone reconnects and catches up from
the ring (`Last-Event-ID`) or a fresh `state`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

RING_SIZE = 256
QUEUE_SIZE = 64


@dataclass(frozen=True)
class Envelope:
    """One event as sent: for participants, and for facilitators (who see every count)."""

    id: int
    event: str
    public: bytes
    private: bytes

    def for_role(self, facilitator: bool) -> bytes:
        return self.private if facilitator else self.public


def encode(event_id: int, event: str, data: Any) -> bytes:
    """An SSE frame: id, event name and one line of JSON data."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {payload}\n\n".encode()


class Idle:
    """Nothing arrived in time: the caller may send a heartbeat."""


IDLE = Idle()


@dataclass(eq=False)
class Subscription:
    """A subscriber's queue; `dropped` is set when it could not keep up."""

    queue: asyncio.Queue[Envelope] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    async def next(self, timeout: float | None = None) -> Envelope | Idle | None:
        """The next envelope; IDLE after `timeout` seconds without one; None once dropped."""
        if not self.queue.empty():
            return self.queue.get_nowait()
        if self.dropped.is_set():
            return None
        getter = asyncio.ensure_future(self.queue.get())
        dropper = asyncio.ensure_future(self.dropped.wait())
        try:
            await asyncio.wait(
                {getter, dropper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            dropper.cancel()
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
        return None if self.dropped.is_set() else IDLE


class Hub:
    """Topics, their subscribers and their recent events, in this process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._rings: dict[str, deque[Envelope]] = {}
        self._last_id = 0
        self.delivered = 0
        self.dropped = 0

    def next_id(self) -> int:
        """An id that only grows, also across restarts (it starts from the clock)."""
        self._last_id = max(self._last_id + 1, time.time_ns() // 1000)
        return self._last_id

    def deliver(self, topic: str, envelope: Envelope) -> None:
        ring = self._rings.setdefault(topic, deque(maxlen=RING_SIZE))
        if ring and envelope.id <= ring[-1].id:
            return
        ring.append(envelope)
        self._last_id = max(self._last_id, envelope.id)
        for subscription in list(self._subscribers.get(topic, ())):
            try:
                subscription.queue.put_nowait(envelope)
                self.delivered += 1
            except asyncio.QueueFull:
                self.dropped += 1
                subscription.dropped.set()
                self._subscribers[topic].discard(subscription)

    def since(self, topic: str, last_id: int) -> list[Envelope] | None:
        """The events after `last_id`, or None when they are no longer all in the ring."""
        ring = self._rings.get(topic)
        if not ring or last_id < ring[0].id:
            return None
        if last_id > ring[-1].id:
            return None
        return [envelope for envelope in ring if envelope.id > last_id]

    def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription()
        self._subscribers.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, topic: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[topic]

    def subscriber_count(self, topic: str | None = None) -> int:
        if topic is not None:
            return len(self._subscribers.get(topic, ()))
        return sum(len(s) for s in self._subscribers.values())

    async def stream(self, topic: str) -> AsyncIterator[Envelope]:
        subscription = self.subscribe(topic)
        try:
            while (envelope := await subscription.next()) is not None:
                if isinstance(envelope, Envelope):
                    yield envelope
        finally:
            self.unsubscribe(topic, subscription)
