"""The quiz's rules, pure: points for speed (Kahoot's rule), late answers, several right
options, the standings' order and ties, teams under the anonymity floor, nicknames, and
the deck syntax with errors that name their line."""

from __future__ import annotations

import pytest

from denkdag.domain import quiz, session_flow
from denkdag.domain.errors import InvalidAnswer
from denkdag.domain.kinds.quiz import is_right
from denkdag.domain.model import Countdown
from denkdag.domain.timer import timer_of
from denkdag.formats.deck import DeckError, parse_deck

DECK = """---
title: Quiz
---

# Eerste
kind: quiz
id: q1
correct: b
timer: 20s

- Een
- Twee
- Drie
"""


def slide(correct: str = "b", multiple: bool = False, points: str = "") -> object:
    text = DECK.replace("correct: b", f"correct: {correct}")
    if multiple:
        text = text.replace("timer: 20s", "timer: 20s\nmultiple: yes")
    if points:
        text = text.replace("timer: 20s", f"timer: 20s\npoints: {points}")
    return parse_deck(text).slides[0]


def test_an_instant_right_answer_earns_all_points_the_last_moment_half() -> None:
    assert quiz.score(1000, 0, 20, right=True) == 1000
    assert quiz.score(1000, 10, 20, right=True) == 750
    assert quiz.score(1000, 20, 20, right=True) == 500
    assert quiz.score(1000, 5, 20, right=True) == 875
    assert quiz.score(2000, 4, 20, right=True) == 1800


def test_a_wrong_or_late_answer_earns_nothing() -> None:
    assert quiz.score(1000, 1, 20, right=False) == 0
    assert quiz.score(1000, 20.001, 20, right=True) == 0
    assert quiz.score(1000, 60, 20, right=True) == 0


def test_a_question_is_timed_from_its_countdowns_start() -> None:
    question = slide()
    countdown = Countdown("q1", ends_at=1020.0, remaining=20, duration=20, closes=True)
    answers = [
        quiz.Timed(1, "b", 1002.0),  # right after 2 s
        quiz.Timed(2, "a", 1001.0),  # wrong
        quiz.Timed(3, "b", 1025.0),  # late: after the deadline
        quiz.Timed(4, "b", 999.0),  # before the start (a paused timer): instant
    ]
    scored = {s.participant_id: s for s in quiz.score_question(question, countdown, answers)}  # type: ignore[arg-type]
    assert scored[1].points == 950 and scored[1].right
    assert scored[2].points == 0 and not scored[2].right
    assert scored[3].points == 0 and scored[3].right
    assert scored[4].points == 1000


def test_without_a_running_countdown_a_right_answer_counts_as_at_the_deadline() -> None:
    scored = quiz.score_question(slide(), None, [quiz.Timed(1, "b", 5.0)])  # type: ignore[arg-type]
    assert scored[0].points == 500


def test_several_right_options_one_pick_or_the_exact_set() -> None:
    single = slide("a, c")
    assert is_right(single, "a") and is_right(single, "c") and not is_right(single, "b")  # type: ignore[arg-type]
    several = slide("a, c", multiple=True)
    assert is_right(several, ["a", "c"])  # type: ignore[arg-type]
    assert not is_right(several, ["a"]) and not is_right(several, ["a", "b", "c"])  # type: ignore[arg-type]


def scored(pid: int, points: int, elapsed: float) -> quiz.Scored:
    return quiz.Scored(pid, points > 0, points, elapsed)


def test_standings_most_points_first_ties_by_total_time_then_shared_rank() -> None:
    names = {1: "Ann", 2: "Bob", 3: "Cas", 4: "Dia", 5: "Eef"}
    questions = [
        [scored(1, 900, 4), scored(2, 900, 3), scored(3, 500, 1), scored(4, 900, 3)],
        [scored(1, 800, 2), scored(2, 800, 2), scored(3, 0, 1), scored(4, 800, 2)],
    ]
    board = quiz.standings(questions, names)
    assert [(s.nickname, s.points, s.rank) for s in board] == [
        ("Bob", 1700, 1),  # 5 s in all
        ("Dia", 1700, 1),  # the same points and time: the same rank
        ("Ann", 1700, 3),  # 6 s: third
        ("Cas", 500, 4),
        ("Eef", 0, 5),  # never answered, still on the board with a nickname
    ]


def test_participants_without_a_nickname_are_on_no_leaderboard() -> None:
    board = quiz.standings([[scored(1, 900, 1), scored(2, 1000, 0)]], {1: "Ann"})
    assert [s.nickname for s in board] == ["Ann"]


def test_teams_average_and_small_teams_are_not_shown() -> None:
    players = [quiz.Standing(pid, f"p{pid}", pid * 100, 0, 0.0) for pid in range(1, 13)]
    team_of = {pid: "Zorg" for pid in range(1, 6)}
    team_of |= {pid: "Onderwijs" for pid in range(6, 11)}
    team_of |= {11: "Kunst", 12: "Kunst"}
    teams = quiz.team_standings(players, team_of)
    # Kunst (2) is too small, and the smallest other team (Onderwijs before Zorg at equal
    # size) is hidden with it, so Kunst cannot be derived from the total.
    assert [(t.team, t.points, t.players, t.rank) for t in teams] == [("Zorg", 300, 5, 1)]
    team_of = {pid: "Zorg" for pid in range(1, 6)} | {pid: "Onderwijs" for pid in range(6, 13)}
    teams = quiz.team_standings(players, team_of)
    assert [(t.team, t.points, t.rank) for t in teams] == [("Onderwijs", 900, 1), ("Zorg", 300, 2)]


def test_nicknames_are_checked_and_folded() -> None:
    assert quiz.clean_nickname("  Ann  ", ()) == "Ann"
    assert quiz.nickname_key("ÁNN") == quiz.nickname_key("ann")
    for bad in ("", "x" * 25, "a\nb", "a\x07b", 12):
        with pytest.raises(InvalidAnswer):
            quiz.clean_nickname(bad, ())
    with pytest.raises(InvalidAnswer, match="does not allow"):
        quiz.clean_nickname("Stom ding", ("stom",))


def test_a_quiz_starts_its_timer_on_arrival_and_is_not_revealed_by_itself() -> None:
    deck = parse_deck(DECK.replace("title: Quiz", "title: Quiz\nresults: live"))
    state = session_flow.apply(deck, session_flow.start(deck), "goto", "q1", now=100.0)
    countdown = timer_of(state, "q1")
    assert countdown is not None and countdown.ends_at == 120.0 and countdown.closes
    assert "q1" in state.open_slides and "q1" not in state.revealed


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (("correct: b", "correct: e"), 8, "option 'e'"),
        (("correct: b", "correct: a, a"), 8, "twice"),
        (("correct: b\n", ""), 5, "right option"),
        (("timer: 20s\n", ""), 5, "timer"),
        (("timer: 20s", "timer: 20s\npoints: 0"), 10, "points"),
    ],
)
def test_deck_errors_name_the_line(change: tuple[str, str], line: int, says: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck(DECK.replace(*change))
    assert caught.value.line == line and says in str(caught.value)
