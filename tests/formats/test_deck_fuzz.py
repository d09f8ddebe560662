"""Property tests: whatever text a deck reader gets, it answers a Deck or a DeckError.

Never another exception, and the error's line is a line of the input (or the one just
after it, for "the file ended before …").
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denkdag.domain import Deck
from denkdag.formats.deck import DeckError, parse_deck, write_deck
from denkdag.seed import seed_deck_text

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.too_slow],
)

SEED_LINES = seed_deck_text().splitlines()
FRONT_MATTER = "---\ntitle: Fuzz\n---\n"

SETTING_KEYS = ["kind", "id", "section", "multiple", "layout", "note", "title", "language"]
SETTING_VALUES = ["choice", "statement", "info", "poll", "yes", "no", "maybe", "title", "text"]
SETTING_VALUES += ["s1", "s4", "x y", "", "nl", "de", "hidden", "a" * 41]
FRAGMENTS = [
    "",
    " ",
    "---",
    "# Nieuwe dia",
    "## Sub",
    "#",
    "# ",
    "- **Optie**",
    "- Optie",
    "- ",
    "- ****",
    "  uitleg onder een optie",
    "> “Een stelling”.",
    ">",
    "Tekst zonder inspringing",
    "title: Dubbel",
    "kind: choice",
    "kind: statement",
    "multiple: yes",
    "layout: title",
    "id: s4",
    "\t- tab",
    "**vet**",
    "▶ **Transversaliteit staat centraal**",
]


def line_count(text: str | bytes) -> int:
    """How many lines an editor shows: \\n, \\r\\n and \\r end a line."""
    pattern: str | bytes = r"\r\n|\r|\n" if isinstance(text, str) else rb"\r\n|\r|\n"
    return len(re.split(pattern, text))  # type: ignore[arg-type]


def check(text: str | bytes) -> Deck | None:
    """Parse; a DeckError must point inside the text. Other exceptions fail the test."""
    try:
        deck = parse_deck(text, "fuzz.md")
    except DeckError as error:
        assert error.source == "fuzz.md"
        assert 1 <= error.line <= line_count(text) + 1, (error.line, line_count(text))
        assert error.message and "\n" not in error.message
        assert str(error) == f"fuzz.md:{error.line}: {error.message}"
        return None
    assert isinstance(deck, Deck)
    assert deck.info.title.strip()
    assert deck.slides
    assert len({slide.id for slide in deck.slides}) == len(deck.slides)
    return deck


@st.composite
def setting_lines(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(SETTING_KEYS))
    value = draw(st.sampled_from(SETTING_VALUES) | st.text(max_size=12))
    return f"{key}: {value}"


random_line = st.sampled_from(FRAGMENTS) | setting_lines() | st.text(max_size=30)


@st.composite
def mutated_seeds(draw: st.DrawFn) -> str:
    """The seed deck with a few lines deleted, duplicated, swapped, inserted or set."""
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "setting"]))
        if not lines:
            lines.append(draw(random_line))
            continue
        index = draw(st.integers(0, len(lines) - 1))
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "insert":
            lines.insert(index, draw(random_line))
        else:
            headings = [i for i, line in enumerate(lines) if line.startswith("# ")]
            where = draw(st.sampled_from(headings)) + 1 if headings else index
            lines.insert(where, draw(setting_lines()))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@FUZZ
@given(st.text())
def test_any_text_gives_a_deck_or_a_deck_error(text: str) -> None:
    check(text)


@FUZZ
@given(st.text())
def test_any_text_after_front_matter_gives_a_deck_or_a_deck_error(text: str) -> None:
    check(FRONT_MATTER + text)


@FUZZ
@given(st.lists(random_line, max_size=25))
def test_any_lines_of_deck_syntax_give_a_deck_or_a_deck_error(lines: list[str]) -> None:
    check(FRONT_MATTER + "\n".join(lines))


@FUZZ
@given(mutated_seeds())
def test_a_mutated_seed_gives_a_deck_or_a_deck_error(text: str) -> None:
    check(text)


@FUZZ
@given(mutated_seeds())
def test_every_deck_that_reads_writes_back_to_an_equal_deck(text: str) -> None:
    deck = check(text)
    if deck is not None:
        written = write_deck(deck)
        assert parse_deck(written) == deck
        assert write_deck(parse_deck(written)) == written


@FUZZ
@given(st.binary())
def test_any_bytes_give_a_deck_or_a_deck_error(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.binary(), st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_bytes_after_a_valid_start_give_a_deck_or_a_deck_error(data: bytes, bom: bytes) -> None:
    check(bom + seed_deck_text().encode("utf-8")[:200] + data)


@FUZZ
@given(mutated_seeds(), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_a_mutated_seed_in_any_encoding_gives_a_deck_or_a_deck_error(
    text: str, encoding: str
) -> None:
    check(text.encode(encoding, errors="replace"))


def test_a_lone_surrogate_is_a_control_character_error() -> None:
    check("---\ntitle: \ud800\n---\n# A\n")
    try:
        parse_deck("---\ntitle: \ud800\n---\n# A\n")
    except DeckError as error:
        assert (error.line, error.message) == (2, "the line holds a control character")
    else:  # pragma: no cover
        raise AssertionError("a lone surrogate was accepted")
