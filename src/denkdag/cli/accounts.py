"""`denkdag token create` and `denkdag user add`: API tokens and sign-in accounts, made by
whoever holds the database (the first administrator comes this way)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from denkdag.cli.common import DEFAULT_DATABASE, Database, command_group, fail, run

if TYPE_CHECKING:
    from denkdag.app.denkdag import Denkdag

token_app = command_group("Facilitator API tokens.")
user_app = command_group("Facilitator accounts.")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="Facilitator user name (created if new).")],
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Print a new facilitator API token."""

    async def work(service: Denkdag) -> str:
        return await service.access.create_api_token(user)

    typer.echo(run(work, database))


@user_app.command("add")
def user_add(
    user: Annotated[str, typer.Argument(help="User name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="DENKDAG_PASSWORD"
        ),
    ],
    role: Annotated[
        str | None,
        typer.Option(help="administrator, organiser or facilitator (new accounts: facilitator)."),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Create an account (or set its password and role) for signing in on the web.

    `--role administrator` makes the first administrator, who invites everyone else.
    """
    from denkdag.app.accounts import ROLES

    if len(password) < 8:
        fail("Choose a password of at least 8 characters.", 2)
    if role is not None and role not in ROLES:
        fail(f"Choose a role among {', '.join(ROLES)}.", 2)

    async def work(service: Denkdag) -> None:
        account = await service.access.set_password(user, password)
        if role is not None:
            await service.accounts.grant_role(account, role)

    run(work, database)
    typer.echo(f"User {user} can now sign in" + (f" as {role}." if role else "."))


@user_app.command("setup-link")
def user_setup_link(database: Database = DEFAULT_DATABASE) -> None:
    """Print a one-time link that creates the first administrator in the browser (only
    while there is none; on the server itself /setup does the same)."""
    from denkdag.config import Settings

    async def work(service: Denkdag) -> str | None:
        return await service.accounts.first_administrator_link()

    token = run(work, database)
    if token is None:
        fail("There is an administrator already: they invite everyone else (/admin/users).", 2)
    typer.echo(f"Create the first administrator at: {Settings().base_url()}/invite/{token}")
