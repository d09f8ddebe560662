"""The session's report (every slide's results, the opinion map the room saw, profile
breakdowns, moderation marks) and its PDF."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from denkdag.app.opinions import LiveOpinions
from denkdag.app.profiles import Profiles, report_opinion_members
from denkdag.app.quiz import Quiz
from denkdag.app.results import Results
from denkdag.app.rounds import LiveRounds
from denkdag.domain.events import Event
from denkdag.domain.images import stored_name
from denkdag.domain.model import Session
from denkdag.formats.localised import DEFAULT_ZONE, zone
from denkdag.formats.report import Report, build_report, with_moderation
from denkdag.formats.report_html import printed_logo
from denkdag.storage import SqlStore
from denkdag.storage.events import EventStore
from denkdag.storage.images import SlideImageStore


class Reports:
    """Builds reports from the stored answers; renders PDFs one at a time per process."""

    def __init__(
        self,
        store: SqlStore,
        results: Results,
        rounds: LiveRounds,
        opinions: LiveOpinions,
        profiles: Profiles,
        quiz: Quiz,
        time_zone: str = DEFAULT_ZONE,
    ) -> None:
        self._store = store
        self._results = results
        self._rounds = rounds
        self._opinions = opinions
        self._profiles = profiles
        self._quiz = quiz
        self._images = SlideImageStore(store)
        self._events = EventStore(store)
        self.time_zone = zone(time_zone).key
        """Where the report's moments are shown (`formats/localised.py`)."""
        self._pdf_slot = asyncio.Semaphore(1)

    async def report(self, session: Session) -> Report:
        """The session's report; the opinion map is CPU work, so it is built in a thread."""
        tallies = await self._results.of_session(session)
        answers = await self._store.session_answers(session.id)
        joins = await self._store.join_times(session.id)
        rounds = await self._rounds.rounds(session)  # statement rounds' statements and votes
        live = await self._opinions.for_report(session)  # the groups the room saw
        report = await asyncio.to_thread(
            build_report,
            session,
            tallies,
            answers,
            joins,
            rounds=rounds,
            live=(live.map, live.fingerprint) if live and live.map is not None else None,
        )
        report = with_moderation(report, rounds, await self._results.hidden_words(session))
        report = replace(report, event=await self.event_of(session), zone=self.time_zone)
        if session.deck.info.profile:
            members, columns = report_opinion_members(report)
            profiles = await self._profiles.report(session, answers, members, columns)
            report = replace(report, profiles=profiles)
        return replace(report, quiz=await self._quiz.results(session))

    async def event_of(self, session: Session) -> Event | None:
        """The event `session` is a room of (its colours and logo brand the report)."""
        member = await self._events.membership(session.id)
        return await self._events.by_id(member.event_id) if member else None

    async def pdf(
        self,
        html: str,
        *sessions: Session,
        extra: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> bytes:
        """The report's HTML as PDF, rendered in a thread, one at a time per process; the
        slide images of `sessions`, the logo of the event each is a room of, and the `extra`
        images (URL path → type and bytes) are handed to the renderer (it fetches nothing
        itself)."""
        from denkdag.formats.export_pdf import report_pdf  # WeasyPrint loads in ~1 s

        images = dict(extra or {})
        for session in sessions:
            names = {
                name
                for slide in session.deck.slides
                if (name := stored_name(str(slide.extra.get("image", "")))) is not None
            }
            stored = await self._images.many(session.id, names)
            for name, image in stored.items():
                images[f"/media/{session.code}/{name}"] = (image.media_type, image.data)
            event = await self.event_of(session)
            logo_path = printed_logo(event) if event else None
            if event and logo_path and logo_path not in images:
                logo = await self._events.logo(event.id)
                if logo is not None:
                    images[logo_path] = (logo.content_type, logo.data)
        async with self._pdf_slot:
            return await asyncio.to_thread(report_pdf, html, images)
