"""Servers for the benchmarks: Denkdag (`python -m denkdag serve`) and the baselines
(`uvicorn bench.baselines:…`), each in its own process, plus the session they serve."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from denkdag.app.denkdag import Denkdag
from denkdag.formats.deck import parse_deck
from denkdag.live import MemoryBroadcaster
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc (threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Room:
    """A session on slide s4 (open), its facilitator token and participant tokens."""

    database_url: str
    code: str
    facilitator: str
    tokens: list[str]

    def write_tokens(self, path: Path) -> Path:
        path.write_text("\n".join(self.tokens) + "\n")
        return path


async def make_room(database_url: str, participants: int) -> Room:
    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster())
    try:
        user = await store.ensure_user("bench")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        await service.control.apply(session.code, user, "goto", "s7")
        await service.control.apply(session.code, user, "goto", "s4")
        tokens: list[str] = []
        for start in range(0, participants, 500):
            size = min(500, participants - start)
            tokens += await asyncio.gather(
                *(service.participation.join(session.code) for _ in range(size))
            )
        return Room(
            database_url, session.code, await service.access.create_api_token("bench"), tokens
        )
    finally:
        await service.stop()
        await store.close()


class Process:
    """A server process on a free port."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # This checkout's code, whichever copy of Denkdag the interpreter has installed.
        full_env = os.environ | env | {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        with log.open("ab") as sink:
            self.popen = subprocess.Popen(
                [arg.replace("{port}", str(self.port)) for arg in command],
                env=full_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        self.log = log

    @property
    def pid(self) -> int:
        return self.popen.pid

    def rss(self) -> float:
        return rss_mb(self.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    async def ready(self, path: str = "/", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as client:
            while time.monotonic() < deadline:
                if self.popen.poll() is not None:
                    raise RuntimeError("server exited:\n" + self.log.read_text()[-3000:])
                try:
                    async with client.get(self.base + path) as reply:
                        if reply.status < 500:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


DENKDAG_ENV = {
    "DENKDAG_RATE_LIMITS": "false",
    "DENKDAG_STREAMS_PER_ADDRESS": "1000000",
    "DENKDAG_STREAMS_TOTAL": "1000000",
}


def denkdag(room: Room, log: Path, redis_url: str | None = None) -> Process:
    env = DENKDAG_ENV | {"DENKDAG_DATABASE_URL": room.database_url}
    if redis_url:
        env["DENKDAG_REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "denkdag", "serve", "--port", "{port}"]
    return Process(command, env, log)


def baseline(name: str, log: Path, sqlite_file: Path | None = None) -> Process:
    env = {"BENCH_SQLITE": str(sqlite_file)} if sqlite_file else {}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"bench.baselines:{name}",
        "--port",
        "{port}",
        "--log-level",
        "warning",
        "--no-access-log",
        "--backlog",
        "8192",
    ]
    return Process(command, env, log)


def fresh_sqlite(directory: Path) -> str:
    return f"sqlite:///{directory / f'denkdag-{uuid.uuid4().hex[:8]}.sqlite3'}"
