"""The fast paths: a room's joins and votes as plain ASGI.

Joining and voting are the two requests a whole room sends within seconds (a plenary of
5,000 joins in the first minute; every phone votes within a few seconds of a question),
and FastAPI's routing, dependency solving and validation cost several times what the join
or the vote itself costs (the bench's plenary and ingest scenarios measure it). This
middleware sits inside the rate-limit guard, the body limit and the security headers (so
every limit and header still applies) and answers an ordinary join
(POST /api/v1/sessions/{code}/participants) and an ordinary vote
(PUT /api/v1/sessions/{code}/slides/{slide_id}/response) itself: the same models validate
the body, the same service call does the work (and commits it before the reply), and
errors are the same JSON sentences with the same statuses as the exception handlers give.

Anything out of the ordinary — another content type, a body that does not validate, an
odd Idempotency-Key, repeated headers — is handed, body and all, to the FastAPI route,
which stays declared for the OpenAPI schema and answers those cases exactly as before.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from denkdag.domain.errors import DomainError
from denkdag.web.errors import status_of, translated_detail
from denkdag.web.faults import DATABASE_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE, is_outage
from denkdag.web.middleware import encode_json, reply, route_path, send_json
from denkdag.web.ratelimit import Limits, TooMany
from denkdag.web.schemas import Answer, JoinRequest

log = logging.getLogger("denkdag.web.faults")

_VOTE = re.compile(r"^/api/v1/sessions/([^/]+)/slides/([^/]+)/response$")
_JOIN = re.compile(r"^/api/v1/sessions/([^/]+)/participants$")
_IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,64}$")


class FastPaths:
    """ASGI middleware: answer ordinary joins and votes without FastAPI's router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            method = scope["method"]
            if method == "PUT" and (match := _VOTE.match(route_path(scope))) is not None:
                await self._vote(scope, receive, send, match)
                return
            if method == "POST" and (match := _JOIN.match(route_path(scope))) is not None:
                await self._join(scope, receive, send, match.group(1))
                return
        await self.app(scope, receive, send)

    async def _vote(self, scope: Scope, receive: Receive, send: Send, match: re.Match[str]) -> None:
        headers = _vote_headers(scope["headers"])
        body, messages = await _read_body(receive)
        answer = None if headers is None or body is None else _parse(body, Answer)
        if not isinstance(answer, Answer):
            await self.app(scope, _replay(messages, receive), send)
            return
        authorization, idempotency_key = headers  # type: ignore[misc]
        scheme, _, token = authorization.partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        code, slide_id = match.group(1), match.group(2)

        async def vote() -> bytes:
            stored = await scope["app"].state.service.participation.respond(
                code, bearer, slide_id, answer.value, idempotency_key
            )
            return f'{{"slide":{encode_json(slide_id)},"value":{encode_json(stored)}}}'.encode()

        await _answer(scope, send, code, 200, vote)

    async def _join(self, scope: Scope, receive: Receive, send: Send, code: str) -> None:
        typed = _join_content_type(scope["headers"])
        body, messages = await _read_body(receive)
        request = None
        if typed is not None and body is not None:
            request = JoinRequest() if not body and not typed else _parse(body, JoinRequest)
        if not isinstance(request, JoinRequest):
            await self.app(scope, _replay(messages, receive), send)
            return
        invitation = request.invitation

        async def join() -> bytes:
            token = await scope["app"].state.service.participation.join(code, invitation)
            return f'{{"participant_token":{encode_json(token)}}}'.encode()

        await _answer(scope, send, code, 201, join)


async def _answer(
    scope: Scope, send: Send, code: str, status: int, work: Callable[[], Awaitable[bytes]]
) -> None:
    """Reply `status` with the JSON body `work` returns, or as the app's handlers answer
    its error."""
    try:
        body = await work()
    except Exception as error:
        if not await refuse_as_the_app_does(scope, send, error, code):
            raise
        return
    await send_json(send, status, body)  # as reply() renders it


async def refuse_as_the_app_does(scope: Scope, send: Send, error: Exception, code: str) -> bool:
    """Answer `error` as the app's exception handlers do (a refusal in the reader's
    language, a rate limit, a database outage); False, nothing sent, for any other error."""
    if isinstance(error, DomainError):
        detail = await translated_detail(Request(scope), error, code)
        await reply(send, status_of(error), {"detail": detail})
        return True
    if isinstance(error, TooMany):
        await reply(send, 429, {"detail": error.detail}, error.retry_after)
        return True
    return await refuse_outage(scope, send, error)


async def refuse_outage(scope: Scope, send: Send, error: Exception) -> bool:
    """Answer 503 as the app's handler does when `error` is a database outage."""
    if not isinstance(error, DATABASE_ERRORS) or not is_outage(error):
        return False
    limits: Limits = scope["app"].state.limits
    assert limits.refusals is not None
    limits.refusals.count("database_unavailable")
    log.warning("database unavailable: %s", str(error).split("\n", 1)[0][:200])
    await reply(send, 503, {"detail": UNAVAILABLE}, RETRY_AFTER_SECONDS)
    return True


_SEEN_ONCE = frozenset((b"content-type", b"authorization", b"idempotency-key"))


def _vote_headers(raw: list[tuple[bytes, bytes]]) -> tuple[str, str | None] | None:
    """(authorization, idempotency key) of an ordinary JSON vote; None (hand the request
    over) for a repeated header, an odd Idempotency-Key or a type other than JSON."""
    seen: dict[bytes, bytes] = {}
    for name, value in raw:
        if name in _SEEN_ONCE:
            if name in seen:
                return None
            seen[name] = value
    if seen.get(b"content-type") != b"application/json":
        return None
    key = seen.get(b"idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key.decode("latin-1")):
        return None
    authorization = seen.get(b"authorization", b"").decode("latin-1")
    return authorization, None if key is None else key.decode("latin-1")


def _join_content_type(raw: list[tuple[bytes, bytes]]) -> bool | None:
    """Whether an ordinary join has a JSON body (False: no body and no type); None (hand
    the request over) for a repeated or another content type."""
    typed: bytes | None = None
    for name, value in raw:
        if name == b"content-type":
            if typed is not None:
                return None
            typed = value
    if typed is None:
        return False
    return True if typed == b"application/json" else None


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


def _parse(body: bytes, model: type[BaseModel]) -> BaseModel | None:
    """The body as `model`, validated as the route validates it; None for anything else (a
    body that is not UTF-8, a byte-order mark, NaN: the route decides those)."""
    try:
        document = _DECODE(body.decode())  # UnicodeDecodeError is a ValueError
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or (model is Answer and "value" not in document):
        return None
    try:
        return model.model_validate(document)
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
