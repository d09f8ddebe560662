"""Database engines: URL normalisation and the per-dialect setup.

SQLite gets WAL (readers never block the writer), a busy timeout, `synchronous=NORMAL`
(a commit survives a killed process; only power loss needs FULL) and `BEGIN IMMEDIATE`, so a
writer takes the write lock up front instead of failing to upgrade it later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection waits for another's lock (off the event loop: aiosqlite's
thread waits)."""
READERS = 16
"""SQLite reader connections kept open (each has its own aiosqlite thread)."""


def async_url(url: str) -> str:
    """The SQLAlchemy async URL for a user's URL (`sqlite:///…`, `postgresql://…`)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database '{backend}': use sqlite:///FILE or postgresql://…")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def create_engines(url: str) -> tuple[AsyncEngine, AsyncEngine]:
    """(writer, reader) engines for `url`, with the dialect's setup applied.

    On SQLite the reader is a second engine whose transactions are deferred and read-only,
    so reads never queue behind the writer's lock; on PostgreSQL both are one engine.
    """
    full = async_url(url)
    if full.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(full, writer=True), _sqlite_engine(full, writer=False)
    engine = create_async_engine(full, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine, engine


def sqlite_writer(url: str) -> Engine | None:
    """For the batched writer of a SQLite file: a plain (synchronous) engine of one
    connection, which only the writer's own thread uses (None for other databases).
    See storage/writer.py."""
    path = sqlite_path(url)
    if path is None:
        return None
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT},
        pool_size=1,
        max_overflow=0,
    )
    _sqlite_setup(engine, writer=True)
    return engine


def _sqlite_engine(url: str, *, writer: bool) -> AsyncEngine:
    # Readers: a pool that keeps its connections. (The default, 5 kept and 10 more
    # opened and closed again as needed, opened a connection with its own thread for
    # most reads while a room's phones all fetched their slide.)
    pool: dict[str, Any] = {} if writer else {"pool_size": READERS, "max_overflow": 0}
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT}, **pool)
    _sqlite_setup(engine.sync_engine, writer=writer)
    return engine


def _sqlite_setup(engine: Engine, *, writer: bool) -> None:
    """WAL, the busy timeout and the rest for every connection `engine` opens; writers
    begin with BEGIN IMMEDIATE, readers are read-only."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA secure_delete=ON")
        if not writer:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
