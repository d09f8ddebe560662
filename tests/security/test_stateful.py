"""A hypothesis state machine drives a session through the service — joins, answers,
changed answers, multiple choice, goto / next / previous / open / close / reveal / hide —
and after every step the stored tallies equal a plain model, and so does the live state.

Runs on SQLite, and on PostgreSQL with `--database postgresql`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from denkdag.app.denkdag import Denkdag
from denkdag.domain.errors import DomainError, InvalidAnswer, InvalidControl, SlideNotOpen
from denkdag.domain.model import ResultsMode
from denkdag.formats.deck import parse_deck
from denkdag.live import MemoryBroadcaster
from denkdag.storage import SqlStore, open_store

T = TypeVar("T")
FULL = os.environ.get("DENKDAG_FULL") == "1"

DECK = """---
title: Stateful
language: en
results: {results}
---

# Welcome

Nothing to answer here.

# Pick one
kind: choice

- **Red**
- **Green**
- **Blue**

# Pick any
kind: choice
multiple: yes

- **Tea**
- **Coffee**
- **Water**

# Agreed?
kind: statement

> Meetings should be shorter.
"""
SLIDES = ["s1", "s2", "s3", "s4"]
OPTIONS = {"s2": ["a", "b", "c"], "s3": ["a", "b", "c"], "s4": ["agree", "disagree", "pass"]}
MULTIPLE = {"s3"}

values = st.one_of(
    st.sampled_from(["a", "b", "c", "agree", "disagree", "pass", "z", ""]),
    st.lists(st.sampled_from(["a", "b", "c", "z"]), max_size=4),
    st.none(),
    st.integers(-1, 3),
)


def valid_values(slide: str) -> st.SearchStrategy[Any]:
    """Answers the slide accepts (while open): one option, or a set of options."""
    options = st.sampled_from(OPTIONS[slide])
    if slide in MULTIPLE:
        return options | st.lists(options, min_size=1, max_size=3, unique=True)
    return options


class Model:
    """What the session should be: the flow rules and the answers, written out plainly."""

    def __init__(self, live_results: bool) -> None:
        self.live_results = live_results
        self.current: str | None = "s1"
        self.visited = {"s1"}
        self.open: set[str] = set()
        self.revealed: set[str] = set()
        self.answers: dict[tuple[str, str], Any] = {}

    def arrive(self, slide: str) -> None:
        if slide not in self.visited and slide in OPTIONS:
            self.open.add(slide)
            if self.live_results:
                self.revealed.add(slide)
        self.current = slide
        self.visited.add(slide)

    def control(self, action: str, slide: str | None) -> bool:
        """Apply the action; False when the service must refuse it."""
        if action == "goto":
            self.arrive(slide or "")
            return True
        if action in {"next", "previous"}:
            step = 1 if action == "next" else -1
            index = SLIDES.index(self.current) if self.current else -step
            self.arrive(SLIDES[max(0, min(len(SLIDES) - 1, index + step))])
            return True
        if self.current not in OPTIONS:
            return False
        target = self.current
        {
            "open": self.open.add,
            "close": self.open.discard,
            "reveal": self.revealed.add,
            "hide": self.revealed.discard,
        }[action](target)
        return True

    def accepted(self, slide: str, value: Any) -> Any | None:
        """The stored form of an accepted answer; None when it must be refused."""
        if slide not in OPTIONS or slide not in self.open:
            return None
        options = OPTIONS[slide]
        if slide in MULTIPLE:
            chosen = [value] if isinstance(value, str) else value
            if not isinstance(chosen, list) or not chosen or len(set(chosen)) != len(chosen):
                return None
            if not all(isinstance(v, str) and v in options for v in chosen):
                return None
            return sorted(chosen)
        return value if isinstance(value, str) and value in options else None

    def tally(self, slide: str) -> tuple[int, dict[str, int]]:
        counts = dict.fromkeys(OPTIONS[slide], 0)
        respondents = 0
        for (_person, answered), value in self.answers.items():
            if answered != slide:
                continue
            respondents += 1
            for option in value if isinstance(value, list) else [value]:
                counts[option] += 1
        return respondents, counts


class Loop:
    """One event loop for the whole test; the machine's sync rules run coroutines on it."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)


