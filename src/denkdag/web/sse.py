"""GET …/events: the live stream of a session, for its participants and facilitators.

On connect the stream sends what was missed since `Last-Event-ID` when the hub still has
it, else a fresh `state`; then every event of the session's topic, and a comment every
few seconds so proxies and phones keep the connection open.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import StreamingResponse

from denkdag.domain.errors import NotAllowed
from denkdag.live.hub import Envelope, encode
from denkdag.service import Denkdag, topic
from denkdag.web.auth import bearer, facilitator, participant_cookie, service, settings

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def stream(code: str, request: Request) -> StreamingResponse:
    svc = service(request)
    session = await svc.session(code)
    user = await facilitator(request)
    is_facilitator = user is not None and session.owner_id == user.id
    if not is_facilitator:
        token = bearer(request) or request.cookies.get(participant_cookie(session.code))
        if token is None and user is not None:
            raise NotAllowed("You are not a facilitator of this session.")
        await svc.participant(code, token)
    last_id = _last_event_id(request)
    body = _frames(svc, request, session.id, session.code, is_facilitator, last_id)
    return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


async def _frames(
    svc: Denkdag,
    request: Request,
    session_id: int,
    code: str,
    is_facilitator: bool,
    last_id: int | None,
) -> AsyncIterator[bytes]:
    hub = svc.broadcaster.hub
    session = await svc.session(code)
    name = topic(session)
    subscription = hub.subscribe(name)
    heartbeat = settings(request).heartbeat_seconds
    idle_limit = settings(request).stream_idle_seconds
    quiet_since = time.monotonic()
    try:
        missed = hub.since(name, last_id) if last_id is not None else None
        if missed is not None:
            for envelope in missed:
                yield envelope.for_role(is_facilitator)
        else:
            view = await svc.public_view(await svc.session(code))
            view["joined"] = await svc.joined(session)
            yield encode(hub.next_id(), "state", view)
        yield b"retry: 2000\n\n"
        while True:
            next_item = await subscription.next(timeout=heartbeat)
            if next_item is None:
                return
            if isinstance(next_item, Envelope):
                quiet_since = time.monotonic()
                yield next_item.for_role(is_facilitator)
            elif time.monotonic() - quiet_since >= idle_limit:
                return  # idle time-out: the phone reconnects and resynchronises
            else:
                yield b": keep-alive\n\n"
    finally:
        with contextlib.suppress(Exception):
            hub.unsubscribe(name, subscription)
