"""A Core statement compiled once, then run with plain tuples through the driver.

A batch of votes is one upsert with a row per vote. Through `conn.execute(statement,
[dict, ...])` SQLAlchemy builds and processes every row's parameters in Python (a
per-row `construct_params`, a bind processor per value), which cost more than SQLite's
own work for the row. Here SQLAlchemy still writes the SQL (from the same Core statement,
for the connection's dialect); only the rows go to the driver as they are: through
`exec_driver_sql` in a SQLAlchemy transaction (`run`), or straight to a sqlite3
connection's transaction (`execute_sqlite`, `executemany_sqlite`; storage/answer_writes.py
says when).

The caller gives each row's values in `columns` order, already in the driver's form:
`bind()` turns one value into that form, so a value shared by the whole batch (its time
stamp) is converted once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Executable


class DriverStatement:
    """`statement`, compiled for `dialect` with parameters for `columns`, run per batch."""

    def __init__(
        self, statement: Executable, dialect: Dialect, columns: Sequence[Column[Any]]
    ) -> None:
        names = [column.key for column in columns]
        compiled = statement.compile(dialect=dialect, column_keys=names)  # type: ignore[attr-defined]
        order = list(compiled.positiontup or ())
        if not compiled.positional or sorted(order) != sorted(names):
            raise ValueError(f"{dialect.name}: not one positional parameter per column")
        self.statement = statement
        self.sql = str(compiled)
        self._processors = {
            column.key: column.type.dialect_impl(dialect).bind_processor(dialect)
            for column in columns
        }
        positions = [names.index(name) for name in order]
        self._reorder = None if positions == list(range(len(names))) else itemgetter(*positions)

    def bind(self, column: str, value: Any) -> Any:
        """`value` as the driver takes it for `column` (as SQLAlchemy would bind it)."""
        processor = self._processors[column]
        return value if processor is None else processor(value)

    def _ordered(self, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        reorder = self._reorder
        return list(rows) if reorder is None else [reorder(row) for row in rows]

    async def run(self, conn: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
        """Execute for every row (values in `columns` order, bound) in `conn`'s transaction."""
        await conn.exec_driver_sql(self.sql, self._ordered(rows))

    def execute_sqlite(self, db: sqlite3.Connection, row: tuple[Any, ...]) -> list[Any]:
        """Execute once on a sqlite3 connection; every row it returns."""
        (ordered,) = self._ordered((row,))
        return db.execute(self.sql, ordered).fetchall()

    def executemany_sqlite(self, db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        """Execute for every row on a sqlite3 connection (a statement returning nothing)."""
        db.executemany(self.sql, self._ordered(rows))
