"""The session cache: every instance's copy of its sessions, kept in step across instances.

A session is read from the database once however many requests ask at the same time
(after a restart every phone reconnects at once), then served from memory. A `state`
event, from this instance or another one over the bus, replaces an older cached state; a
`deleted` event forgets the session; a resync (the bus may have lost events) reloads every
cached session and has it republished.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from denkdag.app.timers import TimerWatch
from denkdag.domain import session_flow, timer
from denkdag.domain.errors import N_, UnknownSession
from denkdag.domain.model import Deck, Session, User
from denkdag.domain.views import slide_view
from denkdag.live import Broadcaster, Envelope
from denkdag.security import new_join_code, normalise_code
from denkdag.storage import CodeTaken, SqlStore

log = logging.getLogger(__name__)

DELETED = "deleted"
"""The event that tells every instance and screen that a session is gone."""
STATE = "state"
"""The event that carries a session's live state to every screen (app/views.py)."""

SessionHook = Callable[[Session], Awaitable[None]]


def unknown_session() -> UnknownSession:
    """The one refusal for a code that names no session (or, in the editor, not yours)."""
    return UnknownSession(N_("No session has this join code. Check the code and try again."))


def topic(session: Session) -> str:
    """The live topic of a session: every screen of it listens here."""
    return topic_of(session.id)


def topic_of(session_id: int) -> str:
    return f"session:{session_id}"


