"""Database engines: URL normalisation and the per-dialect setup.

SQLite gets WAL (readers never block the writer), a busy timeout, `synchronous=NORMAL`
(a commit survives a killed process; only power loss needs FULL) and `BEGIN IMMEDIATE`, so a
writer takes the write lock up front instead of failing to upgrade it later.

The batched writer also gets an *inline* SQLite engine (`inline_sqlite_engine`): see
storage/writer.py for why and how it stays off the event loop's way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection (other than the inline one) waits for another's lock."""
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


def _sqlite_engine(url: str, *, writer: bool, inline: bool = False) -> AsyncEngine:
    if inline:
        path = str(sqlite_path(url))

        async def connect() -> aiosqlite.Connection:
            return await _InlineConnection(lambda: _connect_inline(path), 64)

        engine = create_async_engine(url, async_creator=connect, pool_size=1)
    else:
        # Readers: a pool that keeps its connections. (The default, 5 kept and 10 more
        # opened and closed again as needed, opened a connection with its own thread for
        # most reads while a room's phones all fetched their slide.)
        pool: dict[str, Any] = {} if writer else {"pool_size": READERS, "max_overflow": 0}
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT}, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Inline: never wait for a lock on the loop's thread, never checkpoint there.
        cursor.execute(f"PRAGMA busy_timeout={0 if inline else int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA secure_delete=ON")
        if inline:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        if not writer:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def inline_sqlite_engine(engine: AsyncEngine) -> AsyncEngine | None:
    """For the batched writer of a SQLite file: an engine of one connection whose statements
    run on the event loop's own thread (None for other databases).

    Its connection waits for no lock (busy timeout 0: "database is locked" at once, and the
    writer then uses `engine`) and leaves WAL checkpoints to the writer, so it never holds
    the loop for longer than its own statements take.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or sqlite_path(str(url)) is None:
        return None
    return _sqlite_engine(url.render_as_string(hide_password=False), writer=True, inline=True)


def _connect_inline(path: str) -> sqlite3.Connection:
    # Opened on aiosqlite's thread, used on the loop's: hence check_same_thread=False.
    return sqlite3.connect(path, timeout=0, check_same_thread=False)


async def inline_sqlite3(conn: AsyncConnection) -> sqlite3.Connection | None:
    """The sqlite3 connection under an inline engine's connection (None for another), for
    statements the writer runs on it directly (storage/writer.py)."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    return driver.sqlite if isinstance(driver, _InlineConnection) else None


class _InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs each call at once on the calling thread.

    aiosqlite sends every call (cursor, execute, fetch, close, commit) to its own thread and
    wakes the event loop with the result: a dozen round trips for one small transaction.
    Here only connecting, SQLAlchemy's isolation-level setting and closing use the thread.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (it runs on the loop's thread, as this one)."""
        return self._conn
