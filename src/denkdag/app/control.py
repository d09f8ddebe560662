"""Control: a facilitator's actions on the live session (next slide, open, close, reveal,
timers), timers that close slides when they end, and a changed deck reaching the screens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from denkdag.app.access import Access
from denkdag.app.opinions import LiveOpinions
from denkdag.app.sessions import SessionCache
from denkdag.app.timers import TimerWatch
from denkdag.app.views import Views
from denkdag.domain import session_flow, timer
from denkdag.domain.errors import N_, SessionBusy, UnknownSession
from denkdag.domain.model import Session, User
from denkdag.storage import SqlStore

STALE_RETRIES = 5


class Control:
    """The facilitator's control of a running session; one change at a time per session."""

    def __init__(
        self,
        store: SqlStore,
        sessions: SessionCache,
        access: Access,
        views: Views,
        timers: TimerWatch,
        opinions: LiveOpinions,
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._access = access
        self._views = views
        self._timers = timers
        self._opinions = opinions
        self._clock = clock
        self._locks: dict[int, asyncio.Lock] = {}

    def forget(self, session_id: int) -> None:
        self._locks.pop(session_id, None)

    async def apply(
        self,
        code: str,
        user: User | None,
        action: str,
        slide_id: str | None = None,
        seconds: int | None = None,
    ) -> Session:
        """Apply a facilitator's action, store it, then tell every screen.

        `seconds` goes with the timer actions (timer-start, timer-add).
        """
        session = await self._access.facilitated(code, user)
        lock = self._locks.setdefault(session.id, asyncio.Lock())
        async with lock:
            for _ in range(STALE_RETRIES):
                current = await self._store.session_by_id(session.id)
                if current is None:
                    raise UnknownSession(N_("This session no longer exists."))
                state = session_flow.apply(
                    current.deck,
                    current.state,
                    action,
                    slide_id,
                    now=self._clock(),
                    seconds=seconds,
                )
                if await self._store.save_state(current.id, state, current.state.version):
                    break
            else:
                raise SessionBusy()
            updated = Session(current.id, current.code, current.deck, state, current.owner_id)
            self._sessions.put(updated)
        await self._views.publish(updated)
        return updated

    async def expire_timers(self, session_id: int) -> Session | None:
        """Close the slides whose closing timer has ended, store that, tell every screen.

        Every instance with the session cached calls this at the deadline; the state
        version lets one of them store the change, and the others find nothing to do.
        """
        for _ in range(STALE_RETRIES):
            current = await self._store.session_by_id(session_id)
            if current is None:
                return None
            state = timer.expire(current.state, self._clock())
            if state is None:
                current = self._sessions.remember(current)
                self._timers.watch(current)
                return current
            if await self._store.save_state(current.id, state, current.state.version):
                updated = replace(current, state=state)
                self._sessions.put(updated)
                await self._views.publish(updated)
                return updated
        return None

    async def deck_changed(self, session: Session) -> None:
        """A stored change of the session's deck (the editor): cache it, tell the screens."""
        self._sessions.put(session)
        self._opinions.forget(session.id)  # its statements may have changed
        await self._views.publish(session)
