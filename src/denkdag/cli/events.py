"""`denkdag event create|add|export`: an event and its sessions from the command line
(and its report).

The same use cases as the web pages (`denkdag.app.events`), acting as the organiser named;
`export` writes the event's report as `denkdag export` writes a session's (whoever holds
the database may read it).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from denkdag.cli.common import DEFAULT_DATABASE, Database, command_group, fail, run

if TYPE_CHECKING:
    from denkdag.app.events import Events
    from denkdag.domain.model import User

T = TypeVar("T")
event_app = command_group("Events: a plenary and parallel working sessions.")
Organiser = Annotated[
    str, typer.Option("--organiser", help="The organiser's user name (role organiser).")
]


async def _organiser(events: Events, name: str) -> User:
    from denkdag.domain.errors import N_, NotFound

    user = await events.service.accounts.user_named(name)
    if user is None:
        raise NotFound(
            N_(
                "There is no account '%(name)s': add it with `denkdag user add %(name)s --role "
                "organiser`."
            ),
            name=name,
        )
    return user


def _run(work: Callable[[Events], Awaitable[T]], database: str) -> T:
    """Run `work` on the events' use cases; a refusal exits with its message (status 2)."""
    from denkdag.app.events import Events
    from denkdag.domain.errors import DomainError

    try:
        return run(lambda service: work(Events(service)), database)
    except DomainError as error:
        fail(error.detail, 2)


@event_app.command("create")
def create(
    title: Annotated[str, typer.Argument(help="The event's title.")],
    date: Annotated[str, typer.Option(help="YYYY-MM-DD")] = "",
    venue: Annotated[str, typer.Option(help="Where it takes place.")] = "",
    organiser: Organiser = "organiser",
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Create an event owned by ORGANISER and print its event code (join page /ev/CODE)."""
    from denkdag.app.events import EventFields

    async def work(events: Events) -> str:
        user = await _organiser(events, organiser)
        event = await events.create(user, EventFields(title=title, date=date, venue=venue))
        return event.code

    typer.echo(_run(work, database))


@event_app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="The event code.")],
    file: Annotated[Path, typer.Argument(help="A deck file (Markdown, see README).")],
    room: Annotated[str, typer.Option(help="The room's name.")] = "",
    plenary: Annotated[bool, typer.Option(help="Make it the event's plenary.")] = False,
    facilitator: Annotated[str, typer.Option(help="User name of its facilitator.")] = "",
    organiser: Organiser = "organiser",
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Import a deck file as a new session of the event and print its join code."""
    from denkdag.domain.events import PLENARY, WORKING
    from denkdag.formats.deck import DeckError, parse_deck

    try:
        deck = parse_deck(file.read_bytes(), source=str(file))
    except (DeckError, OSError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None

    async def work(events: Events) -> str:
        user = await _organiser(events, organiser)
        role = PLENARY if plenary else WORKING
        made = await events.create_session(code, user, deck, role, room, facilitator or None)
        return made.session.code

    typer.echo(_run(work, database))


REPORT_FORMATS = ("json", "csv", "xlsx", "pdf")  # as app/exports.py writes them


@event_app.command("export")
def export(
    code: Annotated[str, typer.Argument(help="The event code.")],
    format: Annotated[
        str, typer.Option("--format", help="json, csv, xlsx or pdf", case_sensitive=False)
    ] = "json",
    output: Annotated[Path | None, typer.Option("--output", help="File to write.")] = None,
    language: Annotated[
        str | None,
        typer.Option("--language", help="pdf and xlsx: nl, en or fr (default: the plenary's)."),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Write the event's report: every room's results, participation per room and the rooms
    side by side (json, csv of every answer, xlsx, the pdf report)."""
    from denkdag.domain.model import LANGUAGES

    chosen = format.lower()
    if chosen not in REPORT_FORMATS:
        typer.echo(f"Unknown format '{format}': use {', '.join(REPORT_FORMATS)}.", err=True)
        raise typer.Exit(2)
    if chosen in {"xlsx", "pdf"} and output is None and sys.stdout.isatty():
        typer.echo(f"A {chosen} file is binary: write it with --output FILE.", err=True)
        raise typer.Exit(2)

    async def work(events: Events) -> bytes:
        from denkdag.app.exports import export_event

        event = await events.public(code)
        deck = await events.plenary_language(event)
        chosen_language = language if language in LANGUAGES else (deck or LANGUAGES[0])
        return (await export_event(events.service, event, chosen, chosen_language)).data

    data = _run(work, database)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}", err=True)
