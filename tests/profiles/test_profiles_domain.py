"""Profile questions in the domain: reading and writing them, checking answers, and the
privacy rule of every breakdown (no group under five, nothing derivable by subtraction)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from denkdag.domain.breakdowns import opinion_spread, profile_counts, slide_breakdown
from denkdag.domain.errors import InvalidAnswer
from denkdag.domain.model import Option, Slide
from denkdag.domain.profiles import (
    HIDDEN,
    ProfileSyntaxError,
    check_answers,
    disclosed_groups,
    export_labels,
    option_slug,
    read_question,
    write_question,
)
from denkdag.domain.tally import PRIVACY_FLOOR, shown_groups

WORK = read_question("Ik werk in: bibliotheek / cultuurcentrum / school / OCMW / andere", 1)
STATEMENT = Slide(id="s", kind="statement", title="Akkoord?", statement="Samen is beter.")


def test_a_question_reads_its_text_and_options() -> None:
    assert WORK.id == "p1"
    assert WORK.text == "Ik werk in"
    assert [o.id for o in WORK.options] == [
        "bibliotheek",
        "cultuurcentrum",
        "school",
        "ocmw",
        "andere",
    ]
    ocmw = WORK.option("ocmw")
    assert ocmw is not None and ocmw.label == "OCMW"


@pytest.mark.parametrize(
    "line",
    [
        "Ik werk in: bibliotheek / cultuurcentrum / school / OCMW / andere",
        "Waar werk je? Antwerpen / Gent",
        "Rol: functie: leiding / medewerker en/of vrijwilliger",
        "Regio: Brussel-Hoofdstad / Vlaams-Brabant / ' quote",
    ],
)
def test_questions_round_trip(line: str) -> None:
    question = read_question(line, 2)
    assert read_question(write_question(question), 2) == question


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Ik werk in bibliotheek / school", "'question: option / option / …'"),
        ("Ik werk in: bibliotheek", "'question: option / option / …'"),
        (": a / b", "no text before its ':'"),
        ("Ik werk in: School / school", "too alike"),
        ("Ik werk in: school / Liever niet zeggen", "Denkdag adds 'prefer not to say'"),
        ("Q: " + " / ".join(f"o{i}" for i in range(13)), "2 to 12 options, not 13"),
        ("Q: " + "x" * 81 + " / b", "at most 80 characters"),
    ],
)
def test_broken_questions_say_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(ProfileSyntaxError) as caught:
        read_question(line, 1)
    assert message in str(caught.value)


def test_slugs_drop_accents_and_fall_back_to_positions() -> None:
    assert option_slug("Coördinator / CPAS") == "coordinator-cpas"
    assert read_question("Q: 图书馆 / 学校", 1).options[1].id == "o2"


def test_answers_are_checked_and_a_missing_one_is_not_said() -> None:
    assert check_answers([WORK], {"p1": "school"}) == {"p1": "school"}
    assert check_answers([WORK], {}) == {"p1": None}
    assert check_answers([WORK], {"p1": None}) == {"p1": None}
    with pytest.raises(InvalidAnswer, match="'kerk' is not an option"):
        check_answers([WORK], {"p1": "kerk"})
    with pytest.raises(InvalidAnswer, match="no profile question 'p9'"):
        check_answers([WORK], {"p9": "school"})
    with pytest.raises(InvalidAnswer):
        check_answers([WORK], {"p1": 3})


# --- the privacy rule -------------------------------------------------------------------


def test_a_group_under_five_is_never_shown() -> None:
    assert disclosed_groups({"a": 9, "b": 4, "c": 12, "d": 3}) == {"a", "c"}


def test_a_single_small_group_takes_the_smallest_shown_group_with_it() -> None:
    # As shown_groups: with 'b' alone hidden, total - a - c would be b's figures.
    assert disclosed_groups({"a": 9, "b": 2, "c": 6}) == {"a"}
    assert disclosed_groups({"a": 9, "b": 2, "c": 6}) <= shown_groups({"a": 9, "b": 2, "c": 6})


def test_several_small_groups_together_under_five_are_not_left_as_the_rest() -> None:
    # shown_groups would show a and c; the rest (b + d = 3 people) would be derivable.
    assert shown_groups({"a": 9, "b": 1, "c": 6, "d": 2}) == {"a", "c"}
    assert disclosed_groups({"a": 9, "b": 1, "c": 6, "d": 2}) == {"a"}


def test_those_who_did_not_say_count_in_the_rest() -> None:
    assert disclosed_groups({"a": 9, "c": 6}, undisclosed=2) == {"a"}
    assert disclosed_groups({"a": 9, "c": 6}, undisclosed=5) == {"a", "c"}
    assert disclosed_groups({"a": 9, "c": 6}, undisclosed=0) == {"a", "c"}


def test_empty_groups_hide_nothing() -> None:
    assert disclosed_groups({"a": 9, "b": 0, "c": 6}) == {"a", "c"}


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 12), max_size=7),
    st.integers(0, 12),
)
def test_no_group_under_five_can_be_derived_by_subtraction(
    sizes: dict[str, int], undisclosed: int
) -> None:
    shown = disclosed_groups(sizes, undisclosed)
    assert all(sizes[name] >= PRIVACY_FLOOR for name in shown)
    rest = undisclosed + sum(size for name, size in sizes.items() if name not in shown)
    if shown:  # the total minus the shown groups is nobody, or five or more people
        assert rest == 0 or rest >= PRIVACY_FLOOR
    small = [name for name, size in sizes.items() if 0 < size < PRIVACY_FLOOR]
    if len(small) == 1 and not undisclosed:  # shown_groups' own rule still holds
        assert len([n for n, s in sizes.items() if s and n not in shown]) >= 2 or not shown


# --- breakdowns ---------------------------------------------------------------------------


def room(
    groups: dict[str | None, list[str]],
) -> tuple[list[tuple[int, str]], dict[int, dict[str, str | None]]]:
    """Answers and profiles of a room: per profile option (None: not said) their votes."""
    answers, profiles, pid = [], {}, 0
    for option, votes in groups.items():
        for vote in votes:
            pid += 1
            answers.append((pid, vote))
            profiles[pid] = {"p1": option}
    return answers, profiles


def test_a_statement_breaks_down_with_small_groups_in_the_rest() -> None:
    answers, profiles = room(
        {
            "bibliotheek": ["agree"] * 5 + ["disagree"] * 2,
            "school": ["agree", "disagree", "disagree", "pass", "agree", "agree"],
            "ocmw": ["disagree"] * 2,
            None: ["agree"] * 4,
        }
    )
    found = slide_breakdown(STATEMENT, WORK, answers, profiles)
    assert [g.option.id for g in found.groups] == ["bibliotheek", "school"]
    assert dict(found.groups[0].tally.counts) == {"agree": 5, "disagree": 2, "pass": 0}
    assert found.rest is not None and found.rest.respondents == 6
    assert dict(found.rest.counts) == {"agree": 4, "disagree": 2, "pass": 0}
    assert found.hidden_groups == 1
    data = found.as_dict()
    assert data["groups"][0]["percentages"] == {"agree": 71, "disagree": 29, "pass": 0}
    assert "ocmw" not in repr(data)


def test_a_small_group_is_not_derivable_from_the_breakdown() -> None:
    answers, profiles = room(
        {"bibliotheek": ["agree"] * 6, "school": ["agree"] * 5, "ocmw": ["disagree"] * 2}
    )
    found = slide_breakdown(STATEMENT, WORK, answers, profiles)
    assert [g.option.id for g in found.groups] == ["bibliotheek"]
    assert found.rest is not None and found.rest.respondents == 7
    total = 13
    assert total - sum(g.tally.respondents for g in found.groups) == 7  # school + OCMW


def test_the_floor_counts_respondents_of_the_slide_not_members() -> None:
    answers, profiles = room({"bibliotheek": ["agree"] * 4, "school": ["agree"] * 9})
    profiles[100] = {"p1": "bibliotheek"}  # joined, did not vote here
    found = slide_breakdown(STATEMENT, WORK, answers, profiles)
    assert [g.option.id for g in found.groups] == []  # school alone would expose the 4
    assert found.rest is not None and found.rest.respondents == 13


def test_a_choice_and_a_scale_break_down() -> None:
    choice = Slide(
        id="c",
        kind="choice",
        title="Hoe?",
        options=(
            Option("a", "Informeel"),
            Option("b", "Permanent"),
        ),
    )
    answers, profiles = room({"school": ["a"] * 3 + ["b"] * 2, "andere": ["b"] * 5})
    found = slide_breakdown(choice, WORK, answers, profiles)
    assert [dict(g.tally.counts) for g in found.groups] == [{"a": 3, "b": 2}, {"a": 0, "b": 5}]
    assert found.rest is None
    scale = Slide(
        id="sc",
        kind="scale",
        title="Hoe ervaar je?",
        extra={"items": [{"id": "a", "label": "Partners"}], "min": 1, "max": 5},
    )
    values = [{"a": n} for n in (1, 2, 3, 4, 5)] + [{"a": 5}] * 5
    answers = [(pid, value) for pid, value in enumerate(values, 1)]
    profiles = {pid: {"p1": "school" if pid <= 5 else "andere"} for pid in range(1, 11)}
    found = slide_breakdown(scale, WORK, answers, profiles)
    means = [g.tally.extra["items"][0]["mean"] for g in found.groups]
    assert means == [3.0, 5.0]


def test_counts_and_export_labels_follow_the_same_rule() -> None:
    profiles: dict[int, dict[str, str | None]] = {}
    pid = 0
    for option, size in (("bibliotheek", 7), ("school", 6), ("ocmw", 2), (None, 3)):
        for _ in range(size):
            pid += 1
            profiles[pid] = {"p1": option}
    people = [*profiles, 99]  # 99 joined and never answered the profile question
    counts = profile_counts(WORK, profiles, people)
    assert [(g.option.id, g.count) for g in counts.groups] == [("bibliotheek", 7), ("school", 6)]
    assert counts.rest == 6 and counts.population == 19
    labels = export_labels([WORK], profiles, people)
    assert labels[1]["p1"] == "bibliotheek" and labels[8]["p1"] == "school"
    assert labels[14]["p1"] == HIDDEN and labels[16]["p1"] == HIDDEN and labels[99]["p1"] == HIDDEN


def test_two_labels_only_when_every_pair_of_groups_has_five() -> None:
    age = read_question("Leeftijd: jonger dan 40 / 40 of ouder", 2)
    profiles: dict[int, dict[str, str | None]] = {}
    for pid in range(1, 21):  # bibliotheek and school, young and old: 5 of each pair
        profiles[pid] = {
            "p1": "bibliotheek" if pid <= 10 else "school",
            "p2": "jonger-dan-40" if pid % 2 else "40-of-ouder",
        }
    ids = {o.id for o in age.options}
    assert ids == {"jonger-dan-40", "40-of-ouder"}, ids
    labels = export_labels([WORK, age], profiles, list(profiles))
    assert {tuple(own.values()) for own in labels.values()} == {
        ("bibliotheek", "jonger dan 40"),
        ("bibliotheek", "40 of ouder"),
        ("school", "jonger dan 40"),
        ("school", "40 of ouder"),
    }
    # One librarian who is 40 or older becomes young: bibliotheek and 40 or older are
    # both still groups of at least five, but that pair is now four people.
    profiles[2]["p2"] = "jonger-dan-40"
    labels = export_labels([WORK, age], profiles, list(profiles))
    assert all(own["p2"] == HIDDEN for own in labels.values())
    assert labels[1]["p1"] == "bibliotheek" and labels[11]["p1"] == "school"


def test_profile_groups_spread_over_opinion_groups() -> None:
    profiles = {pid: {"p1": "school" if pid <= 6 else "ocmw"} for pid in range(1, 9)}
    opinion_of = {pid: (0 if pid <= 4 else 1) for pid in range(1, 9)}
    spread = opinion_spread(WORK, opinion_of, ["A", "B"], profiles)
    rows = [(r.option.id if r.option else None, r.counts) for r in spread.rows]
    assert rows == [(None, (4, 4))]  # school (6) alone would expose OCMW's 2 by subtraction
    profiles.update({pid: {"p1": "ocmw"} for pid in range(9, 13)})
    opinion_of.update({pid: 1 for pid in range(9, 13)})
    spread = opinion_spread(WORK, opinion_of, ["A", "B"], profiles)
    rows = [(r.option.id if r.option else None, r.counts) for r in spread.rows]
    assert rows == [("school", (4, 2)), ("ocmw", (0, 6))]
    assert spread.as_dict()["rows"][0]["percentages"] == [67, 33]
