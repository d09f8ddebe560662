"""`denkdag serve` and `denkdag demo`: the web server, and the bundled seed session with
the addresses to present and join it.

The web application is imported by uvicorn once the database is migrated, never by the
other commands.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denkdag.cli.common import DEFAULT_DATABASE, DEMO_USER, Database, fail, run

if TYPE_CHECKING:
    from denkdag.app.denkdag import Denkdag
    from denkdag.config import Settings

Host = Annotated[str, typer.Option(envvar="DENKDAG_HOST", help="Address to listen on.")]
Port = Annotated[int, typer.Option(envvar="DENKDAG_PORT", help="Port to listen on.")]


def _serve(settings: Settings, workers: int = 1) -> None:
    import asyncio

    import uvicorn

    from denkdag.app.runtime import migrate

    os.environ["DENKDAG_DATABASE_URL"] = settings.database_url
    os.environ["DENKDAG_HOST"] = settings.host
    os.environ["DENKDAG_PORT"] = str(settings.port)
    os.environ["DENKDAG_FREEZE_STARTUP_OBJECTS"] = "true"  # one app per process: web/app.py
    if settings.public_url:
        os.environ["DENKDAG_PUBLIC_URL"] = settings.public_url
    asyncio.run(migrate(settings.database_url))
    uvicorn.run(
        "denkdag.web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        **server_options(settings),
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for serving Denkdag (also what the slow-client test serves with)."""
    from denkdag.cli.slow_clients import TimedHttp

    return {
        "log_level": "warning",
        "access_log": False,  # even suppressed, it formats the client and path per request
        "server_header": False,  # names no server software to a scanner (one less header)
        "timeout_graceful_shutdown": 3,
        "timeout_keep_alive": 5,  # an idle kept-alive connection (slow_clients: mid-request)
        "http": TimedHttp,  # header and body read time-outs (cli/slow_clients.py)
        # X-Forwarded-* only from the configured proxies (DENKDAG_TRUSTED_PROXIES).
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
    }


def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database: Database = DEFAULT_DATABASE,
    workers: Annotated[
        int, typer.Option(help="Worker processes (more than one needs DENKDAG_REDIS_URL).")
    ] = 1,
) -> None:
    """Serve the database's sessions."""
    from denkdag.config import Settings

    settings = Settings(host=host, port=port, database_url=database)
    if workers > 1 and not settings.redis_url:
        fail("More than one worker needs DENKDAG_REDIS_URL, so live updates reach every phone.", 2)
    typer.echo(f"Denkdag serving on {settings.base_url()}")
    _serve(settings, workers)


def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database: Database = DEFAULT_DATABASE,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load and print, but do not serve.")
    ] = False,
) -> None:
    """Load the bundled seed session (once), print how to present and join it, and serve."""
    import segno

    from denkdag.config import Settings
    from denkdag.formats.deck import parse_deck
    from denkdag.security import format_code
    from denkdag.seed import seed_deck_text

    settings = Settings(host=host, port=port, database_url=database)
    deck = parse_deck(seed_deck_text(), source="seed")

    async def work(service: Denkdag) -> tuple[str, str, str]:
        user = await service.accounts.ensure_user(DEMO_USER)
        existing = [s for s in await service.sessions.of_user(user) if s.title == deck.info.title]
        session = existing[0] if existing else await service.sessions.create(deck, user.id)
        token = await service.access.create_api_token(DEMO_USER)
        link = await service.access.create_signin_link(user)
        return session.code, token, link

    code, token, link = run(work, database)
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
