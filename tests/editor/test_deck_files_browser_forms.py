"""Deck files in and out of the browser: import (with the same `FILE:LINE: message` errors
as the command line, nothing imported), download, new empty session, duplicate; and the
round trip export → import gives the same deck, on the seed and on every slide kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck, write_deck
from denkdag.seed import seed_deck_text
from denkdag.web.auth import CSRF_COOKIE, LOGIN_COOKIE

pytestmark = pytest.mark.anyio

EVERY_KIND = Path(__file__).parents[1] / "kinds" / "every_kind.md"
CSRF = "csrf-editor-test"


async def signed_in(running: Any) -> Any:
    """The client with the facilitator's login cookie and a CSRF cookie (form posts)."""
    user = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(user))
    running.client.cookies.set(CSRF_COOKIE, CSRF)
    return user


async def upload(running: Any, name: str, data: bytes) -> Any:
    return await running.client.post(
        "/sessions/import",
        data={"csrf_token": CSRF},
        files={"deck": (name, data, "text/markdown")},
    )


@pytest.mark.parametrize("text", [seed_deck_text(), EVERY_KIND.read_text(encoding="utf-8")])
def test_write_then_parse_gives_the_same_deck(text: str) -> None:
    deck = parse_deck(text)
    assert parse_deck(write_deck(deck)) == deck


@pytest.mark.parametrize("path", ["seed", "every_kind"])
async def test_import_then_download_in_the_browser_gives_the_same_deck(
    running: Any, path: str
) -> None:
    user = await signed_in(running)
    text = seed_deck_text() if path == "seed" else EVERY_KIND.read_text(encoding="utf-8")
    before = {s.code for s in await running.service.sessions.of_user(user)}
    response = await upload(running, f"{path}.md", text.encode())
    assert response.status_code == 303, response.text
    code = response.headers["location"].removeprefix("/e/")
    assert code not in before
    session = await running.service.sessions.get(code)
    assert session.owner_id == user.id
    assert session.deck == parse_deck(text)
    download = await running.client.get(f"/e/{code}/deck.md")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert "attachment" in download.headers["content-disposition"]
    assert parse_deck(download.content) == parse_deck(text)
    again = await upload(running, "again.md", download.content)
    copy = await running.service.sessions.get(again.headers["location"].removeprefix("/e/"))
    assert copy.deck == session.deck


async def test_a_broken_deck_shows_file_and_line_and_imports_nothing(running: Any) -> None:
    user = await signed_in(running)
    before = len(await running.service.sessions.of_user(user))
    broken = b"---\ntitle: Kapot\n---\n# Vraag\nkind: choice\ncolour: red\n"
    response = await upload(running, "kapot.md", broken)
    assert response.status_code == 422
    # The page is Dutch, and so is the sentence after FILE:LINE:.
    assert "kapot.md:6: onbekende instelling &#39;colour&#39;" in response.text
    not_markdown = await upload(running, "photo.png", b"\x89PNG")
    assert not_markdown.status_code == 422 and "photo.png:1:" in not_markdown.text
    no_file = await running.client.post("/sessions/import", data={"csrf_token": CSRF})
    assert no_file.status_code == 422 and "Kies een deckbestand" in no_file.text
    assert len(await running.service.sessions.of_user(user)) == before


async def test_an_import_needs_the_csrf_token(running: Any) -> None:
    user = await signed_in(running)
    before = len(await running.service.sessions.of_user(user))
    response = await running.client.post(
        "/sessions/import", files={"deck": ("x.md", seed_deck_text().encode(), "text/plain")}
    )
    assert response.status_code == 403
    assert len(await running.service.sessions.of_user(user)) == before


async def test_a_new_empty_session_opens_in_the_editor(running: Any) -> None:
    user = await signed_in(running)
    response = await running.client.post(
        "/sessions/new", data={"csrf_token": CSRF, "title": "  Mijn   werksessie "}
    )
    assert response.status_code == 303
    code = response.headers["location"].removeprefix("/e/")
    session = await running.service.sessions.get(code)
    assert session.owner_id == user.id and session.title == "Mijn werksessie"
    assert len(session.deck.slides) == 1
    page = await running.client.get(f"/e/{code}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="editor"' in page.text


async def test_duplicating_a_session_copies_the_deck_but_no_answers(running: Any) -> None:
    await signed_in(running)
    await running.control("goto", "s7")
    token = await running.join()
    assert (await running.answer(token, "s7", "agree")).status_code == 200
    response = await running.client.post(f"/e/{running.code}/copy", data={"csrf_token": CSRF})
    assert response.status_code == 303
    code = response.headers["location"].removeprefix("/e/")
    assert code != running.code
    original = await running.service.sessions.get(running.code)
    copy = await running.service.sessions.get(code)
    assert copy.deck == original.deck
    assert await running.service.results.joined(copy) == 0
    assert await running.service.store.slide_answers(copy.id, "s7") == []


async def test_the_dashboard_offers_edit_download_duplicate_and_the_forms(running: Any) -> None:
    await signed_in(running)
    page = await running.client.get("/sessions", headers={"Accept": "text/html"})
    assert page.status_code == 200
    for piece in (
        f'href="/e/{running.code}"',
        f'href="/e/{running.code}/deck.md"',
        f'action="/e/{running.code}/copy"',
        'action="/sessions/import"',
        'action="/sessions/new"',
    ):
        assert piece in page.text
