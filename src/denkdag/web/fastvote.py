"""The vote fast path: PUT /api/v1/sessions/{code}/slides/{slide_id}/response as plain ASGI.

Voting is the one request a room sends thousands of within seconds, and FastAPI's routing,
dependency solving and validation cost several times what the vote itself costs. This
middleware sits inside the rate-limit guard, the body limit and the security headers (so
every limit and header still applies) and answers a well-formed vote itself: the same
`Answer` model validates the body, the same service call commits it before the reply, and
errors are the same JSON sentences with the same statuses as the exception handlers give.

Anything out of the ordinary — another content type, a body that does not validate, an
odd Idempotency-Key, repeated headers — is handed, body and all, to the FastAPI route,
which stays declared for the OpenAPI schema and answers those cases exactly as before.

`LeanApp` (the app class) goes one step further for an ordinary vote: it skips the
framework's own layers (the telemetry check, Starlette's error and body-limit wrappers) and
the three middleware calls, and applies what those three do itself, with their own
settings and helpers: the body limit (an ordinary vote announces its small length), the
rate limits (`Guard`'s checks, and a 404 costs a code lookup), the security headers. A
request it does not take goes down the whole stack untouched.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from denkdag.domain.errors import DomainError
from denkdag.web.errors import status_of, translated_detail
from denkdag.web.faults import DATABASE_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE, is_outage
from denkdag.web.middleware import BodyLimit, SecurityHeaders
from denkdag.web.ratelimit import Guard, Limits, TooMany, client_address, send_refusal
from denkdag.web.schemas import Answer

log = logging.getLogger("denkdag.web.faults")

_ROUTE = re.compile(r"^/api/v1/sessions/([^/]+)/slides/([^/]+)/response$")
_IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,64}$")
_JSON = (b"content-type", b"application/json")
LEAN_MAX_BODY = 16 * 1024
"""An ordinary vote's body is far smaller; larger ones go down the whole stack."""
TELEMETRY_RECHECK = 1.0
"""Seconds between checks whether OpenTelemetry was set up (then votes take the stack)."""


class FastVote:
    """ASGI middleware: answer ordinary votes without FastAPI's router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "PUT"
            or scope.get("root_path")
            or (match := _ROUTE.match(scope["path"])) is None
        ):
            await self.app(scope, receive, send)
            return
        headers = _vote_headers(scope["headers"])
        body, messages = await _read_body(receive)
        answer = None if headers is None or body is None else _parse(body)
        if answer is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        authorization, idempotency_key = headers  # type: ignore[misc]
        scheme, _, token = authorization.partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        await answer_vote(scope, send, match, bearer, answer, idempotency_key)


async def answer_vote(
    scope: Scope,
    send: Send,
    match: re.Match[str],
    bearer: str | None,
    answer: Answer,
    idempotency_key: str | None,
    extra: Iterable[tuple[bytes, bytes]] = (),
) -> int:
    """Record a validated vote and reply as the route does; the reply's status.

    The one place both fast paths (FastVote and LeanApp) answer a vote: `extra` are the
    security headers when the lean path answers without the SecurityHeaders middleware.
    """
    code, slide_id = match.group(1), match.group(2)
    try:
        stored = await scope["app"].state.service.participation.respond(
            code, bearer, slide_id, answer.value, idempotency_key
        )
    except DomainError as error:
        status = status_of(error)
        detail = await translated_detail(Request(scope), error, code)  # in the phone's language
        await reply(send, status, {"detail": detail}, extra=extra)
        return status
    except TooMany as refused:
        await reply(send, 429, {"detail": refused.detail}, refused.retry_after, extra=extra)
        return 429
    except Exception as error:
        if not await refuse_outage(scope, send, error, extra):
            raise
        return 503
    body = f'{{"slide":{_ENCODE(slide_id)},"value":{_ENCODE(stored)}}}'  # as reply() renders
    await send_json(send, 200, body.encode(), extra)
    return 200


async def refuse_outage(
    scope: Scope, send: Send, error: Exception, extra: Iterable[tuple[bytes, bytes]] = ()
) -> bool:
    """Answer 503 as the app's handler does when `error` is a database outage."""
    if not isinstance(error, DATABASE_ERRORS) or not is_outage(error):
        return False
    limits: Limits = scope["app"].state.limits
    assert limits.refusals is not None
    limits.refusals.count("database_unavailable")
    log.warning("database unavailable: %s", str(error).split("\n", 1)[0][:200])
    await reply(send, 503, {"detail": UNAVAILABLE}, RETRY_AFTER_SECONDS, extra=extra)
    return True


