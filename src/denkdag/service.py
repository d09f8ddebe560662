"""The use cases: load → decide (domain) → commit (storage) → broadcast (live).

This is the one place that orders those steps, so an answer is acknowledged only after it
is committed, and screens hear of a change only after it is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from denkdag.domain import session_flow
from denkdag.domain.errors import NotAllowed, UnknownSession
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Deck, Session, Slide
from denkdag.domain.responses import accept_answer
from denkdag.domain.tally import Tally
from denkdag.live import Broadcaster, Coalescer
from denkdag.security import (
    hash_password,
    new_join_code,
    new_token,
    normalise_code,
    token_hash,
    verify_password,
)
from denkdag.storage import CodeTaken, SqlStore, User

log = logging.getLogger(__name__)

API_TOKEN = "api"
LOGIN_TOKEN = "login"
LINK_TOKEN = "link"
LOGIN_LIFETIME = timedelta(days=14)
LINK_LIFETIME = timedelta(hours=12)
PRESENCE = "__joined__"
PARTICIPANT_CACHE = 200_000


@dataclass(frozen=True)
class Participant:
    id: int
    session: Session


def topic(session: Session) -> str:
    return f"session:{session.id}"


class Denkdag:
    """The application's use cases over a store and a broadcaster."""

    def __init__(self, store: SqlStore, broadcaster: Broadcaster, tally_interval: float = 0.25):
        self.store = store
        self.broadcaster = broadcaster
        self.coalescer = Coalescer(self._publish_tallies, tally_interval)
        self._sessions: dict[str, Session] = {}
        self._participants: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._control_lock: dict[int, asyncio.Lock] = {}

    async def start(self) -> None:
        await self.broadcaster.start()

    async def stop(self) -> None:
        await self.coalescer.stop()
        await self.broadcaster.stop()

    # sessions -----------------------------------------------------------------------

    async def create_session(self, deck: Deck, owner_id: int | None) -> Session:
        """Store a deck as a new session with a fresh join code, on its first slide."""
        for _ in range(20):
            try:
                session = await self.store.create_session(
                    new_join_code(), owner_id, deck, session_flow.start(deck)
                )
            except CodeTaken:
                continue
            self._sessions[session.code] = session
            return session
        raise RuntimeError("could not find a free join code")

    async def session(self, code: str) -> Session:
        """The session with this join code (as typed); UnknownSession if there is none."""
        code = normalise_code(code)
        cached = self._sessions.get(code)
        if cached is not None:
            return cached
        session = await self.store.session_by_code(code) if code else None
        if session is None:
            raise UnknownSession("No session has this join code. Check the code and try again.")
        self._sessions[code] = session
        return session

    async def tally(self, session: Session, slide: Slide) -> Tally:
        answers = await self.store.slide_answers(session.id, slide.id)
        return kind_of(slide.kind).tally(slide, answers)

    async def public_view(self, session: Session) -> dict[str, Any]:
        """The session as participants see it (API.md: GET /api/v1/sessions/{code})."""
        info = session.deck.info
        revealed = {}
        for slide in session.deck.slides:
            if slide.id in session.state.revealed:
                revealed[slide.id] = (await self.tally(session, slide)).as_dict()
        return {
            "code": session.code,
            "title": info.title,
            "event": info.event,
            "date": info.date,
            "venue": info.venue,
            "presenter": info.presenter,
            "role": info.role,
            "language": info.language,
            "results_mode": info.results.value,
            "slides": [slide_view(slide) for slide in session.deck.slides],
            "current_slide": session.state.current_slide,
            "open_slides": sorted(session.state.open_slides),
            "revealed": revealed,
            "version": session.state.version,
        }

    # participants -------------------------------------------------------------------

    async def join(self, code: str) -> str:
        """A new anonymous participant of the session; returns their token."""
        session = await self.session(code)
        token = new_token()
        hashed = token_hash(token)
        participant_id = await self.store.add_participant(session.id, hashed)
        self._remember_participant(hashed, participant_id, session.id)
        self.coalescer.touch(session.id, PRESENCE)
        return token

    def _remember_participant(self, hashed: str, participant_id: int, session_id: int) -> None:
        self._participants[hashed] = (participant_id, session_id)
        if len(self._participants) > PARTICIPANT_CACHE:
            self._participants.popitem(last=False)

    async def participant(self, code: str, token: str | None) -> Participant:
        """The participant holding `token` in this session; NotAllowed otherwise."""
        session = await self.session(code)
        if not token:
            raise NotAllowed("Join the session first: this request has no participant token.")
        hashed = token_hash(token)
        found = self._participants.get(hashed)
        if found is None:
            found = await self.store.participant_for_token(hashed)
            if found is not None:
                self._remember_participant(hashed, *found)
        if found is None or found[1] != session.id:
            raise NotAllowed("This participant token does not belong to this session.")
        return Participant(found[0], session)

    async def respond(self, code: str, token: str | None, slide_id: str, value: object) -> Any:
        """Record (or replace) an answer; returns the stored value once committed."""
        participant = await self.participant(code, token)
        session = participant.session
        stored = accept_answer(session.deck, session.state, slide_id, value)
        await self.store.put_answer(session.id, slide_id, participant.id, stored)
        self.coalescer.touch(session.id, slide_id)
        return stored

    async def answers_of(self, participant: Participant) -> dict[str, Any]:
        return await self.store.answers_of(participant.id)

    # facilitators -------------------------------------------------------------------

    async def create_api_token(self, username: str) -> str:
        user = await self.store.ensure_user(username)
        token = new_token()
        await self.store.add_token(user.id, token_hash(token), API_TOKEN)
        return token

    async def set_password(self, username: str, password: str) -> User:
        user = await self.store.ensure_user(username)
        hashed = await asyncio.to_thread(hash_password, password)
        await self.store.set_password_hash(user.id, hashed)
        return user

    async def check_password(self, username: str, password: str) -> User | None:
        user = await self.store.user_by_name(username)
        stored = user.password_hash if user else None
        # Verify even for an unknown user, so timing does not tell which names exist.
        ok = await asyncio.to_thread(verify_password, stored or _dummy_hash(), password)
        return user if (user is not None and ok and stored) else None

    async def create_login(self, user: User) -> str:
        token = new_token()
        expires = datetime.now(UTC) + LOGIN_LIFETIME
        await self.store.add_token(user.id, token_hash(token), LOGIN_TOKEN, expires)
        return token

    async def create_signin_link(self, user: User) -> str:
        token = new_token()
        expires = datetime.now(UTC) + LINK_LIFETIME
        await self.store.add_token(user.id, token_hash(token), LINK_TOKEN, expires)
        return token

    async def user_for_token(self, token: str | None, *kinds: str) -> User | None:
        if not token:
            return None
        return await self.store.user_for_token(token_hash(token), kinds)

    async def logout(self, token: str) -> None:
        await self.store.delete_token(token_hash(token))

    async def facilitated(self, code: str, user: User | None) -> Session:
        """The session, if `user` facilitates it; NotAllowed (403) otherwise."""
        session = await self.session(code)
        if user is None:
            raise NotAllowed("Sign in as a facilitator of this session.")
        if session.owner_id != user.id:
            raise NotAllowed("You are not a facilitator of this session.")
        return session

    async def sessions_of(self, user: User) -> list[Session]:
        return await self.store.sessions_of(user.id)

    async def control(
        self, code: str, user: User | None, action: str, slide_id: str | None = None
    ) -> Session:
        """Apply a facilitator's action, store it, then tell every screen."""
        session = await self.facilitated(code, user)
        lock = self._control_lock.setdefault(session.id, asyncio.Lock())
        async with lock:
            for _ in range(5):
                current = await self.store.session_by_id(session.id)
                if current is None:
                    raise UnknownSession("This session no longer exists.")
                state = session_flow.apply(current.deck, current.state, action, slide_id)
                if await self.store.save_state(current.id, state, current.state.version):
                    break
            else:
                raise RuntimeError("the session kept changing; try again")
            updated = Session(current.id, current.code, current.deck, state, current.owner_id)
            self._sessions[updated.code] = updated
        await self.publish_state(updated)
        return updated

    async def results(self, session: Session) -> list[Tally]:
        return [await self.tally(session, slide) for slide in session.deck.slides]

    async def joined(self, session: Session) -> int:
        return await self.store.count_participants(session.id)

    # live -----------------------------------------------------------------------------

    async def publish_state(self, session: Session) -> None:
        view = await self.public_view(session)
        view["joined"] = await self.joined(session)
        await self.broadcaster.publish(topic(session), "state", view, view)

    async def _publish_tallies(self, session_id: int, slide_ids: set[str]) -> None:
        session = await self._session_by_id(session_id)
        if session is None:
            return
        if PRESENCE in slide_ids:
            joined = {"joined": await self.joined(session)}
            await self.broadcaster.publish(topic(session), "presence", joined, joined)
        for slide_id in sorted(slide_ids - {PRESENCE}):
            slide = session.deck.slide(slide_id)
            if slide is None:
                continue
            tally = await self.tally(session, slide)
            revealed = slide_id in session.state.revealed
            await self.broadcaster.publish(
                topic(session),
                "tally",
                tally.as_dict(with_counts=revealed),
                tally.as_dict(with_counts=True),
            )

    async def _session_by_id(self, session_id: int) -> Session | None:
        for session in self._sessions.values():
            if session.id == session_id:
                return session
        return await self.store.session_by_id(session_id)


def slide_view(slide: Slide) -> dict[str, Any]:
    """A slide as the API shows it."""
    view: dict[str, Any] = {
        "id": slide.id,
        "kind": slide.kind,
        "title": slide.title,
        "section": slide.section,
        "body": slide.body,
        "options": [
            {"id": o.id, "label": o.label, "description": o.description} for o in slide.options
        ],
    }
    if slide.kind == "choice":
        view["multiple"] = slide.multiple
    if slide.kind == "statement":
        view["statement"] = slide.statement
    if slide.extra:
        view["extra"] = dict(slide.extra)
    return view


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, made once when first needed."""
    return hash_password("denkdag-timing-equaliser")
