"""One agree vote in eight is 13 % everywhere: on the projector (JavaScript's `Math.round`,
half up), in the tally, in a statement round, across rooms and in the reports."""

from __future__ import annotations

import pytest

from denkdag.domain.events import RoomSlide, room_column, shared_questions
from denkdag.domain.kinds.statement_round import RoundStatement, RoundVote, round_tally
from denkdag.domain.model import Slide
from denkdag.domain.numbers import percent
from denkdag.domain.tally import Tally
from denkdag.formats.report import SlideResult


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(1, 8, 13), (3, 8, 38), (5, 8, 63), (1, 2, 50), (1, 3, 33), (2, 3, 67), (0, 8, 0)],
)
def test_percent_rounds_half_up_like_math_round(part: int, whole: int, shown: int) -> None:
    assert percent(part, whole) == shown


def test_nobody_answering_is_zero_percent_and_a_probability_is_a_share_of_one() -> None:
    assert percent(0, 0) == 0
    assert percent(3, 0) == 0
    assert percent(0.125, 1) == 13


def _one_in_eight() -> Tally:
    return Tally("s1", "statement", 8, {"agree": 1, "disagree": 7, "pass": 0})


def test_one_in_eight_is_13_in_a_tally_and_in_the_report() -> None:
    tally = _one_in_eight()
    assert tally.percentages()["agree"] == 13
    slide = Slide(id="s1", kind="statement", title="Eens?", statement="Samen sterker")
    assert SlideResult(slide, 1, tally).percentage("agree") == 13


def test_one_in_eight_is_13_in_a_statement_round() -> None:
    slide = Slide(id="r1", kind="conversation", title="Ronde")
    votes = [RoundVote(n, "st1", "agree" if n == 0 else "disagree") for n in range(8)]
    tally = round_tally(slide, [RoundStatement("st1", "Samen sterker")], votes)
    [entry] = tally.extra["statements"]
    assert (entry["agree_share"], entry["disagree_share"]) == (13, 88)


def test_one_in_eight_is_13_across_rooms() -> None:
    first = RoomSlide(1, Slide(id="s1", kind="statement", title="Eens?", statement="Samen"))
    second = RoomSlide(2, Slide(id="s9", kind="statement", title="Eens?", statement="samen"))
    [question] = shared_questions([first, second])
    column = room_column(question, first, _one_in_eight())
    assert [row.percentage for row in column.rows] == [13, 88, 0]
