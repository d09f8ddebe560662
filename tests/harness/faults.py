"""Real servers for fault tests, each on a spare port in a temp dir, that a test can stop
hard and start again: its own `redis-server`, its own PostgreSQL cluster."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.servers import reserved_port
from harness.services import need_service
from harness.waiting import wait_until_sync

REDIS_SERVER = "/usr/bin/redis-server"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FULL = os.environ.get("DENKDAG_FULL") == "1"
"""`bench.scorecard` sets DENKDAG_FULL=1: the same tests at full size."""


def wait_for_port(port: int) -> None:
    """Return once something accepts connections on `port`."""

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until_sync(listening, f"something listens on port {port}")


class OwnRedis:
    """A redis-server that keeps nothing on disk, on its own port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = reserved_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, every key gone."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not os.path.exists(REDIS_SERVER):
        need_service(f"{REDIS_SERVER} is not installed")
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


def _as_postgres(*command: str) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


class OwnPostgres:
    """A throwaway PostgreSQL cluster: initdb in a temp dir, started with pg_ctl."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = reserved_port()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/denkdag"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "initdb"),
                *("-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"),
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.directory / "log"),
                "-w",
                "start",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop_hard(self) -> None:
        """`pg_ctl stop -m immediate`: the server quits at once, connections cut."""
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    if not (PG_BIN / "initdb").exists():
        need_service(f"{PG_BIN}/initdb is not installed")
    # Directly under /tmp: the postgres user must reach it (pytest's tmp dirs are root-only).
    directory = Path(tempfile.mkdtemp(prefix="denkdag-pg-"))
    postgres = OwnPostgres(directory)
    try:
        postgres.init()
        postgres.start()
        asyncio.run(_create_database(postgres.port))
        yield postgres
    finally:
        postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


async def _create_database(port: int) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")
    try:
        await connection.execute("CREATE DATABASE denkdag")
    finally:
        await connection.close()


def report(name: str, **numbers: object) -> None:
    """Leave a test's numbers for bench.scorecard (when it set DENKDAG_SCORECARD_DIR)."""
    folder = os.environ.get("DENKDAG_SCORECARD_DIR")
    if folder:
        Path(folder, f"{name}.json").write_text(json.dumps(numbers), encoding="utf-8")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


__all__ = [
    "FULL",
    "OwnPostgres",
    "OwnRedis",
    "bearer",
    "own_postgres",
    "own_redis",
    "report",
]
