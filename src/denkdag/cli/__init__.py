"""The command line: demo, serve, import, export, token create, user, analyse.

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

from denkdag.app.accounts import ROLES
from denkdag.app.denkdag import Denkdag
from denkdag.app.editor import Editor
from denkdag.cli.analyse import analyse
from denkdag.cli.events import event_app
from denkdag.config import Settings
from denkdag.domain.errors import N_, DomainError, NotAllowed
from denkdag.formats.compare import compare as compare_reports
from denkdag.formats.deck import DeckError, write_deck
from denkdag.formats.deck_zip import read_deck_path, write_deck_zip
from denkdag.formats.export_csv import answers_csv
from denkdag.formats.export_json import results_document
from denkdag.formats.export_profiles import profile_document
from denkdag.formats.export_xlsx import report_xlsx
from denkdag.formats.report_html import render_report
from denkdag.live import MemoryBroadcaster
from denkdag.security import format_code, normalise_code
from denkdag.seed import seed_deck_text
from denkdag.storage import DEFAULT_DATABASE, open_store
from denkdag.storage.accounts import AccountStore

T = TypeVar("T")
DEMO_USER = "demo"
EXPORT_FORMATS = ("json", "csv", "xlsx", "pdf", "deck", "deck-zip")

app = typer.Typer(
    help="Denkdag: interactive think-days — slides on the projector, answers from phones.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="Facilitator API tokens.", no_args_is_help=True)
user_app = typer.Typer(help="Facilitator accounts.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.add_typer(event_app, name="event")
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
    file: Annotated[
        Path,
        typer.Argument(help="A deck file (Markdown, see README), or a zip of deck.md and images/."),
    ],
    database: Database = DEFAULT_DATABASE,
    owner: Annotated[str, typer.Option(help="Facilitator who runs the session.")] = DEMO_USER,
) -> None:
    """Import a deck file (with its images: a zip, or images beside the file) as a new
    session and print its join code."""
    try:
        bundle = read_deck_path(file)
    except DeckError as error:
        _fail(str(error), 2)
        return

    async def work(service: Denkdag) -> str:
        user = await service.store.ensure_user(owner)
        return (await Editor(service).create(user, bundle.deck, bundle.images)).code

    code = _run(work, database)
    typer.echo(code)


@app.command("export")
def export(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    format: Annotated[
        str,
        typer.Option(
            "--format", help="json, csv, xlsx, pdf, deck or deck-zip", case_sensitive=False
        ),
    ] = "json",
    output: Annotated[Path | None, typer.Option("--output", help="File to write.")] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare", help="xlsx, pdf: also compare with this earlier session of the deck."
        ),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Write a session's slides and results (json, csv, xlsx, the pdf report) or its deck."""
    chosen = format.lower()
    if chosen not in EXPORT_FORMATS:
        _fail(f"Unknown format '{format}': use {', '.join(EXPORT_FORMATS)}.", 2)
    if compare and chosen not in {"xlsx", "pdf"}:
        _fail("--compare works with --format xlsx or pdf.", 2)
    if chosen in {"xlsx", "pdf", "deck-zip"} and output is None and sys.stdout.isatty():
        _fail(f"A {chosen} file is binary: write it with --output FILE.", 2)

    async def work(service: Denkdag) -> bytes:
        session = await service.sessions.get(code)
        if chosen == "deck-zip":
            return write_deck_zip(session.deck, await Editor(service).images_of(session))
        if chosen == "deck":
            if any(slide.extra.get("image") for slide in session.deck.slides):
                typer.echo(
                    "Note: this session's slides show images, which a deck file cannot hold; "
                    "use --format deck-zip for the deck with its images.",
                    err=True,
                )
            return write_deck(session.deck).encode("utf-8")
        if chosen == "csv":
            answers = await service.store.session_answers(session.id)
            rounds = await service.rounds.rounds(session)
            profile = await service.profiles.csv_columns(session, answers)
            hidden = await service.results.hidden_words(session)
            return answers_csv(session, answers, rounds, profile, hidden).encode("utf-8")
        if chosen == "json":
            document = results_document(
                session,
                await service.results.of_session(session),
                await service.results.joined(session),
            )
            if session.deck.info.profile:  # aggregates by profile group (five or more)
                profiles = (await service.reports.report(session)).profiles
                document["profile"] = profile_document(profiles) if profiles else None
            return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        report = await service.reports.report(session)
        comparison = None
        if compare:
            other = await service.sessions.get(compare)
            if other.owner_id != session.owner_id:
                raise NotAllowed(N_("Both sessions must belong to the same facilitator."))
            comparison = compare_reports(report, await service.reports.report(other))
        if chosen == "xlsx":
            return report_xlsx(report, comparison)
        html = render_report(report, language=session.deck.info.language, comparison=comparison)
        return await service.reports.pdf(html, session)

    try:
        data = _run(work, database)
    except DomainError as error:
        _fail(error.detail, 1)
        return
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}", err=True)


