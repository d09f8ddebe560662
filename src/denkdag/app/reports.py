"""The session's report (every slide's results, the opinion map the room saw, profile
breakdowns, moderation marks) and its PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from denkdag.app.heavy import HeavyWork
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
    """Builds reports from the stored answers, and their PDF. The server asks for them
    through app/in_worker.py, so they run in a worker process, where `heavy` runs in place;
    anywhere else `heavy` builds in a worker process (app/heavy.py)."""

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
        self.heavy = HeavyWork()
        """Replaced from the settings by `app.runtime` (workers, time budget)."""

    async def report(self, session: Session) -> Report:
        """The session's report (CPU work: seconds for 400 slides, built by `heavy`)."""
        tallies = await self._results.of_session(session)
        answers = await self._store.session_answers(session.id)
        joins = await self._store.join_times(session.id)
        rounds = await self._rounds.rounds(session)  # statement rounds' statements and votes
        live = await self._opinions.for_report(session)  # the groups the room saw
        report = await self.heavy.run(
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
        render: Callable[[], str],
        *sessions: Session,
        extra: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> bytes:
        """The report's HTML (what `render` returns, a picklable function: rendering 400
        slides is CPU work too) as PDF, both in a worker process (`heavy`); the slide images
        of `sessions` (and the `extra` images: URL path → type and bytes, an event's logo
        say) are handed to the renderer (it fetches nothing itself)."""
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
        return await self.heavy.run(rendered_pdf, render, images)


def rendered_pdf(render: Callable[[], str], images: Mapping[str, tuple[str, bytes]]) -> bytes:
    """In a worker process: the HTML `render` returns, as PDF."""
    from denkdag.formats.export_pdf import report_pdf  # WeasyPrint loads in ~1 s

    return report_pdf(render(), images)
