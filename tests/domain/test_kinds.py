"""Slide kinds: which answers each kind accepts, how it tallies, and the privacy rule."""

from __future__ import annotations

import pytest

from denkdag.domain import InvalidAnswer, Option, Slide, SlideNotOpen, Tally
from denkdag.domain.kinds import KINDS, kind_of
from denkdag.domain.kinds.statement import STANCES, VOTE_ENCODING
from denkdag.domain.tally import PRIVACY_FLOOR, shown_groups

CHOICE = kind_of("choice")
STATEMENT = kind_of("statement")
INFO = kind_of("info")

OPTIONS = (
    Option("a", "Informeel", "Kennis delen"),
    Option("b", "Permanent"),
    Option("c", "Regiobibliotheek"),
)
SINGLE = Slide(id="q", kind="choice", title="Hoe?", options=OPTIONS)
MULTIPLE = Slide(id="m", kind="choice", title="Welke?", options=OPTIONS, multiple=True)
STMT = Slide(id="st", kind="statement", title="Akkoord?", statement="Samen is beter.")
INFO_SLIDE = Slide(id="i", kind="info", title="Doel", body="- een\n- twee")


def test_registry_knows_every_kind() -> None:
    assert set(KINDS) == {
        "info",
        "choice",
        "statement",
        "scale",
        "wordcloud",
        "open",
        "ranking",
        "opinions",
        "conversation",
        "quiz",
        "leaderboard",
    }
    assert {name: kind.asks for name, kind in KINDS.items()} == {
        "info": False,
        "choice": True,
        "statement": True,
        "scale": True,
        "wordcloud": True,
        "open": True,
        "ranking": True,
        "opinions": False,
        "conversation": True,
        "quiz": True,
        "leaderboard": False,
    }
    with pytest.raises(KeyError):
        kind_of("poll")


# --- choice: single ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a", "b", "c"])
def test_single_choice_accepts_a_known_option_id(value: str) -> None:
    assert CHOICE.validate(SINGLE, value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("z", "Unknown option 'z'; this question has a, b, c."),
        ("A", "Unknown option 'A'; this question has a, b, c."),
        ("", "Unknown option ''; this question has a, b, c."),
        (["a"], "Choose one option: its id as a string."),
        ({"a": True}, "Choose one option: its id as a string."),
        (None, "Choose one option: its id as a string."),
        (1, "Choose one option: its id as a string."),
        (True, "Choose one option: its id as a string."),
    ],
)
def test_single_choice_refuses_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        CHOICE.validate(SINGLE, value)
    assert caught.value.detail == message
    assert str(caught.value) == message


# --- choice: multiple -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        (["a"], ["a"]),
        (["c", "a"], ["a", "c"]),  # stored in the question's order
        (["b", "c", "a"], ["a", "b", "c"]),
        ("b", ["b"]),  # a single id is a one-item list
    ],
)
def test_multiple_choice_normalises_good_values(value: object, normalised: list[str]) -> None:
    assert CHOICE.validate(MULTIPLE, value) == normalised


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "Choose at least one option: a list of option ids."),
        ({"a": 1}, "Choose at least one option: a list of option ids."),
        (("a", "b"), "Choose at least one option: a list of option ids."),
        (None, "Choose at least one option: a list of option ids."),
        (3, "Choose at least one option: a list of option ids."),
        (["a", 1], "Every chosen option must be an option id (a string)."),
        ([None], "Every chosen option must be an option id (a string)."),
        ([["a"]], "Every chosen option must be an option id (a string)."),
        (["a", "x"], "Unknown option 'x'; this question has a, b, c."),
        ("x", "Unknown option 'x'; this question has a, b, c."),
        (["a", "a"], "Choose each option at most once."),
        (["b", "c", "b"], "Choose each option at most once."),
    ],
)
def test_multiple_choice_refuses_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        CHOICE.validate(MULTIPLE, value)
    assert caught.value.detail == message


# --- statement and info -----------------------------------------------------------------


@pytest.mark.parametrize("stance", ["agree", "disagree", "pass"])
def test_statement_accepts_the_three_stances(stance: str) -> None:
    assert STATEMENT.validate(STMT, stance) == stance


@pytest.mark.parametrize(
    "value", ["Agree", "akkoord", "yes", "", 1, -1, 0, None, ["agree"], {"agree": 1}, True]
)
def test_statement_refuses_anything_else(value: object) -> None:
    with pytest.raises(InvalidAnswer, match="'agree', 'disagree' or 'pass'"):
        STATEMENT.validate(STMT, value)


def test_statement_vote_encoding_is_polis_encoding() -> None:
    assert STANCES == ("agree", "disagree", "pass")
    assert VOTE_ENCODING == {"agree": 1, "disagree": -1, "pass": 0}


@pytest.mark.parametrize("value", ["a", "agree", None, ["a"]])
def test_info_refuses_every_answer(value: object) -> None:
    with pytest.raises(SlideNotOpen, match="information only"):
        INFO.validate(INFO_SLIDE, value)


def test_info_tally_is_empty() -> None:
    tally = INFO.tally(INFO_SLIDE, ["a", "b"])
    assert tally == Tally(slide_id="i", kind="info", respondents=0)
    assert dict(tally.counts) == {}
    assert tally.percentages() == {}


