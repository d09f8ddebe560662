"""`denkdag serve`'s HTTP protocol: uvicorn's, with read timeouts, so slow clients cannot
hold the server.

uvicorn times out an idle kept-alive connection (`timeout_keep_alive`) but not a request
that is being sent: a client sending its headers a byte a minute (slowloris) holds its
connection, and its file descriptor, for ever; 1,100 of them from one address filled a
server's descriptors. Here:

- **headers**: a request's headers must be complete within `HEADER_SECONDS` (10) of the
  connection opening or of the request's first byte (a kept-alive connection's next
  request), else the connection is closed;
- **body**: a body must keep arriving: no more than `BODY_IDLE_SECONDS` (20) without a
  byte (an upload over a slow phone line keeps going; a stalled one is dropped).

nginx in front does the same for the clients it serves ([production.md](production.md)).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
BODY_IDLE_SECONDS = 20.0


class TimedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing requests whose headers or body stall."""

    header_seconds = HEADER_SECONDS
    body_idle_seconds = BODY_IDLE_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stall: asyncio.TimerHandle | None = None

    def _close_after(self, seconds: float | None) -> None:
        """Close the connection in `seconds` unless this is called again (None: never)."""
        if self._stall is not None:
            self._stall.cancel()
        self._stall = None if seconds is None else self.loop.call_later(seconds, self._drop)

    def _drop(self) -> None:
        self._stall = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._close_after(self.header_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._close_after(None)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._close_after(self.header_seconds)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._close_after(self.body_idle_seconds)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._close_after(self.body_idle_seconds)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._close_after(None)  # the app answers; then uvicorn's keep-alive time-out
