"""Defaults the command line shows in its help, kept free of imports.

`denkdag --help` must start at once, so the options' defaults cannot come from
`denkdag.config`, which loads pydantic to read the environment. The settings take their
defaults from here too, so each default has one owner.
"""

DEFAULT_DATABASE = "sqlite:///denkdag.sqlite3"
"""A SQLite file in the working directory: the embedded default."""

__all__ = ["DEFAULT_DATABASE"]
