"""Results: tallies (exact, and as the room's phones see them), moderation of answers and
words, the room's progress at audience pace, and publishing tallies to the screens."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from denkdag.app.access import Access
from denkdag.app.opinions import LiveOpinions
from denkdag.app.rounds import LiveRounds
from denkdag.app.sessions import SessionCache, topic
from denkdag.domain.errors import N_, InvalidControl, NotFound
from denkdag.domain.kinds import RecordKind, kind_of
from denkdag.domain.kinds.wordcloud import KIND as CLOUD
from denkdag.domain.kinds.wordcloud import hidden_key
from denkdag.domain.model import AUDIENCE_PACE, Session, Slide, User
from denkdag.domain.tally import AnswerRecord, Tally
from denkdag.domain.visibility import room_sees
from denkdag.live import Broadcaster
from denkdag.live.recent import RecentValues
from denkdag.storage import SqlStore, progress
from denkdag.storage.words import HiddenWordStore

PRESENCE = "__joined__"
"""The coalescer's key for "someone joined": a `presence` event, not a slide's tally."""

Touch = Callable[[int, str], None]


class Results:
    """The room's answers counted, moderated and sent to the screens.

    `clock` (seconds) dates the counts shown to phones (`shown_tally`, `shown_joined`): one
    count serves every phone that asks within a tally interval of it. The composition root
    passes the server's clock, so a test that sets that clock decides what "at once" is.
    """

    def __init__(
        self,
        store: SqlStore,
        broadcaster: Broadcaster,
        sessions: SessionCache,
        access: Access,
        rounds: LiveRounds,
        opinions: LiveOpinions,
        touch: Touch,
        tally_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._broadcaster = broadcaster
        self._sessions = sessions
        self._access = access
        self._rounds = rounds
        self._opinions = opinions
        self._touch = touch
        self._hidden = HiddenWordStore(store)
        self._shown_tallies: RecentValues[tuple[int, str, int], Tally] = RecentValues(
            tally_interval, clock
        )
        self._shown_joined: RecentValues[int, int] = RecentValues(tally_interval, clock)
        self._shown_pages: RecentValues[tuple[Hashable, ...], str] = RecentValues(
            tally_interval, clock
        )

    # counting -----------------------------------------------------------------------

    async def tally(self, session: Session, slide: Slide) -> Tally:
        """The slide's exact tally, counted from the stored answers now."""
        kind = kind_of(slide.kind)
        if kind.tally_source == "round":  # votes on its statements, not answers to the slide
            return await self._rounds.tally(session, slide)
        if kind.tally_source == "words":  # less the words its facilitator hid
            records = await self._store.slide_answer_records(session.id, slide.id)
            hidden = await self._hidden.of_slide(session.id, slide.id)
            return CLOUD.tally_records(slide, records, hidden)
        if isinstance(kind, RecordKind):
            records = await self._store.slide_answer_records(session.id, slide.id)
            return kind.tally_records(slide, records)
        answers = await self._store.slide_answers(session.id, slide.id)
        return kind.tally(slide, answers)

    async def shown_tally(self, session: Session, slide: Slide) -> Tally:
        """The slide's tally as the room's phones show it: counted at most once a tally
        interval, once for all the phones that ask together (live/recent.py), and once
        more after every change of state (a reveal must not show counts from before it).
        Exact counts, for everything else: tally()."""
        return await self._shown_tallies.get(
            (session.id, slide.id, session.state.version), lambda: self.tally(session, slide)
        )

    @staticmethod
    def shown(session: Session, slide: Slide, tally: Tally) -> Tally:
        """The tally as screens and the results API give it now: without the fields its
        kind withholds until the slide is revealed (`withheld_until_reveal`: a quiz
        question's right answer), for facilitators too, whose projector is in the room."""
        withheld: frozenset[str] = getattr(
            kind_of(slide.kind), "withheld_until_reveal", frozenset()
        )
        if not withheld or slide.id in session.state.revealed:
            return tally
        return tally.withholding(withheld)

    async def of_session(self, session: Session) -> list[Tally]:
        """Every slide's tally, in deck order."""
        return [await self.tally(session, slide) for slide in session.deck.slides]

    async def joined(self, session: Session) -> int:
        return await self._store.count_participants(session.id)

    async def shown_joined(self, session: Session) -> int:
        """How many have joined, as the room's phones show it (see shown_tally)."""
        return await self._shown_joined.get(session.id, lambda: self.joined(session))

    async def shown_page(
        self, session: Session, key: tuple[Hashable, ...], render: Callable[[], Awaitable[str]]
    ) -> str:
        """A page the whole room asks for at once (the room's part of the current slide,
        in one language), rendered once a tally interval for every phone that asks
        meanwhile, like shown_tally. The key holds the session's state version, so a phone
        that heard of a slide change never gets a page of the state before it."""
        return await self._shown_pages.get((session.id, session.state.version, *key), render)

    async def progress(self, session: Session) -> dict[str, Any]:
        """How far the room is through a session at audience pace: answers per question,
        and how many participants answered them all."""
        questions = [s.id for s in session.deck.slides if kind_of(s.kind).asks]
        answered = await progress.answered_per_slide(self._store, session.id)
        return {
            "joined": await self.joined(session),
            "questions": len(questions),
            "finished": await progress.finished(self._store, session.id, questions),
            "slides": {slide_id: answered.get(slide_id, 0) for slide_id in questions},
        }

    # moderation ---------------------------------------------------------------------

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
        session = await self._access.facilitated(code, user)
        slide = session.deck.require_slide(slide_id)
        kind = kind_of(slide.kind)
        if not (isinstance(kind, RecordKind) and kind.moderated):
            raise InvalidControl(
                N_("Answers on a %(kind)s slide are not moderated one by one."), kind=slide.kind
            )
        record = await self._store.moderate_answer(
            session.id, slide_id, answer_id, hidden=hidden, highlighted=highlighted
        )
        if record is None:
            raise NotFound(
                N_("Slide '%(slide_id)s' has no answer %(answer_id)s."),
                slide_id=slide_id,
                answer_id=answer_id,
            )
        self._touch(session.id, slide_id)
        return record

    async def hide_word(
        self, code: str, user: User | None, slide_id: str, word: object, *, hidden: bool
    ) -> Tally:
        """Hide a word from a word cloud (every spelling of it), or show it again; the
        slide's tally goes out to every screen at once. Returns the facilitator's tally."""
        session = await self._access.facilitated(code, user)
        slide = session.deck.require_slide(slide_id)
        if kind_of(slide.kind).tally_source != "words":
            raise InvalidControl(
                N_("Words are hidden on word-cloud slides only, and '%(slide)s' is not one."),
                slide=slide_id,
            )
        await self._hidden.set_hidden(session.id, slide_id, hidden_key(word), hidden)
        await self.publish(session.id, {slide_id})
        return await self.tally(session, slide)

    async def hidden_words(self, session: Session) -> dict[str, frozenset[str]]:
        """Slide id → the word-cloud words its facilitator hid (keys), for the exports."""
        return await self._hidden.of_session(session.id)

    # live ---------------------------------------------------------------------------

    async def publish(self, session_id: int, slide_ids: set[str]) -> None:
        """Send the screens the tallies of these slides (and presence, progress, the
        opinion map's news): the coalescer calls this once per tally interval."""
        session = await self._sessions.by_id(session_id)
        if session is None:
            return
        name = topic(session)
        if PRESENCE in slide_ids:
            # to facilitators only: the projector and the remote show the count, phones do
            # not (a plenary's joins would otherwise cost every phone's stream a message)
            joined = {"joined": await self.joined(session)}
            await self._broadcaster.publish(name, "presence", None, joined)
        for slide_id in sorted(slide_ids - {PRESENCE}):
            slide = session.deck.slide(slide_id)
            if slide is None:
                continue
            tally = self.shown(session, slide, await self.tally(session, slide))
            # one payload for every phone: counts only when the whole room may see them
            room_may_see = room_sees(session.deck.info, session.state, slide_id)
            await self._broadcaster.publish(
                name,
                "tally",
                tally.as_dict(with_counts=room_may_see),
                tally.as_dict(with_counts=True, facilitator=True),
            )
        if session.deck.info.pace == AUDIENCE_PACE:
            counts = await self.progress(session)
            await self._broadcaster.publish(name, "progress", counts, counts)
        self._opinions.votes_changed(session, slide_ids)
