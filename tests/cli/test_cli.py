"""The command line: import, export, token create, demo (without serving)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denkdag.cli import app
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.md"
    path.write_text(seed_deck_text(), encoding="utf-8")
    return path


def test_import_prints_a_join_code(seed_file: Path, database_url: str) -> None:
    result = invoke("import", str(seed_file), "--database", database_url)
    assert result.exit_code == 0, result.output
    code = result.output.strip()
    assert code.isdigit() and len(code) == 8


def test_broken_deck_names_file_and_line_and_imports_nothing(
    tmp_path: Path, database_url: str
) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: x\n---\n\n# Vraag\nkind: choice\n\n- **enige optie**\n")
    result = runner.invoke(app, ["import", str(broken), "--database", database_url])
    assert result.exit_code == 2
    assert f"{broken}:5: a choice question needs at least two options" in result.output
    token = invoke("token", "create", "someone", "--database", database_url)
    assert token.exit_code == 0
    # nothing was imported: the database has no session
    import asyncio

    from denkdag.storage import open_store

    async def count() -> int:
        store = await open_store(database_url)
        try:
            user = await store.ensure_user("demo")
            return len(await store.sessions_of(user.id))
        finally:
            await store.close()

    assert asyncio.run(count()) == 0


def test_export_json_csv_and_deck(seed_file: Path, database_url: str, tmp_path: Path) -> None:
    code = invoke("import", str(seed_file), "--database", database_url).output.strip()
    result = invoke("export", code, "--format", "json", "--database", database_url)
    document = json.loads(result.output)
    assert document["title"] == "Werksessie 1: Samenwerking"
    assert [s["id"] for s in document["slides"]][:4] == ["s1", "s2", "s3", "s4"]
    choice = document["slides"][3]
    assert choice["kind"] == "choice" and choice["respondents"] == 0
    assert choice["counts"] == {"a": 0, "b": 0, "c": 0}
    out = tmp_path / "answers.csv"
    invoke("export", code, "--format", "csv", "--output", str(out), "--database", database_url)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "session",
        "slide",
        "kind",
        "title",
        "participant",
        "answer",
        "answered_at",
        "hidden",
        "highlighted",
        "answer_label",
    ]
    deck_text = invoke("export", code, "--format", "deck", "--database", database_url).output
    assert parse_deck(deck_text) == parse_deck(seed_deck_text())


def test_export_unknown_code_and_format(database_url: str) -> None:
    result = runner.invoke(app, ["export", "99999999", "--database", database_url])
    assert result.exit_code == 1
    assert "join code" in result.output
    result = runner.invoke(app, ["export", "1", "--format", "pptx", "--database", database_url])
    assert result.exit_code == 2
    # pol.is' layout is three files: a folder is needed.
    result = runner.invoke(app, ["export", "1", "--format", "polis", "--database", database_url])
    assert result.exit_code == 2 and "--output DIR" in result.output


def test_demo_prints_urls_code_token_and_qr(database_url: str) -> None:
    result = invoke("demo", "--no-serve", "--database", database_url, "--port", "8123")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Presenter (signed in): http://localhost:8123/signin/" in out
    assert "Join URL:              http://localhost:8123/j/" in out
    assert "Join code:" in out and "Facilitator API token:" in out
    assert "█" in out  # the QR code
    again = invoke("demo", "--no-serve", "--database", database_url, "--port", "8123")
    code = next(line for line in out.splitlines() if "Join URL" in line).rsplit("/", 1)[1]
    assert f"/j/{code}" in again.output  # the seed is loaded once


def test_the_command_line_starts_without_the_server_the_store_or_numpy() -> None:
    """`denkdag --help` and the commands' parsing load only the command modules: each
    command imports the web server, the store, numpy or WeasyPrint when it runs."""
    import subprocess
    import sys

    heavy = ("numpy", "sklearn", "weasyprint", "openpyxl", "fastapi", "sqlalchemy", "uvicorn")
    layers = ("denkdag.web", "denkdag.storage", "denkdag.live", "denkdag.app", "denkdag.analysis")
    probe = (
        "import sys, denkdag.cli\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r} "
        f"or m.startswith({layers!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert loaded.strip() == "[]"