class _VoteHeaders:
    """The headers a vote's fast paths look at, each present at most once."""

    __slots__ = ("authorization", "chunked", "content_type", "key", "length")

    def __init__(self, seen: dict[bytes, bytes], chunked: bool) -> None:
        self.content_type = seen.get(b"content-type")
        authorization = seen.get(b"authorization")
        self.authorization = None if authorization is None else authorization.decode("latin-1")
        self.length = seen.get(b"content-length")
        key = seen.get(b"idempotency-key")
        self.key = None if key is None else key.decode("latin-1")
        self.chunked = chunked


_SEEN_ONCE = frozenset((b"content-type", b"authorization", b"content-length", b"idempotency-key"))


def _scan_headers(raw: list[tuple[bytes, bytes]]) -> _VoteHeaders | None:
    """The vote's headers; None (hand the request over) for a repeated header, an odd
    Idempotency-Key or a content type other than JSON. (Every vote passes here: one loop.)"""
    seen: dict[bytes, bytes] = {}
    chunked = False
    for name, value in raw:
        if name in _SEEN_ONCE:
            if name in seen:
                return None
            seen[name] = value
        elif name == b"transfer-encoding":
            chunked = True
    if seen.get(b"content-type") != b"application/json":
        return None
    found = _VoteHeaders(seen, chunked)
    if found.key is not None and not _IDEMPOTENCY_KEY.match(found.key):
        return None
    return found


def _vote_headers(raw: list[tuple[bytes, bytes]]) -> tuple[str, str | None] | None:
    """(authorization, idempotency key) of an ordinary JSON vote, or None to hand over."""
    found = _scan_headers(raw)
    return None if found is None else (found.authorization or "", found.key)


async def _read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The whole body (None when the client left), and the messages to replay."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        if not message.get("more_body", False):
            break
    if len(messages) == 1:
        return messages[0].get("body", b""), messages
    return b"".join(m.get("body", b"") for m in messages), messages


def _parse(body: bytes) -> Answer | None:
    """The vote, validated as the route validates it; None for anything else (a body
    that is not UTF-8, a byte-order mark, NaN: the route decides those)."""
    try:
        document = _DECODE(body.decode())  # UnicodeDecodeError is a ValueError
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or "value" not in document:
        return None
    try:
        return Answer.model_validate(document)
    except ValidationError:
        return None


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON: leave such bodies to the route."""
    raise ValueError(name)


_DECODE = json.JSONDecoder(parse_constant=_no_constant).decode
"""json.loads(text, parse_constant=…) builds a decoder per call; this one is built once."""


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


_ENCODE = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
).encode


async def reply(
    send: Send,
    status: int,
    content: dict[str, Any],
    retry_after: float | None = None,
    extra: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """A JSON reply rendered as Starlette's JSONResponse renders it (plus `extra` headers)."""
    body = _ENCODE(content).encode()
    if retry_after is not None:
        extra = [(b"retry-after", str(int(retry_after)).encode()), *extra]
    await send_json(send, status, body, extra)


