"""The composition root of the use-case layer: one `Denkdag` per process, wiring each
concern's part to the store, the broadcaster and the clock.

Every use case runs load → decide (domain) → commit (storage) → broadcast (live), so an
answer is acknowledged only after it is committed, and screens hear of a change only after
it is stored. Web and CLI call the parts by name: `svc.participation.respond(...)`,
`svc.control.apply(...)`, `svc.reports.report(...)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from denkdag.app.access import Access
from denkdag.app.accounts import Accounts
from denkdag.app.control import Control
from denkdag.app.media import Media
from denkdag.app.opinions import LiveOpinions
from denkdag.app.participation import Participation
from denkdag.app.profiles import Profiles
from denkdag.app.qa import LiveQuestions
from denkdag.app.quiz import Quiz
from denkdag.app.reports import Reports
from denkdag.app.results import Results
from denkdag.app.rounds import LiveRounds
from denkdag.app.sessions import SessionCache, topic
from denkdag.app.streams import Streams
from denkdag.app.timers import TimerWatch
from denkdag.app.views import Views
from denkdag.domain.model import Session
from denkdag.formats.localised import DEFAULT_ZONE
from denkdag.live import Broadcaster, Coalescer, MemoryBroadcaster, make_leases
from denkdag.storage import SqlStore


class Denkdag:
    """The application: its parts, built once over a store and a broadcaster.

    - `sessions`: the session cache, kept in step across instances; creating, deleting;
    - `access`: sign-in tokens, passwords, who facilitates a session;
    - `accounts`: roles, sign-up by invitation, password resets, co-facilitators;
    - `participation`: joining, invitations, answering;
    - `control`: the facilitator's actions, timers, deck changes reaching the screens;
    - `results`: tallies, moderation, progress, tallies sent to the screens;
    - `views`: the session as screens see it, and its live `state`;
    - `streams`: a screen's live stream: where it starts, then every message;
    - `reports`: the report and its PDF; `media`: slide images as screens fetch them;
    - `rounds`, `qa`, `opinions`, `profiles`: statement rounds, the room's questions,
      the opinion map, profile questions; `quiz`: nicknames and the leaderboard.
    """

    def __init__(
        self,
        store: SqlStore,
        broadcaster: Broadcaster,
        tally_interval: float = 0.25,
        time_zone: str = DEFAULT_ZONE,
    ):
        self.store = store
        self.broadcaster = broadcaster
        self.clock: Callable[[], float] = time.time
        """The server's clock: slide timers' deadlines, and how old a count shown to phones
        is (tests put their own in)."""
        # Several instances: another one may publish a tally it read before our last
        # commit, after ours; one more (settling) round makes the last tally the final one.
        shared = not isinstance(broadcaster, MemoryBroadcaster)
        self.coalescer = Coalescer(
            lambda session_id, slides: self.results.publish(session_id, slides),
            tally_interval,
            settle=shared,
            audience=lambda session_id: broadcaster.hub.subscriber_count(f"session:{session_id}"),
        )
        clock = self._now
        self.timers = TimerWatch(lambda session_id: self.control.expire_timers(session_id), clock)
        self.sessions = SessionCache(store, broadcaster, self.timers)
        self.access = Access(store, self.sessions)
        self.accounts = Accounts(store)
        self.rounds = LiveRounds(
            store, broadcaster, topic, tally_interval, self.sessions.reload, self.coalescer.touch
        )
        self.opinions = LiveOpinions(
            store,
            broadcaster,
            self.sessions.by_id,
            topic,
            rounds=self.rounds.opinion_columns,
            leases=make_leases(broadcaster),
        )
        self.qa = LiveQuestions(store, broadcaster, topic, tally_interval)
        self.profiles = Profiles(store)
        self.results = Results(
            store,
            broadcaster,
            self.sessions,
            self.access,
            self.rounds,
            self.opinions,
            self.coalescer.touch,
            tally_interval,
            clock,
        )
        self.views = Views(self.results, broadcaster, clock)
        self.streams = Streams(broadcaster, self.views)
        self.participation = Participation(
            store, self.sessions, self.rounds, self.coalescer.touch, clock
        )
        self.control = Control(
            store, self.sessions, self.access, self.views, self.timers, self.opinions, clock
        )
        self.media = Media(store)
        self.quiz = Quiz(
            store, self.sessions, self.access, self.participation, tally_interval, clock
        )
        self.reports = Reports(
            store,
            self.results,
            self.rounds,
            self.opinions,
            self.profiles,
            self.quiz,
            time_zone,
        )
        self.sessions.on_first_load = self.participation.prefetch
        self.sessions.on_resynced = self._republish
        for forget in (
            self.views.forget,
            self.opinions.forget,
            self.qa.forget,
            self.rounds.forget,
            self.participation.forget,
            self.control.forget,
        ):
            self.sessions.on_forget(forget)

    def _now(self) -> float:
        return self.clock()

    async def start(self) -> None:
        await self.broadcaster.start()

    async def stop(self) -> None:
        await self.sessions.stop()
        await self.timers.stop()
        await self.coalescer.stop()
        await self.opinions.stop()
        await self.qa.stop()
        await self.rounds.stop()
        await self.broadcaster.stop()

    async def _republish(self, session: Session) -> None:
        """After a resync: the session's state and current tally go out again."""
        await self.views.publish(session)
        if session.state.current_slide:
            self.coalescer.touch(session.id, session.state.current_slide)
