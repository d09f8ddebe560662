"""`denkdag import|export|delete|invitations|purge`: a session from a deck file, its
results and deck out again, its deletion, its invitation codes, and the retention purge.

Each command imports what it uses when it runs (see cli/common.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denkdag.cli.common import DEFAULT_DATABASE, DEMO_USER, Database, fail, run

if TYPE_CHECKING:
    from denkdag.app.denkdag import Denkdag

EXPORT_FORMATS = ("json", "csv", "xlsx", "pdf", "polis", "deck", "deck-zip")


def import_deck(
    file: Annotated[
        Path,
        typer.Argument(
            help="A deck file (Markdown, see README), a zip of deck.md and images/, or a "
            "PowerPoint (.pptx) or PDF whose questions are detected."
        ),
    ],
    database: Database = DEFAULT_DATABASE,
    owner: Annotated[str, typer.Option(help="Facilitator who runs the session.")] = DEMO_USER,
    all_info: Annotated[
        bool,
        typer.Option(
            "--all-info", help="A .pptx or .pdf: keep every slide as information, no questions."
        ),
    ] = False,
) -> None:
    """Import a deck file (with its images: a zip, or images beside the file) or a slide
    file (.pptx, .pdf: the detected questions taken as proposed, each printed) as a new
    session and print its join code."""
    from denkdag.formats.deck import DeckError
    from denkdag.formats.deck_import import is_slide_file

    if is_slide_file(file.name):
        _import_slides(file, database, owner, all_info)
        return
    from denkdag.formats.deck_zip import read_deck_path

    try:
        bundle = read_deck_path(file)
    except DeckError as error:
        fail(str(error), 2)

    async def work(service: Denkdag) -> str:
        from denkdag.app.editor import Editor

        user = await service.accounts.ensure_user(owner)
        return (await Editor(service).create(user, bundle.deck, bundle.images)).code

    code = run(work, database)
    typer.echo(code)


def _import_slides(file: Path, database: str, owner: str, all_info: bool) -> None:
    """`denkdag import deck.pptx|deck.pdf`: what was detected, slide by slide, then the code."""
    from denkdag.formats.deck import DeckError
    from denkdag.formats.deck_import import proposals, read_slide_path

    try:
        deck = read_slide_path(file)
    except DeckError as error:
        fail(str(error), 2)
    for slide, proposal in zip(deck.slides, proposals(deck), strict=True):
        kind = "info" if all_info else proposal.kind
        why = "kept as information (--all-info)" if all_info else str(proposal.reason)
        typer.echo(f"slide {slide.number}: {kind} ({why}): {slide.title or '(no title)'}")
    for notice in deck.notices:
        typer.echo(str(notice))

    async def work(service: Denkdag) -> str:
        from denkdag.app.imports import SlideImports

        user = await service.accounts.ensure_user(owner)
        made = await SlideImports(service).create_as_proposed(user, deck, all_info=all_info)
        return made.code

    try:
        code = run(work, database)
    except DeckError as error:
        fail(str(error), 2)
    typer.echo(code)


def export(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="json, csv, xlsx, pdf, polis (pol.is' open-data files), deck or deck-zip",
            case_sensitive=False,
        ),
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", help="File to write (polis: the folder to write them in)."),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare", help="xlsx, pdf: also compare with this earlier session of the deck."
        ),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Write a session's slides and results (json, csv, xlsx, the pdf report), its
    statements and votes as pol.is publishes a conversation (comments.csv, votes.csv and
    participants-votes.csv in the --output folder), or its deck."""
    from denkdag.domain.errors import DomainError

    chosen = format.lower()
    if chosen not in EXPORT_FORMATS:
        fail(f"Unknown format '{format}': use {', '.join(EXPORT_FORMATS)}.", 2)
    if compare and chosen not in {"xlsx", "pdf"}:
        fail("--compare works with --format xlsx or pdf.", 2)
    if chosen in {"xlsx", "pdf", "deck-zip"} and output is None and sys.stdout.isatty():
        fail(f"A {chosen} file is binary: write it with --output FILE.", 2)
    if chosen == "polis" and (output is None or output.is_file()):
        fail("--format polis writes three files: give the folder with --output DIR.", 2)

    async def work(service: Denkdag) -> bytes:
        from denkdag.app.editor import Editor
        from denkdag.app.exports import export_session
        from denkdag.domain.errors import N_, NotAllowed
        from denkdag.formats.deck import write_deck
        from denkdag.formats.deck_zip import write_deck_zip

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
        other = None
        if compare:
            other = await service.sessions.get(compare)
            if other.owner_id != session.owner_id:
                raise NotAllowed(N_("Both sessions must belong to the same facilitator."))
        language = session.deck.info.language
        file = await export_session(service, session, chosen, language, other)
        return file.data + b"\n" if chosen == "json" else file.data  # a text file's last line

    try:
        data = run(work, database)
    except DomainError as error:
        fail(error.detail, 1)
    if chosen == "polis" and output is not None:
        _unpack(data, output)
    elif output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}", err=True)


def _unpack(data: bytes, folder: Path) -> None:
    """Write the pol.is files of the export's zip into `folder` (created if need be)."""
    import io
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            (folder / Path(name).name).write_bytes(archive.read(name))
            typer.echo(f"Wrote {folder / Path(name).name}", err=True)


def delete(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Delete a session for good: the session, its participants and every answer."""
    from denkdag.domain.errors import DomainError
    from denkdag.security import format_code, normalise_code

    if not yes and not typer.confirm(f"Delete session {code} and all its answers for good?"):
        fail("Nothing deleted.", 1)

    async def work(service: Denkdag) -> str:
        session = await service.sessions.get(code)
        await service.sessions.delete(session)
        return session.title

    try:
        title = run(work, database)
    except DomainError as error:
        fail(error.detail, 1)
    typer.echo(f"Deleted session {format_code(normalise_code(code))}: {title}")


def invitations(
    code: Annotated[str, typer.Argument(help="The session's join code.")],
    count: Annotated[int, typer.Option("--count", min=1, max=5000, help="How many.")] = 30,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Print personal invitation codes, one a line: from now on the session admits only
    holders of an unused code (one code, one voice). Only hashes are kept: print them now."""
    from denkdag.domain.errors import DomainError

    async def work(service: Denkdag) -> list[str]:
        return await service.participation.create_invitations(
            await service.sessions.get(code), count
        )

    try:
        codes = run(work, database)
    except DomainError as error:
        fail(error.detail, 1)
    typer.echo("\n".join(codes))


def purge(
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, envvar="DENKDAG_RETENTION_DAYS", help="Keep this many days."),
    ] = None,
    database: Database = DEFAULT_DATABASE,
) -> None:
    """Delete every answer older than the retention (DENKDAG_RETENTION_DAYS or --days)."""
    if days is None:
        fail("Say how many days to keep: --days N (or set DENKDAG_RETENTION_DAYS).", 2)
    kept = days

    async def work(service: Denkdag) -> int:
        return await service.participation.purge_answers(kept)

    deleted = run(work, database)
    typer.echo(f"Deleted {deleted} answers older than {days} days.")
