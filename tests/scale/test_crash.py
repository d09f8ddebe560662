"""Crash safety: SIGKILL a real `denkdag serve` mid-load, again and again, and prove from
the database itself that no acknowledged answer was lost and none was applied twice.

Each participant is driven by one coroutine that sends one answer at a time, each with a
fresh Idempotency-Key, and retries (same key, same body) until it is acknowledged. So at
the end every answer sent was acknowledged, and for each participant and slide the stored
value must be the last acknowledged one. Runs on SQLite, or on PostgreSQL with
`--database postgresql`.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from denkdag.app.denkdag import Denkdag
from denkdag.formats.deck import parse_deck
from denkdag.live import MemoryBroadcaster
from denkdag.security import token_hash
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.storage.engine import async_url
from harness.servers import reserved_port, until_answering
from harness.waiting import wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PARTICIPANTS = 60
CLIENTS = 6
KILLS = 3
ACKS_BETWEEN_KILLS = 150
CHOICES = {"s4": ["a", "b", "c"], "s7": ["agree", "disagree", "pass"], "s8": ["agree", "pass"]}


@dataclass
class Ledger:
    """What the server acknowledged, in order, per (participant token, slide)."""

    last: dict[tuple[str, str], str] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    acknowledged: int = 0
    retried: int = 0
    replayed: int = 0


class Server:
    """`python -m denkdag serve` as a child process that can be killed and restarted."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = reserved_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DENKDAG_REDIS_URL"}
        env["DENKDAG_RATE_LIMITS"] = "false"
        command = [sys.executable, "-m", "denkdag", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--database", self.database_url],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    async def wait_ready(self, code: str) -> None:
        assert self.process is not None
        url = f"{self.base}/api/v1/sessions/{code}"
        reply = await until_answering(self.process, url, self.log)
        assert "server" not in reply.headers  # `serve` names no software


async def prepare(database_url: str) -> tuple[str, list[str]]:
    """A session with s7, s8 and s4 open, and its participants, made in-process."""
    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster())
    try:
        user = await store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        for slide in ("s7", "s8", "s4"):
            await service.control.apply(session.code, user, "goto", slide)
        tokens = [await service.participation.join(session.code) for _ in range(PARTICIPANTS)]
        return session.code, tokens
    finally:
        await service.stop()
        await store.close()


async def participant(
    client: httpx.AsyncClient, code: str, token: str, ledger: Ledger, stop: asyncio.Event
) -> None:
    rng = random.Random(token)
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        slide = rng.choice(sorted(CHOICES))
        value = rng.choice(CHOICES[slide])
        key = str(uuid.uuid4())
        while True:  # until acknowledged: same key, same body
            try:
                reply = await client.put(
                    f"/api/v1/sessions/{code}/slides/{slide}/response",
                    json={"value": value},
                    headers=headers | {"Idempotency-Key": key},
                )
            except httpx.TransportError:
                ledger.retried += 1
                await asyncio.sleep(0.05)
                continue
            if reply.status_code >= 500:
                ledger.retried += 1
                await asyncio.sleep(0.05)
                continue
            assert reply.status_code == 200, reply.text
            stored = reply.json()["value"]
            if stored != value:  # a retry of an applied key: what is stored (never older)
                ledger.replayed += 1
            ledger.last[(token, slide)] = stored
            ledger.keys.add(key)
            ledger.acknowledged += 1
            break


async def until_acknowledged(ledger: Ledger, count: int) -> None:
    """Wait for load rather than time, so a slow machine kills at the same point."""
    await wait_until(
        lambda: ledger.acknowledged >= count,
        f"{count} answers acknowledged",
        timeout=120,  # a guard against a hang, not a timing assertion
    )


async def stored_answers(database_url: str) -> tuple[list[tuple[str, str, str]], set[str]]:
    """(token hash, slide, value) of every stored answer, and every applied key, read
    straight from the database."""
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT p.token_hash, r.slide_id, r.value FROM responses r "
                    "JOIN participants p ON p.id = r.participant_id"
                )
            )
            keys = await conn.execute(text("SELECT idempotency_key FROM answer_keys"))
            return [(str(h), str(s), str(v)) for h, s, v in rows], set(keys.scalars())
    finally:
        await engine.dispose()


async def test_no_acknowledged_answer_is_lost_or_doubled_across_kills(
    database_url: str, tmp_path: Path
) -> None:
    code, tokens = await prepare(database_url)
    server = Server(database_url, tmp_path / "server.log")
    ledger = Ledger()
    stop = asyncio.Event()
    server.start()
    await server.wait_ready(code)
    limits = httpx.Limits(max_connections=CLIENTS * 4)
    async with httpx.AsyncClient(base_url=server.base, timeout=5, limits=limits) as client:
        load = [
            asyncio.create_task(participant(client, code, token, ledger, stop)) for token in tokens
        ]
        acknowledged_before = []
        for _ in range(KILLS):
            await until_acknowledged(ledger, ledger.acknowledged + ACKS_BETWEEN_KILLS)
            acknowledged_before.append(ledger.acknowledged)
            server.kill()  # mid-load: every participant has a request in flight or queued
            server.start()
            await server.wait_ready(code)
        await until_acknowledged(ledger, ledger.acknowledged + ACKS_BETWEEN_KILLS)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*load), 120)
    server.kill()

    assert ledger.acknowledged > acknowledged_before[-1]
    assert ledger.retried > 0  # the kills did interrupt requests
    rows, applied_keys = await stored_answers(database_url)
    by_token = {token_hash(token): token for token in tokens}
    stored = {(by_token[h], slide): value for h, slide, value in rows}
    assert len(stored) == len(rows)  # one row per participant per slide
    expected = {pair: f'"{value}"' for pair, value in ledger.last.items()}
    assert stored == expected  # 0 lost, each the participant's last acknowledged answer
    assert ledger.keys <= applied_keys
    print(
        f"{ledger.acknowledged} acknowledged, {ledger.retried} retries, "
        f"{ledger.replayed} replays answered with a newer stored value, {KILLS} kills"
    )
