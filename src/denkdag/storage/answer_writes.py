"""A batch of answers, written in a few statements: the steps, and two ways to run them.

Every vote goes through here, so how the statements reach the database is most of what a
vote costs after the web layer. The steps (AnswerBatch) are plain Python and shared; the
statements are SQLAlchemy Core, compiled once per dialect (AnswerStatements), and run:

- on any database, on the batch's SQLAlchemy connection (`write`), as every other write;
- on a SQLite file's inline connection, on its sqlite3 connection directly (`write_sqlite`):
  SQLAlchemy's asyncio layer costs a greenlet switch and an execution context per statement,
  which for a batch of a few dozen votes cost more than all of SQLite's own work. The SQL
  is the same (compiled from the same Core statements by SQLAlchemy's SQLite dialect) and
  so are the values (bound by its type processors), so both ways write the same rows.

The steps, for both: answers whose session moved past the version they were accepted at,
or whose slide's closing timer ended while they waited, are STALE; idempotency keys are
claimed (a key seen before makes the answer a REPLAYED one, returning what is stored); the
rest are upserted in one statement, the last answer of a participant on a slide winning.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from denkdag.storage.clock import now
from denkdag.storage.driver_sql import DriverStatement
from denkdag.storage.tables import answer_keys, responses, sessions

STORED = "stored"
REPLAYED = "replayed"
STALE = "stale"


@dataclass(frozen=True)
class AnswerWrite:
    """An answer to record, valid only while its session is at `expected_version`.

    The version guard is checked in the transaction that writes the answer (on PostgreSQL
    with the session row share-locked until commit), so a slide closed by any instance is
    never written to, however stale the caller's cached state was.
    """

    session_id: int
    slide_id: str
    participant_id: int
    value: Any
    expected_version: int | None = None
    idempotency_key: str | None = None
    deadline: float | None = None
    """When the slide's closing timer ends (epoch seconds): not written at or after it."""


@dataclass(frozen=True)
class AnswerOutcome:
    """What became of an AnswerWrite: STORED (value is what was written), REPLAYED (its
    idempotency key was applied before; value is what is stored now) or STALE (the
    session's state moved past `expected_version`, nothing was written).
    """

    status: str
    value: Any = None


stored_json = json.JSONEncoder(ensure_ascii=False).encode
"""An answer's value as stored (json.dumps(value, ensure_ascii=False), without building
an encoder per call)."""

Triple = tuple[int, str, str]


class AnswerBatch:
    """The steps of one batch, between the statements that feed them."""

    def __init__(self, batch: Sequence[AnswerWrite]) -> None:
        self.batch = batch
        self.outcomes: list[AnswerOutcome | None] = [None] * len(batch)
        self.current: list[int] = []
        self.writes: dict[tuple[int, str], AnswerWrite] = {}
        self.replays: list[int] = []

    def guarded_sessions(self) -> list[int]:
        """The sessions whose state version must be read (and, on PostgreSQL, locked)."""
        return list({a.session_id for a in self.batch if a.expected_version is not None})

    def check(self, versions: dict[int, int]) -> None:
        """Mark STALE what its session's version or its slide's timer no longer allows."""
        moment = now().timestamp()
        for index, answer in enumerate(self.batch):
            expected = answer.expected_version
            if expected is not None and versions.get(answer.session_id) != expected:
                self.outcomes[index] = AnswerOutcome(STALE)
            elif answer.deadline is not None and moment >= answer.deadline:
                self.outcomes[index] = AnswerOutcome(STALE)  # the timer ended while it waited
            else:
                self.current.append(index)

    def key_rows(self, stamp: Any) -> list[tuple[int, str, str, Any]]:
        """(participant, slide, key, created_at) of each key to claim, once each."""
        rows: dict[Triple, tuple[int, str, str, Any]] = {}
        for index in self.current:
            answer = self.batch[index]
            if answer.idempotency_key is not None:
                triple = (answer.participant_id, answer.slide_id, answer.idempotency_key)
                rows.setdefault(triple, (*triple, stamp))
        return list(rows.values())

    def claimed(self, fresh: set[Triple]) -> None:
        """Split the current answers by the keys this transaction claimed: written, or
        replays of a key applied before."""
        for index in self.current:
            answer = self.batch[index]
            key = answer.idempotency_key
            if key is not None and (answer.participant_id, answer.slide_id, key) not in fresh:
                self.replays.append(index)
                continue
            if key is not None:
                fresh.discard((answer.participant_id, answer.slide_id, key))
            self.writes[(answer.participant_id, answer.slide_id)] = answer  # the last wins
            self.outcomes[index] = AnswerOutcome(STORED, answer.value)

    def answer_rows(self, stamp: Any) -> list[tuple[int, str, int, str, Any]]:
        """The upsert's rows: (session, slide, participant, value as JSON, updated_at)."""
        return [
            (a.session_id, a.slide_id, a.participant_id, stored_json(a.value), stamp)
            for a in self.writes.values()
        ]

    def replay_participants(self) -> list[int]:
        return list({self.batch[index].participant_id for index in self.replays})

    def replayed(self, stored: dict[tuple[int, str], Any]) -> None:
        for index in self.replays:
            answer = self.batch[index]
            value = stored.get((answer.participant_id, answer.slide_id))
            self.outcomes[index] = AnswerOutcome(REPLAYED, value)

    def results(self) -> list[AnswerOutcome]:
        return [outcome or AnswerOutcome(STALE) for outcome in self.outcomes]


