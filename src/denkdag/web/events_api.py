"""The JSON API of events under /api/v1/events. Thin: parse → `Events` → respond.

`GET /api/v1/events/{event_code}` is public (what the event join page shows); everything
else is the event's organiser's, by bearer token or by login cookie with the CSRF header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from denkdag.app.events import EventFields, Events, Room, event_view, room_view
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.events import InvalidEvent
from denkdag.domain.model import User
from denkdag.formats.deck import DeckError, parse_deck
from denkdag.formats.slide_text import new_deck
from denkdag.web.auth import facilitator, service
from denkdag.web.branding import forget_brands
from denkdag.web.schemas import Detail

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Detail} for status in (400, 403, 404, 409, 413, 415, 422, 429)
}
router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["events"])
Role = Literal["plenary", "working"]
ProfileLine = Annotated[str, Field(max_length=2000)]
PROFILE_HELP = (
    "Up to two profile questions, each 'question: option / option / …' (2-12 options), "
    "asked once at join by every session of the event instead of its deck's own."
)


async def _user(request: Request) -> AsyncIterator[User]:
    """The caller (bearer token, or cookie with the CSRF header); as a dependency it runs
    before the body is read, so a stranger gets 403, never a 422. After a change the
    cached branding goes, so new colours or a new logo show at once on this instance."""
    user = await facilitator(request)
    if user is None:
        raise NotAllowed(N_("Sign in as the event's organiser (or send an API token)."))
    yield user
    if request.method != "GET":
        forget_brands(request)


Signed = Annotated[User, Depends(_user)]


def _events(request: Request) -> Events:
    return Events(service(request))


# models ---------------------------------------------------------------------------------


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=400, description="Required, at most 200 characters.")
    date: str | None = Field(None, max_length=40, description="YYYY-MM-DD")
    venue: str = Field("", max_length=400)
    primary_colour: str | None = Field(None, max_length=40, description="#RRGGBB")
    secondary_colour: str | None = Field(None, max_length=40, description="#RRGGBB")
    profile: list[ProfileLine] | None = Field(None, max_length=10, description=PROFILE_HELP)


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, max_length=400)
    date: str | None = Field(None, max_length=40, description="YYYY-MM-DD; empty: no date")
    venue: str | None = Field(None, max_length=400)
    primary_colour: str | None = Field(None, max_length=40)
    secondary_colour: str | None = Field(None, max_length=40)
    profile: list[ProfileLine] | None = Field(
        None, max_length=10, description=PROFILE_HELP + " `[]` clears them."
    )


class EventOut(BaseModel):
    code: str
    title: str
    date: str | None
    venue: str
    primary_colour: str
    secondary_colour: str
    logo: str | None = Field(description="The logo's URL (cached for good), or null.")
    join_path: str
    profile: list[str] = Field(
        description="The profile questions every session of the event asks at join."
    )


class RoomOut(BaseModel):
    code: str = Field(description="The session's own join code.")
    title: str
    role: Role
    room: str
    facilitator: str | None


class PublicRoom(BaseModel):
    code: str
    title: str
    role: Role
    room: str


class EventDetail(EventOut):
    sessions: list[RoomOut]


class PublicEvent(EventOut):
    sessions: list[PublicRoom]


class SessionIn(BaseModel):
    """Add a session: an existing one of yours (`session`), a new one from deck text
    (`deck`), or a new empty one (`title`)."""

    model_config = ConfigDict(extra="forbid")
    session: str | None = Field(None, max_length=40, description="Join code of your session")
    deck: str | None = Field(None, max_length=60_000, description="A deck file's text")
    title: str | None = Field(None, max_length=200)
    role: Role = "working"
    room: str = Field("", max_length=200)
    facilitator: str | None = Field(None, max_length=80, description="User name to assign")


class SessionPatch(BaseModel):
    """Change a session of the event; `facilitator: null` takes the assignment away."""

    model_config = ConfigDict(extra="forbid")
    room: str | None = Field(None, max_length=200)
    role: Role | None = None
    facilitator: str | None = Field(None, max_length=80)


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(
        max_length=200,
        description="Slides with the same label are compared; empty removes the link.",
    )


class LinkOut(BaseModel):
    session: str
    slide: str
    label: str


class SlideState(BaseModel):
    id: str
    kind: str
    title: str
    position: int
    count: int


class RoomState(RoomOut):
    joined: int
    slide: SlideState | None
    asks: bool
    open: bool
    revealed: bool
    answers: int | None = Field(description="Answers on the current slide (null: it asks none)")


class Dashboard(BaseModel):
    event: EventOut
    sessions: list[RoomState]


class AnswerKey(BaseModel):
    key: str = Field(description="A stance, or an option's label as compared (normalised)")
    label: str


class Figures(BaseModel):
    respondents: int
    counts: dict[str, int]
    percentages: dict[str, int]


class RoomFigures(Figures):
    code: str
    title: str
    role: Role
    room: str
    facilitator: str | None
    slide: str


class SharedQuestionOut(BaseModel):
    key: str
    kind: Literal["statement", "choice"]
    text: str
    linked: bool = Field(description="Grouped by an explicit link rather than by its text")
    answers: list[AnswerKey]
    rooms: list[RoomFigures]
    overall: Figures


class Shared(BaseModel):
    event: EventOut
    questions: list[SharedQuestionOut]


def _detail(event_data: dict[str, Any], rooms: list[Room]) -> dict[str, Any]:
    return {**event_data, "sessions": [room_view(room) for room in rooms]}


def _fields(body: EventIn | EventPatch) -> EventFields:
    return EventFields(
        title=body.title,
        date=body.date,
        venue=body.venue,
        primary=body.primary_colour,
        secondary=body.secondary_colour,
        profile=body.profile,
    )


# events ---------------------------------------------------------------------------------


@router.get("/events", response_model=list[EventOut], summary="Your events (organiser)")
async def list_events(request: Request, user: Signed) -> list[dict[str, Any]]:
    return [event_view(event) for event in await _events(request).of_organiser(user)]


@router.post(
    "/events",
    status_code=201,
    response_model=EventDetail,
    summary="Create an event (organiser or administrator)",
    description="422 with the reason for a missing title, a date that is not YYYY-MM-DD, "
    "or a colour that is not #RRGGBB.",
)
async def create_event(request: Request, body: EventIn, user: Signed) -> dict[str, Any]:
    event = await _events(request).create(user, _fields(body))
    return _detail(event_view(event), [])


@router.get(
    "/events/{event_code}",
    response_model=PublicEvent,
    summary="The event as its join page shows it (anyone)",
)
async def get_event(request: Request, event_code: str) -> dict[str, Any]:
    events = _events(request)
    event = await events.public(event_code)
    rooms = await events.rooms(event)
    sessions = [{k: v for k, v in room_view(room).items() if k != "facilitator"} for room in rooms]
    return {**event_view(event), "sessions": sessions}


@router.patch("/events/{event_code}", response_model=EventDetail, summary="Change an event")
async def change_event(
    request: Request, event_code: str, body: EventPatch, user: Signed
) -> dict[str, Any]:
    events = _events(request)
    event = await events.update(event_code, user, _fields(body))
    return _detail(event_view(event), await events.rooms(event))


@router.delete(
    "/events/{event_code}",
    status_code=204,
    response_class=Response,
    summary="Delete an event (its sessions stay yours)",
)
async def delete_event(request: Request, event_code: str, user: Signed) -> Response:
    await _events(request).delete(event_code, user)
    return Response(status_code=204)


LOGO_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/webp": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.put(
    "/events/{event_code}/logo",
    response_model=EventOut,
    summary="Upload the event's logo (PNG, JPEG or WebP, at most 1 MB)",
    description="The body is the image itself. Its type is read from its bytes: SVG and "
    "anything else is refused with 422 and the reason.",
    openapi_extra=LOGO_BODY,
)
async def put_logo(request: Request, event_code: str, user: Signed) -> dict[str, Any]:
    events = _events(request)
    await events.owned(event_code, user)  # refuse strangers before reading the body
    event = await events.set_logo(event_code, user, await request.body())
    return event_view(event)


@router.delete("/events/{event_code}/logo", response_model=EventOut, summary="Remove the logo")
async def delete_logo(request: Request, event_code: str, user: Signed) -> dict[str, Any]:
    return event_view(await _events(request).remove_logo(event_code, user))


# sessions of an event ---------------------------------------------------------------------


@router.get(
    "/events/{event_code}/sessions",
    response_model=list[RoomOut],
    summary="The event's sessions, plenary first (organiser)",
)
async def list_sessions(request: Request, event_code: str, user: Signed) -> list[dict[str, Any]]:
    events = _events(request)
    event = await events.owned(event_code, user)
    return [room_view(room) for room in await events.rooms(event)]


@router.post(
    "/events/{event_code}/sessions",
    status_code=201,
    response_model=RoomOut,
    summary="Add a session: one of yours, a new one from deck text, or a new empty one",
    description="The assigned `facilitator` runs the session as a co-facilitator. 422 for "
    "a second plenary, an unknown facilitator or a broken deck (`deck:LINE: …`).",
)
async def add_session(
    request: Request, event_code: str, body: SessionIn, user: Signed
) -> dict[str, Any]:
    events = _events(request)
    if body.session:
        room = await events.add_session(
            event_code, user, body.session, body.role, body.room, body.facilitator
        )
        return room_view(room)
    await events.owned(event_code, user)
    if body.deck is not None:
        try:
            deck = parse_deck(body.deck, source="deck")
        except DeckError as error:
            raise InvalidEvent(error.located) from None
    else:
        deck = new_deck(
            body.title or body.room or "New session", N_("title") if body.title else N_("room")
        )
    room = await events.create_session(
        event_code, user, deck, body.role, body.room, body.facilitator
    )
    return room_view(room)


@router.patch(
    "/events/{event_code}/sessions/{session_code}",
    response_model=RoomOut,
    summary="Rename the room, change the role, or (re)assign the facilitator",
)
async def change_session(
    request: Request, event_code: str, session_code: str, body: SessionPatch, user: Signed
) -> dict[str, Any]:
    room = await _events(request).change_session(
        event_code,
        user,
        session_code,
        room=body.room,
        role=body.role,
        facilitator=body.facilitator,
        change_facilitator="facilitator" in body.model_fields_set,
    )
    return room_view(room)


@router.delete(
    "/events/{event_code}/sessions/{session_code}",
    status_code=204,
    response_class=Response,
    summary="Take a session out of the event (the session itself stays)",
)
async def remove_session(
    request: Request, event_code: str, session_code: str, user: Signed
) -> Response:
    await _events(request).remove_session(event_code, user, session_code)
    return Response(status_code=204)


@router.put(
    "/events/{event_code}/sessions/{session_code}/slides/{slide_id}/link",
    response_model=LinkOut,
    summary="Link a statement or choice slide to the others with the same label",
)
async def link_slide(
    request: Request,
    event_code: str,
    session_code: str,
    slide_id: str,
    user: Signed,
    body: Annotated[LinkIn, Body()],
) -> dict[str, Any]:
    events = _events(request)
    await events.link(event_code, user, session_code, slide_id, body.label)
    session = await service(request).sessions.get(session_code)
    return {"session": session.code, "slide": slide_id, "label": " ".join(body.label.split())}


# live -------------------------------------------------------------------------------------


@router.get(
    "/events/{event_code}/dashboard",
    response_model=Dashboard,
    summary="Every session's state now (organiser's live dashboard)",
    description="Which slide each session shows, open or closed, how many joined and how "
    "many answered the current slide. Poll it every few seconds.",
)
async def dashboard(request: Request, event_code: str, user: Signed) -> dict[str, Any]:
    return await _events(request).dashboard(event_code, user)


@router.get(
    "/events/{event_code}/shared",
    response_model=Shared,
    summary="The same statement across rooms, side by side (organiser)",
    description="Each statement or choice question asked in two or more of the event's "
    "sessions (same text, ignoring case, spacing and quotes; or linked by hand), with "
    "each room's counts and percentages and the overall.",
)
async def shared(request: Request, event_code: str, user: Signed) -> dict[str, Any]:
    return await _events(request).shared(event_code, user)