async def send_json(
    send: Send, status: int, body: bytes, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send `body`, rendered JSON, with its length, its type and `extra` headers."""
    headers = [(b"content-length", str(len(body)).encode()), _JSON, *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# the lean path --------------------------------------------------------------------------


class LeanApp(FastAPI):
    """Denkdag's FastAPI app, whose ordinary votes skip the middleware stack (LeanVote)."""

    _lean: LeanVote | None = None
    _lean_built = False

    @property
    def lean_vote(self) -> LeanVote | None:
        """The lean path, built at the first PUT after the middleware stack (None before,
        or when the stack has a layer it cannot stand in for: then votes take the stack)."""
        return self._lean

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT" and not self.root_path:
            lean = self._lean
            if lean is None and not self._lean_built and self.middleware_stack is not None:
                lean = self._lean = LeanVote.build(self)
                self._lean_built = True
            if lean is not None and lean.usable():
                await lean(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class LeanVote:
    """An ordinary vote, answered with what SecurityHeaders, BodyLimit and Guard would do,
    without running them (or the framework's layers around them); anything else goes to
    `fallback`, the whole app, with the body replayed when it was read."""

    def __init__(
        self,
        app: FastAPI,
        headers: SecurityHeaders,
        body_limit: BodyLimit,
        guard: Guard,
    ) -> None:
        self.app = app
        self.fallback = super(LeanApp, app).__call__ if isinstance(app, LeanApp) else app
        self.headers = headers
        self.body_limit = body_limit
        self.guard = guard
        self.limits = guard.limits
        self.max_body = min(LEAN_MAX_BODY, body_limit.smallest)
        """No path's body limit is lower; a larger body takes the stack, which applies its
        path's own limit."""
        self._telemetry_off = False
        self._telemetry_checked = -TELEMETRY_RECHECK

    @classmethod
    def build(cls, app: FastAPI) -> LeanVote | None:
        """The lean path for `app`'s middleware stack, or None when the stack has a layer
        this path does not know how to stand in for (then every vote takes the stack)."""
        known = {"ServerErrorMiddleware", "ExceptionTelemetryMiddleware", "AppBodyLimitMiddleware"}
        found: dict[type, Any] = {}
        node: Any = app.middleware_stack
        while not isinstance(node, FastVote):
            if isinstance(node, SecurityHeaders | BodyLimit | Guard):
                found[type(node)] = node
            elif type(node).__name__ not in known:
                return None
            node = getattr(node, "app", None)
            if node is None:
                return None
        if len(found) != 3:
            return None
        return cls(app, found[SecurityHeaders], found[BodyLimit], found[Guard])

    def usable(self) -> bool:
        """False while OpenTelemetry is set up: then votes are traced like every request."""
        now = time.monotonic()
        if now - self._telemetry_checked >= TELEMETRY_RECHECK:
            self._telemetry_checked = now
            native = getattr(self.app, "_native_telemetry", None)
            self._telemetry_off = native is None or not native.enabled()
        return self._telemetry_off

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        match = None if scope.get("root_path") else _ROUTE.match(path)
        vote = None if match is None else self._ordinary(scope["headers"], self.max_body)
        if vote is None:
            await self.fallback(scope, receive, send)
            return
        token, idempotency_key = vote
        body, messages = await _read_body(receive)
        answer = None if body is None else _parse(body)
        if answer is None:
            await self.fallback(scope, _replay(messages, receive), send)
            return
        assert match is not None
        scope["app"] = self.app
        # Guard: the address's code lookups, then the participant's answer budget.
        limits = self.limits
        address = client_address(scope, limits.trusted)
        scope.setdefault("state", {})["client_address"] = address
        extra = self.headers.for_reply(scope, _JSON[1])  # every reply here is JSON
        try:
            self.guard.check_answer(address, token)
        except TooMany as refused:
            await send_refusal(_with_headers(send, extra), 429, refused.detail, refused.retry_after)
            return
        status = await answer_vote(scope, send, match, token, answer, idempotency_key, extra)
        if status == 404:  # as Guard does: an unknown code costs a lookup
            self.guard.lookup_failed(address)

    @staticmethod
    def _ordinary(raw: list[tuple[bytes, bytes]], max_body: int) -> tuple[str, str | None] | None:
        """(bearer token, idempotency key) of an ordinary vote, else None.

        Ordinary: JSON, one bearer token, a valid key if any, a small announced length,
        no repeated header and no transfer-encoding.
        """
        found = _scan_headers(raw)
        if found is None or found.chunked or found.authorization is None:
            return None
        length = found.length
        if length is None or not length.isdigit() or int(length) > max_body:
            return None
        scheme, _, token = found.authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return token, found.key


def _with_headers(send: Send, extra: Iterable[tuple[bytes, bytes]]) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return sender
