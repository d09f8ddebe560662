"""GET …/events: the live stream of a session, for its participants and facilitators.

On connect the stream sends what was missed since `Last-Event-ID` when the hub still has
it, else a fresh `state`; then every event of the session's topic, and a comment every
few seconds so proxies and phones keep the connection open.

The stream is the hot loop of fan-out (thousands of phones, every event), so it is a
lean ASGI response rather than a StreamingResponse: no async generator and no task group
per stream, just this coroutine and one small task waiting for the disconnect. The
response start goes through the middleware (security headers); the body frames, which no
middleware looks at, go straight to the server's `send` that SecurityHeaders recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from denkdag.app.denkdag import Denkdag
from denkdag.app.sessions import DELETED
from denkdag.app.streams import Envelope, Subscription
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.model import Session
from denkdag.web.auth import bearer, facilitator, participant_cookie, service, settings
from denkdag.web.fast_paths import refuse_as_the_app_does
from denkdag.web.middleware import RAW_SEND, route_path
from denkdag.web.ratelimit import STREAMS_PER_SESSION, Limits

Write = Callable[[bytes], Awaitable[None]]
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY = b"retry: 2000\n\n"
KEEP_ALIVE = b": keep-alive\n\n"


async def _open(code: str, request: Request) -> EventStream:
    """The checks of a stream's opening: the session exists, and the caller is one of its
    participants or facilitators (DomainError otherwise); then the stream to run."""
    svc = service(request)
    session = await svc.sessions.get(code)
    token = bearer(request)
    if token is not None and svc.participation.known(session, token):
        user = None  # a phone's own token (cached): not a facilitator's, no lookup
    else:
        user = await facilitator(request)
    is_facilitator = await svc.access.may_facilitate(session, user)
    if not is_facilitator:
        token = bearer(request) or request.cookies.get(participant_cookie(session.code))
        if token is None and user is not None:
            raise NotAllowed(N_("You are not a facilitator of this session."))
        await svc.participation.participant(code, token)
    await _within_session_size(request, code, session)
    config = settings(request)
    return EventStream(
        svc,
        code,
        is_facilitator,
        _last_event_id(request),
        config.heartbeat_seconds,
        config.stream_idle_seconds,
    )


async def _within_session_size(request: Request, code: str, session: Session) -> None:
    """Refuse a stream beyond what the session's size needs (ratelimit.Limits): checked
    against the joined count the room's phones see, and recounted before refusing (that
    count lags a join storm by a tally interval)."""
    limits: Limits = request.app.state.limits
    svc = service(request)
    if limits.session_streams_allowed(code, await svc.results.shown_joined(session)):
        return
    if not limits.session_streams_allowed(code, await svc.results.joined(session)):
        raise limits.refuse("stream_per_session", STREAMS_PER_SESSION, 10)


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


class EventStream(StreamingResponse):
    """The SSE response of one phone or projector (a StreamingResponse for its headers;
    its own `__call__` does the streaming)."""

    def __init__(
        self,
        svc: Denkdag,
        code: str,
        is_facilitator: bool,
        last_id: int | None,
        heartbeat: float,
        idle_limit: float,
    ) -> None:
        self.status_code = 200
        self.media_type = "text/event-stream"
        self.background = None
        self.init_headers(HEADERS)
        self._svc = svc
        self._code = code
        self._facilitator = is_facilitator
        self._last_id = last_id
        self._heartbeat = heartbeat
        self._idle_limit = idle_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streams = self._svc.streams
        session = await self._svc.sessions.get(self._code)
        subscription = streams.subscribe(session, facilitator=self._facilitator)
        watcher = asyncio.ensure_future(_until_disconnect(receive, subscription))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            write = _writer(scope.get(RAW_SEND) or send)
            opening = await streams.opening(session, self._last_id, facilitator=self._facilitator)
            await write(b"".join([*opening, RETRY]))
            await self._follow(subscription, write)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            with contextlib.suppress(Exception):
                streams.unsubscribe(session, subscription)

    async def _follow(self, subscription: Subscription, write: Write) -> None:
        facilitator_view = self._facilitator
        heartbeat = self._heartbeat
        idle_limit = self._idle_limit
        quiet_since = time.monotonic()
        while True:
            item = await subscription.next(timeout=heartbeat)
            if item is None:
                return  # dropped (too far behind) or the client went away
            if isinstance(item, Envelope):
                quiet_since = time.monotonic()
                frame = item.private if facilitator_view else item.public
                gone = item.event == DELETED
                # Deliver whatever else is already queued in the same write.
                if subscription.pending and not gone:
                    frames = [frame]
                    while subscription.pending and not gone:
                        more = subscription.pending.popleft()
                        frames.append(more.private if facilitator_view else more.public)
                        gone = more.event == DELETED
                    frame = b"".join(frames)
                await write(frame)
                if gone:
                    return  # the session is deleted: nothing more will come
            elif time.monotonic() - quiet_since >= idle_limit:
                return  # idle time-out: the phone reconnects and resynchronises
            else:
                await write(KEEP_ALIVE)


def _writer(send: Send) -> Write:
    async def write(frame: bytes) -> None:
        await send({"type": "http.response.body", "body": frame, "more_body": True})

    return write


async def _until_disconnect(receive: Receive, subscription: Subscription) -> None:
    """End the stream when the client goes away (uvicorn's `send` then does nothing)."""
    with contextlib.suppress(Exception):
        while (await receive())["type"] != "http.disconnect":
            pass
    subscription.drop()


_EVENTS = re.compile(r"^/api/v1/sessions/([^/]+)/events$")


class StreamOpener:
    """ASGI middleware: the one place event streams are opened, in front of the router.

    A stream lives for minutes to hours, and through the router every one of thousands
    would keep a Request, a dependency exit stack and a stack of middleware frames alive.
    This path sits inside the guard (which counts streams) and the security headers, and
    answers a refusal with the same JSON sentence and status as the app's handlers. The
    route in web/api.py only describes the stream in the OpenAPI schema.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or (match := _EVENTS.match(route_path(scope))) is None
        ):
            await self.app(scope, receive, send)
            return
        try:
            response = await _open(match.group(1), Request(scope, receive))
        except Exception as error:
            if not await refuse_as_the_app_does(scope, send, error, match.group(1)):
                raise
            return
        await response(scope, receive, send)
