"""Real servers for tests that need real sockets (streams: the in-process transport buffers
them), and ports for the servers that tests start as processes.

`served` runs uvicorn in the test's event loop on a socket bound here, before uvicorn
starts: the port is never released between choosing it and listening on it, so two test
workers (`pytest -n 2`) cannot pick the same one. `live_session` adds what most stream
tests need on top: a facilitator, a session and an API token. `until_answering` waits for
a server that a test started as a process to answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from harness.waiting import wait_until, wait_until_sync

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
"""Seconds a server may take to start (its lifespan opens the database): a hang guard."""


def bound_socket() -> socket.socket:
    """A listening TCP socket on a port the kernel chose, kept open for a server to use."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)
    return sock


def reserved_port() -> int:
    """A port number for a server that a test starts as a process and that binds the port
    itself (`denkdag serve`, `redis-server`, PostgreSQL), so it cannot be handed a socket.

    The port is bound, connected to and closed from the server side, which leaves it in
    TIME_WAIT: the kernel does not hand it to another `bind(port=0)` (another test
    worker's) for a minute, while a server that sets SO_REUSEADDR, as all three do, can
    still listen on it. That narrows the choose-then-bind race to other programs that
    pick fixed ports; in-process servers should use `served`, which has no race at all.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, 0))
        listener.listen(1)
        address = listener.getsockname()
        with socket.create_connection(address):
            accepted, _ = listener.accept()
            accepted.close()  # the server side closes first: it holds the TIME_WAIT
        return int(address[1])


def _exited(process: subprocess.Popen[bytes]) -> AssertionError:
    return AssertionError(f"the server exited (status {process.returncode}) before answering")


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-5000:] if log is not None and log.exists() else ""


async def until_answering(
    process: subprocess.Popen[bytes], url: str, log: Path | None = None
) -> httpx.Response:
    """Wait until the server `process` answers `url` with 200, and return that answer.

    Fails with the end of the server's `log` when the process exits first, or when it
    does not answer within START_TIMEOUT (a hang guard)."""
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(timeout=2) as client:

        async def answered() -> bool:
            if process.poll() is not None:
                raise _exited(process)
            try:
                reply = await client.get(url)
            except httpx.TransportError:
                return False
            answers.append(reply)
            return reply.status_code == 200

        try:
            await wait_until(answered, f"{url} answers", timeout=START_TIMEOUT, poll=0.05)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{_tail(log)}") from None
    return answers[-1]


def until_answering_sync(
    process: subprocess.Popen[bytes], url: str, log: Path | None = None
) -> None:
    """`until_answering` for code without an event loop (browser tests)."""

    def answered() -> bool:
        if process.poll() is not None:
            raise _exited(process)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    try:
        wait_until_sync(answered, f"{url} answers", timeout=START_TIMEOUT)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{_tail(log)}") from None


class _Server(uvicorn.Server):
    """uvicorn's server with an event set once it started (lifespan done, accepting)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextlib.asynccontextmanager
async def served(app: Any, **config: Any) -> AsyncIterator[str]:
    """Serve the ASGI `app` (lifespan included) on a pre-bound socket; yields its base URL.

    Extra keywords go to `uvicorn.Config`. Start-up is awaited (an event, not a poll); a
    start-up that fails raises here."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "on"} | config
    server = _Server(uvicorn.Config(app, **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    try:
        await asyncio.wait({task, ready}, timeout=START_TIMEOUT, return_when="FIRST_COMPLETED")
        if not server.ready.is_set():
            if task.done():
                task.result()  # the start-up's own error
            raise AssertionError(f"the server did not start in {START_TIMEOUT:g} s")
        yield f"http://{HOST}:{port}"
    finally:
        ready.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 15)
        sock.close()


@dataclass
class Live:
    """A real server with a session: its base URL, join code and the facilitator's token."""

    app: FastAPI
    base: str
    code: str
    token: str

    @property
    def service(self) -> Denkdag:
        service: Denkdag = self.app.state.service
        return service

    def facilitator(self) -> dict[str, str]:
        """The facilitator's Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


@contextlib.asynccontextmanager
async def live_session(
    settings: Settings, deck: str | None = None, user: str = "facilitator"
) -> AsyncIterator[Live]:
    """The app for `settings` on a real server, with a session of `deck` (the seed deck if
    None) owned by `user`, and an API token of that user."""
    app = create_app(settings)
    async with served(app) as base:
        service: Denkdag = app.state.service
        owner = await service.store.ensure_user(user)
        text = seed_deck_text() if deck is None else deck
        session = await service.sessions.create(parse_deck(text), owner.id)
        token = await service.access.create_api_token(user)
        yield Live(app, base, session.code, token)
