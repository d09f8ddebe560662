"""One code, one voice: a session with invitation codes admits each code once; and
privacy: no address stored with an answer, answers deleted after the retention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from denkdag.cli import app as cli
from denkdag.storage.tables import metadata, responses

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_an_invitation_code_joins_once(running) -> None:
    session = await running.service.sessions.get(running.code)
    codes = await running.service.participation.create_invitations(session, 3)
    assert len(set(codes)) == 3 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    url = f"/api/v1/sessions/{running.code}/participants"
    assert (await running.client.post(url)).status_code == 403
    assert (await running.client.post(url, json={"invitation": "AAAAA-AAAAA"})).status_code == 403
    first = await running.client.post(url, json={"invitation": codes[0].lower().replace("-", " ")})
    assert first.status_code == 201
    again = await running.client.post(url, json={"invitation": codes[0]})
    assert again.status_code == 403
    assert "invitation" in again.json()["detail"]
    assert await running.service.results.joined(session) == 1
    assert await running.service.store.count_invitations(session.id) == (3, 1)


async def test_the_join_page_asks_for_the_invitation_code(running) -> None:
    session = await running.service.sessions.get(running.code)
    [code] = await running.service.participation.create_invitations(session, 1)
    page = await running.client.get(f"/j/{running.code}?lang=en")
    assert 'name="invitation"' in page.text
    token = CSRF.search(page.text).group(1)
    wrong = await running.client.post(
        f"/j/{running.code}/join", data={"csrf_token": token, "invitation": "NOPE"}
    )
    assert wrong.status_code == 403 and "unknown or was used already" in wrong.text
    right = await running.client.post(
        f"/j/{running.code}/join", data={"csrf_token": token, "invitation": code}
    )
    assert right.status_code == 303
    assert await running.service.results.joined(session) == 1


def test_cli_prints_invitations_and_purges(database_url: str) -> None:
    runner = CliRunner()
    imported = runner.invoke(cli, ["demo", "--no-serve", "--database", database_url])
    assert imported.exit_code == 0, imported.output
    code = re.search(r"Join code:\s+(\d{4}) (\d{4})", imported.output)
    assert code is not None
    printed = runner.invoke(
        cli, ["invitations", "".join(code.groups()), "--count", "5", "--database", database_url]
    )
    assert printed.exit_code == 0, printed.output
    assert len(printed.output.split()) == 5
    purged = runner.invoke(cli, ["purge", "--days", "30", "--database", database_url])
    assert purged.exit_code == 0 and "Deleted 0 answers" in purged.output
    assert runner.invoke(cli, ["purge", "--database", database_url]).exit_code == 2


async def test_answers_older_than_the_retention_are_deleted(running) -> None:
    old, recent = await running.join(), await running.join()
    await running.control("goto", "s4")
    for token in (old, recent):
        assert (await running.answer(token, "s4", "a")).status_code == 200
    store = running.service.store
    first = (await store.session_answers((await running.service.sessions.get(running.code)).id))[0]
    async with store.engine.begin() as conn:
        await conn.execute(
            update(responses)
            .where(responses.c.participant_id == first.participant_id)
            .values(updated_at=datetime.now(UTC) - timedelta(days=31))
        )
    assert await running.service.participation.purge_answers(30) == 1
    results = await running.results()
    assert results["s4"]["respondents"] == 1


async def test_no_address_or_agent_is_stored_with_anything(running) -> None:
    for table in metadata.sorted_tables:
        for column in table.columns:
            assert not re.search(
                r"(^|_)(ip|addr|address|agent|user_agent|host)(_|$)", column.name
            ), f"{table.name}.{column.name}"


async def test_the_privacy_page_names_the_retention(database_url: str) -> None:
    import httpx

    from denkdag.config import Settings
    from denkdag.web.app import create_app

    app = create_app(Settings(database_url=database_url, retention_days=90))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for lang, words in (("en", "90 days"), ("nl", "90 dagen"), ("fr", "90 jours")):
                page = await client.get(f"/privacy?lang={lang}")
                assert words in page.text
