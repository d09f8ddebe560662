"""The room's part of a slide: GET /j/{code}/slide?room=yes as plain ASGI.

After every slide change each phone of the room fetches its new slide at once. A phone
that has not answered that slide (its live layer, static/js/live.js, knows) asks for the
room's part of it, which is the same for every such phone: rendered once per session
state version and language (`Results.shown_page`, at most a tally interval old, as the
counts on it), and served without FastAPI's router, whose routing and dependencies would
cost several times the page itself. Like web/fast_paths.py it sits inside the rate-limit
guard and the security headers, so every limit and header still applies.

It answers only the ordinary case: a joined phone, a slide that looks the same on every
phone. Anything else (no participant cookie, an unknown token, audience pace, a statement
round, an opinion map) goes on to the route in web/pages.py, which renders the phone's own
page or the refusal exactly as before.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from denkdag.domain.errors import DomainError
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Session
from denkdag.security import normalise_code
from denkdag.web import i18n, pace
from denkdag.web.auth import participant_cookie, service
from denkdag.web.middleware import route_path
from denkdag.web.pages import slide_context
from denkdag.web.templating import render_shared

_ROUTE = re.compile(r"^/j/([^/]+)/slide$")
_HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"no-cache"),
]


def same_for_the_room(session: Session) -> bool:
    """Whether the current slide's phone fragment is the same for every phone that has
    not answered it."""
    if pace.at_audience_pace(session):
        return False
    current = session.deck.slide(session.state.current_slide or "")
    if current is None:
        return True
    return kind_of(current.kind).same_for_every_phone


async def room_part(request: Request, code: str) -> bytes | None:
    """The room's part of session `code`'s current slide for this phone, in its language;
    None when this path does not answer (see the module's docstring)."""
    token = request.cookies.get(participant_cookie(normalise_code(code)))
    if not token:
        return None
    svc = service(request)
    try:
        participant = await svc.participation.participant(code, token)
    except DomainError:
        return None
    session = participant.session
    if not same_for_the_room(session):
        return None
    language = i18n.request_language(request, session.deck.info.language)

    async def rendered() -> str:
        context = await slide_context(request, session, room=True)
        return render_shared("phone_slide.html", context | {"answer": None}, language)

    page = await svc.results.shown_page(session, ("phone", language), rendered)
    return page.encode()


class RoomSlides:
    """ASGI middleware: answer a phone's `?room=yes` slide fetch without the router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or (match := _ROUTE.match(route_path(scope))) is None
            or ("room", "yes") not in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        ):
            await self.app(scope, receive, send)
            return
        page = await room_part(Request(scope, receive), match.group(1))
        if page is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", str(len(page)).encode()), *_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": page})
