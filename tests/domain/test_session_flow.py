"""The slide state machine and whether an answer is accepted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from denkdag.domain import (
    Deck,
    InvalidAnswer,
    InvalidControl,
    LiveState,
    Option,
    ResultsMode,
    SessionInfo,
    Slide,
    SlideNotOpen,
    UnknownSlide,
)
from denkdag.domain.responses import accept_answer
from denkdag.domain.session_flow import Action, apply, start

OPTIONS = (Option("a", "Ja"), Option("b", "Nee"))
SLIDES = (
    Slide(id="intro", kind="info", title="Welkom"),
    Slide(id="q", kind="choice", title="Hoe?", options=OPTIONS),
    Slide(id="st", kind="statement", title="Akkoord?", statement="Samen is beter."),
    Slide(id="end", kind="info", title="Dank"),
)
LIVE = Deck(info=SessionInfo(title="Sessie"), slides=SLIDES)
HIDDEN = Deck(info=SessionInfo(title="Sessie", results=ResultsMode.HIDDEN), slides=SLIDES)


def at(deck: Deck, slide_id: str) -> LiveState:
    return apply(deck, start(deck), "goto", slide_id)


# --- start and moving -------------------------------------------------------------------


def test_start_shows_the_first_slide() -> None:
    state = start(LIVE)
    assert state.current_slide == "intro"
    assert state.visited == {"intro"}
    assert state.open_slides == frozenset()  # an info slide opens nothing
    assert state.revealed == frozenset()
    assert state.version == 1


def test_start_of_an_empty_deck_shows_nothing() -> None:
    assert start(Deck(info=SessionInfo(title="Leeg"), slides=())) == LiveState()


def test_start_on_a_question_opens_it() -> None:
    deck = Deck(info=SessionInfo(title="S"), slides=SLIDES[1:])
    state = start(deck)
    assert state.current_slide == "q"
    assert state.open_slides == {"q"}
    assert state.revealed == {"q"}


def test_goto_shows_that_slide() -> None:
    state = apply(LIVE, start(LIVE), "goto", "end")
    assert state.current_slide == "end"
    assert state.visited == {"intro", "end"}


def test_goto_accepts_the_action_enum() -> None:
    assert apply(LIVE, start(LIVE), Action.GOTO, "q").current_slide == "q"


def test_next_and_previous_walk_the_slides_in_order() -> None:
    state = start(LIVE)
    seen = [state.current_slide]
    for _ in range(3):
        state = apply(LIVE, state, "next")
        seen.append(state.current_slide)
    assert seen == ["intro", "q", "st", "end"]
    for _ in range(3):
        state = apply(LIVE, state, "previous")
        seen.append(state.current_slide)
    assert seen[4:] == ["st", "q", "intro"]


def test_next_is_clamped_at_the_last_slide() -> None:
    state = at(LIVE, "end")
    after = apply(LIVE, state, "next")
    assert after.current_slide == "end"
    assert after.version == state.version + 1


def test_previous_is_clamped_at_the_first_slide() -> None:
    state = apply(LIVE, start(LIVE), "previous")
    assert state.current_slide == "intro"


@pytest.mark.parametrize("action", ["next", "previous"])
def test_moving_before_any_slide_is_shown_goes_to_the_first(action: str) -> None:
    assert apply(LIVE, LiveState(), action).current_slide == "intro"


@pytest.mark.parametrize("action", ["next", "previous"])
def test_moving_in_an_empty_deck_is_refused(action: str) -> None:
    empty = Deck(info=SessionInfo(title="Leeg"), slides=())
    with pytest.raises(InvalidControl, match="no slides"):
        apply(empty, LiveState(), action)


# --- opening and revealing --------------------------------------------------------------


@pytest.mark.parametrize("slide_id", ["q", "st"])
def test_first_visit_of_a_question_opens_and_reveals_it_in_live_mode(slide_id: str) -> None:
    state = at(LIVE, slide_id)
    assert slide_id in state.open_slides
    assert slide_id in state.revealed


@pytest.mark.parametrize("slide_id", ["q", "st"])
def test_first_visit_in_hidden_mode_opens_but_does_not_reveal(slide_id: str) -> None:
    state = at(HIDDEN, slide_id)
    assert slide_id in state.open_slides
    assert slide_id not in state.revealed
    revealed = apply(HIDDEN, state, "reveal")
    assert slide_id in revealed.revealed


def test_a_later_visit_keeps_the_facilitators_close_and_hide() -> None:
    state = at(LIVE, "q")
    state = apply(LIVE, state, "close")
    state = apply(LIVE, state, "hide")
    assert "q" not in state.open_slides and "q" not in state.revealed
    state = apply(LIVE, state, "next")
    state = apply(LIVE, state, "previous")
    assert state.current_slide == "q"
    assert "q" not in state.open_slides
    assert "q" not in state.revealed


def test_a_later_visit_keeps_a_question_open_that_stayed_open() -> None:
    state = apply(LIVE, at(LIVE, "q"), "next")
    assert "q" in state.open_slides  # leaving a slide does not close it
    state = apply(LIVE, state, "goto", "q")
    assert "q" in state.open_slides and "q" in state.revealed


def test_open_close_reveal_hide_act_on_the_current_slide() -> None:
    state = at(HIDDEN, "st")
    state = apply(HIDDEN, state, "close")
    assert state.open_slides == frozenset()
    state = apply(HIDDEN, state, "open")
    assert state.open_slides == {"st"}
    state = apply(HIDDEN, state, "reveal")
    assert state.revealed == {"st"}
    state = apply(HIDDEN, state, "hide")
    assert state.revealed == frozenset()
    assert state.current_slide == "st"


def test_controls_can_name_another_slide() -> None:
    state = at(LIVE, "q")
    state = apply(LIVE, state, "close", "st")  # closing a slide not yet shown
    assert state.current_slide == "q"
    state = apply(LIVE, state, "goto", "st")
    assert "st" in state.open_slides  # first visit still opens it
    state = apply(LIVE, state, "close", "q")
    assert state.open_slides == {"st"}


@pytest.mark.parametrize("action", ["open", "close", "reveal", "hide"])
def test_voting_controls_on_an_info_slide_are_refused(action: str) -> None:
    with pytest.raises(InvalidControl, match="information only"):
        apply(LIVE, start(LIVE), action)
    with pytest.raises(InvalidControl, match="information only"):
        apply(LIVE, at(LIVE, "q"), action, "end")


@pytest.mark.parametrize("action", ["open", "close", "reveal", "hide"])
def test_voting_controls_before_any_slide_is_shown_are_refused(action: str) -> None:
    with pytest.raises(InvalidControl, match="No slide is shown yet"):
        apply(LIVE, LiveState(), action)


@pytest.mark.parametrize("action", ["jump", "", "GOTO", "skip"])
def test_an_unknown_action_is_refused_naming_the_actions(action: str) -> None:
    with pytest.raises(InvalidControl) as caught:
        apply(LIVE, start(LIVE), action)
    assert caught.value.detail == (
        f"Unknown action '{action}'; use one of goto, next, previous, open, close, reveal, "
        "hide, open-all, close-all, timer-start, timer-pause, timer-add, timer-stop."
    )


def test_goto_without_a_slide_is_refused() -> None:
    with pytest.raises(InvalidControl, match="'goto' needs the id"):
        apply(LIVE, start(LIVE), "goto")


@pytest.mark.parametrize("action", ["goto", "open", "close", "reveal", "hide"])
def test_an_unknown_slide_is_refused(action: str) -> None:
    with pytest.raises(UnknownSlide, match="no slide 'nope'"):
        apply(LIVE, start(LIVE), action, "nope")


def test_version_grows_with_each_change() -> None:
    state = start(LIVE)
    versions = [state.version]
    for action, slide_id in [
        ("next", None),
        ("close", None),
        ("open", None),
        ("hide", None),
        ("reveal", None),
        ("goto", "end"),
        ("next", None),
        ("previous", None),
        ("goto", "intro"),
    ]:
        state = apply(LIVE, state, action, slide_id)
        versions.append(state.version)
    assert versions == list(range(1, 11))


def test_a_refused_action_leaves_the_state_unchanged() -> None:
    state = at(LIVE, "q")
    before = replace(state)
    with pytest.raises(InvalidControl):
        apply(LIVE, state, "jump")
    assert state == before


# --- accepting answers ------------------------------------------------------------------


def test_an_open_question_accepts_a_valid_answer() -> None:
    state = at(LIVE, "q")
    assert accept_answer(LIVE, state, "q", "b") == "b"
    state = apply(LIVE, state, "next")
    assert accept_answer(LIVE, state, "st", "agree") == "agree"
    assert accept_answer(LIVE, state, "q", "a") == "a"  # still open after moving on


def test_an_answer_to_an_unknown_slide_is_refused() -> None:
    with pytest.raises(UnknownSlide, match="no slide 'zz'"):
        accept_answer(LIVE, at(LIVE, "q"), "zz", "a")


def test_an_answer_to_a_closed_slide_is_refused() -> None:
    state = apply(LIVE, at(LIVE, "q"), "close")
    with pytest.raises(SlideNotOpen, match=r"Voting on this slide is closed\."):
        accept_answer(LIVE, state, "q", "a")


def test_an_answer_to_a_slide_never_shown_is_refused() -> None:
    with pytest.raises(SlideNotOpen, match="closed"):
        accept_answer(LIVE, start(LIVE), "st", "agree")


def test_an_answer_to_an_info_slide_is_refused() -> None:
    with pytest.raises(SlideNotOpen, match="information only"):
        accept_answer(LIVE, start(LIVE), "intro", "a")


@pytest.mark.parametrize(("slide_id", "value"), [("q", "c"), ("q", ["a"]), ("st", "maybe")])
def test_a_bad_value_is_refused(slide_id: str, value: object) -> None:
    state = apply(LIVE, at(LIVE, "q"), "open", "st")
    with pytest.raises(InvalidAnswer):
        accept_answer(LIVE, state, slide_id, value)
