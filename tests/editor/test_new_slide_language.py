"""A new slide's placeholder text is in the session's language (the room may see it), and
every translation still reads as its own kind."""

from __future__ import annotations

import pytest

from denkdag.domain.kinds import KINDS
from denkdag.formats.slide_text import NEW_SLIDES, new_slide_text, read_slide


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_starter_reads_as_its_kind_in_every_language(language: str) -> None:
    for kind in NEW_SLIDES:
        slide = read_slide(new_slide_text(kind, language), "x1")
        assert slide.kind == kind, (language, kind)
        if language != "en":
            assert new_slide_text(kind, language) != NEW_SLIDES[kind], (language, kind)


def test_the_statement_round_is_offered() -> None:
    assert "conversation" in NEW_SLIDES and KINDS["conversation"].label


def test_a_dutch_placeholder() -> None:
    assert new_slide_text("open", "nl").startswith("# Je vraag?")
    assert new_slide_text("open", "fr").startswith("# Votre question\u00a0?")
