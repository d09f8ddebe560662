"""Timer and pace settings in deck files: read, refused with FILE:LINE, written back
unchanged (also by the editor's one-slide text), and the CLI's import refusing a bad one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from denkdag.domain.model import AUDIENCE_PACE, PRESENTER_PACE
from denkdag.formats.deck import DeckError, parse_deck, write_deck
from denkdag.formats.slide_text import read_slide, slide_text

HERE = Path(__file__).parent
FRONT = "---\ntitle: T\n---\n"


def test_the_timed_deck_reads_its_timers() -> None:
    deck = parse_deck((HERE / "timed.md").read_text(encoding="utf-8"))
    quick, slow, pause = deck.slide("quick"), deck.slide("slow"), deck.slide("pause")
    assert quick is not None and dict(quick.extra) == {"timer": 2, "timer_closes": True}
    assert slow is not None and dict(slow.extra) == {"timer": 90}
    assert pause is not None and pause.extra["timer"] == 600
    assert deck.info.pace == PRESENTER_PACE


@pytest.mark.parametrize("name", ["timed.md", "survey.md"])
def test_decks_with_timers_and_pace_are_written_back_unchanged(name: str) -> None:
    deck = parse_deck((HERE / name).read_text(encoding="utf-8"))
    text = write_deck(deck)
    assert parse_deck(text) == deck
    assert write_deck(parse_deck(text)) == text


def test_the_writer_uses_the_short_forms() -> None:
    deck = parse_deck(FRONT + "# Q\nkind: statement\ntimer: 1:30\ntimer_closes: ja\n\n> S.\n")
    assert "timer: 90s\ntimer_closes: yes\n" in write_deck(deck)
    deck = parse_deck(FRONT + "# Pauze\ntimer: 120\n")
    assert "timer: 2m\n" in write_deck(deck)


def test_the_editor_keeps_a_slides_timer() -> None:
    deck = parse_deck((HERE / "timed.md").read_text(encoding="utf-8"))
    for slide in deck.slides:
        assert read_slide(slide_text(slide), slide.id) == slide


def test_audience_pace_is_read_from_the_front_matter() -> None:
    deck = parse_deck((HERE / "survey.md").read_text(encoding="utf-8"))
    assert deck.info.pace == AUDIENCE_PACE


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            FRONT + "# Q\nkind: choice\ntimer: soon\n\n- a\n- b\n",
            6,
            "'timer' must be a duration from 1 second to 3 hours, such as 90s, 2m or 1m30s, "
            "not 'soon'",
        ),
        (FRONT + "# Q\ntimer: 0s\n", 5, "'timer' must be a duration"),
        (FRONT + "# Q\ntimer: 4h\n", 5, "'timer' must be a duration"),
        (FRONT + "# Q\ntimer: 181m\n", 5, "'timer' must be a duration"),
        (
            FRONT + "# Q\nkind: statement\ntimer: 1m\ntimer_closes: maybe\n\n> S.\n",
            7,
            "'timer_closes' must be yes or no, not 'maybe'",
        ),
        (
            FRONT + "# Info\ntimer: 1m\ntimer_closes: yes\n",
            6,
            "'timer_closes' is for questions: this slide has no voting to close",
        ),
        (
            "---\ntitle: T\npace: fast\n---\n# Q\n",
            3,
            "pace must be one of presenter, audience, not 'fast'",
        ),
    ],
)
def test_bad_settings_name_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck(text, source="deck.md")
    assert (caught.value.line, caught.value.source) == (line, "deck.md")
    assert caught.value.message.startswith(message)
    assert str(caught.value).startswith(f"deck.md:{line}: ")


def test_import_refuses_a_bad_timer_with_file_and_line(tmp_path: Path) -> None:
    deck_file = tmp_path / "bad.md"
    deck_file.write_text(FRONT + "# Q\nkind: choice\ntimer: 2 minutes\n\n- a\n- b\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "denkdag",
            "import",
            str(deck_file),
            "--database",
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{deck_file}:6: 'timer' must be a duration" in done.stderr + done.stdout