# --- tallies ----------------------------------------------------------------------------


def test_single_choice_tally_counts_every_option_including_zeros() -> None:
    tally = CHOICE.tally(SINGLE, ["a", "a", "c", "a"])
    assert tally.slide_id == "q"
    assert tally.kind == "choice"
    assert tally.respondents == 4
    assert dict(tally.counts) == {"a": 3, "b": 0, "c": 1}
    assert list(tally.counts) == ["a", "b", "c"]  # in the question's order


def test_multiple_choice_tally_counts_respondents_once_and_each_choice() -> None:
    tally = CHOICE.tally(MULTIPLE, [["a", "b"], ["a"], ["a", "b", "c"]])
    assert tally.respondents == 3
    assert dict(tally.counts) == {"a": 3, "b": 2, "c": 1}
    assert tally.percentages() == {"a": 100, "b": 67, "c": 33}


def test_choice_tally_ignores_ids_the_question_no_longer_has() -> None:
    tally = CHOICE.tally(SINGLE, ["a", "gone"])
    assert tally.respondents == 2
    assert dict(tally.counts) == {"a": 1, "b": 0, "c": 0}


def test_statement_tally_counts_stances_including_zeros() -> None:
    tally = STATEMENT.tally(STMT, ["agree", "agree", "pass"])
    assert tally.respondents == 3
    assert dict(tally.counts) == {"agree": 2, "disagree": 0, "pass": 1}


def test_empty_tallies_have_zero_counts_and_zero_percentages() -> None:
    for kind, slide in ((CHOICE, SINGLE), (CHOICE, MULTIPLE), (STATEMENT, STMT)):
        tally = kind.tally(slide, [])
        assert tally.respondents == 0
        assert set(tally.counts.values()) == {0}
        assert set(tally.percentages().values()) == {0}
        assert tally.percentage("a") == 0.0


@pytest.mark.parametrize(
    ("counts", "respondents", "expected"),
    [
        ({"a": 1, "b": 1, "c": 1}, 3, {"a": 33, "b": 33, "c": 33}),
        ({"a": 2, "b": 1}, 3, {"a": 67, "b": 33}),
        ({"a": 1, "b": 7}, 8, {"a": 13, "b": 88}),  # 12.5 and 87.5 round half up
        ({"a": 1, "b": 199}, 200, {"a": 1, "b": 100}),  # 0.5 → 1, 99.5 → 100
        ({"a": 1, "b": 0}, 1, {"a": 100, "b": 0}),
        ({"a": 1, "b": 2}, 400, {"a": 0, "b": 1}),  # 0.25 → 0, 0.5 → 1
    ],
)
def test_percentages_are_whole_and_rounded_half_up(
    counts: dict[str, int], respondents: int, expected: dict[str, int]
) -> None:
    tally = Tally(slide_id="q", kind="choice", respondents=respondents, counts=counts)
    assert tally.percentages() == expected


def test_percentage_is_exact_share_of_respondents() -> None:
    tally = Tally(slide_id="q", kind="choice", respondents=8, counts={"a": 1, "b": 7})
    assert tally.percentage("a") == 12.5
    assert tally.percentage("b") == 87.5
    assert tally.percentage("missing") == 0.0


def test_tally_as_dict_hides_counts_unless_shown() -> None:
    tally = Tally(slide_id="q", kind="choice", respondents=2, counts={"a": 2}, extra={"mean": 1.5})
    assert tally.as_dict() == {"slide": "q", "respondents": 2, "counts": {"a": 2}, "mean": 1.5}
    assert tally.as_dict(with_counts=False) == {"slide": "q", "respondents": 2}


# --- privacy: shown_groups --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "shown"),
    [
        ({}, set()),
        ({"a": 5, "b": 9}, {"a", "b"}),  # the floor itself is shown
        ({"a": 4, "b": 3}, set()),  # all under the floor
        ({"a": 4}, set()),
        ({"a": 7}, {"a"}),
        # one hidden group: the smallest shown one is hidden with it
        ({"a": 20, "b": 8, "c": 2}, {"a"}),
        ({"a": 20, "b": 4}, set()),
        ({"big": 30, "mid": 12, "small": 6, "tiny": 0}, {"big", "mid"}),
        # two hidden groups already hide each other
        ({"a": 20, "b": 8, "c": 2, "d": 1}, {"a", "b"}),
        # ties on size are broken by name, so the answer is stable
        ({"x": 6, "y": 6, "z": 1}, {"y"}),
    ],
)
def test_shown_groups_privacy_rule(sizes: dict[str, int], shown: set[str]) -> None:
    assert shown_groups(sizes) == shown


def test_shown_groups_never_lets_a_single_small_group_be_derived() -> None:
    sizes = {"plenary": 40, "room 1": 12, "room 2": 9, "room 3": 3}
    shown = shown_groups(sizes)
    hidden = set(sizes) - shown
    assert "room 3" in hidden
    assert len(hidden) != 1  # total minus the shown groups never isolates one group
    assert shown == {"plenary", "room 1"}


def test_shown_groups_respects_a_custom_floor() -> None:
    assert PRIVACY_FLOOR == 5
    assert shown_groups({"a": 9, "b": 10, "c": 30}, floor=10) == {"c"}
    assert shown_groups({"a": 3, "b": 3}, floor=3) == {"a", "b"}
