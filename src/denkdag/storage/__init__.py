"""Storage: SQLAlchemy 2 (Core) on SQLite by default, PostgreSQL for scale-out."""

from denkdag.defaults import DEFAULT_DATABASE
from denkdag.storage.store import CodeTaken, SqlStore, open_store

__all__ = ["DEFAULT_DATABASE", "CodeTaken", "SqlStore", "open_store"]
