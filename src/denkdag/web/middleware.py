"""ASGI middleware: request body limits and security headers.

Kept as plain ASGI (not BaseHTTPMiddleware) so event streams pass through unbuffered.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""The CSP of a JSON reply: it is no page, so it may load nothing at all (as OWASP advises
for APIs). Short, too: every vote's reply carries it."""


def content_security_policy(frame_ancestors: str = "'none'", policy: str = CSP) -> str:
    """`policy` with the operator's frame-ancestors (setting DENKDAG_FRAME_ANCESTORS)."""
    allowed = " ".join(frame_ancestors.replace(";", " ").replace(",", " ").split()) or "'none'"
    return policy.replace("frame-ancestors 'none'", f"frame-ancestors {allowed}")


RAW_SEND = "denkdag.raw_send"
"""Scope key: the server's own `send`, for response bodies no middleware needs to see
(the event stream's frames), recorded by SecurityHeaders, the outermost of ours."""


def route_path(scope: Scope) -> str:
    """The request's path as the router matches it: without the server's root path (an
    app served under a prefix)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] == "/":
        return path[len(root) :]
    return path


class TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, limit: int, uploads: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.limit = limit
        self.uploads = tuple((re.compile(pattern), larger) for pattern, larger in uploads)
        """Paths that take files (an event's logo): a larger limit of their own."""

    def limit_for(self, path: str) -> int:
        """The largest body a request to `path` may send."""
        for pattern, larger in self.uploads:
            if pattern.match(path):
                return larger
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", "")) if self.uploads else self.limit
        declared = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await reply(send, 400, {"detail": "The Content-Length header is not a number."})
                return
            if too_big:
                await reply(send, 413, {"detail": f"The body is larger than {limit} bytes."})
                return
            if not chunked:
                # The server delivers at most the announced length: nothing to count.
                await self.app(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await reply(send, 413, {"detail": f"The body is larger than {limit} bytes."})


encode_json = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
).encode
"""JSON as Starlette's JSONResponse renders it (one encoder, built once)."""


async def reply(
    send: Send, status: int, content: dict[str, Any], retry_after: float | None = None
) -> None:
    """A JSON reply rendered as JSONResponse renders it: the one writer of the refusals
    that plain ASGI code sends itself (body limit, rate limits, the vote and stream paths)."""
    await send_json(send, status, encode_json(content).encode(), retry_after)


async def send_json(send: Send, status: int, body: bytes, retry_after: float | None = None) -> None:
    """Send `body`, rendered JSON, with its length, its type and a Retry-After if given."""
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(int(retry_after)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


Headers = tuple[tuple[bytes, bytes], ...]


class SecurityHeaders:
    """CSP without inline script, no framing, no referrer, no sniffing; HSTS over TLS.

    A JSON reply gets the API policy (API_CSP, with the same frame-ancestors) instead of
    the pages' one."""

    def __init__(self, app: ASGIApp, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.csp = content_security_policy(frame_ancestors).encode()
        self.api_csp = content_security_policy(frame_ancestors, API_CSP).encode()
        self.no_frames = self.csp.endswith(b"frame-ancestors 'none'")
        self.extra, self.extra_tls = self._headers(self.csp)
        self.api_extra, self.api_extra_tls = self._headers(self.api_csp)

    def _headers(self, csp: bytes) -> tuple[Headers, Headers]:
        """The headers with `csp`: over plain HTTP, and over TLS (HSTS added)."""
        extra = [
            (b"content-security-policy", csp),
            (b"referrer-policy", b"no-referrer"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if self.no_frames:
            extra.append((b"x-frame-options", b"DENY"))
        return tuple(extra), (*extra, (b"strict-transport-security", b"max-age=31536000"))

    def _for_reply(self, scope: Scope, content_type: bytes) -> Headers:
        """The headers a reply of `content_type` to `scope`'s request gets."""
        tls = scope.get("scheme") == "https"
        if content_type.startswith(b"application/json"):
            return self.api_extra_tls if tls else self.api_extra
        return self.extra_tls if tls else self.extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[RAW_SEND] = send

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = set()
                content_type = b""
                for name, value in headers:
                    name = name.lower()
                    names.add(name)
                    if name == b"content-type":
                        content_type = value
                extra = self._for_reply(scope, content_type)
                headers += [pair for pair in extra if pair[0] not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
