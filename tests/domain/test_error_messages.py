"""Domain errors carry an English template and its parameters, and are translated by
whoever shows them (the domain itself never translates: it imports no gettext)."""

from __future__ import annotations

import pickle

import pytest

from denkdag.domain import responses, session_flow, timer
from denkdag.domain.errors import (
    N_,
    Capitalised,
    InvalidAnswer,
    Message,
    SlideNotOpen,
    UnknownSlide,
)
from denkdag.domain.events import InvalidEvent, parse_profile
from denkdag.domain.kinds.participant_text import clean_text
from denkdag.formats.deck import DeckError, parse_deck
from denkdag.seed import seed_deck_text

FRENCH = {
    "Give at most %(limit)s words; you gave %(given)s.": (
        "Donnez %(limit)s mots au plus ; vous en avez donné %(given)s."
    ),
    "A word": "Un mot",
    "%(what)s is empty; type something first.": (
        "%(what)s est vide ; tapez d’abord quelque chose."
    ),
    "unknown kind '%(kind_name)s' (use %(known)s)": (
        "type inconnu '%(kind_name)s' (utilisez %(known)s)"
    ),
    "a profile question has %(least)s to %(most)s options, not %(count)s": (
        "une question de profil a de %(least)s à %(most)s options, pas %(count)s"
    ),
    "profile question %(position)s: %(error)s": "question de profil %(position)s : %(error)s",
}


def french(message: str) -> str:
    return FRENCH.get(message, message)


def test_the_marker_returns_its_message() -> None:
    assert N_("Voting on this slide is closed.") == "Voting on this slide is closed."


def test_an_error_keeps_its_english_sentence_and_translates_with_its_parameters() -> None:
    error = InvalidAnswer(N_("Give at most %(limit)s words; you gave %(given)s."), limit=3, given=4)
    assert error.detail == "Give at most 3 words; you gave 4."
    assert str(error) == "Give at most 3 words; you gave 4."
    assert error.translated(french) == "Donnez 3 mots au plus ; vous en avez donné 4."


def test_a_sentence_without_parameters_may_hold_a_percent_sign() -> None:
    error = SlideNotOpen("100% closed.")
    assert error.detail == "100% closed."
    assert error.translated(french) == "100% closed."


def test_a_phrase_inside_a_sentence_is_translated_with_it() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        clean_text("   ", max_length=40, what=N_("A word"))
    assert caught.value.detail == "A word is empty; type something first."
    assert caught.value.translated(french) == "Un mot est vide ; tapez d’abord quelque chose."


def test_a_deck_error_keeps_file_and_line_and_translates_the_message() -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck("---\ntitle: T\n---\n# Vraag\nkind: poll\n", source="dag.md")
    error = caught.value
    assert str(error).startswith("dag.md:5: unknown kind 'poll' (use ")
    assert (error.source, error.line) == ("dag.md", 5)
    assert error.translated(french).startswith("dag.md:5: type inconnu 'poll' (utilisez ")
    # Only the sentence is looked up, never the file name or the line.
    looked_up: list[str] = []
    error.translated(lambda message: looked_up.append(message) or message)
    assert looked_up == [
        "%(source)s:%(line)s: %(reason)s",
        "unknown kind '%(kind_name)s' (use %(known)s)",
    ]


def test_an_event_profile_error_is_a_capitalised_sentence_in_every_language() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_profile(
            ["Ik werk in: bibliotheek / school", "Letter: " + " / ".join("abcdefghijklm")]
        )
    error = caught.value
    assert error.detail == "Profile question 2: a profile question has 2 to 12 options, not 13."
    assert error.translated(french) == (
        "Question de profil 2 : une question de profil a de 2 à 12 options, pas 13."
    )


def test_messages_compare_by_template_and_parameters() -> None:
    assert Message("a %(b)s", b=1) == Message("a %(b)s", b=1)
    assert Message("a %(b)s", b=1) != Message("a %(b)s", b=2)
    assert str(Capitalised(Message("closed"))) == "Closed."


def test_an_unknown_slide_is_one_refusal_with_one_sentence_wherever_it_is_named() -> None:
    """Deck.require_slide: answering, going to, opening and timing a missing slide all
    refuse with UnknownSlide (404) and the same msgid."""
    deck = parse_deck(seed_deck_text())
    state = session_flow.start(deck)
    refusals = []
    for attempt in (
        lambda: deck.require_slide("zz"),
        lambda: responses.accept_answer(deck, state, "zz", "a"),
        lambda: session_flow.apply(deck, state, "goto", "zz"),
        lambda: session_flow.apply(deck, state, "open", "zz"),
        lambda: timer.control(deck, state, "start", "zz", now=0.0),
    ):
        with pytest.raises(UnknownSlide) as refused:
            attempt()
        refusals.append(refused.value.sentence)
    assert set(refusals) == {
        Message(N_("This session has no slide '%(slide_id)s'."), slide_id="zz")
    }
    assert deck.require_slide("s1") is deck.slide("s1")


@pytest.mark.parametrize(
    "error",
    [
        InvalidAnswer(N_("Give at most %(limit)s words; you gave %(given)s."), limit=3, given=4),
        UnknownSlide(Capitalised(Message(N_("A word")))),
        SlideNotOpen(N_("Voting is closed.")),
    ],
    ids=["parameters", "a message inside", "plain"],
)
def test_an_error_from_a_worker_process_comes_back_whole(error: Exception) -> None:
    """Errors of a build in a worker process cross back by pickle: the same class, the
    same sentence, still translated where it is shown."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error)
    assert back.sentence == error.sentence  # type: ignore[attr-defined]
    french = back.translated(lambda text: FRENCH.get(text, text))  # type: ignore[attr-defined]
    assert french == error.translated(lambda text: FRENCH.get(text, text))  # type: ignore[attr-defined]


def test_an_error_whose_constructor_takes_other_arguments_comes_back() -> None:
    from denkdag.app.heavy import ReportsBusy, ReportTooSlow

    for error in (ReportsBusy(), ReportTooSlow(2.5)):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and back.detail == error.detail
        assert back.retry_after == error.retry_after
