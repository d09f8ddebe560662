"""The deck's `notes:` block: read, written back, and kept apart from the slide's text."""

from __future__ import annotations

import pytest

from denkdag.formats.deck import MAX_NOTES, DeckError, parse_deck, write_deck
from denkdag.storage.codec import dump_deck, load_deck

DECK = """---
title: T
---

# Kies
kind: choice

- **Een**
  uitleg
- **Twee**

notes:
  Eerst de context.

  # geen nieuwe dia
    ingesprongen

# Kort
notes: op één regel
"""


def test_notes_are_read_apart_from_the_body_and_written_back() -> None:
    deck = parse_deck(DECK)
    choice, short = deck.slides
    assert [o.description for o in choice.options] == ["uitleg", ""]
    assert choice.notes == "Eerst de context.\n\n# geen nieuwe dia\n  ingesprongen"
    assert short.notes == "op één regel" and short.body == ""
    written = write_deck(deck)
    assert "\nnotes:\n  Eerst de context.\n\n  # geen nieuwe dia\n" in written
    assert parse_deck(written) == deck
    assert load_deck(dump_deck(deck)) == deck


def test_too_long_notes_are_refused_at_their_line() -> None:
    text = "---\ntitle: T\n---\n# A\n\nnotes:\n  " + "x" * (MAX_NOTES + 1) + "\n"
    with pytest.raises(DeckError) as refused:
        parse_deck(text)
    assert refused.value.line == 6 and "speaker notes" in refused.value.message
