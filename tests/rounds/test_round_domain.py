"""Statement rounds in the pure domain: deck syntax, the rules for written statements and
votes, the tally, and the order in which a phone is offered statements."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from denkdag.domain.errors import InvalidAnswer, NotFound, SlideNotOpen, UnknownSlide
from denkdag.domain.kinds import KINDS
from denkdag.domain.kinds.statement_round import (
    HIDDEN,
    PENDING,
    ROOM_ORIGIN,
    RoundData,
    RoundStatement,
    RoundVote,
    accept_statement,
    accept_vote,
    division,
    next_statement,
    opinion_columns,
    queue,
    round_tally,
    seed_id,
    seeds,
)
from denkdag.domain.model import LiveState
from denkdag.formats.deck import DeckError, parse_deck, write_deck

DECK = parse_deck(Path(__file__).with_name("statement_round.md").read_text("utf-8"))
ROUND = DECK.slide("round")
OPEN = LiveState(open_slides=frozenset({"round", "open-round", "seeds-only"}))
CLOSED = LiveState()
HEAD = "---\ntitle: T\n---\n\n# Round\nkind: conversation\n"


def room(number: int, text: str, status: str = "approved") -> RoundStatement:
    return RoundStatement(f"r{number}", text, ROOM_ORIGIN, status)


def test_the_kind_is_registered_and_asks() -> None:
    assert KINDS["conversation"].asks


def test_deck_reads_settings_prompt_and_seed_statements() -> None:
    assert ROUND is not None
    assert ROUND.body == "Write a statement of your own, or vote on those of others."
    assert [s.text for s in seeds(ROUND)] == [
        "Libraries should open in the evenings.",
        "Every town deserves its own library.",
        "Digital lending matters more than books.",
    ]
    assert ROUND.extra["banned"] == ["stupid", "idiot"]
    show = DECK.slide("open-round")
    assert show is not None and show.extra["moderation"] == "show-at-once"
    closed = DECK.slide("seeds-only")
    assert closed is not None and closed.extra["submissions"] is False


def test_deck_writes_back_the_same_round() -> None:
    assert parse_deck(write_deck(DECK)) == DECK


def test_seed_ids_follow_the_text_not_the_position() -> None:
    assert seed_id("Samen  is BETER.") == seed_id("samen is beter.")
    assert seed_id("a") != seed_id("b")
    assert seed_id("x").startswith("d") and len(seed_id("x")) == 11


@pytest.mark.parametrize(
    ("settings", "body", "message"),
    [
        ("moderation: later\n", "> a\n", "'moderation' must be approve-first or show-at-once"),
        ("max_length: 5\n", "> a\n", "'max_length' must be a whole number from 10 to 500"),
        ("submissions: maybe\n", "> a\n", "'submissions' must be yes or no"),
        ("submissions: no\n", "Only a prompt.\n", "needs seed statements"),
        ("", "> Same.\n> same.\n", "already given on line"),
        ("", ">   \n", "is empty"),
        ("", "> " + "x" * 501 + "\n", "at most 500 characters"),
        ("colour: red\n", "> a\n", "unknown setting 'colour'"),
    ],
)
def test_deck_errors_name_the_line(settings: str, body: str, message: str) -> None:
    with pytest.raises(DeckError) as error:
        parse_deck(HEAD + settings + "\n" + body)
    assert message in error.value.message


def test_a_written_statement_is_checked_like_participant_text() -> None:
    text, status = accept_statement(DECK, OPEN, "round", "  We need more  quiet rooms. ")
    assert (text, status) == ("We need more  quiet rooms.", PENDING)
    assert accept_statement(DECK, OPEN, "open-round", "Yes.")[1] == "approved"
    refusals = {
        "": "empty",
        "x" * 141: "141 characters long; at most 140",
        "two\nlines": "must fit on one line",
        "bell \x07": "control character (U+0007)",
        "You are STUPID": "does not allow",
    }
    for value, reason in refusals.items():
        with pytest.raises(InvalidAnswer, match=re.escape(reason)):
            accept_statement(DECK, OPEN, "round", value)
    with pytest.raises(InvalidAnswer, match="must be text"):
        accept_statement(DECK, OPEN, "round", 12)
    with pytest.raises(SlideNotOpen):
        accept_statement(DECK, CLOSED, "round", "Fine.")
    with pytest.raises(SlideNotOpen, match="only the facilitator's statements"):
        accept_statement(DECK, OPEN, "seeds-only", "Fine.")
    with pytest.raises(UnknownSlide):
        accept_statement(DECK, OPEN, "map", "Fine.")


def test_a_vote_needs_a_stance_an_open_round_and_a_visible_statement() -> None:
    seed = seeds(ROUND)[0] if ROUND else None
    assert accept_vote(DECK, OPEN, "round", seed, "agree") == "agree"
    with pytest.raises(InvalidAnswer, match="'agree', 'disagree' or 'pass'"):
        accept_vote(DECK, OPEN, "round", seed, "yes")
    with pytest.raises(SlideNotOpen):
        accept_vote(DECK, CLOSED, "round", seed, "agree")
    with pytest.raises(NotFound):
        accept_vote(DECK, OPEN, "round", room(1, "x", PENDING), "agree")
    with pytest.raises(NotFound):
        accept_vote(DECK, OPEN, "round", None, "agree")


def test_answering_the_slide_itself_is_refused_with_a_reason() -> None:
    assert ROUND is not None
    with pytest.raises(InvalidAnswer, match="one statement at a time"):
        KINDS["conversation"].validate(ROUND, "agree")


# --- the order a phone offers ---------------------------------------------------------

STATEMENTS = [room(n, f"statement {n}") for n in range(1, 9)]


def test_never_a_statement_already_voted_nor_an_invisible_one() -> None:
    listed = [*STATEMENTS, room(20, "waits", PENDING), room(21, "gone", HIDDEN)]
    voted = {"r1", "r2", "r3"}
    offered = queue(listed, {}, voted, participant_id=7, seed="s")
    assert {s.id for s in offered} == {f"r{n}" for n in range(4, 9)}
    everything = {s.id for s in STATEMENTS}
    assert next_statement(listed, {}, everything, 7, "s") is None


def test_the_least_voted_statement_comes_first() -> None:
    counts = {f"r{n}": 10 for n in range(1, 9)} | {"r5": 2, "r6": 3}
    offered = queue(STATEMENTS, counts, set(), participant_id=1, seed="s")
    assert [s.id for s in offered[:2]] == ["r5", "r6"]
    for participant in range(50):
        first = next_statement(STATEMENTS, counts, set(), participant, "s")
        assert first is not None and first.id == "r5"


def test_the_order_is_deterministic_per_seed_but_not_the_same_for_everyone() -> None:
    orders = [tuple(s.id for s in queue(STATEMENTS, {}, set(), p, "seed")) for p in range(40)]
    again = [tuple(s.id for s in queue(STATEMENTS, {}, set(), p, "seed")) for p in range(40)]
    assert orders == again
    assert len(set(orders)) > 30
    other_seed = [tuple(s.id for s in queue(STATEMENTS, {}, set(), p, "other")) for p in range(40)]
    assert other_seed != orders


def test_first_statements_spread_over_the_room() -> None:
    """With equal counts, the first statement shown differs from phone to phone: 80 phones
    over 8 statements see each of them first, none more than three times as often as
    another would by chance alone."""
    firsts = Counter(
        statement.id
        for p in range(800)
        if (statement := next_statement(STATEMENTS, {}, set(), p, "spread")) is not None
    )
    assert set(firsts) == {s.id for s in STATEMENTS}
    assert max(firsts.values()) < 3 * min(firsts.values())


def test_phones_following_the_order_spread_votes_evenly() -> None:
    """Each phone votes on two statements, one after the other, always the one offered
    (counts kept current): every statement ends with about the same number of votes."""
    counts: Counter[str] = Counter()
    for participant in range(40):
        mine: set[str] = set()
        for _ in range(2):
            offered = next_statement(STATEMENTS, counts, mine, participant, "even")
            assert offered is not None
            mine.add(offered.id)
            counts[offered.id] += 1
    assert set(counts.values()) == {10}


# --- the tally ---------------------------------------------------------------------------


def votes(
    statement: str, agree: int, disagree: int, passes: int, start: int = 0
) -> list[RoundVote]:
    values = ["agree"] * agree + ["disagree"] * disagree + ["pass"] * passes
    return [RoundVote(start + i, statement, v) for i, v in enumerate(values)]


def test_tally_counts_visible_statements_and_ranks_agreed_and_divided() -> None:
    assert ROUND is not None
    seed = seeds(ROUND)
    listed = [*seed, room(1, "united"), room(2, "split"), room(3, "waits", PENDING)]
    listed.append(room(4, "gone", HIDDEN))
    cast = (
        votes("r1", 9, 1, 0)
        + votes("r2", 5, 5, 0)
        + votes(seed[0].id, 1, 6, 1)
        + votes("r3", 3, 0, 0)
        + votes("r4", 4, 0, 0, start=100)
    )
    tally = round_tally(ROUND, listed, cast)
    extra = tally.extra
    ids = [entry["id"] for entry in extra["statements"]]
    assert ids == [s.id for s in seed] + ["r1", "r2"]
    assert extra["pending"] == 1 and extra["hidden"] == 1
    assert extra["votes"] == 10 + 10 + 8
    assert tally.respondents == 10  # participants 0–9; the hidden statement's are left out
    assert dict(tally.counts) == {"agree": 15, "disagree": 12, "pass": 1}
    assert extra["most_agreed"][0] == "r1"
    assert extra["most_divided"][0] == "r2"
    assert seed[0].id not in extra["most_agreed"]
    assert extra["newest"] == ["r2", "r1"]
    first = next(e for e in extra["statements"] if e["id"] == "r1")
    assert (first["agree"], first["agree_share"], first["votes"]) == (9, 90, 10)
    assert tally.public_extra is None  # nothing in it is for facilitators only


def test_division_is_highest_for_an_even_split_without_passes() -> None:
    assert division(5, 5, 0) == 1.0
    assert division(5, 5, 10) == 0.5
    assert division(9, 1, 0) < division(6, 4, 0)
    assert division(0, 0, 3) == 0.0


def test_an_empty_round_tallies_to_its_seeds() -> None:
    assert ROUND is not None
    tally = KINDS["conversation"].tally(ROUND, [])
    assert tally.respondents == 0 and tally.extra["statement_count"] == 3
    assert tally.extra["most_agreed"] == [] and tally.extra["newest"] == []


def test_opinion_columns_hold_visible_statements_only() -> None:
    listed = [room(1, "one"), room(2, "two", HIDDEN), room(3, "three", PENDING)]
    cast = [RoundVote(1, "r1", "agree"), RoundVote(1, "r2", "disagree"), RoundVote(2, "r1", "pass")]
    columns, cells = opinion_columns("round", listed, cast)
    assert columns == {"round/r1": "one"}
    assert cells == [(1, "round/r1", 1), (2, "round/r1", 0)]
    data = RoundData("round", tuple(listed), tuple(cast))
    assert [s.id for s in data.visible] == ["r1"]
    assert len(data.visible_votes()) == 2
