"""The session as screens see it: the public view, the live `state` event, a new stream's
opening state, and publishing that state to every screen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from denkdag.app.results import Results
from denkdag.app.sessions import STATE, topic
from denkdag.domain import timer
from denkdag.domain.model import Session
from denkdag.domain.views import info_view, slide_view
from denkdag.domain.visibility import room_sees
from denkdag.live import Broadcaster, Envelope

OPENING_SHARED_FOR = 2.0
"""Seconds at most that new streams share one computed opening state (see Views.opening)."""


class Views:
    """What screens are sent of a session, and when."""

    def __init__(
        self, results: Results, broadcaster: Broadcaster, clock: Callable[[], float]
    ) -> None:
        self._results = results
        self._broadcaster = broadcaster
        self._clock = clock
        self._openings: dict[str, tuple[int, int, float, asyncio.Future[dict[str, Any]]]] = {}
        self._heard: dict[str, int] = {}
        """Events heard per session topic: a new stream's opening state stays shared only
        while no event of its session has come since it was computed."""
        broadcaster.hub.add_listener(self._on_event)

    def forget(self, session_id: int) -> None:
        self._openings.pop(f"session:{session_id}", None)

    async def public(self, session: Session) -> dict[str, Any]:
        """The session as participants see it (GET /api/v1/sessions/{code})."""
        revealed: dict[str, dict[str, Any]] = {}
        for slide in session.deck.slides:
            if room_sees(session.deck.info, session.state, slide.id):
                revealed[slide.id] = (await self._results.tally(session, slide)).as_dict()
            elif slide.id in session.state.revealed:  # how many answered, not what
                tally = await self._results.tally(session, slide)
                revealed[slide.id] = tally.as_dict(with_counts=False)
        return self._view(session, revealed)

    async def live(self, session: Session) -> dict[str, Any]:
        """The `state` event: the public view with the revealed results cut down to what
        a slide change needs, since every phone and projector gets it at once.

        `revealed` still names every revealed slide, but only the current slide's entry
        holds results, and only the tally's core (`slide`, `respondents`, `counts`): not
        the kind's own fields, which grow with the room (an open-answer wall, a word
        cloud's words). Other revealed slides are `{"slide": id}`. Screens load the
        current slide's results with its page fragment, and `GET /api/v1/sessions/{code}`
        has all of them in full. One tally to compute, not one per revealed slide.
        """
        revealed: dict[str, dict[str, Any]] = {}
        current = session.state.current_slide
        for slide in session.deck.slides:
            if slide.id not in session.state.revealed:
                continue
            if slide.id == current:
                tally = await self._results.tally(session, slide)
                revealed[slide.id] = {
                    "slide": slide.id,
                    "respondents": tally.respondents,
                    "counts": dict(tally.counts),
                }
            else:
                revealed[slide.id] = {"slide": slide.id}
        return self._view(session, revealed)

    @staticmethod
    def for_room(session: Session, view: dict[str, Any]) -> dict[str, Any]:
        """The `state` view as every phone gets it: a revealed slide whose results the
        room may not see all at once (`phone_results`: never, after-answer; see
        domain/visibility.py) is named without its counts."""
        info, state = session.deck.info, session.state
        revealed = {
            slide_id: entry if room_sees(info, state, slide_id) else {"slide": slide_id}
            for slide_id, entry in view["revealed"].items()
        }
        return {**view, "revealed": revealed}

    async def opening(self, session: Session, *, facilitator: bool = True) -> dict[str, Any]:
        """The `state` a new stream starts with (`live` and `joined`), computed once
        for every stream that opens between two events of the session: after a restart
        all phones reconnect at once, and each would cost a tally and a count.

        Any event of the session (a state, a tally, presence) ends the sharing, so a
        stream, which subscribes before it asks for this, never starts from a state older
        than the events it hears next; so does OPENING_SHARED_FOR (events of other
        instances may not arrive while the bus is away). `server_time` is each stream's own.
        """
        name = topic(session)
        heard = self._heard.get(name, 0)
        shared = self._openings.get(name)
        now = time.monotonic()
        if (
            shared is None
            or shared[0] != heard
            or shared[1] != session.state.version
            or now - shared[2] > OPENING_SHARED_FOR
        ):
            future = asyncio.ensure_future(self._with_joined(session))
            shared = (heard, session.state.version, now, future)
            self._openings[name] = shared

            def failed(done: asyncio.Future[dict[str, Any]], entry: Any = shared) -> None:
                if not done.cancelled() and done.exception() is not None:
                    if self._openings.get(name) is entry:
                        del self._openings[name]

            future.add_done_callback(failed)
        view = await asyncio.shield(shared[3])
        if not facilitator:
            view = self.for_room(session, view)
        return {**view, "server_time": self._clock()}

    async def publish(self, session: Session) -> None:
        """Tell every screen of the session its new state (phones: `for_room`)."""
        view = await self._with_joined(session)
        await self._broadcaster.publish(topic(session), STATE, self.for_room(session, view), view)

    async def _with_joined(self, session: Session) -> dict[str, Any]:
        view = await self.live(session)
        view["joined"] = await self._results.joined(session)
        return view

    def _on_event(self, name: str, _envelope: Envelope) -> None:
        self._heard[name] = self._heard.get(name, 0) + 1
        self._openings.pop(name, None)

    def _view(self, session: Session, revealed: dict[str, Any]) -> dict[str, Any]:
        info = session.deck.info
        return {
            "code": session.code,
            **info_view(info),
            "results_mode": info.results.value,
            "slides": [slide_view(slide) for slide in session.deck.slides],
            "current_slide": session.state.current_slide,
            "open_slides": sorted(session.state.open_slides),
            "revealed": revealed,
            "version": session.state.version,
            "pace": info.pace,
            "phone_results": info.phone_results,
            "next_closes": info.next_closes,
            "timers": [timer.as_dict(countdown) for countdown in session.state.timers],
            "server_time": self._clock(),
        }
