"""DriverStatement: SQLAlchemy writes the SQL, the rows go to the driver as they are. What
it writes must read back through Core exactly as a Core insert's rows do, on SQLite and
PostgreSQL, whatever order the caller lists the columns in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.storage.driver_sql import DriverStatement
from denkdag.storage.tables import responses

pytestmark = pytest.mark.anyio


async def test_rows_in_any_column_order_read_back_as_core_rows(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        deck = parse_deck(seed_deck_text())
        session = await store.create_session("11112222", None, deck, start(deck))
        people = [await store.add_participant(session.id, f"p{i}") for i in range(3)]
        stmt = (postgresql.insert if store.dialect == "postgresql" else sqlite.insert)(responses)
        upsert = stmt.on_conflict_do_update(
            index_elements=["participant_id", "slide_id"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        # Not the SQL's order: the rows must be reordered for the driver.
        names = ("value", "updated_at", "slide_id", "participant_id", "session_id")
        statement = DriverStatement(upsert, store.engine.dialect, [responses.c[n] for n in names])
        when = datetime(2026, 12, 6, 13, 30, 15, 250000, tzinfo=UTC)
        stamp = statement.bind("updated_at", when)
        rows = [('"a"', stamp, "s4", person, session.id) for person in people]
        async with store.engine.begin() as conn:
            await statement.run(conn, rows)
            await statement.run(conn, [('["a", "b"]', stamp, "s4", people[0], session.id)])
        async with store.engine.connect() as conn:
            found = (
                await conn.execute(
                    select(responses.c.participant_id, responses.c.value, responses.c.updated_at)
                    .where(responses.c.session_id == session.id)
                    .order_by(responses.c.participant_id)
                )
            ).all()
        assert [(r.participant_id, r.value) for r in found] == [
            (people[0], '["a", "b"]'),  # the second run replaced the first answer
            (people[1], '"a"'),
            (people[2], '"a"'),
        ]
        for row in found:  # the driver got the time as SQLAlchemy would have bound it
            assert row.updated_at.replace(tzinfo=UTC) == when
    finally:
        await store.close()


def test_a_statement_without_positional_parameters_is_refused() -> None:
    named = sqlite.dialect(paramstyle="named")
    with pytest.raises(ValueError, match="positional"):
        DriverStatement(sqlite.insert(responses), named, [responses.c.value])
