"""PostgreSQL stopped hard mid-load and started again: every request gets its answer or a
503 with Retry-After (never a 500), nothing acknowledged is lost, no join is half made,
and the same app serves again without a restart."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from denkdag.web.faults import RETRY_AFTER_SECONDS
from harness.faults import FULL, OwnPostgres, bearer, own_postgres, report
from harness.waiting import wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.postgres]
__all__ = ["own_postgres"]

PHONES = 200 if FULL else 30
OUTAGES = 3 if FULL else 1
DOWN_SECONDS = 20.0 if FULL else 2.0
VALUES = ("a", "b", "c")


@dataclass
class Ledger:
    """What the server acknowledged, and what it was asked after the last acknowledgement."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    unsure: dict[str, list[str]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    acks: int = 0
    recovered_after: list[float] = field(default_factory=list)

    def asked(self, phone: str, value: str) -> None:
        self.unsure.setdefault(phone, []).append(value)

    def answered(self, phone: str, value: str, response: httpx.Response) -> None:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code == 200:
            self.acknowledged[phone] = value
            self.unsure[phone] = []
            self.acks += 1
        else:
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
            assert "database" in response.json()["detail"]


async def test_postgres_stopped_hard_mid_load(own_postgres: OwnPostgres) -> None:
    settings = Settings(database_url=own_postgres.url, tally_interval=0.05, rate_limits=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service = app.state.service
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        facilitator = bearer(await service.access.create_api_token("facilitator"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            base = f"/api/v1/sessions/{session.code}"
            moved = await client.post(
                f"{base}/control", json={"action": "goto", "slide": "s4"}, headers=facilitator
            )
            assert moved.status_code == 200
            phones = []
            for _ in range(PHONES):
                joined = await client.post(f"{base}/participants")
                assert joined.status_code == 201
                phones.append(joined.json()["participant_token"])
            ledger = Ledger()
            stop = asyncio.Event()

            async def phone_loop(token: str) -> None:
                rng = random.Random(token)
                while not stop.is_set():
                    value = rng.choice(VALUES)
                    ledger.asked(token, value)
                    response = await client.put(
                        f"{base}/slides/s4/response", json={"value": value}, headers=bearer(token)
                    )
                    ledger.answered(token, value, response)
                    await asyncio.sleep(0.01 if response.status_code == 200 else 0.2)

            async def acks_beyond(count: int, what: str) -> None:
                await wait_until(lambda: ledger.acks > count, what)

            joins_during_outage: list[int] = []
            loaders = [asyncio.create_task(phone_loop(token)) for token in phones]
            try:
                for _ in range(OUTAGES):
                    await acks_beyond(ledger.acks + PHONES - 1, "answers flow before the outage")
                    before = ledger.acks
                    await asyncio.to_thread(own_postgres.stop_hard)
                    # The outage lasts as long as the scenario says (the phones keep trying).
                    await asyncio.sleep(DOWN_SECONDS / 2)
                    refused_join = await client.post(f"{base}/participants")
                    joins_during_outage.append(refused_join.status_code)
                    await asyncio.sleep(DOWN_SECONDS / 2)
                    await asyncio.to_thread(own_postgres.start)
                    back = time.monotonic()
                    acks_at_restart = ledger.acks
                    await acks_beyond(acks_at_restart, "an answer is stored after the restart")
                    ledger.recovered_after.append(time.monotonic() - back)  # reported, not checked
                    assert ledger.acks > before
                await acks_beyond(ledger.acks + PHONES - 1, "answers keep flowing")
            finally:
                stop.set()
                await asyncio.gather(*loaders)

    assert joins_during_outage == [503] * OUTAGES
    assert set(ledger.statuses) <= {200, 503} and ledger.statuses.get(503, 0) > 0
    stored = await read_answers(own_postgres, session.id)
    ids = await participant_tokens(own_postgres, session.id)
    assert len(ids) == PHONES, "a join refused with 503 left a participant behind"
    lost = 0
    for token, value in ledger.acknowledged.items():
        now = stored.get(ids[_hash(token)])
        # The last acknowledged answer, or a later one whose reply the outage cut off.
        if now != value and now not in ledger.unsure.get(token, []):
            lost += 1
    assert lost == 0
    report(
        "postgres_outage",
        requests=sum(ledger.statuses.values()),
        acknowledged=ledger.acks,
        refused_503=ledger.statuses.get(503, 0),
        faults=OUTAGES,
        lost=lost,
        recovered_after_s=max(ledger.recovered_after),
    )


def _hash(token: str) -> str:
    from denkdag.security import token_hash

    return token_hash(token)


async def read_answers(postgres: OwnPostgres, session_id: int) -> dict[int, str]:
    connection = await asyncpg.connect(postgres.url)
    try:
        rows = await connection.fetch(
            "SELECT participant_id, value FROM responses WHERE session_id = $1 AND slide_id = 's4'",
            session_id,
        )
    finally:
        await connection.close()
    return {row["participant_id"]: json.loads(row["value"]) for row in rows}


async def participant_tokens(postgres: OwnPostgres, session_id: int) -> dict[str, int]:
    connection = await asyncpg.connect(postgres.url)
    try:
        rows = await connection.fetch(
            "SELECT id, token_hash FROM participants WHERE session_id = $1", session_id
        )
    finally:
        await connection.close()
    return {row["token_hash"]: row["id"] for row in rows}
