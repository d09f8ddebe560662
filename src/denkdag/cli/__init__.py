"""The command line: demo, serve, import, export, token create, user, event, analyse.

Thin: each command parses its options, opens the service (`denkdag.app.runtime`), calls
the use cases and prints. Every option has an environment twin (DENKDAG_DATABASE_URL,
DENKDAG_REDIS_URL …). The commands live in cli/sessions.py, cli/accounts.py, cli/serve.py,
cli/events.py and cli/analyse.py, and import what they use when they run, so `--help`
and a quick command start without loading the web server, the store or numpy.
"""

from __future__ import annotations

from denkdag.cli import accounts, serve, sessions
from denkdag.cli.analyse import analyse
from denkdag.cli.common import command_group
from denkdag.cli.events import event_app

app = command_group(
    "Denkdag: interactive think-days — slides on the projector, answers from phones."
)
app.add_typer(accounts.token_app, name="token")
app.add_typer(accounts.user_app, name="user")
app.add_typer(event_app, name="event")
app.command("analyse", help="Opinion groups of a pol.is export folder.")(analyse)
app.command("import")(sessions.import_deck)
app.command("export")(sessions.export)
app.command("delete")(sessions.delete)
app.command("invitations")(sessions.invitations)
app.command("purge")(sessions.purge)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)


def main() -> None:
    app()


__all__ = ["app", "main"]
