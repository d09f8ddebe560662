"""A batch of answers, written in a few statements.

Every vote goes through here: the batched writer (storage/writer.py) hands this module every
answer that arrived in the last few milliseconds, and they are written in one transaction,
in a few SQLAlchemy Core statements whatever the batch's size. The steps (AnswerBatch) are
plain Python; the statements (AnswerStatements) are built once per store.

The steps: answers whose session moved past the version they were accepted at, or whose
slide's closing timer ended while they waited, are STALE; idempotency keys are claimed (a
key seen before makes the answer a REPLAYED one, returning what is stored); the rest are
upserted in one statement, the last answer of a participant on a slide winning.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from denkdag.storage.clock import now
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

    def key_rows(self, stamp: Any) -> list[dict[str, Any]]:
        """The rows of the keys to claim, once each."""
        rows: dict[Triple, dict[str, Any]] = {}
        for index in self.current:
            answer = self.batch[index]
            key = answer.idempotency_key
            if key is not None:
                rows.setdefault(
                    (answer.participant_id, answer.slide_id, key),
                    {
                        "participant_id": answer.participant_id,
                        "slide_id": answer.slide_id,
                        "idempotency_key": key,
                        "created_at": stamp,
                    },
                )
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

    def answer_rows(self, stamp: Any) -> list[dict[str, Any]]:
        """The upsert's rows (the value as JSON text)."""
        return [
            {
                "session_id": a.session_id,
                "slide_id": a.slide_id,
                "participant_id": a.participant_id,
                "value": stored_json(a.value),
                "updated_at": stamp,
            }
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
    """The statements of an answer batch, built once per store."""

    def __init__(self, insert: Callable[[Any], Any]) -> None:
        """`insert`: the dialect's INSERT construct (with ON CONFLICT)."""
        ids = select(sessions.c.id, sessions.c.state_version)
        self.versions = ids.where(
            sessions.c.id.in_(bindparam("ids", expanding=True))
        ).with_for_update(read=True)  # FOR SHARE on PostgreSQL: a state change waits for us
        claim = insert(answer_keys).on_conflict_do_nothing()
        self.claim = claim.returning(
            answer_keys.c.participant_id, answer_keys.c.slide_id, answer_keys.c.idempotency_key
        )
        upsert = insert(responses)
        self.upsert = upsert.on_conflict_do_update(
            index_elements=["participant_id", "slide_id"],
            set_={"value": upsert.excluded.value, "updated_at": upsert.excluded.updated_at},
        )
        stored = select(responses.c.participant_id, responses.c.slide_id, responses.c.value)
        self.stored = stored.where(responses.c.participant_id.in_(bindparam("ids", expanding=True)))

    def write(self, conn: Connection, batch: Sequence[AnswerWrite]) -> list[AnswerOutcome]:
        """The batch in `conn`'s transaction: one outcome per answer, in batch order."""
        step = AnswerBatch(batch)
        versions: dict[int, int] = {}
        if guarded := step.guarded_sessions():
            rows = conn.execute(self.versions, {"ids": guarded})
            versions = {int(r.id): int(r.state_version) for r in rows}
        step.check(versions)
        fresh: set[Triple] = set()
        if keys := step.key_rows(now()):
            claimed = conn.execute(self.claim, keys)  # RETURNING: the keys that were new
            fresh = {(int(r[0]), str(r[1]), str(r[2])) for r in claimed.all()}
        step.claimed(fresh)
        if step.writes:
            conn.execute(self.upsert, step.answer_rows(now()))
        if step.replays:
            found = conn.execute(self.stored, {"ids": step.replay_participants()})
            step.replayed({(int(r[0]), str(r[1])): json.loads(r[2]) for r in found})
        return step.results()
