"""Slide timers in the domain: the deck settings, the facilitator's controls, and the
deadline rule, all on an injected clock (plain numbers): no sleeping, no timed checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from denkdag.domain import (
    Deck,
    InvalidControl,
    LiveState,
    Option,
    SessionInfo,
    Slide,
    SlideNotOpen,
    timer,
)
from denkdag.domain.model import AUDIENCE_PACE
from denkdag.domain.responses import accept_answer
from denkdag.domain.session_flow import apply, settle_pace, start

T0 = 1_000.0
OPTIONS = (Option("a", "Ja"), Option("b", "Nee"))
SLIDES = (
    Slide(id="intro", kind="info", title="Welkom", extra={"timer": 300}),
    Slide(
        id="q",
        kind="choice",
        title="Hoe?",
        options=OPTIONS,
        extra={"timer": 90, "timer_closes": True},
    ),
    Slide(id="st", kind="statement", title="Akkoord?", statement="Samen.", extra={"timer": 60}),
    Slide(id="free", kind="choice", title="Zonder timer", options=OPTIONS),
)
DECK = Deck(info=SessionInfo(title="Sessie"), slides=SLIDES)
SURVEY = Deck(info=SessionInfo(title="Bevraging", pace=AUDIENCE_PACE), slides=SLIDES)


def at(slide_id: str) -> LiveState:
    return apply(DECK, start(DECK), "goto", slide_id)


def started(slide_id: str = "q", now: float = T0) -> LiveState:
    return apply(DECK, at(slide_id), "timer-start", now=now)


# --- durations in the deck ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("2m", 120),
        ("1m30s", 90),
        ("1:30", 90),
        (" 45 s ", 45),
        ("10M", 600),
        ("0:05", 5),
    ],
)
def test_durations_read_as_written(text: str, seconds: int) -> None:
    assert timer.parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "soon", "1.5m", "-5s", "1h", "1:75", "m", "2m 3", "9" * 5000, "\u0661\u0662"]
)
def test_other_durations_are_not_read(text: str) -> None:
    assert timer.parse_duration(text) is None


@pytest.mark.parametrize("seconds", [1, 59, 60, 90, 120, 3600, 10800])
def test_a_written_duration_reads_back_the_same(seconds: int) -> None:
    assert timer.parse_duration(timer.format_duration(seconds)) == seconds


# --- the facilitator's controls -------------------------------------------------------


def test_start_counts_down_from_the_slides_setting_and_bumps_the_version() -> None:
    before = at("q")
    state = apply(DECK, before, "timer-start", now=T0)
    countdown = timer.timer_of(state, "q")
    assert countdown is not None
    assert (countdown.ends_at, countdown.duration, countdown.closes) == (T0 + 90, 90, True)
    assert state.version == before.version + 1


def test_start_takes_the_seconds_given_and_a_named_slide() -> None:
    state = apply(DECK, at("intro"), "timer-start", "st", now=T0, seconds=20)
    countdown = timer.timer_of(state, "st")
    assert countdown is not None and countdown.ends_at == T0 + 20
    assert timer.timer_of(state, "intro") is None


def test_a_slide_without_a_timer_cannot_start_one_without_seconds() -> None:
    with pytest.raises(InvalidControl, match="no timer"):
        apply(DECK, at("free"), "timer-start", now=T0)


def test_pause_keeps_the_time_left_and_start_resumes_it() -> None:
    paused = apply(DECK, started(), "timer-pause", now=T0 + 30)
    countdown = timer.timer_of(paused, "q")
    assert countdown is not None and countdown.ends_at is None and countdown.remaining == 60
    # However long the pause, nothing ends while paused.
    assert not timer.has_ended(paused, "q", T0 + 10_000)
    resumed = apply(DECK, paused, "timer-start", now=T0 + 500)
    countdown = timer.timer_of(resumed, "q")
    assert countdown is not None and countdown.ends_at == T0 + 560


def test_add_extends_a_running_or_paused_timer_by_thirty_seconds() -> None:
    longer = apply(DECK, started(), "timer-add", now=T0 + 10)
    countdown = timer.timer_of(longer, "q")
    assert countdown is not None and (countdown.ends_at, countdown.duration) == (T0 + 120, 120)
    paused = apply(DECK, apply(DECK, started(), "timer-pause", now=T0 + 80), "timer-add", now=T0)
    countdown = timer.timer_of(paused, "q")
    assert countdown is not None and countdown.remaining == 40


def test_add_on_a_slide_without_a_timer_starts_thirty_seconds() -> None:
    state = apply(DECK, at("free"), "timer-add", now=T0)
    countdown = timer.timer_of(state, "free")
    assert countdown is not None and countdown.ends_at == T0 + 30 and not countdown.closes


def test_stop_removes_the_countdown() -> None:
    state = apply(DECK, started(), "timer-stop", now=T0 + 5)
    assert state.timers == ()
    with pytest.raises(InvalidControl, match="not running"):
        apply(DECK, state, "timer-pause", now=T0 + 6)


def test_an_information_slide_has_a_timer_that_never_closes_anything() -> None:
    state = started("intro")
    countdown = timer.timer_of(state, "intro")
    assert countdown is not None and not countdown.closes
    assert timer.next_deadline(state) is None
    assert timer.expire(state, T0 + 10_000) is None


def test_timer_controls_need_a_slide() -> None:
    with pytest.raises(InvalidControl, match="No slide is shown yet"):
        apply(DECK, LiveState(), "timer-start", now=T0)


# --- the deadline ---------------------------------------------------------------------


def test_a_vote_is_taken_until_the_deadline_and_refused_from_it() -> None:
    state = started()
    assert accept_answer(DECK, state, "q", "a", now=T0 + 89.999) == "a"
    with pytest.raises(SlideNotOpen, match="closed"):
        accept_answer(DECK, state, "q", "a", now=T0 + 90)
    # The same refusal as a slide the facilitator closed:
    closed = apply(DECK, at("q"), "close")
    with pytest.raises(SlideNotOpen, match=r"Voting on this slide is closed\."):
        accept_answer(DECK, closed, "q", "a", now=T0)


def test_a_timer_that_does_not_close_voting_leaves_the_vote_open() -> None:
    state = started("st")
    assert accept_answer(DECK, state, "st", "agree", now=T0 + 10_000) == "agree"
    assert timer.vote_deadline(state, "st") is None


def test_expire_closes_the_slide_once_and_only_when_due() -> None:
    state = started()
    assert timer.next_deadline(state) == T0 + 90
    assert timer.vote_deadline(state, "q") == T0 + 90
    assert timer.expire(state, T0 + 89.9) is None
    closed = timer.expire(state, T0 + 90)
    assert closed is not None
    assert "q" not in closed.open_slides and closed.version == state.version + 1
    countdown = timer.timer_of(closed, "q")
    assert countdown is not None and countdown.fired
    assert timer.next_deadline(closed) is None
    assert timer.expire(closed, T0 + 1_000) is None  # a second instance finds nothing to do


def test_after_expiry_the_facilitator_may_reopen_and_the_timer_stays_quiet() -> None:
    closed = timer.expire(started(), T0 + 90)
    assert closed is not None
    reopened = apply(DECK, closed, "open")
    assert accept_answer(DECK, reopened, "q", "b", now=T0 + 200) == "b"


def test_more_time_after_expiry_reopens_voting_for_thirty_seconds() -> None:
    closed = timer.expire(started(), T0 + 90)
    assert closed is not None
    extended = apply(DECK, closed, "timer-add", now=T0 + 100)
    assert "q" in extended.open_slides
    assert accept_answer(DECK, extended, "q", "a", now=T0 + 129) == "a"
    with pytest.raises(SlideNotOpen):
        accept_answer(DECK, extended, "q", "a", now=T0 + 130)


def test_starting_a_closing_timer_opens_voting() -> None:
    closed = apply(DECK, at("q"), "close")
    state = apply(DECK, closed, "timer-start", now=T0)
    assert "q" in state.open_slides


def test_the_earliest_of_several_closing_timers_is_next() -> None:
    deck = Deck(
        info=DECK.info,
        slides=(*SLIDES, replace(SLIDES[1], id="q2", extra={"timer": 30, "timer_closes": True})),
    )
    state = apply(
        deck, apply(deck, start(deck), "timer-start", "q", now=T0), "timer-start", "q2", now=T0 + 1
    )
    assert timer.next_deadline(state) == T0 + 31
    after = timer.expire(state, T0 + 31)
    assert after is not None and after.open_slides >= {"q"} and "q2" not in after.open_slides


def test_countdowns_survive_a_round_trip_as_data() -> None:
    state = apply(DECK, started(), "timer-pause", now=T0 + 3)
    assert timer.from_dicts([timer.as_dict(c) for c in state.timers]) == state.timers
    assert timer.from_dicts([{"slide": "x", "ends_at": "soon"}, {"nothing": 1}]) == ()


# --- audience pace --------------------------------------------------------------------


def test_audience_pace_opens_every_question_at_once() -> None:
    state = start(SURVEY)
    assert state.open_slides == {"q", "st", "free"}
    assert state.current_slide == "intro"
    assert accept_answer(SURVEY, state, "free", "a", now=T0) == "a"


def test_closing_the_survey_closes_every_question_and_reopening_opens_them() -> None:
    closed = apply(SURVEY, start(SURVEY), "close-all")
    assert closed.open_slides == frozenset()
    with pytest.raises(SlideNotOpen):
        accept_answer(SURVEY, closed, "q", "a", now=T0)
    assert apply(SURVEY, closed, "open-all").open_slides == {"q", "st", "free"}


def test_presenter_pace_opens_only_the_slides_shown() -> None:
    state = start(DECK)
    with pytest.raises(SlideNotOpen):
        accept_answer(DECK, state, "free", "a", now=T0)


def test_settling_the_pace_keeps_the_facilitators_closes() -> None:
    state = apply(SURVEY, start(SURVEY), "close", "q")
    assert "q" not in settle_pace(SURVEY, state).open_slides
    # A deck switched to audience pace opens what was never shown.
    presenter_state = start(DECK)
    assert settle_pace(SURVEY, presenter_state).open_slides == {"q", "st", "free"}
