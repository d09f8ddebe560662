"""A screen's live stream of a session: where it starts (what it missed since its last
message, or the session's opening state), then every message of the session's topic.

The web's stream endpoint writes the frames; this part owns the hub it reads them from,
so the entry points never reach into the live layer themselves.
"""

from __future__ import annotations

from denkdag.app.sessions import STATE, topic
from denkdag.app.views import Views
from denkdag.domain.model import Session
from denkdag.live import Broadcaster
from denkdag.live.hub import Envelope, Subscription, encode

__all__ = ["Envelope", "Streams", "Subscription"]


class Streams:
    """Subscriptions to sessions' topics on this instance's hub."""

    def __init__(self, broadcaster: Broadcaster, views: Views) -> None:
        self._hub = broadcaster.hub
        self._views = views

    def subscribe(self, session: Session, *, facilitator: bool) -> Subscription:
        """A new subscription to every message of `session` from now on that the role
        reads (a facilitator's screen also gets the messages for facilitators only)."""
        return self._hub.subscribe(topic(session), facilitator)

    def unsubscribe(self, session: Session, subscription: Subscription) -> None:
        self._hub.unsubscribe(topic(session), subscription)

    async def opening(
        self, session: Session, last_id: int | None, *, facilitator: bool
    ) -> list[bytes]:
        """The frames a stream starts with: what it missed since `last_id` while the hub
        still holds it, otherwise a fresh `state` (a stream subscribes before it asks)."""
        missed = self._hub.since(topic(session), last_id) if last_id is not None else None
        if missed is not None:
            return [
                envelope.for_role(facilitator)
                for envelope in missed
                if facilitator or envelope.for_participants
            ]
        view = await self._views.opening(session, facilitator=facilitator)
        return [encode(self._hub.next_id(), STATE, view)]