@app.command("delete")
def delete(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Delete a session for good: the session, its participants and every answer."""
    if not yes and not typer.confirm(f"Delete session {code} and all its answers for good?"):
        _fail("Nothing deleted.", 1)

    async def work(service: Denkdag) -> str:
        session = await service.sessions.get(code)
        await service.sessions.delete(session)
        return session.title

    try:
        title = _run(work, database)
    except DomainError as error:
        _fail(error.detail, 1)
        return
    typer.echo(f"Deleted session {format_code(normalise_code(code))}: {title}")


@app.command("invitations")
def invitations(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    count: Annotated[int, typer.Option("--count", min=1, max=5000, help="How many.")] = 30,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Print personal invitation codes, one a line: from now on the session admits only
    holders of an unused code (one code, one voice). Only hashes are kept: print them now."""

    async def work(service: Denkdag) -> list[str]:
        return await service.participation.create_invitations(
            await service.sessions.get(code), count
        )

    try:
        codes = _run(work, database)
    except DomainError as error:
        _fail(error.detail, 1)
        return
    typer.echo("\n".join(codes))


@app.command("purge")
def purge(
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, envvar="DENKDAG_RETENTION_DAYS", help="Keep this many days."),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Delete every answer older than the retention (DENKDAG_RETENTION_DAYS or --days)."""
    if days is None:
        _fail("Say how many days to keep: --days N (or set DENKDAG_RETENTION_DAYS).", 2)
        return
    kept = days
    deleted = _run(lambda service: service.participation.purge_answers(kept), database)
    typer.echo(f"Deleted {deleted} answers older than {days} days.")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="Facilitator user name (created if new).")],
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Print a new facilitator API token."""
    typer.echo(_run(lambda service: service.access.create_api_token(user), database))


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
    if len(password) < 8:
        _fail("Choose a password of at least 8 characters.", 2)
    if role is not None and role not in ROLES:
        _fail(f"Choose a role among {', '.join(ROLES)}.", 2)

    async def work(service: Denkdag) -> None:
        account = await service.access.set_password(user, password)
        if role is not None:
            await AccountStore(service.store).set_role(account.id, role)

    _run(work, database)
    typer.echo(f"User {user} can now sign in" + (f" as {role}." if role else "."))


Host = Annotated[str, typer.Option(envvar="DENKDAG_HOST", help="Address to listen on.")]
Port = Annotated[int, typer.Option(envvar="DENKDAG_PORT", help="Port to listen on.")]


def _serve(settings: Settings, workers: int = 1) -> None:
    import uvicorn

    os.environ["DENKDAG_DATABASE_URL"] = settings.database_url
    os.environ["DENKDAG_HOST"] = settings.host
    os.environ["DENKDAG_PORT"] = str(settings.port)
    os.environ["DENKDAG_FREEZE_STARTUP_OBJECTS"] = "true"  # one app per process: web/app.py
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
        access_log=False,  # even suppressed, it formats the client and path per request
        server_header=False,  # names no server software to a scanner (and is one less header)
        timeout_graceful_shutdown=3,
        # X-Forwarded-* only from the configured proxies (DENKDAG_TRUSTED_PROXIES).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
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
        existing = [s for s in await service.sessions.of_user(user) if s.title == deck.info.title]
        session = existing[0] if existing else await service.sessions.create(deck, user.id)
        token = await service.access.create_api_token(DEMO_USER)
        link = await service.access.create_signin_link(user)
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
    if base.startswith("http://localhost"):
        typer.echo(
            "\n  Phones on your network cannot reach localhost: start with --host 0.0.0.0,"
            "\n  or set DENKDAG_PUBLIC_URL to the address they can reach."
        )
    typer.echo("")
    if not no_serve:
        _serve(settings)


def main() -> None:
    app()


__all__ = ["app", "main"]
