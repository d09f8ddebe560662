"""The in-process hub: one topic per session, subscribers as bounded queues, a replay ring.

Every broadcast is encoded once into SSE bytes and the same bytes object is handed to every
subscriber, so fan-out costs one queue put per phone and no per-phone encoding. A
subscriber that falls too far behind is dropped; its phone reconnects and catches up from
the ring (`Last-Event-ID`) or a fresh `state`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

RING_SIZE = 256
QUEUE_SIZE = 64


@dataclass(frozen=True)
class Envelope:
    """One event as sent: for participants, and for facilitators (who see every count)."""

    id: int
    event: str
    public: bytes
    private: bytes
    data: Any = field(default=None, compare=False, repr=False)
    """The facilitators' payload as a Python value, for in-process listeners."""

    def for_role(self, facilitator: bool) -> bytes:
        return self.private if facilitator else self.public

    @property
    def for_participants(self) -> bool:
        return bool(self.public)


def envelope(event_id: int, event: str, public: Any, private: Any) -> Envelope:
    """An event as sent: `public` to participants, `private` to facilitators. A `public`
    of None sends the event to facilitators only (`Envelope.for_participants` is then
    false): what only their screens show, such as how many have joined, costs the
    participants' streams nothing."""
    private_bytes = encode(event_id, event, private)
    if public is None:
        public_bytes = b""
    else:
        public_bytes = private_bytes if public == private else encode(event_id, event, public)
    return Envelope(event_id, event, public_bytes, private_bytes, data=private)


def encode(event_id: int, event: str, data: Any) -> bytes:
    """An SSE frame: id, event name and one line of JSON data."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {payload}\n\n".encode()


Listener = Callable[[str, "Envelope"], None]


class Idle:
    """Nothing arrived in time: the caller may send a heartbeat."""


IDLE = Idle()


class Subscription:
    """A subscriber's pending events, and a flag set when it could not keep up.

    A plain deque and at most one waiting future: delivering an event to a waiting phone
    costs an append and a `set_result`, with no task or queue machinery per event, which
    is what keeps fan-out to thousands of streams cheap.
    """

    __slots__ = ("_waiter", "dropped", "facilitator", "pending")

    def __init__(self, facilitator: bool = False) -> None:
        self.pending: deque[Envelope] = deque()
        self.dropped = False
        self.facilitator = facilitator
        """A facilitator's screen: it also gets the events for facilitators only."""
        self._waiter: asyncio.Future[None] | None = None

    def push(self, envelope: Envelope) -> bool:
        """Queue `envelope`; False (and nothing queued) when the subscriber is too far behind."""
        if len(self.pending) >= QUEUE_SIZE:
            return False
        self.pending.append(envelope)
        self._wake()
        return True

    def drop(self) -> None:
        self.dropped = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self, timeout: float | None = None) -> Envelope | Idle | None:
        """The next envelope; IDLE after `timeout` seconds without one; None once dropped.

        The time-out is a bare timer handle that resolves the waiter, not an
        `asyncio.timeout` scope (which costs a context object and a task cancellation):
        this runs once per event per stream.
        """
        if self.pending:
            return self.pending.popleft()
        if self.dropped:
            return None
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = None if timeout is None else loop.call_later(timeout, _resolve, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()
        if self.pending:
            return self.pending.popleft()
        return None if self.dropped else IDLE


def _facilitators(subscribers: set[Subscription]) -> list[Subscription]:
    return [s for s in subscribers if s.facilitator]


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    """Topics, their subscribers and their recent events, in this process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._rings: dict[str, deque[Envelope]] = {}
        self._last_id = 0
        self.delivered = 0
        self.dropped = 0
        self._listeners: list[Listener] = []
        self._resync: list[Callable[[], None]] = []

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(topic, envelope)` for every new event, before the subscribers
        get it: how an instance keeps its caches in step with changes made elsewhere."""
        self._listeners.append(listener)

    def on_resync(self, callback: Callable[[], None]) -> None:
        """Call `callback()` when this hub may have missed events (a bus reconnected)."""
        self._resync.append(callback)

    def resync(self) -> None:
        """Tell the resync callbacks that events may have been missed."""
        for callback in list(self._resync):
            try:
                callback()
            except Exception:
                log.exception("a resync callback failed")

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
        for listener in self._listeners:
            try:
                listener(topic, envelope)
            except Exception:
                log.exception("a listener of %s failed", topic)
        subscribers = self._subscribers.get(topic)
        if not subscribers:
            return
        readers = subscribers if envelope.for_participants else _facilitators(subscribers)
        behind = [s for s in readers if not s.push(envelope)]
        self.delivered += len(readers) - len(behind)
        for subscription in behind:
            self.dropped += 1
            subscription.drop()
            subscribers.discard(subscription)

    def since(self, topic: str, last_id: int) -> list[Envelope] | None:
        """The events after `last_id`, or None when they are no longer all in the ring."""
        ring = self._rings.get(topic)
        if not ring or last_id < ring[0].id:
            return None
        if last_id > ring[-1].id:
            return None
        return [envelope for envelope in ring if envelope.id > last_id]

    def subscribe(self, topic: str, facilitator: bool = False) -> Subscription:
        subscription = Subscription(facilitator)
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
