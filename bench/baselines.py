"""Bare baselines on the same server stack (uvicorn + asyncio), for the ratios in `bench`.

Each is a plain ASGI callable with no framework: what the hardware and the server stack
give before Denkdag adds anything.

- `raw_asgi`: reads the request body and answers 200 with a small JSON body.
- `raw_sqlite`: the same, plus one INSERT and one COMMIT per request into a WAL SQLite
  file (`BENCH_SQLITE`, synchronous=NORMAL, like Denkdag's engine).
- `raw_sse`: `GET …/events` streams; `POST /publish` sends the body as a `state` event to
  every stream; `PUT` counts a vote, and every 0.25 s with votes a `tally` event goes out
  (the coalescing Denkdag does, without anything else).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

OK = b'{"ok":true}'


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _reply(send: Send, status: int, body: bytes, kind: bytes = b"application/json") -> None:
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def raw_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    await _body(receive)
    await _reply(send, 200, OK)


class RawSqlite:
    """One INSERT and COMMIT per request, on the event loop's thread."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(os.environ.get("BENCH_SQLITE", "bench-raw.sqlite3"))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS votes (id INTEGER PRIMARY KEY, body TEXT)")
        return db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        body = await _body(receive)
        if self._db is None:
            self._db = self._open()
        self._db.execute("INSERT INTO votes (body) VALUES (?)", (body.decode(),))
        self._db.commit()
        await _reply(send, 200 if scope["method"] != "POST" else 201, OK)


raw_sqlite = RawSqlite()


class RawSse:
    """A broadcaster with nothing but queues."""

    def __init__(self, interval: float = 0.25) -> None:
        self._queues: set[asyncio.Queue[bytes]] = set()
        self._next_id = 0
        self._votes = 0
        self._interval = interval
        self._ticker: asyncio.Task[None] | None = None

    def _broadcast(self, event: str, data: bytes) -> None:
        self._next_id += 1
        frame = b"id: %d\nevent: %s\ndata: %s\n\n" % (self._next_id, event.encode(), data)
        for queue in self._queues:
            queue.put_nowait(frame)

    async def _tick(self) -> None:
        counted = 0
        while True:
            await asyncio.sleep(self._interval)
            if self._votes != counted:
                counted = self._votes
                self._broadcast("tally", json.dumps({"respondents": counted}).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick())
        method, path = scope["method"], scope["path"]
        if method == "GET" and path.endswith("/events"):
            return await self._stream(receive, send)
        body = await _body(receive)
        if method == "POST" and path == "/publish":
            self._broadcast("state", body or b"{}")
        elif method == "PUT":
            self._votes += 1
        await _reply(send, 200, OK)

    async def _stream(self, receive: Receive, send: Send) -> None:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._queues.add(queue)
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b": hi\n\n", "more_body": True})
            while True:
                frame = await queue.get()
                await send({"type": "http.response.body", "body": frame, "more_body": True})
        except OSError:
            return
        finally:
            self._queues.discard(queue)


raw_sse = RawSse()