def make_machine(loop: Loop, service: Denkdag, user: Any) -> type[RuleBasedStateMachine]:
    class SessionMachine(RuleBasedStateMachine):
        participants = Bundle("participants")

        @initialize(target=participants, live=st.booleans())
        def new_session(self, live: bool) -> Any:
            """A fresh session of the deck (results live or hidden), and three people in it."""
            results = ResultsMode.LIVE.value if live else "hidden"
            deck = parse_deck(DECK.format(results=results))
            assert (deck.info.results is ResultsMode.LIVE) == live
            self.session = loop.run(service.sessions.create(deck, user.id))
            self.model = Model(live)
            return multiple(
                *(loop.run(service.participation.join(self.session.code)) for _ in range(3))
            )

        @rule(target=participants)
        def join(self) -> str:
            return loop.run(service.participation.join(self.session.code))

        @rule(person=participants, slide=st.sampled_from(SLIDES), data=st.data())
        def answer(self, person: str, slide: str, data: st.DataObject) -> None:
            value = data.draw(valid_values(slide) | values if slide in OPTIONS else values)
            expected = self.model.accepted(slide, value)
            try:
                stored = loop.run(
                    service.participation.respond(self.session.code, person, slide, value)
                )
            except (SlideNotOpen, InvalidAnswer):
                assert expected is None, f"refused {value!r} on {slide}"
                return
            assert expected is not None, f"accepted {value!r} on {slide}"
            assert stored == expected
            self.model.answers[(person, slide)] = expected

        @rule(
            action=st.sampled_from(["goto", "next", "previous", "open", "close", "reveal", "hide"]),
            slide=st.sampled_from(SLIDES),
        )
        def control(self, action: str, slide: str) -> None:
            allowed = self.model.control(action, slide if action == "goto" else None)
            try:
                loop.run(
                    service.control.apply(
                        self.session.code, user, action, slide if action == "goto" else None
                    )
                )
            except InvalidControl:
                assert not allowed, f"{action} refused"
                return
            except DomainError as error:  # pragma: no cover - shown in the failure
                raise AssertionError(f"{action}: {error.detail}") from error
            assert allowed, f"{action} accepted"

        @rule(slide=st.sampled_from(SLIDES))
        def go_to(self, slide: str) -> None:
            """The most common action gets a rule of its own, so every slide gets visited."""
            self.control("goto", slide)

        @invariant()
        def state_is_the_models(self) -> None:
            if not hasattr(self, "session"):
                return
            state = loop.run(service.sessions.get(self.session.code)).state
            assert state.current_slide == self.model.current
            assert set(state.open_slides) == self.model.open
            assert set(state.revealed) == self.model.revealed

        @invariant()
        def tallies_are_the_models(self) -> None:
            if not hasattr(self, "session"):
                return
            session = loop.run(service.sessions.get(self.session.code))
            for slide_id in OPTIONS:
                slide = session.deck.slide(slide_id)
                assert slide is not None
                tally = loop.run(service.results.tally(session, slide))
                respondents, counts = self.model.tally(slide_id)
                assert tally.respondents == respondents
                assert dict(tally.counts) == counts

    return SessionMachine


def test_tallies_always_equal_the_model(database_url: str) -> None:
    loop = Loop()
    store: SqlStore = loop.run(open_store(database_url))
    service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
    try:
        user = loop.run(store.ensure_user("facilitator"))
        machine = make_machine(loop, service, user)
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=200 if FULL else 40,
                stateful_step_count=50 if FULL else 30,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        loop.run(service.stop())
        loop.run(store.close())
        loop.runner.close()
