"""What every command shares: the `--database` option, failing with a message, and running
a use case on an opened service.

Light on purpose: `denkdag --help` imports this and the command modules only, so the web
server, the store, numpy and WeasyPrint load inside the one command that needs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from denkdag.defaults import DEFAULT_DATABASE

if TYPE_CHECKING:
    from denkdag.app.denkdag import Denkdag

T = TypeVar("T")
DEMO_USER = "demo"
"""The facilitator `import` and `demo` act as unless told otherwise."""

Database = Annotated[
    str,
    typer.Option(
        "--database", envvar="DENKDAG_DATABASE_URL", help="sqlite:///FILE or postgresql://…"
    ),
]


def command_group(help: str, **options: Any) -> typer.Typer:
    """A Typer app (the CLI itself or a group such as `event`) with plain help.

    Typer's rich help formatting loads rich and markdown-it, which more than doubles the
    time `denkdag --help` takes to appear; plain help reads as well in a terminal.
    """
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        **options,
    )


def fail(message: str, status: int = 1) -> NoReturn:
    """Say what went wrong on stderr and exit with `status` (2: the command line is wrong)."""
    typer.echo(message, err=True)
    raise typer.Exit(status)


def run(work: Callable[[Denkdag], Awaitable[T]], database: str) -> T:
    """Open the service on `database` (migrating it), run `work` on it, close it again."""
    import asyncio

    from denkdag.app.runtime import open_denkdag
    from denkdag.config import Settings

    async def main() -> T:
        async with open_denkdag(Settings(database_url=database)) as service:
            return await work(service)

    return asyncio.run(main())


__all__ = ["DEFAULT_DATABASE", "DEMO_USER", "Database", "command_group", "fail", "run"]
