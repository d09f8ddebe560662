"""Deleting a session is total: no row of it in any table, no byte of it on disk (SQLite)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from denkdag.cli import app as cli
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.storage import open_store
from denkdag.storage.engine import sqlite_path
from denkdag.storage.tables import metadata
from denkdag.web.app import create_app
from harness.exports import CANARY, DECK, build_session

runner = CliRunner()
OTHER_CANARY = "BLIJFT8W"


async def leftovers(database_url: str, session_id: int) -> list[tuple[str, Any]]:
    """Every row, in every table, that holds the canary or refers to the session."""
    found = []
    store = await open_store(database_url)
    try:
        async with store.reader.connect() as conn:
            for table in metadata.sorted_tables:
                for row in (await conn.execute(select(table))).all():
                    text = repr(tuple(row))
                    refers = (table.name == "sessions" and row.id == session_id) or (
                        "session_id" in table.c and row.session_id == session_id
                    )
                    if CANARY in text or refers:
                        found.append((table.name, row))
    finally:
        await store.close()
    return found


async def rows_per_table(database_url: str) -> dict[str, int]:
    store = await open_store(database_url)
    try:
        async with store.reader.connect() as conn:
            return {
                table.name: len((await conn.execute(select(table))).all())
                for table in metadata.sorted_tables
            }
    finally:
        await store.close()


def sqlite_bytes(database_url: str) -> bytes:
    path = sqlite_path(database_url)
    assert path is not None
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def session_id_of(database_url: str, code: str) -> int:
    store = await open_store(database_url)
    try:
        session = await store.session_by_code(code)
        assert session is not None
        return session.id
    finally:
        await store.close()


def test_cli_delete_leaves_nothing_of_the_session(database_url: str) -> None:
    kept_deck = DECK.replace(CANARY, OTHER_CANARY)
    code = asyncio.run(build_session(database_url))
    kept = asyncio.run(_store_deck(database_url, kept_deck))
    session_id = asyncio.run(session_id_of(database_url, code))
    assert asyncio.run(leftovers(database_url, session_id))  # the check finds what is there
    before = asyncio.run(rows_per_table(database_url))
    if database_url.startswith("sqlite"):
        assert CANARY.encode() in sqlite_bytes(database_url)
    result = runner.invoke(cli, ["delete", code, "--yes", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert asyncio.run(leftovers(database_url, session_id)) == []
    after = asyncio.run(rows_per_table(database_url))
    assert after["sessions"] == before["sessions"] - 1
    assert after["participants"] == before["participants"] - 7
    assert after["users"] == before["users"]  # the facilitator stays
    if database_url.startswith("sqlite"):
        on_disk = sqlite_bytes(database_url)
        assert CANARY.encode() not in on_disk
        assert OTHER_CANARY.encode() in on_disk  # the other session is untouched
    result = runner.invoke(cli, ["export", code, "--database", database_url])
    assert result.exit_code == 1 and "join code" in result.output
    assert runner.invoke(cli, ["export", kept, "--database", database_url]).exit_code == 0


async def _store_deck(database_url: str, text: str) -> str:
    store = await open_store(database_url)
    try:
        owner = await store.ensure_user("facilitator")
        from denkdag.domain.session_flow import start
        from denkdag.security import new_join_code

        deck = parse_deck(text)
        return (await store.create_session(new_join_code(), owner.id, deck, start(deck))).code
    finally:
        await store.close()


def test_cli_delete_asks_first(database_url: str) -> None:
    code = asyncio.run(build_session(database_url, {}))
    result = runner.invoke(cli, ["delete", code, "--database", database_url], input="n\n")
    assert result.exit_code == 1 and "Nothing deleted" in result.output
    assert asyncio.run(leftovers(database_url, asyncio.run(session_id_of(database_url, code))))


@pytest.mark.anyio
async def test_delete_button_needs_csrf_and_removes_everything(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service = app.state.service
        owner = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(DECK), owner.id)
        participant = await service.participation.join(session.code)
        login = await service.access.create_login(owner)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies={"dd_login": login}
        ) as client:
            page = await client.get(f"/r/{session.code}")
            assert page.status_code == 200
            csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            url = f"/r/{session.code}/delete"
            no_token = await client.post(url, data={"confirm": "yes"})
            assert no_token.status_code == 403
            unconfirmed = await client.post(url, data={"csrf_token": csrf})
            assert unconfirmed.status_code == 400
            foreign = await client.post(
                url,
                data={"csrf_token": csrf, "confirm": "yes"},
                headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
            )
            assert foreign.status_code == 403
            assert await service.results.joined(session) == 1
            if settings.database_url.startswith("sqlite"):
                assert CANARY.encode() in sqlite_bytes(settings.database_url)
            deleted = await client.post(url, data={"csrf_token": csrf, "confirm": "yes"})
            assert deleted.status_code == 303 and deleted.headers["location"] == "/sessions"
            if settings.database_url.startswith("sqlite"):
                # while the server runs, with its connections open: file and WAL are clean
                assert CANARY.encode() not in sqlite_bytes(settings.database_url)
            gone = await client.get(f"/r/{session.code}")
            assert gone.status_code == 404
            joined = await client.post(f"/api/v1/sessions/{session.code}/participants")
            assert joined.status_code == 404
            answer = await client.put(
                f"/api/v1/sessions/{session.code}/slides/s2/response",
                json={"value": "a"},
                headers={"Authorization": f"Bearer {participant}"},
            )
            assert answer.status_code == 404
    assert await leftovers(settings.database_url, session.id) == []
