"""Whole-number slide settings share one reading rule and one error sentence."""

from __future__ import annotations

import pytest

from denkdag.formats.deck import DeckError, parse_deck

HEAD = "---\ntitle: t\n---\n\n# Vraag\n"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("kind: wordcloud\nwords: 4", "'words' must be a whole number from 1 to 3, not '4'"),
        ("kind: wordcloud\nwords: twee", "'words' must be a whole number from 1 to 3, not 'twee'"),
        ("kind: open\nmax_length: 0", "'max_length' must be a whole number from 1 to"),
        ("kind: scale\nmax: ٥", "'max' must be a whole number from"),
    ],
)
def test_bad_numbers_name_their_line(setting: str, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck(HEAD + setting + "\n")
    assert caught.value.line == 7
    assert message in caught.value.message


def test_good_numbers_are_read() -> None:
    deck = parse_deck(HEAD + "kind: wordcloud\nwords: 2\n")
    assert deck.slides[0].extra["words"] == 2
    deck = parse_deck(HEAD + "kind: open\nmax_length: 120\n")
    assert deck.slides[0].extra["max_length"] == 120
