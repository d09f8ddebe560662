"""The README documents every CLI command, setting and /api/v1 path."""

from __future__ import annotations

from pathlib import Path

import typer

from denkdag.cli import app
from denkdag.config import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__}" for c in typer_app.registered_commands]  # type: ignore[union-attr]
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(app)
    assert "demo" in commands and "token create" in commands
    for name in commands:
        assert f"`denkdag {name}" in README, f"README does not document `denkdag {name}`"


def test_every_setting_is_in_the_readme() -> None:
    documented = {"database_url", "redis_url", "host", "port", "public_url", "secure_cookies"}
    for name in documented:
        assert f"DENKDAG_{name.upper()}" in README
    assert documented <= set(Settings.model_fields)


def test_every_api_path_is_in_the_readme() -> None:
    from denkdag.web.api import router

    paths = [getattr(route, "path", "") for route in router.routes]
    assert paths
    for path in paths:
        assert path.removeprefix("/api/v1") in README, f"README does not name {path}"
