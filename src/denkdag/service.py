"""The use cases: load → decide (domain) → commit (storage) → broadcast (live).

This is the one place that orders those steps, so an answer is acknowledged only after it
is committed, and screens hear of a change only after it is stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from denkdag.conversation import LiveRounds
from denkdag.domain import session_flow, timer
from denkdag.domain.errors import (
    N_,
    InvalidControl,
    NotAllowed,
    NotFound,
    SlideNotOpen,
    UnknownSession,
    UnknownSlide,
)
from denkdag.domain.images import stored_name
from denkdag.domain.kinds import RecordKind, kind_of
from denkdag.domain.kinds.base import PRIVATE_EXTRA
from denkdag.domain.kinds.conversation import NAME as ROUND
from denkdag.domain.kinds.wordcloud import KIND as CLOUD
from denkdag.domain.kinds.wordcloud import hidden_key
from denkdag.domain.model import AUDIENCE_PACE, Deck, Session, Slide
from denkdag.domain.responses import accept_answer
from denkdag.domain.tally import AnswerRecord, Tally
from denkdag.formats.report import Report, build_report, with_moderation
from denkdag.live import Broadcaster, Coalescer, Envelope, MemoryBroadcaster, make_leases
from denkdag.live.recent import RecentValues
from denkdag.opinions import LiveOpinions
from denkdag.profiles import Profiles, report_opinion_members
from denkdag.questions import LiveQuestions
from denkdag.security import (
    hash_password,
    new_invitation_code,
    new_join_code,
    new_token,
    normalise_code,
    normalise_invitation,
    token_hash,
    verify_password,
)
from denkdag.storage import CodeTaken, SqlStore, User, progress
from denkdag.storage.accounts import AccountStore
from denkdag.storage.answer_writes import REPLAYED, STORED, AnswerWrite
from denkdag.storage.images import SlideImageStore
from denkdag.storage.words import HiddenWordStore
from denkdag.timers import TimerWatch

log = logging.getLogger(__name__)

API_TOKEN = "api"
DELETED = "deleted"
"""The event that tells every instance and screen that a session is gone."""
LOGIN_TOKEN = "login"
LINK_TOKEN = "link"
LOGIN_LIFETIME = timedelta(days=14)
LINK_LIFETIME = timedelta(hours=12)
PRESENCE = "__joined__"
PARTICIPANT_CACHE = 200_000
OPENING_SHARED_FOR = 2.0
"""Seconds at most that new streams share one computed opening state (see opening_state)."""
PREFETCH_PARTICIPANTS = 20_000
"""When an instance first loads a session, it reads the tokens of this many of its newest
participants into the cache in one query (about 0.3 MB per 1,000), so the first vote of
each phone after a restart costs no database round trip of its own."""
STALE_RETRIES = 5
INVITATION_REFUSED = N_(
    "This session needs a personal invitation code, and this one is unknown or used already."
)


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
        # Several instances: another one may publish a tally it read before our last
        # commit, after ours; one more (settling) round makes the last tally the final one.
        shared = not isinstance(broadcaster, MemoryBroadcaster)
        self.coalescer = Coalescer(
            self._publish_tallies,
            tally_interval,
            settle=shared,
            audience=lambda session_id: broadcaster.hub.subscriber_count(f"session:{session_id}"),
        )
        self._sessions: dict[str, Session] = {}
        self._shown_tallies: RecentValues[tuple[int, str], Tally] = RecentValues(tally_interval)
        self._shown_joined: RecentValues[int, int] = RecentValues(tally_interval)
        self._participants: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._prefetched: set[int] = set()
        self._openings: dict[str, tuple[int, int, float, asyncio.Future[dict[str, Any]]]] = {}
        self._heard: dict[str, int] = {}
        """Events heard per session topic: a new stream's opening state stays shared only
        while no event of its session has come since it was computed."""
        self._loading: dict[str, asyncio.Future[Session | None]] = {}
        self._control_lock: dict[int, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.clock: Callable[[], float] = time.time
        """The server's clock for slide timers (tests put their own in)."""
        self.timers = TimerWatch(self.expire_timers, lambda: self.clock())
        broadcaster.hub.add_listener(self._on_event)
        broadcaster.hub.on_resync(self._on_resync)
        self._invited_only: set[int] = set()
        self._pdf_slot = asyncio.Semaphore(1)
        self.rounds = LiveRounds(
            store, broadcaster, topic, tally_interval, self._reload, self.coalescer.touch
        )
        self.opinions = LiveOpinions(
            store,
            broadcaster,
            self._session_by_id,
            topic,
            rounds=self.rounds.opinion_columns,
            leases=make_leases(broadcaster),
        )
        self.co_facilitators = AccountStore(store)
        self.questions = LiveQuestions(store, broadcaster, topic, tally_interval)
        self.profiles = Profiles(store)

    async def start(self) -> None:
        await self.broadcaster.start()

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.timers.stop()
        await self.coalescer.stop()
        await self.opinions.stop()
        await self.questions.stop()
        await self.rounds.stop()
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
        cached = self._sessions.get(code)  # keys are normalised: a hit needs no normalising
        if cached is not None:
            return cached
        code = normalise_code(code)
        cached = self._sessions.get(code)
        if cached is not None:
            return cached
        session = await self._load_session(code) if code else None
        if session is None:
            raise UnknownSession(N_("No session has this join code. Check the code and try again."))
        return session

    async def _load_session(self, code: str) -> Session | None:
        """Read a session not in the cache, once however many requests ask at the same
        time (after a restart every phone reconnects at once), with its participants'
        tokens (see PREFETCH_PARTICIPANTS)."""
        loading = self._loading.get(code)
        if loading is None:
            loading = asyncio.ensure_future(self._read_session(code))
            self._loading[code] = loading
            loading.add_done_callback(lambda _done: self._loading.pop(code, None))
        return await asyncio.shield(loading)

    async def _read_session(self, code: str) -> Session | None:
        session = await self.store.session_by_code(code)
        if session is None:
            return None
        if session.id not in self._prefetched:
            rows = await self.store.participants_of_session(session.id, PREFETCH_PARTICIPANTS)
            self._prefetched.add(session.id)
            for hashed, participant_id in reversed(rows):  # the newest stay longest
                if hashed not in self._participants:
                    self._remember_participant(hashed, participant_id, session.id)
        return self._remember(session)

    async def tally(self, session: Session, slide: Slide) -> Tally:
        if slide.kind == ROUND:  # votes on its statements, not answers to the slide
            return await self.rounds.tally(session, slide)
        kind = kind_of(slide.kind)
        if kind is CLOUD:  # less the words its facilitator hid
            records = await self.store.slide_answer_records(session.id, slide.id)
            hidden = await HiddenWordStore(self.store).of_slide(session.id, slide.id)
            return CLOUD.tally_records(slide, records, hidden)
        if isinstance(kind, RecordKind):
            records = await self.store.slide_answer_records(session.id, slide.id)
            return kind.tally_records(slide, records)
        answers = await self.store.slide_answers(session.id, slide.id)
        return kind.tally(slide, answers)

    async def shown_tally(self, session: Session, slide: Slide) -> Tally:
        """The slide's tally as the room's phones show it: counted at most once a tally
        interval, once for all the phones that ask together (live/recent.py). Exact counts,
        for everything else: tally()."""
        return await self._shown_tallies.get(
            (session.id, slide.id), lambda: self.tally(session, slide)
        )

    async def moderate(
        self,
        code: str,
        user: User | None,
        slide_id: str,
        answer_id: int,
        *,
        hidden: bool | None = None,
        highlighted: bool | None = None,
    ) -> AnswerRecord:
        """Hide/show or highlight one answer of a moderated kind, then tell the screens."""
        session = await self.facilitated(code, user)
        slide = session.deck.slide(slide_id)
        if slide is None:
            raise UnknownSlide(N_("This session has no slide '%(slide_id)s'."), slide_id=slide_id)
        kind = kind_of(slide.kind)
        if not (isinstance(kind, RecordKind) and kind.moderated):
            raise InvalidControl(
                N_("Answers on a %(kind)s slide are not moderated one by one."), kind=slide.kind
            )
        record = await self.store.moderate_answer(
            session.id, slide_id, answer_id, hidden=hidden, highlighted=highlighted
        )
        if record is None:
            raise NotFound(
                N_("Slide '%(slide_id)s' has no answer %(answer_id)s."),
                slide_id=slide_id,
                answer_id=answer_id,
            )
        self.coalescer.touch(session.id, slide_id)
        return record

    async def hide_word(
        self, code: str, user: User | None, slide_id: str, word: object, *, hidden: bool
    ) -> Tally:
        """Hide a word from a word cloud (every spelling of it), or show it again; the
        slide's tally goes out to every screen at once. Returns the facilitator's tally."""
        session = await self.facilitated(code, user)
        slide = session.deck.slide(slide_id)
        if slide is None:
            raise UnknownSlide(N_("This session has no slide '%(slide)s'."), slide=slide_id)
        if kind_of(slide.kind) is not CLOUD:
            raise InvalidControl(
                N_("Words are hidden on word-cloud slides only, and '%(slide)s' is not one."),
                slide=slide_id,
            )
        key = hidden_key(word)
        await HiddenWordStore(self.store).set_hidden(session.id, slide_id, key, hidden)
        await self._publish_tallies(session.id, {slide_id})
        return await self.tally(session, slide)

    async def hidden_words(self, session: Session) -> dict[str, frozenset[str]]:
        """Slide id → the word-cloud words its facilitator hid (keys), for the exports."""
        return await HiddenWordStore(self.store).of_session(session.id)

    async def public_view(self, session: Session) -> dict[str, Any]:
        """The session as participants see it (GET /api/v1/sessions/{code})."""
        revealed = {}
        for slide in session.deck.slides:
            if slide.id in session.state.revealed:
                revealed[slide.id] = (await self.tally(session, slide)).as_dict()
        return self._view(session, revealed)

    async def live_view(self, session: Session) -> dict[str, Any]:
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
                tally = await self.tally(session, slide)
                revealed[slide.id] = {
                    "slide": slide.id,
                    "respondents": tally.respondents,
                    "counts": dict(tally.counts),
                }
            else:
                revealed[slide.id] = {"slide": slide.id}
        return self._view(session, revealed)

    async def opening_state(self, session: Session) -> dict[str, Any]:
        """The `state` a new stream starts with (`live_view` and `joined`), computed once
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
            future = asyncio.ensure_future(self._opening_state(session))
            shared = (heard, session.state.version, now, future)
            self._openings[name] = shared

            def failed(done: asyncio.Future[dict[str, Any]], entry: Any = shared) -> None:
                if not done.cancelled() and done.exception() is not None:
                    if self._openings.get(name) is entry:
                        del self._openings[name]

            future.add_done_callback(failed)
        view = await asyncio.shield(shared[3])
        return {**view, "server_time": self.clock()}

    async def _opening_state(self, session: Session) -> dict[str, Any]:
        view = await self.live_view(session)
        view["joined"] = await self.joined(session)
        return view

    def _view(self, session: Session, revealed: dict[str, Any]) -> dict[str, Any]:
        info = session.deck.info
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
            "pace": info.pace,
            "timers": [timer.as_dict(countdown) for countdown in session.state.timers],
            "server_time": self.clock(),
        }

    # participants -------------------------------------------------------------------

    async def join(self, code: str, invitation: str | None = None) -> str:
        """A new anonymous participant of the session; returns their token.

        A session with invitation codes admits only a holder of an unused one (one code,
        one voice); the code is used up in the same transaction that adds the participant.
        """
        session = await self.session(code)
        token = new_token()
        hashed = token_hash(token)
        if await self.needs_invitation(session):
            typed = normalise_invitation(invitation or "")
            found = None
            if typed:
                found = await self.store.add_invited_participant(
                    session.id, hashed, token_hash(typed)
                )
            if found is None:
                raise NotAllowed(INVITATION_REFUSED)
            participant_id = found
        else:
            participant_id = await self.store.add_participant(session.id, hashed)
        self._remember_participant(hashed, participant_id, session.id)
        self.coalescer.touch(session.id, PRESENCE)
        return token

    async def needs_invitation(self, session: Session) -> bool:
        if session.id in self._invited_only:
            return True
        if await self.store.needs_invitation(session.id):
            self._invited_only.add(session.id)
            return True
        return False

    async def create_invitations(self, session: Session, count: int) -> list[str]:
        """`count` new personal invitation codes; from now on the session needs one to join.

        Only their hashes are stored: print or hand out the list now.
        """
        codes = [new_invitation_code() for _ in range(count)]
        hashes = [token_hash(normalise_invitation(code)) for code in codes]
        await self.store.add_invitations(session.id, hashes)
        self._invited_only.add(session.id)
        return codes

    async def purge_answers(self, days: int) -> int:
        """Delete answers older than `days` days (the retention setting); how many."""
        cutoff = datetime.now(UTC) - timedelta(days=days)
        votes = await self.rounds.store.delete_votes_before(cutoff)  # statement-round votes
        return votes + await self.store.delete_answers_before(cutoff)

    def _remember_participant(self, hashed: str, participant_id: int, session_id: int) -> None:
        self._participants[hashed] = (participant_id, session_id)
        if len(self._participants) > PARTICIPANT_CACHE:
            self._participants.popitem(last=False)

    def known_participant(self, session: Session, token: str) -> bool:
        """Whether `token` is a participant's of `session` in this instance's cache (no
        database): a stream opened with it needs no facilitator lookup."""
        found = self._participants.get(token_hash(token))
        return found is not None and found[1] == session.id

    async def participant(self, code: str, token: str | None) -> Participant:
        """The participant holding `token` in this session; NotAllowed otherwise."""
        session = await self.session(code)
        if not token:
            raise NotAllowed(N_("Join the session first: this request has no participant token."))
        hashed = token_hash(token)
        found = self._participants.get(hashed)
        if found is None:
            found = await self.store.participant_for_token(hashed)
            if found is not None:
                self._remember_participant(hashed, *found)
        if found is None or found[1] != session.id:
            raise NotAllowed(N_("This participant token does not belong to this session."))
        return Participant(found[0], session)

    async def respond(
        self,
        code: str,
        token: str | None,
        slide_id: str,
        value: object,
        idempotency_key: str | None = None,
    ) -> Any:
        """Record (or replace) an answer; returns the stored value once committed.

        "Is the slide open" is decided twice: on the cached state (a change made on
        another instance reaches this cache as fast as its `state` event), and again in
        the transaction that writes, against the stored state version, so a slide closed
        on any instance is never written to however stale the cache. A refusal is checked
        against the database before it is given. A retry whose `idempotency_key` was
        applied before writes nothing and returns what is stored now.
        """
        participant = await self.participant(code, token)
        session = participant.session
        for _ in range(STALE_RETRIES):
            try:
                stored = accept_answer(
                    session.deck, session.state, slide_id, value, now=self.clock()
                )
            except SlideNotOpen:
                fresh = await self._reload(session)
                if fresh.state.version != session.state.version:
                    session = fresh
                    continue
                if idempotency_key is not None:
                    replay = await self.store.answer_for_key(
                        participant.id, slide_id, idempotency_key
                    )
                    if replay is not None:
                        return replay.value
                raise
            outcome = await self.store.write_answer(
                AnswerWrite(
                    session.id,
                    slide_id,
                    participant.id,
                    stored,
                    session.state.version,
                    idempotency_key,
                    timer.vote_deadline(session.state, slide_id),
                )
            )
            if outcome.status == STORED:
                self.coalescer.touch(session.id, slide_id)
            if outcome.status in {STORED, REPLAYED}:
                return outcome.value
            session = await self._reload(session)
        raise RuntimeError("the session kept changing; try again")

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
            raise NotAllowed(N_("Sign in as a facilitator of this session."))
        if not await self.may_facilitate(session, user):
            raise NotAllowed(N_("You are not a facilitator of this session."))
        return session

    async def may_facilitate(self, session: Session, user: User | None) -> bool:
        """Its owner and the co-facilitators the owner invited; no one else.

        Not administrators either (privacy first): they manage accounts, not sessions.
        """
        if user is None:
            return False
        if session.owner_id == user.id:
            return True
        return await self.co_facilitators.is_cofacilitator(session.id, user.id)

    async def sessions_of(self, user: User) -> list[Session]:
        return await self.store.sessions_of(user.id)

    async def control(
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
        session = await self.facilitated(code, user)
        lock = self._control_lock.setdefault(session.id, asyncio.Lock())
        async with lock:
            for _ in range(5):
                current = await self.store.session_by_id(session.id)
                if current is None:
                    raise UnknownSession(N_("This session no longer exists."))
                state = session_flow.apply(
                    current.deck,
                    current.state,
                    action,
                    slide_id,
                    now=self.clock(),
                    seconds=seconds,
                )
                if await self.store.save_state(current.id, state, current.state.version):
                    break
            else:
                raise RuntimeError("the session kept changing; try again")
            updated = Session(current.id, current.code, current.deck, state, current.owner_id)
            self._sessions[updated.code] = updated
        self.timers.watch(updated)
        await self.publish_state(updated)
        return updated

    async def expire_timers(self, session_id: int) -> Session | None:
        """Close the slides whose closing timer has ended, store that, tell every screen.

        Every instance with the session cached calls this at the deadline; the state
        version lets one of them store the change, and the others find nothing to do.
        """
        for _ in range(STALE_RETRIES):
            current = await self.store.session_by_id(session_id)
            if current is None:
                return None
            state = timer.expire(current.state, self.clock())
            if state is None:
                current = self._remember(current)
                self.timers.watch(current)
                return current
            if await self.store.save_state(current.id, state, current.state.version):
                updated = replace(current, state=state)
                self._sessions[updated.code] = updated
                self.timers.watch(updated)
                await self.publish_state(updated)
                return updated
        return None

    async def progress(self, session: Session) -> dict[str, Any]:
        """How far the room is through a session at audience pace: answers per question,
        and how many participants answered them all."""
        questions = [s.id for s in session.deck.slides if kind_of(s.kind).asks]
        answered = await progress.answered_per_slide(self.store, session.id)
        return {
            "joined": await self.joined(session),
            "questions": len(questions),
            "finished": await progress.finished(self.store, session.id, questions),
            "slides": {slide_id: answered.get(slide_id, 0) for slide_id in questions},
        }

    async def results(self, session: Session) -> list[Tally]:
        return [await self.tally(session, slide) for slide in session.deck.slides]

    async def joined(self, session: Session) -> int:
        return await self.store.count_participants(session.id)

    async def shown_joined(self, session: Session) -> int:
        """How many have joined, as the room's phones show it (see shown_tally)."""
        return await self._shown_joined.get(session.id, lambda: self.joined(session))

    # reports ------------------------------------------------------------------------------

    async def report(self, session: Session) -> Report:
        """The session's report; the opinion map is CPU work, so it is built in a thread."""
        tallies = await self.results(session)
        answers = await self.store.session_answers(session.id)
        joins = await self.store.join_times(session.id)
        rounds = await self.rounds.rounds(session)  # statement rounds' statements and votes
        live = await self.opinions.for_report(session)  # the groups the room saw
        report = await asyncio.to_thread(
            build_report,
            session,
            tallies,
            answers,
            joins,
            rounds=rounds,
            live=(live.map, live.fingerprint) if live and live.map is not None else None,
        )
        report = with_moderation(report, rounds, await self.hidden_words(session))
        if session.deck.info.profile:
            members, columns = report_opinion_members(report)
            profiles = await self.profiles.report(session, answers, members, columns)
            report = replace(report, profiles=profiles)
        return report

    async def report_pdf(
        self,
        html: str,
        *sessions: Session,
        extra: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> bytes:
        """The report's HTML as PDF, rendered in a thread, one at a time per process; the
        slide images of `sessions` (and the `extra` images: URL path → type and bytes, an
        event's logo say) are handed to the renderer (it fetches nothing itself)."""
        from denkdag.formats.export_pdf import report_pdf  # WeasyPrint loads in ~1 s

        images = dict(extra or {})
        for session in sessions:
            names = {
                name
                for slide in session.deck.slides
                if (name := stored_name(str(slide.extra.get("image", "")))) is not None
            }
            stored = await SlideImageStore(self.store).many(session.id, names)
            for name, image in stored.items():
                images[f"/media/{session.code}/{name}"] = (image.media_type, image.data)
        async with self._pdf_slot:
            return await asyncio.to_thread(report_pdf, html, images)

    async def delete_session(self, session: Session) -> None:
        """Delete the session and everything of its participants, for good.

        A `deleted` event tells every instance (over the bus) to forget the session and
        every open stream of it to end, so no cache serves it after the deletion.
        """
        await self.store.delete_session(session.id)
        self._forget_session(session.code, session.id)
        gone = {"code": session.code}
        await self.broadcaster.publish(topic(session), DELETED, gone, gone)

    def _forget_session(self, code: str, session_id: int) -> None:
        self._sessions.pop(code, None)
        self._prefetched.discard(session_id)
        self._openings.pop(f"session:{session_id}", None)
        self.opinions.forget(session_id)
        self.questions.forget(session_id)
        self.rounds.forget(session_id)
        self.timers.forget(session_id)
        for hashed, (_, owner) in list(self._participants.items()):
            if owner == session_id:
                del self._participants[hashed]

    async def deck_changed(self, session: Session) -> None:
        """A stored change of the session's deck (the editor): cache it, tell the screens."""
        self._sessions[session.code] = session
        self.timers.watch(session)
        self.opinions.forget(session.id)  # its statements may have changed
        await self.publish_state(session)

    # the session cache across instances ------------------------------------------------

    def _remember(self, session: Session) -> Session:
        """Cache `session` unless the cache already holds a newer state; the newer one."""
        cached = self._sessions.get(session.code)
        if cached is not None and cached.state.version >= session.state.version:
            return cached
        self._sessions[session.code] = session
        self.timers.watch(session)
        return session

    async def _reload(self, session: Session) -> Session:
        fresh = await self.store.session_by_id(session.id)
        if fresh is None:
            raise UnknownSession(N_("This session no longer exists."))
        return self._remember(fresh)

    def _on_event(self, _topic: str, envelope: Envelope) -> None:
        """A `state` event (from this or any instance) replaces an older cached state."""
        self._heard[_topic] = self._heard.get(_topic, 0) + 1
        self._openings.pop(_topic, None)
        view = envelope.data
        if envelope.event == DELETED and isinstance(view, dict):
            gone = self._sessions.get(str(view.get("code")))
            if gone is not None:
                self._forget_session(gone.code, gone.id)
            return
        if envelope.event != "state" or not isinstance(view, dict):
            return
        cached = self._sessions.get(str(view.get("code")))
        version = view.get("version")
        if cached is None or not isinstance(version, int) or version <= cached.state.version:
            return
        cached_slides = json.dumps([slide_view(s) for s in cached.deck.slides], sort_keys=True)
        if json.dumps(view.get("slides"), sort_keys=True) != cached_slides:
            # The deck itself changed (the browser editor, maybe on another instance):
            # forget it, so the next request reads the new deck from the database.
            self._sessions.pop(cached.code, None)
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
        self._sessions[cached.code] = replace(cached, state=state)
        self.timers.watch(self._sessions[cached.code])

    def _on_resync(self) -> None:
        """The bus may have lost events: reload every cached session and republish it."""
        task = asyncio.create_task(self._resync_sessions(), name="denkdag-resync")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resync_sessions(self) -> None:
        for cached in list(self._sessions.values()):
            try:
                fresh = await self._reload(cached)
            except UnknownSession:
                self._sessions.pop(cached.code, None)
                continue
            except Exception:
                log.exception("resynchronising session %s failed", cached.id)
                continue
            await self.publish_state(fresh)
            if fresh.state.current_slide:
                self.coalescer.touch(fresh.id, fresh.state.current_slide)

    # live -----------------------------------------------------------------------------

    async def publish_state(self, session: Session) -> None:
        view = await self.live_view(session)
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
                tally.as_dict(with_counts=True, facilitator=True),
            )
        if session.deck.info.pace == AUDIENCE_PACE:
            counts = await self.progress(session)
            await self.broadcaster.publish(topic(session), "progress", counts, counts)
        self.opinions.votes_changed(session, slide_ids)

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
    extra = {key: value for key, value in slide.extra.items() if key not in PRIVATE_EXTRA}
    if extra:
        view["extra"] = extra
        # A kind's own fields (a scale's items, min, max …) also stand beside the common
        # ones, as docs/api.md lists them.
        view.update({key: value for key, value in extra.items() if key not in view})
    return view


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, made once when first needed."""
    return hash_password("denkdag-timing-equaliser")
