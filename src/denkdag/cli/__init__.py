"""The command line (API.md): demo, serve, import, export, token create, user, analyse.

Thin: each command parses its options, opens the store, calls the service and prints.
Every option has an environment twin (DENKDAG_DATABASE_URL, DENKDAG_REDIS_URL …).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import segno
import typer

from denkdag.cli.analyse import analyse
from denkdag.config import Settings
from denkdag.domain.errors import DomainError
from denkdag.formats.deck import DeckError, read_deck_file, write_deck
from denkdag.formats.export_csv import answers_csv
from denkdag.formats.export_json import results_document
from denkdag.live import MemoryBroadcaster
from denkdag.security import format_code
from denkdag.seed import seed_deck_text
from denkdag.service import Denkdag
from denkdag.storage import DEFAULT_DATABASE, open_store

T = TypeVar("T")
DEMO_USER = "demo"

app = typer.Typer(
    help="Denkdag: interactive think-days — slides on the projector, answers from phones.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="Facilitator API tokens.", no_args_is_help=True)
user_app = typer.Typer(help="Facilitator accounts.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.command("analyse", help="Opinion groups of a pol.is export folder.")(analyse)

Database = Annotated[
    str,
    typer.Option(
        "--database", envvar="DENKDAG_DATABASE_URL", help="sqlite:///FILE or postgresql://…"
    ),
]


def _run(work: Callable[[Denkdag], Awaitable[T]], database: str) -> T:
    async def main() -> T:
        store = await open_store(database)
        service = Denkdag(store, MemoryBroadcaster())
        try:
            return await work(service)
        finally:
            await service.stop()
            await store.close()

    return asyncio.run(main())


def _fail(message: str, status: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(status)


@app.command("import")
def import_deck(
    file: Annotated[Path, typer.Argument(help="A deck file (Markdown, see README).")],
    database: Database = DEFAULT_DATABASE,
    owner: Annotated[str, typer.Option(help="Facilitator who runs the session.")] = DEMO_USER,
) -> None:
    """Import a deck file as a new session and print its join code."""
    try:
        deck = read_deck_file(file)
    except DeckError as error:
        _fail(str(error), 2)
        return

    async def work(service: Denkdag) -> str:
        user = await service.store.ensure_user(owner)
        return (await service.create_session(deck, user.id)).code

    code = _run(work, database)
    typer.echo(code)


@app.command("export")
def export(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    format: Annotated[
        str, typer.Option("--format", help="json, csv or deck", case_sensitive=False)
    ] = "json",
    output: Annotated[Path | None, typer.Option("--output", help="File to write.")] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Write a session's slides and results (json, csv) or the session as a deck file."""
    chosen = format.lower()
    if chosen not in {"json", "csv", "deck"}:
        _fail(f"Unknown format '{format}': use json, csv or deck.", 2)

    async def work(service: Denkdag) -> str:
        session = await service.session(code)
        if chosen == "deck":
            return write_deck(session.deck)
        if chosen == "csv":
            return answers_csv(session, await service.store.session_answers(session.id))
        document = results_document(
            session, await service.results(session), await service.joined(session)
        )
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    try:
        text = _run(work, database)
    except DomainError as error:
        _fail(error.detail, 1)
        return
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}", err=True)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="Facilitator user name (created if new).")],
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Print a new facilitator API token."""
    typer.echo(_run(lambda service: service.create_api_token(user), database))


@user_app.command("add")
def user_add(
    user: Annotated[str, typer.Argument(help="User name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="DENKDAG_PASSWORD"
        ),
    ],
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Create a facilitator account (or set its password) for signing in on the web."""
    if len(password) < 8:
        _fail("Choose a password of at least 8 characters.", 2)
    _run(lambda service: service.set_password(user, password), database)
    typer.echo(f"User {user} can now sign in.")


Host = Annotated[str, typer.Option(envvar="DENKDAG_HOST", help="Address to listen on.")]
Port = Annotated[int, typer.Option(envvar="DENKDAG_PORT", help="Port to listen on.")]


def _serve(settings: Settings, workers: int = 1) -> None:
    import uvicorn

    os.environ["DENKDAG_DATABASE_URL"] = settings.database_url
    os.environ["DENKDAG_HOST"] = settings.host
    os.environ["DENKDAG_PORT"] = str(settings.port)
    if settings.public_url:
        os.environ["DENKDAG_PUBLIC_URL"] = settings.public_url
    asyncio.run(_migrate(settings.database_url))
    uvicorn.run(
        "denkdag.web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=3,
        proxy_headers=True,
    )


async def _migrate(database: str) -> None:
    store = await open_store(database)
    await store.close()


@app.command("serve")
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database: Database = DEFAULT_DATABASE,
    workers: Annotated[
        int, typer.Option(help="Worker processes (more than one needs DENKDAG_REDIS_URL).")
    ] = 1,
) -> None:
    """Serve the database's sessions."""
    settings = Settings(host=host, port=port, database_url=database)
    if workers > 1 and not settings.redis_url:
        _fail("More than one worker needs DENKDAG_REDIS_URL, so live updates reach every phone.", 2)
    typer.echo(f"Denkdag serving on {settings.base_url()}")
    _serve(settings, workers)


@app.command("demo")
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database: Database = DEFAULT_DATABASE,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load and print, but do not serve.")
    ] = False,
) -> None:
    """Load the bundled seed session (once), print how to present and join it, and serve."""
    from denkdag.formats.deck import parse_deck

    settings = Settings(host=host, port=port, database_url=database)
    deck = parse_deck(seed_deck_text(), source="seed")

    async def work(service: Denkdag) -> tuple[str, str, str]:
        user = await service.store.ensure_user(DEMO_USER)
        existing = [s for s in await service.sessions_of(user) if s.title == deck.info.title]
        session = existing[0] if existing else await service.create_session(deck, user.id)
        token = await service.create_api_token(DEMO_USER)
        link = await service.create_signin_link(user)
        return session.code, token, link

    code, token, link = _run(work, database)
    base = settings.base_url()
    join = f"{base}/j/{code}"
    typer.echo(f"\n  {deck.info.title}\n")
    typer.echo(f"  Presenter (signed in): {base}/signin/{link}?next=/p/{code}")
    typer.echo(f"  Remote control:        {base}/signin/{link}?next=/c/{code}")
    typer.echo(f"  Join URL:              {join}")
    typer.echo(f"  Join code:             {format_code(code)}")
    typer.echo(f"  Facilitator API token: {token}\n")
    segno.make(join, error="m").terminal(compact=True)
    typer.echo("")
    if not no_serve:
        _serve(settings)


def main() -> None:
    app()


__all__ = ["app", "main"]
