"""Statement-round use cases: write, vote, moderate, and the `statements` live event.

The web layer resolves who calls (a participant of the session, or its facilitator)
through the service; this module then decides (domain/kinds/statement_round), commits
(storage/rounds) and only then tells the screens. Two things move live:

- the round's tally (every visible statement with its votes, the most agreed and most
  divided ones), through the service's `tally` events, so the projector, the report and
  the opinion map (`denkdag.app.opinions`) follow the votes like any slide's;
- a `statements` event, coalesced like Q&A's `questions`, when a statement is written or
  moderated: phones fetch their next statement, the remote redraws its moderation list.
  Participants receive counts only; facilitators also how many wait for approval.

A vote is committed through the batched writer against the session's state version, as
answers are: a round closed on any instance is never voted on, however stale this cache.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from denkdag.domain.errors import N_, NotFound, SessionBusy, SlideNotOpen
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.statement_round import (
    RoundData,
    RoundStatement,
    RoundVote,
    accept_statement,
    accept_vote,
    check_status,
    max_length,
    moderation,
    next_statement,
    opinion_columns,
    queue,
    round_slide,
    round_tally,
    seeds,
    takes_submissions,
)
from denkdag.domain.model import Session, Slide
from denkdag.domain.tally import Tally
from denkdag.live import Broadcaster, Coalescer, MemoryBroadcaster
from denkdag.storage import SqlStore
from denkdag.storage.rounds import STORED, RoundStore, VoteWrite

EVENT = "statements"
COUNTS_TTL = 1.0
"""Seconds the vote counts that order the phones' statements may be old (per round)."""
STALE_RETRIES = 5

Reload = Callable[[Session], Awaitable[Session]]
Touch = Callable[[int, str], None]


def round_slides(session: Session) -> list[Slide]:
    return [s for s in session.deck.slides if kind_of(s.kind).tally_source == "round"]


def statement_view(statement: RoundStatement) -> dict[str, Any]:
    return {"id": statement.id, "text": statement.text, "origin": statement.origin}


