"""Faults of what we depend on, as clear refusals: the database gone or locked is a 503.

Every write is one transaction (the batched writer commits a vote before it is
acknowledged, and rolls back a failed batch whole), so a request that fails here changed
nothing; the phone retries after `Retry-After` seconds. Nothing has to be restarted:
the next request opens a fresh connection (PostgreSQL's pool pre-pings, SQLite reopens
the file), and the writer task keeps running after a failed batch.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from denkdag.web.ratelimit import Refusals, TooMany

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
UNAVAILABLE = "The database is not reachable right now; nothing was changed. Try again in a moment."


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The driver's own classes for a lost or refused connection."""
    import asyncpg

    return (
        ConnectionError,
        TimeoutError,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CrashShutdownError,
    )


DRIVER_ERRORS = _driver_errors()
DATABASE_ERRORS = (DBAPIError, DisconnectionError, PoolTimeout, *DRIVER_ERRORS)


def is_outage(error: BaseException) -> bool:
    """True when `error` means the database is unreachable, restarting or locked.

    Other DBAPI errors (an integrity error, a bad query) are bugs and stay 500s.
    """
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # The driver's error may be wrapped (SQLAlchemy's adapter keeps it as the cause).
    seen: BaseException | None = error
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, DRIVER_ERRORS) or _sqlstate(seen).startswith(OUTAGE_SQLSTATES):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


OUTAGE_SQLSTATES = ("08", "57P")
"""SQLSTATE classes: connection exception; operator intervention (shutdown, starting up)."""


def _sqlstate(error: BaseException) -> str:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else ""


def install(app: FastAPI, refusals: Refusals) -> None:
    """Register the 503 for database faults and the 429 for rate limits."""

    async def unavailable(_request: Request, error: Exception) -> JSONResponse:
        if not is_outage(error):
            raise error
        refusals.count("database_unavailable")
        log.warning("database unavailable: %s", _brief(error))
        return JSONResponse(
            {"detail": UNAVAILABLE},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def too_many(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, TooMany)
        return JSONResponse(
            {"detail": error.detail},
            status_code=429,
            headers={"Retry-After": str(error.retry_after)},
        )

    for error_class in DATABASE_ERRORS:
        app.add_exception_handler(error_class, unavailable)
    app.add_exception_handler(TooMany, too_many)


def _brief(error: Any) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]
