"""`denkdag event create` and `denkdag event add`: an event and its sessions from a shell."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from denkdag.cli import app

DECK = "---\ntitle: Werksessie 1\n---\n\n# Akkoord?\nkind: statement\n\n> Samen sterker.\n"


def test_create_an_event_and_add_sessions(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {**os.environ, "DENKDAG_PASSWORD": "organiser password"}
    db = ["--database", database_url]
    for name, role in (("olga", "organiser"), ("fien", "facilitator")):
        added = runner.invoke(app, ["user", "add", name, "--role", role, *db], env=env)
        assert added.exit_code == 0, added.output
    made = runner.invoke(
        app, ["event", "create", "Denkdag 2018", "--date", "2018-05-17", "--organiser", "olga", *db]
    )
    assert made.exit_code == 0, made.output
    code = made.output.strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    deck = tmp_path / "werksessie.md"
    deck.write_text(DECK, encoding="utf-8")
    options = ["--room", "Zaal 1", "--facilitator", "fien", "--organiser", "olga"]
    added = runner.invoke(app, ["event", "add", code, str(deck), *options, *db])
    assert added.exit_code == 0, added.output
    assert re.fullmatch(r"\d{8}", added.output.strip())

    refused = runner.invoke(app, ["event", "create", "X", "--organiser", "fien", *db])
    assert refused.exit_code == 2 and "organisers" in refused.output
    unknown = runner.invoke(app, ["event", "create", "X", "--organiser", "nobody", *db])
    assert unknown.exit_code == 2 and "user add nobody" in unknown.output
    deck.write_text("---\ntitle: X\n---\n# Vraag\nkind: choice\n\n- **Eén**\n", encoding="utf-8")
    broken = runner.invoke(app, ["event", "add", code, str(deck), "--organiser", "olga", *db])
    assert broken.exit_code == 2 and "werksessie.md:" in broken.output