class LiveRounds:
    """The statement rounds of every session, over one store and broadcaster."""

    def __init__(
        self,
        store: SqlStore,
        broadcaster: Broadcaster,
        topic: Callable[[Session], str],
        interval: float,
        reload: Reload,
        touch_tally: Touch,
    ) -> None:
        self.store = RoundStore(store)
        self.broadcaster = broadcaster
        self._topic = topic
        self._reload = reload
        self._touch_tally = touch_tally
        shared = not isinstance(broadcaster, MemoryBroadcaster)
        self._coalescer = Coalescer(self._publish, interval, settle=shared)
        self._sessions: dict[int, Session] = {}
        self._counts: dict[tuple[int, str], tuple[float, dict[str, int]]] = {}

    async def stop(self) -> None:
        await self._coalescer.stop()

    def forget(self, session_id: int) -> None:
        self._sessions.pop(session_id, None)
        for key in [k for k in self._counts if k[0] == session_id]:
            del self._counts[key]

    async def votes_of(self, participant_id: int, slide_id: str) -> dict[str, str]:
        """The participant's votes on a round's statements: statement id → vote."""
        return await self.store.votes_of(participant_id, slide_id)

    async def delete_votes_before(self, cutoff: datetime) -> int:
        """Delete statement-round votes older than `cutoff` (the retention setting)."""
        return await self.store.delete_votes_before(cutoff)

    # reading ---------------------------------------------------------------------

    async def statements(self, session: Session, slide: Slide) -> list[RoundStatement]:
        """Seed statements first (deck order), then the room's, oldest first."""
        return seeds(slide) + await self.store.statements(session.id, slide.id)

    async def _statement(
        self, session: Session, slide: Slide, statement_id: str
    ) -> RoundStatement | None:
        found = next((s for s in seeds(slide) if s.id == statement_id), None)
        return found or await self.store.one(session.id, slide.id, statement_id)

    async def tally(self, session: Session, slide: Slide) -> Tally:
        statements = await self.statements(session, slide)
        return round_tally(slide, statements, await self.store.votes(session.id, slide.id))

    async def _vote_counts(self, session: Session, slide: Slide) -> dict[str, int]:
        """Votes per statement, at most COUNTS_TTL old: only an order depends on them."""
        key = (session.id, slide.id)
        cached = self._counts.get(key)
        if cached is not None and time.monotonic() - cached[0] < COUNTS_TTL:
            return cached[1]
        counts: dict[str, int] = {}
        for vote in await self.store.votes(session.id, slide.id):
            counts[vote.statement_id] = counts.get(vote.statement_id, 0) + 1
        self._counts[key] = (time.monotonic(), counts)
        return counts

    async def next_for(
        self, session: Session, participant_id: int, slide_id: str
    ) -> dict[str, Any]:
        """What the phone shows: the one statement to vote on now (or none), its progress,
        and whether it may write statements."""
        slide = round_slide(session.deck, slide_id)
        statements = await self.statements(session, slide)
        mine = await self.store.votes_of(participant_id, slide.id)
        counts = await self._vote_counts(session, slide)
        seed = f"{session.id}:{slide.id}"
        offered = next_statement(statements, counts, mine, participant_id, seed)
        visible = {s.id for s in statements if s.visible}
        voted = sum(1 for statement_id in mine if statement_id in visible)
        return {
            "slide": slide.id,
            "statement": statement_view(offered) if offered else None,
            "voted": voted,
            "total": len(visible),
            "remaining": len(queue(statements, counts, mine, participant_id, seed)),
            "open": slide.id in session.state.open_slides,
            "submissions": takes_submissions(slide),
            "moderation": moderation(slide),
            "max_length": max_length(slide),
        }

    async def my_votes(
        self, session: Session, participant_id: int, slide: Slide
    ) -> list[dict[str, Any]]:
        """The participant's votes on visible statements, in the round's order."""
        mine = await self.store.votes_of(participant_id, slide.id)
        return [
            statement_view(s) | {"vote": mine[s.id]}
            for s in await self.statements(session, slide)
            if s.visible and s.id in mine
        ]

    async def mine_pending(
        self, session: Session, participant_id: int, slide: Slide
    ) -> list[RoundStatement]:
        """The participant's own statements that still wait for the facilitator."""
        return [
            s
            for s in await self.store.statements(session.id, slide.id)
            if s.author == participant_id and s.status == "pending"
        ]

    async def listing(
        self, session: Session, slide_id: str, *, facilitator: bool
    ) -> dict[str, Any]:
        """Facilitators: every statement with its status and votes (the moderation list:
        the room's waiting, approved, then hidden statements, each newest first; seeds
        last). Participants: the visible ones."""
        slide = round_slide(session.deck, slide_id)
        statements = await self.statements(session, slide)
        tally = round_tally(slide, statements, await self.store.votes(session.id, slide.id))
        counted = {entry["id"]: entry for entry in tally.extra["statements"]}
        listed = []
        for statement in statements:
            if not (facilitator or statement.visible):
                continue
            entry = statement_view(statement) | {
                "status": statement.status,
                "votes": 0,
                "agree": 0,
                "disagree": 0,
                "pass": 0,
            }
            found = counted.get(statement.id)
            if found is not None:
                entry |= {key: found[key] for key in ("votes", "agree", "disagree", "pass")}
            if statement.created_at is not None:
                entry["created_at"] = statement.created_at.isoformat(timespec="seconds")
            listed.append(entry)
        # Waiting statements first, then approved, then hidden (each newest first): a
        # statement just approved or hidden leaves the top, so the next waiting one takes
        # its place and approving top-down never re-approves what was just hidden.
        rank = {"pending": 0, "approved": 1, "hidden": 2}
        newest_first = list(reversed([e for e in listed if e["origin"] != "deck"]))
        room = sorted(newest_first, key=lambda e: rank.get(e["status"], 1))
        deck = [e for e in listed if e["origin"] == "deck"]
        return {
            "slide": slide.id,
            "moderation": moderation(slide),
            "submissions": takes_submissions(slide),
            "statements": room + deck,
            "pending": sum(1 for e in listed if e["status"] == "pending"),
            "votes": tally.extra["votes"],
            "voters": tally.respondents,
        }

    # writing ---------------------------------------------------------------------

    async def submit(
        self, session: Session, participant_id: int, slide_id: str, text: object
    ) -> RoundStatement:
        """Store a participant's statement: pending, or offered at once (show-at-once)."""
        for _ in range(STALE_RETRIES):
            try:
                cleaned, status = accept_statement(session.deck, session.state, slide_id, text)
                break
            except SlideNotOpen:
                fresh = await self._reload(session)
                if fresh.state.version == session.state.version:
                    raise
                session = fresh
        else:
            raise SessionBusy()
        statement = await self.store.add(session.id, slide_id, participant_id, cleaned, status)
        self._changed(session, slide_id)
        return statement

    async def vote(
        self, session: Session, participant_id: int, slide_id: str, statement_id: str, value: object
    ) -> dict[str, Any]:
        """Record (or replace) a vote once committed; the phone's next statement after it."""
        for _ in range(STALE_RETRIES):
            slide = round_slide(session.deck, slide_id)
            statement = await self._statement(session, slide, statement_id)
            try:
                stored = accept_vote(session.deck, session.state, slide_id, statement, value)
            except SlideNotOpen:
                fresh = await self._reload(session)
                if fresh.state.version == session.state.version:
                    raise
                session = fresh
                continue
            outcome = await self.store.write_vote(
                VoteWrite(
                    session.id,
                    slide_id,
                    statement_id,
                    participant_id,
                    stored,
                    session.state.version,
                )
            )
            if outcome == STORED:
                self._touch_tally(session.id, slide_id)
                following = await self.next_for(session, participant_id, slide_id)
                return {"statement": statement_id, "vote": stored, "next": following}
            session = await self._reload(session)
        raise SessionBusy()

    async def moderate(
        self, session: Session, slide_id: str, statement_id: str, status: object
    ) -> RoundStatement:
        """A facilitator approves, hides or sends back to pending a room statement."""
        chosen = check_status(status)
        round_slide(session.deck, slide_id)
        statement = await self.store.set_status(session.id, slide_id, statement_id, chosen)
        if statement is None:
            raise NotFound(
                N_(
                    "This round has no statement '%(statement_id)s' written by the room (the "
                    "deck's own statements are changed in the deck)."
                ),
                statement_id=statement_id,
            )
        self._changed(session, slide_id)
        return statement

    # for the opinion map, the report and the exports ------------------------------------

    async def rounds(self, session: Session) -> list[RoundData]:
        """Every round of the session with all its statements and votes."""
        slides = round_slides(session)
        if not slides:
            return []
        room = await self.store.statements_by_slide(session.id)
        votes: dict[str, list[RoundVote]] = {}
        for slide_id, vote in await self.store.slide_votes(session.id):
            votes.setdefault(slide_id, []).append(vote)
        return [
            RoundData(
                slide.id,
                tuple(seeds(slide) + room.get(slide.id, [])),
                tuple(votes.get(slide.id, [])),
            )
            for slide in slides
        ]

    async def opinion_columns(
        self, session: Session
    ) -> tuple[dict[str, str], list[tuple[int, str, int]]]:
        """The visible statements of every round as opinion-map columns, and their votes."""
        columns: dict[str, str] = {}
        cells: list[tuple[int, str, int]] = []
        for data in await self.rounds(session):
            more, votes = opinion_columns(data.slide_id, data.statements, data.votes)
            columns |= more
            cells += votes
        return columns, cells

    # live --------------------------------------------------------------------------

    def _changed(self, session: Session, slide_id: str) -> None:
        self._sessions[session.id] = session
        self._counts.pop((session.id, slide_id), None)
        self._coalescer.touch(session.id, slide_id)
        self._touch_tally(session.id, slide_id)

    async def _publish(self, session_id: int, slide_ids: set[str]) -> None:
        session = self._sessions.get(session_id)
        if session is None:
            return
        for slide_id in sorted(slide_ids):
            slide = session.deck.slide(slide_id)
            if slide is None or kind_of(slide.kind).tally_source != "round":
                continue
            statements = await self.statements(session, slide)
            visible = sum(1 for s in statements if s.visible)
            public = {"slide": slide_id, "statements": visible}
            private = public | {
                "pending": sum(1 for s in statements if s.status == "pending"),
                "hidden": sum(1 for s in statements if s.status == "hidden"),
            }
            await self.broadcaster.publish(self._topic(session), EVENT, public, private)
