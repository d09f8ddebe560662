"""Participation: joining a session (anonymously, or with a personal invitation code),
recognising a participant by their token, and recording their answers."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from denkdag.app.results import PRESENCE, Touch
from denkdag.app.rounds import LiveRounds
from denkdag.app.sessions import SessionCache
from denkdag.domain import timer
from denkdag.domain.errors import N_, NotAllowed, SessionBusy, SlideNotOpen
from denkdag.domain.model import Session
from denkdag.domain.responses import accept_answer
from denkdag.security import new_invitation_code, new_token, normalise_invitation, token_hash
from denkdag.storage import SqlStore
from denkdag.storage.answer_writes import REPLAYED, STORED, AnswerWrite
from denkdag.storage.quiz import QuizStore
from denkdag.storage.store import Refused

PARTICIPANT_CACHE = 200_000
PREFETCH_PARTICIPANTS = 20_000
"""When an instance first loads a session, it reads the tokens of this many of its newest
participants into the cache in one query (about 0.3 MB per 1,000), so the first vote of
each phone after a restart costs no database round trip of its own."""
STALE_RETRIES = 5
SESSION_FULL = N_(
    "This session is full: the maximum number of participants (%(capacity)s) has been reached."
)
INVITATION_REFUSED = N_(
    "This session needs a personal invitation code, and this one is unknown or used already."
)


@dataclass(frozen=True)
class Participant:
    id: int
    session: Session


class Participation:
    """The participant's use cases, with a cache of participant tokens."""

    def __init__(
        self,
        store: SqlStore,
        sessions: SessionCache,
        rounds: LiveRounds,
        touch: Touch,
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._rounds = rounds
        self._touch = touch
        self._clock = clock
        self._participants: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._invited_only: set[int] = set()

    async def prefetch(self, session: Session) -> None:
        """Cache the tokens of the session's newest participants (PREFETCH_PARTICIPANTS)."""
        rows = await self._store.participants_of_session(session.id, PREFETCH_PARTICIPANTS)
        for hashed, participant_id in reversed(rows):  # the newest stay longest
            if hashed not in self._participants:
                self._remember(hashed, participant_id, session.id)

    def forget(self, session_id: int) -> None:
        self._invited_only.discard(session_id)
        for hashed, (_, owner) in list(self._participants.items()):
            if owner == session_id:
                del self._participants[hashed]

    async def join(self, code: str, invitation: str | None = None) -> str:
        """A new anonymous participant of the session; returns their token.

        A session with invitation codes admits only a holder of an unused one (one code,
        one voice); the code is used up in the same transaction that adds the participant.
        A facilitator's `capacity:` is checked in that transaction too. An open session's
        join is one write and no read: whether it has codes is learnt from that write.
        """
        session = await self._sessions.get(code)
        capacity = session.deck.info.capacity
        token = new_token()
        hashed = token_hash(token)
        admitted: int | Refused = Refused.NEEDS_INVITATION
        if session.id not in self._invited_only:
            admitted = await self._store.add_participant(session.id, hashed, capacity)
        if admitted is Refused.NEEDS_INVITATION:
            self._invited_only.add(session.id)
            typed = normalise_invitation(invitation or "")
            admitted = Refused.UNKNOWN_INVITATION
            if typed:
                admitted = await self._store.add_invited_participant(
                    session.id, hashed, token_hash(typed), capacity
                )
        if admitted is Refused.FULL:
            raise NotAllowed(SESSION_FULL, capacity=capacity)
        if isinstance(admitted, Refused):
            raise NotAllowed(INVITATION_REFUSED)
        self._remember(hashed, admitted, session.id)
        self._touch(session.id, PRESENCE)
        return token

    async def needs_invitation(self, session: Session) -> bool:
        if session.id in self._invited_only:
            return True
        if await self._store.needs_invitation(session.id):
            self._invited_only.add(session.id)
            return True
        return False

    async def create_invitations(self, session: Session, count: int) -> list[str]:
        """`count` new personal invitation codes; from now on the session needs one to join.

        Only their hashes are stored: print or hand out the list now.
        """
        codes = [new_invitation_code() for _ in range(count)]
        hashes = [token_hash(normalise_invitation(code)) for code in codes]
        await self._store.add_invitations(session.id, hashes)
        self._invited_only.add(session.id)
        return codes

    async def purge_answers(self, days: int) -> int:
        """Delete answers older than `days` days (the retention setting); how many."""
        cutoff = datetime.now(UTC) - timedelta(days=days)
        votes = await self._rounds.delete_votes_before(cutoff)  # statement-round votes
        await QuizStore(self._store).delete_nicknames_before(cutoff)  # quiz nicknames
        return votes + await self._store.delete_answers_before(cutoff)

    def _remember(self, hashed: str, participant_id: int, session_id: int) -> None:
        self._participants[hashed] = (participant_id, session_id)
        if len(self._participants) > PARTICIPANT_CACHE:
            self._participants.popitem(last=False)

    def known(self, session: Session, token: str) -> bool:
        """Whether `token` is a participant's of `session` in this instance's cache (no
        database): a stream opened with it needs no facilitator lookup."""
        found = self._participants.get(token_hash(token))
        return found is not None and found[1] == session.id

    async def participant(self, code: str, token: str | None) -> Participant:
        """The participant holding `token` in this session; NotAllowed otherwise."""
        session = await self._sessions.get(code)
        if not token:
            raise NotAllowed(N_("Join the session first: this request has no participant token."))
        hashed = token_hash(token)
        found = self._participants.get(hashed)
        if found is None:
            found = await self._store.participant_for_token(hashed)
            if found is not None:
                self._remember(hashed, *found)
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
                    session.deck, session.state, slide_id, value, now=self._clock()
                )
            except SlideNotOpen:
                fresh = await self._sessions.reload(session)
                if fresh.state.version != session.state.version:
                    session = fresh
                    continue
                if idempotency_key is not None:
                    replay = await self._store.answer_for_key(
                        participant.id, slide_id, idempotency_key
                    )
                    if replay is not None:
                        return replay.value
                raise
            outcome = await self._store.write_answer(
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
                self._touch(session.id, slide_id)
            if outcome.status in {STORED, REPLAYED}:
                return outcome.value
            session = await self._sessions.reload(session)
        raise SessionBusy()

    async def answers_of(self, participant: Participant) -> dict[str, Any]:
        return await self._store.answers_of(participant.id)
