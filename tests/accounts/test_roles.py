"""Roles: only administrators reach /admin; administrators manage accounts but see no one's
session data by their role (privacy first); the CLI makes the first administrator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from denkdag.cli import app as cli
from denkdag.storage import open_store
from denkdag.storage.accounts import AccountStore
from denkdag.storage.engine import async_url
from harness.accounts import People

pytestmark = pytest.mark.anyio
ADMIN_ROUTES = [
    ("GET", "/admin/users"),
    ("POST", "/admin/invitations"),
    ("POST", "/admin/users/{id}/reset"),
    ("POST", "/admin/users/{id}/role"),
]


@pytest.mark.parametrize("role", ["facilitator", "organiser"])
async def test_only_administrators_reach_the_admin_pages(people: People, role: str) -> None:
    await AccountStore(people.running.service.store).set_role(await people.user_id("bert"), role)
    bert = await people.signed_in("bert")
    target = await people.user_id("facilitator")
    for method, path in ADMIN_ROUTES:
        url = path.format(id=target)
        if method == "GET":
            response = await bert.client.get(url)
        else:
            response = await bert.post(url, {"role": "administrator"})
        assert response.status_code == 403, (url, response.status_code)
        assert "/invite/" not in response.text and "/reset/" not in response.text
    facilitator = await people.running.service.store.user_by_name("facilitator")
    assert facilitator.role == "facilitator"
    assert (await people.running.service.store.user_by_name("bert")).role == role


async def test_signed_out_visitors_are_sent_to_sign_in(people: People) -> None:
    visitor = await people.browser()
    for url in ["/admin/users", "/account"]:
        response = await visitor.client.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    refused = await visitor.post("/admin/invitations", {"role": "administrator"})
    assert refused.status_code == 403


async def test_an_administrator_lists_accounts_and_changes_a_role(people: People) -> None:
    admin = await people.signed_in("ada")
    page = await admin.client.get("/admin/users?lang=en")
    assert page.status_code == 200
    for name in ["ada", "bert", "facilitator"]:
        assert f"<td>{name}</td>" in page.text
    assert "password_hash" not in page.text and "$argon2" not in page.text
    bert_id = await people.user_id("bert")
    changed = await admin.post(f"/admin/users/{bert_id}/role", {"role": "organiser"})
    assert changed.status_code == 303
    assert (await people.running.service.store.user_by_name("bert")).role == "organiser"
    unknown = await admin.post(f"/admin/users/{bert_id}/role", {"role": "emperor"})
    assert unknown.status_code == 404


async def test_the_last_administrator_cannot_step_down(people: People) -> None:
    admin = await people.signed_in("ada")
    ada_id = await people.user_id("ada")
    refused = await admin.post(f"/admin/users/{ada_id}/role", {"role": "facilitator"})
    assert refused.status_code == 403
    assert (await people.running.service.store.user_by_name("ada")).role == "administrator"
    await admin.post(f"/admin/users/{await people.user_id('bert')}/role", {"role": "administrator"})
    stepped_down = await admin.post(f"/admin/users/{ada_id}/role", {"role": "facilitator"})
    assert stepped_down.status_code == 303


async def test_an_administrator_sees_no_session_by_role(people: People) -> None:
    """Privacy first: administrating accounts gives no access to anyone's answers."""
    admin = await people.signed_in("ada")
    code = people.running.code
    for url in [f"/c/{code}", f"/p/{code}", f"/r/{code}", f"/api/v1/sessions/{code}/results"]:
        response = await admin.client.get(url)
        assert response.status_code == 403, url
        assert "Samenwerking" not in response.text
    dashboard = await admin.client.get("/sessions")
    assert code not in dashboard.text


async def test_existing_and_new_accounts_are_facilitators(people: People) -> None:
    user = await people.running.service.store.ensure_user("newcomer")
    assert user.role == "facilitator"


def test_the_cli_makes_the_first_administrator(database_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["user", "add", "root", "--role", "administrator", "--database", database_url],
        env={"DENKDAG_PASSWORD": "root password 1"},
        catch_exceptions=False,
    )
    assert added.exit_code == 0, added.output
    assert "administrator" in added.output
    wrong = runner.invoke(
        cli,
        ["user", "add", "x", "--role", "emperor", "--database", database_url],
        env={"DENKDAG_PASSWORD": "root password 1"},
    )
    assert wrong.exit_code == 2

    async def role() -> tuple[str, str | None]:
        store = await open_store(database_url)
        try:
            root = await store.user_by_name("root")
            assert root is not None
            return root.role, root.password_hash
        finally:
            await store.close()

    found, hashed = asyncio.run(role())
    assert found == "administrator"
    assert hashed is not None and hashed.startswith("$argon2id$")


async def test_accounts_made_before_roles_become_facilitators(database_url: str) -> None:
    """Revision 0006 on a database that already has accounts: each becomes a facilitator."""

    def upgrade(connection: Connection, target: str) -> None:
        config = Config()
        config.set_main_option("script_location", "denkdag.storage:migrations")
        config.attributes["connection"] = connection
        command.upgrade(config, target)

    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade, "0001")
            await conn.execute(
                text("INSERT INTO users (username, created_at) VALUES ('old', :now)"),
                {"now": datetime.now(UTC)},
            )
    finally:
        await engine.dispose()
    store = await open_store(database_url)
    try:
        old = await store.user_by_name("old")
        assert old is not None and old.role == "facilitator"
    finally:
        await store.close()