class AnswerStatements:
    """The statements of an answer batch for one dialect, built once per store."""

    def __init__(self, dialect: Dialect, insert: Callable[[Any], Any]) -> None:
        self.dialect = dialect
        ids = select(sessions.c.id, sessions.c.state_version)
        self.versions = ids.where(
            sessions.c.id.in_(bindparam("ids", expanding=True))
        ).with_for_update(read=True)  # FOR SHARE on PostgreSQL: a state change waits for us
        self.version = DriverStatement(
            ids.where(sessions.c.id == bindparam("id")), dialect, [sessions.c.id]
        )
        claim = insert(answer_keys).on_conflict_do_nothing()
        key_columns = [
            answer_keys.c[name]
            for name in ("participant_id", "slide_id", "idempotency_key", "created_at")
        ]
        self.claim = DriverStatement(claim.returning(*key_columns[:3]), dialect, key_columns)
        upsert = insert(responses)
        upsert = upsert.on_conflict_do_update(
            index_elements=["participant_id", "slide_id"],
            set_={"value": upsert.excluded.value, "updated_at": upsert.excluded.updated_at},
        )
        answer_columns = ("session_id", "slide_id", "participant_id", "value", "updated_at")
        self.upsert = DriverStatement(upsert, dialect, [responses.c[n] for n in answer_columns])
        stored = select(responses.c.participant_id, responses.c.slide_id, responses.c.value)
        self.stored = stored.where(responses.c.participant_id.in_(bindparam("ids", expanding=True)))
        self.stored_one = DriverStatement(
            stored.where(responses.c.participant_id == bindparam("participant_id")),
            dialect,
            [responses.c.participant_id],
        )

    async def write(
        self, conn: AsyncConnection, batch: Sequence[AnswerWrite]
    ) -> list[AnswerOutcome]:
        """The batch on a SQLAlchemy connection, in its transaction."""
        step = AnswerBatch(batch)
        versions: dict[int, int] = {}
        if guarded := step.guarded_sessions():
            rows = await conn.execute(self.versions, {"ids": guarded})
            versions = {int(r.id): int(r.state_version) for r in rows}
        step.check(versions)
        fresh: set[Triple] = set()
        if keys := step.key_rows(now()):
            names = ("participant_id", "slide_id", "idempotency_key", "created_at")
            claimed = await conn.execute(
                self.claim.statement, [dict(zip(names, row, strict=True)) for row in keys]
            )
            fresh = {(int(r[0]), str(r[1]), str(r[2])) for r in claimed.all()}
        step.claimed(fresh)
        if step.writes:
            await self.upsert.run(conn, step.answer_rows(self.upsert.bind("updated_at", now())))
        if step.replays:
            found = await conn.execute(self.stored, {"ids": step.replay_participants()})
            step.replayed({(int(r[0]), str(r[1])): json.loads(r[2]) for r in found})
        return step.results()

    def write_sqlite(
        self, db: sqlite3.Connection, batch: Sequence[AnswerWrite]
    ) -> list[AnswerOutcome]:
        """The batch on a sqlite3 connection, in the transaction it holds (see the module)."""
        step = AnswerBatch(batch)
        versions: dict[int, int] = {}
        for session_id in step.guarded_sessions():
            for row in self.version.execute_sqlite(db, (session_id,)):
                versions[int(row[0])] = int(row[1])
        step.check(versions)
        fresh: set[Triple] = set()
        for key in step.key_rows(self.claim.bind("created_at", now())):
            for row in self.claim.execute_sqlite(db, key):  # RETURNING: the key if it was new
                fresh.add((int(row[0]), str(row[1]), str(row[2])))
        step.claimed(fresh)
        if step.writes:
            rows = step.answer_rows(self.upsert.bind("updated_at", now()))
            self.upsert.executemany_sqlite(db, rows)
        if step.replays:
            stored: dict[tuple[int, str], Any] = {}
            for participant in step.replay_participants():
                for row in self.stored_one.execute_sqlite(db, (participant,)):
                    stored[(int(row[0]), str(row[1]))] = json.loads(row[2])
            step.replayed(stored)
        return step.results()
