"""The bundled seed: the working session of the Flemish libraries' think-day of 2018."""

from __future__ import annotations

from importlib import resources

SEED_DECK = "werksessie-1-samenwerking.md"


def seed_deck_text() -> str:
    """The seed deck file's text, as shipped in the package."""
    return resources.files(__name__).joinpath(SEED_DECK).read_text(encoding="utf-8")
