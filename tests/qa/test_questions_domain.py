"""The Q&A rules without a database: the front matter setting, ordering and what a
screen may see."""

from __future__ import annotations

import pytest

from denkdag.domain.errors import InvalidAnswer, SlideNotOpen
from denkdag.domain.questions import (
    APPROVED,
    HIDDEN,
    PENDING,
    Question,
    accept_question,
    board,
    mode_of,
)
from denkdag.formats.deck import DeckError, parse_deck, write_deck
from denkdag.storage.codec import dump_deck, load_deck

DECK = "---\ntitle: T\n{line}---\n\n# Open\nkind: open\nbanned: Idioot\n"


def deck(mode: str | None = None):  # type: ignore[no-untyped-def]
    return parse_deck(DECK.format(line=f"questions: {mode}\n" if mode else ""))


@pytest.mark.parametrize("mode", [None, "approve-first", "show-at-once", "off"])
def test_the_setting_survives_the_deck_file_and_the_database(mode: str | None) -> None:
    original = deck(mode)
    assert mode_of(original) == (mode or "approve-first")
    assert parse_deck(write_deck(original)) == original
    assert load_deck(dump_deck(original)) == original


def test_an_unknown_setting_names_the_line() -> None:
    with pytest.raises(DeckError) as raised:
        deck("later")
    assert raised.value.line == 3
    assert "questions must be one of approve-first, show-at-once, off" in raised.value.message


def test_the_first_status_follows_the_setting_and_banned_words_apply() -> None:
    assert accept_question(deck(), " Waarom? ") == ("Waarom?", PENDING)
    assert accept_question(deck("show-at-once"), "Waarom?") == ("Waarom?", APPROVED)
    with pytest.raises(SlideNotOpen):
        accept_question(deck("off"), "Waarom?")
    with pytest.raises(InvalidAnswer, match="does not allow"):
        accept_question(deck(), "Wat een IDIOOT plan")


def q(id: int, votes: int, status: str = APPROVED, on_screen: bool = False) -> Question:
    return Question(id, f"q{id}", status, False, on_screen, votes)


def test_boards_order_by_votes_and_show_participants_approved_ones_only() -> None:
    questions = [
        q(1, 0),
        q(2, 3),
        q(3, 3),
        q(4, 9, PENDING),
        q(5, 1, HIDDEN),
        q(6, 1, on_screen=True),
    ]
    public = board(questions, facilitator=False)
    assert [item["id"] for item in public["questions"]] == [2, 3, 6, 1]  # type: ignore[index]
    assert public["total"] == 4
    assert public["on_screen"]["id"] == 6  # type: ignore[index]
    everything = board(questions, facilitator=True, limit=None)
    # The facilitator's list: hidden ones below the rest, so a question just hidden never
    # stays where the next one to moderate is.
    assert [item["id"] for item in everything["questions"]] == [4, 2, 3, 6, 1, 5]  # type: ignore[index]


def test_a_long_board_keeps_the_question_on_screen() -> None:
    questions = [q(n, 100 - n) for n in range(1, 6)] + [q(99, 0, on_screen=True)]
    shown = board(questions, facilitator=False, limit=3)
    assert [item["id"] for item in shown["questions"]] == [1, 2, 3, 99]  # type: ignore[index]
    assert shown["total"] == 6
