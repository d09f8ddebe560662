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
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from denkdag.domain.errors import DomainError
from denkdag.web.errors import status_of
from denkdag.web.faults import DATABASE_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE, is_outage
from denkdag.web.ratelimit import Limits, TooMany
from denkdag.web.schemas import Answer

log = logging.getLogger("denkdag.web.faults")

_ROUTE = re.compile(r"^/api/v1/sessions/([^/]+)/slides/([^/]+)/response$")
_IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,64}$")
_JSON = (b"content-type", b"application/json")


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
        code, slide_id = match.group(1), match.group(2)
        scheme, _, token = authorization.partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        app = scope["app"]
        try:
            stored = await app.state.service.respond(
                code, bearer, slide_id, answer.value, idempotency_key
            )
        except DomainError as error:
            await reply(send, status_of(error), {"detail": error.detail})
            return
        except TooMany as refused:
            await reply(send, 429, {"detail": refused.detail}, refused.retry_after)
            return
        except Exception as error:
            if not await refuse_outage(scope, send, error):
                raise
            return
        await reply(send, 200, {"slide": slide_id, "value": stored})


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


def _vote_headers(raw: list[tuple[bytes, bytes]]) -> tuple[str, str | None] | None:
    """(authorization, idempotency key) of an ordinary JSON vote, or None to hand over."""
    content_type = authorization = key = None
    for name, value in raw:
        if name == b"content-type":
            if content_type is not None:
                return None
            content_type = value
        elif name == b"authorization":
            if authorization is not None:
                return None
            authorization = value.decode("latin-1")
        elif name == b"idempotency-key":
            if key is not None:
                return None
            key = value.decode("latin-1")
            if not _IDEMPOTENCY_KEY.match(key):
                return None
    if content_type != b"application/json":
        return None
    return authorization or "", key


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
    """The vote, validated as the route validates it; None for anything else."""
    try:
        document = json.loads(body, parse_constant=_no_constant)
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


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def reply(
    send: Send, status: int, content: dict[str, Any], retry_after: float | None = None
) -> None:
    """A JSON reply rendered as Starlette's JSONResponse renders it."""
    body = json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()
    headers = [(b"content-length", str(len(body)).encode()), _JSON]
    if retry_after is not None:
        headers.append((b"retry-after", str(int(retry_after)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