class SessionCache:
    """Sessions by join code and by id, loaded once, kept in step with every instance."""

    def __init__(self, store: SqlStore, broadcaster: Broadcaster, timers: TimerWatch) -> None:
        self._store = store
        self._broadcaster = broadcaster
        self._timers = timers
        self._by_code: dict[str, Session] = {}
        self._code_of: dict[int, str] = {}
        self._loading: dict[str, asyncio.Future[Session | None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._forget_hooks: list[Callable[[int], None]] = []
        self.on_first_load: SessionHook | None = None
        """Called once per session when this instance first reads it (the participation
        use cases prefetch its participants' tokens)."""
        self.on_resynced: SessionHook | None = None
        """Called for every cached session after a resync (republish its state)."""
        self._loaded: set[int] = set()
        broadcaster.hub.add_listener(self._on_event)
        broadcaster.hub.on_resync(self._on_resync)

    def on_forget(self, hook: Callable[[int], None]) -> None:
        """`hook(session_id)` runs whenever a session leaves this instance (deleted)."""
        self._forget_hooks.append(hook)

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    # reading ------------------------------------------------------------------------

    async def create(self, deck: Deck, owner_id: int | None) -> Session:
        """Store a deck as a new session with a fresh join code, on its first slide."""
        for _ in range(20):
            try:
                session = await self._store.create_session(
                    new_join_code(), owner_id, deck, session_flow.start(deck)
                )
            except CodeTaken:
                continue
            self.put(session)
            return session
        raise RuntimeError("could not find a free join code")

    async def get(self, code: str) -> Session:
        """The session with this join code (as typed); UnknownSession if there is none."""
        cached = self._by_code.get(code)  # keys are normalised: a hit needs no normalising
        if cached is not None:
            return cached
        code = normalise_code(code)
        cached = self._by_code.get(code)
        if cached is not None:
            return cached
        session = await self._load(code) if code else None
        if session is None:
            raise unknown_session()
        return session

    async def by_id(self, session_id: int) -> Session | None:
        """The cached session with this id, or the stored one; None if it is gone."""
        code = self._code_of.get(session_id)
        if code is not None:
            cached = self._by_code.get(code)
            if cached is not None:
                return cached
        return await self._store.session_by_id(session_id)

    async def of_user(self, user: User) -> list[Session]:
        """The sessions `user` owns."""
        return await self._store.sessions_of(user.id)

    def cached(self) -> list[Session]:
        return list(self._by_code.values())

    async def _load(self, code: str) -> Session | None:
        loading = self._loading.get(code)
        if loading is None:
            loading = asyncio.ensure_future(self._read(code))
            self._loading[code] = loading
            loading.add_done_callback(lambda _done: self._loading.pop(code, None))
        return await asyncio.shield(loading)

    async def _read(self, code: str) -> Session | None:
        session = await self._store.session_by_code(code)
        if session is None:
            return None
        if session.id not in self._loaded:
            self._loaded.add(session.id)
            if self.on_first_load is not None:
                await self.on_first_load(session)
        return self.remember(session)

    # keeping the cache --------------------------------------------------------------

    def put(self, session: Session) -> None:
        """Cache `session` as it is now (a change this instance just stored)."""
        self._by_code[session.code] = session
        self._code_of[session.id] = session.code
        self._timers.watch(session)

    def remember(self, session: Session) -> Session:
        """Cache `session` unless the cache already holds a newer state; the newer one."""
        cached = self._by_code.get(session.code)
        if cached is not None and cached.state.version >= session.state.version:
            return cached
        self.put(session)
        return session

    async def reload(self, session: Session) -> Session:
        """The session as stored now (UnknownSession once it is deleted), cached."""
        fresh = await self._store.session_by_id(session.id)
        if fresh is None:
            raise UnknownSession(N_("This session no longer exists."))
        return self.remember(fresh)

    def drop(self, code: str) -> None:
        """Forget a cached copy, so the next request reads the session from the database."""
        gone = self._by_code.pop(code, None)
        if gone is not None:
            self._code_of.pop(gone.id, None)

    def forget(self, code: str, session_id: int) -> None:
        """The session is gone: forget it here and in every part that keeps some of it."""
        self._by_code.pop(code, None)
        self._code_of.pop(session_id, None)
        self._loaded.discard(session_id)
        self._timers.forget(session_id)
        for hook in self._forget_hooks:
            hook(session_id)

    async def delete(self, session: Session) -> None:
        """Delete the session and everything of its participants, for good.

        A `deleted` event tells every instance (over the bus) to forget the session and
        every open stream of it to end, so no cache serves it after the deletion.
        """
        await self._store.delete_session(session.id)
        self.forget(session.code, session.id)
        gone = {"code": session.code}
        await self._broadcaster.publish(topic(session), DELETED, gone, gone)

    # across instances ---------------------------------------------------------------

    def _on_event(self, _topic: str, envelope: Envelope) -> None:
        """A `state` event (from this or any instance) replaces an older cached state."""
        view = envelope.data
        if envelope.event == DELETED and isinstance(view, dict):
            gone = self._by_code.get(str(view.get("code")))
            if gone is not None:
                self.forget(gone.code, gone.id)
            return
        if envelope.event != STATE or not isinstance(view, dict):
            return
        cached = self._by_code.get(str(view.get("code")))
        version = view.get("version")
        if cached is None or not isinstance(version, int) or version <= cached.state.version:
            return
        cached_slides = json.dumps([slide_view(s) for s in cached.deck.slides], sort_keys=True)
        if json.dumps(view.get("slides"), sort_keys=True) != cached_slides:
            # The deck itself changed (the browser editor, maybe on another instance):
            # forget it, so the next request reads the new deck from the database.
            self.drop(cached.code)
            return
        current = view.get("current_slide")
        state = replace(
            cached.state,
            current_slide=current,
            open_slides=frozenset(view.get("open_slides", ())),
            revealed=frozenset(view.get("revealed", ())),
            visited=cached.state.visited | ({current} if current else frozenset()),
            version=version,
            timers=timer.from_dicts(view.get("timers", ())),
        )
        self.put(replace(cached, state=state))

    def _on_resync(self) -> None:
        """The bus may have lost events: reload every cached session and republish it."""
        task = asyncio.create_task(self._resync(), name="denkdag-resync")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resync(self) -> None:
        for cached in self.cached():
            try:
                fresh = await self.reload(cached)
            except UnknownSession:
                self.drop(cached.code)
                continue
            except Exception:
                log.exception("resynchronising session %s failed", cached.id)
                continue
            if self.on_resynced is not None:
                await self.on_resynced(fresh)
