"""Event pages: the organiser's events, their live dashboard and side-by-side
view, and the public event join page with its one QR code, logo and colours.

Management pages are plain forms (they work without JavaScript); the dashboard and the
side-by-side view poll for news every few seconds. Every organiser page and form goes
through `Events.owned` (the organiser only, not administrators); every form checks the
CSRF token before anything else, so a foreign page gets 403 whatever it sends.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.app.events import EventFields, Events, event_view, normalise_event_code
from denkdag.domain.errors import N_, DomainError, NotAllowed
from denkdag.domain.events import MAX_LOGO_BYTES, PLENARY, WORKING, Brand, Event
from denkdag.domain.model import User
from denkdag.domain.profiles import write_question
from denkdag.formats.deck import DeckError, parse_deck
from denkdag.formats.slide_text import new_deck
from denkdag.web import i18n
from denkdag.web.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    check_csrf,
    facilitator,
    facilitator_from_cookie,
    service,
    settings,
    to_login,
)
from denkdag.web.branding import brand, forget_brands
from denkdag.web.errors import status_of
from denkdag.web.templating import render

router = APIRouter(include_in_schema=False)
DECK_SUFFIXES = (".md", ".markdown", ".txt")
LOGO_UPLOAD_LIMIT = MAX_LOGO_BYTES + 64_000
UPLOAD_PATHS = (
    (r"^/events/[^/]+$", LOGO_UPLOAD_LIMIT),
    (r"^/api/v1/events/[^/]+/logo$", LOGO_UPLOAD_LIMIT),
)
"""Paths that take a logo: the body limit there is the logo's limit plus the form."""
IMMUTABLE = "public, max-age=31536000, immutable"


def _events(request: Request) -> Events:
    return Events(service(request))


async def _form_user(request: Request) -> AsyncIterator[User]:
    """The signed-in user behind a form post, after the CSRF check (a dependency: it runs
    before the form's fields are validated, so a foreign request gets 403, never 422).
    Afterwards the cached branding goes, so a new colour or logo shows at once."""
    form = await request.form()
    submitted = str(form.get(CSRF_FIELD, "") or "") or request.headers.get(CSRF_HEADER)
    check_csrf(request, submitted)
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed(N_("Sign in first."))
    yield user
    forget_brands(request)


FormUser = Annotated[User, Depends(_form_user)]


# the organiser's events ----------------------------------------------------------------


@router.get("/events", response_class=HTMLResponse)
async def events_page(request: Request) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    mine = await _events(request).of_organiser(user)
    return render(request, "events.html", {"user": user, "events": mine})


@router.post("/events")
async def create_event(
    request: Request,
    user: FormUser,
    title: Annotated[str, Form(max_length=400)] = "",
    date: Annotated[str, Form(max_length=40)] = "",
    venue: Annotated[str, Form(max_length=400)] = "",
    primary: Annotated[str, Form(max_length=40)] = Brand().primary,
    secondary: Annotated[str, Form(max_length=40)] = Brand().secondary,
) -> Response:
    events = _events(request)
    fields = EventFields(title, date, venue, primary, secondary)
    try:
        event = await events.create(user, fields)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        mine = await events.of_organiser(user)
        context = {"user": user, "events": mine, "error": i18n.Refusal(error), "typed": fields}
        return render(request, "events.html", context, status_code=status_of(error))
    return RedirectResponse(f"/events/{event.code}", status_code=303)


async def _manage(
    request: Request,
    event: Event,
    user: User,
    *,
    error: str | i18n.Refusal | None = None,
    status_code: int = 200,
    typed: list[str] | None = None,
) -> Response:
    events = _events(request)
    rooms = await events.rooms(event)
    joined = {
        room.session.id: await service(request).results.joined(room.session) for room in rooms
    }
    in_event = {room.session.id for room in rooms}
    own = [s for s in await service(request).sessions.of_user(user) if s.owner_id == user.id]
    context = {
        "user": user,
        "event": event,
        "view": event_view(event),
        "rooms": rooms,
        "joined": joined,
        "addable": [s for s in own if s.id not in in_event],
        "people": await events.assignable(user),
        "has_plenary": any(room.member.role == PLENARY for room in rooms),
        "links": await events.link_candidates(event),
        "join_url": _join_url(request, event),
        "error": error,
        "logo_limit": MAX_LOGO_BYTES // 1024,
        "profile_lines": typed or [write_question(q) for q in event.profile],
        "profile_error": error if typed is not None else None,
    }
    return render(request, "event_manage.html", context, status_code=status_code)


@router.get("/events/{event_code}", response_class=HTMLResponse)
async def manage_page(request: Request, event_code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    event = await _events(request).owned(event_code, user)
    return await _manage(request, event, user)


async def _refused(request: Request, code: str, user: User, error: DomainError) -> Response:
    """A form's refusal shown on the event's page (access refusals stay plain 403s)."""
    if isinstance(error, NotAllowed):
        raise error
    event = await _events(request).owned(code, user)
    return await _manage(
        request, event, user, error=i18n.Refusal(error), status_code=status_of(error)
    )


@router.post("/events/{event_code}")
async def update_event(
    request: Request,
    event_code: str,
    user: FormUser,
    title: Annotated[str, Form(max_length=400)] = "",
    date: Annotated[str, Form(max_length=40)] = "",
    venue: Annotated[str, Form(max_length=400)] = "",
    primary: Annotated[str, Form(max_length=40)] = Brand().primary,
    secondary: Annotated[str, Form(max_length=40)] = Brand().secondary,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    events = _events(request)
    try:
        event = await events.owned(event_code, user)
        fields = EventFields(title, date, venue, primary, secondary)
        events.checked_fields(fields)  # refuse a wrong field before storing a logo
        if logo is not None and logo.filename:
            await events.set_logo(event.code, user, await logo.read(MAX_LOGO_BYTES + 1))
        await events.update(event.code, user, fields)
    except DomainError as error:
        return await _refused(request, event_code, user, error)
    return RedirectResponse(f"/events/{event.code}#details", status_code=303)


@router.post("/events/{event_code}/profile")
async def set_profile(
    request: Request,
    event_code: str,
    user: FormUser,
    profile1: Annotated[str, Form(max_length=2000)] = "",
    profile2: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The event's profile questions (empty fields: none); every session then asks them."""
    try:
        event = await _events(request).update(
            event_code, user, EventFields(profile=[profile1, profile2])
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        event = await _events(request).owned(event_code, user)
        typed = [profile1, profile2]
        return await _manage(
            request,
            event,
            user,
            error=i18n.Refusal(error),
            status_code=status_of(error),
            typed=typed,
        )
    return RedirectResponse(f"/events/{event.code}#profile", status_code=303)


@router.post("/events/{event_code}/logo/remove")
async def remove_logo(request: Request, event_code: str, user: FormUser) -> Response:
    event = await _events(request).remove_logo(event_code, user)
    return RedirectResponse(f"/events/{event.code}#details", status_code=303)


@router.post("/events/{event_code}/delete")
async def delete_event(request: Request, event_code: str, user: FormUser) -> Response:
    await _events(request).delete(event_code, user)
    return RedirectResponse("/events", status_code=303)


@router.post("/events/{event_code}/sessions")
async def add_session(
    request: Request,
    event_code: str,
    user: FormUser,
    session: Annotated[str, Form(max_length=40)] = "",
    role: Annotated[str, Form(max_length=16)] = WORKING,
    room: Annotated[str, Form(max_length=200)] = "",
    facilitator_name: Annotated[str, Form(alias="facilitator", max_length=80)] = "",
) -> Response:
    try:
        await _events(request).add_session(
            event_code, user, session, role, room, facilitator_name or None
        )
    except DomainError as error:
        return await _refused(request, event_code, user, error)
    return RedirectResponse(f"/events/{normalise_event_code(event_code)}#rooms", status_code=303)


@router.post("/events/{event_code}/sessions/new")
async def new_session(
    request: Request,
    event_code: str,
    user: FormUser,
    title: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = WORKING,
    room: Annotated[str, Form(max_length=200)] = "",
    facilitator_name: Annotated[str, Form(alias="facilitator", max_length=80)] = "",
    deck: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A new session in the event: from a deck file when one is given, else empty (to
    write in the editor)."""
    events = _events(request)
    try:
        await events.owned(event_code, user)
        if deck is not None and deck.filename:
            name = deck.filename.replace("\\", "/").rsplit("/", 1)[-1][:100]
            data = await deck.read(settings(request).max_body_bytes + 1)
            if not name.lower().endswith(DECK_SUFFIXES):
                raise DeckError(name, 1, N_("a deck file is a Markdown file (.md)"))
            parsed = parse_deck(data, source=name)
        else:
            parsed = new_deck(
                title or room or i18n.gettext("New session"), N_("title") if title else N_("room")
            )
        made = await events.create_session(
            event_code, user, parsed, role, room, facilitator_name or None
        )
    except DeckError as error:
        event = await events.owned(event_code, user)
        return await _manage(request, event, user, error=i18n.Refusal(error), status_code=422)
    except DomainError as error:
        return await _refused(request, event_code, user, error)
    if deck is not None and deck.filename:
        return RedirectResponse(f"/events/{normalise_event_code(event_code)}#rooms", 303)
    return RedirectResponse(f"/e/{made.session.code}", status_code=303)


@router.post("/events/{event_code}/sessions/{session_code}")
async def change_session(
    request: Request,
    event_code: str,
    session_code: str,
    user: FormUser,
    room: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    facilitator_name: Annotated[str, Form(alias="facilitator", max_length=80)] = "",
) -> Response:
    try:
        await _events(request).change_session(
            event_code,
            user,
            session_code,
            room=room,
            role=role or None,
            facilitator=facilitator_name or None,
            change_facilitator=True,
        )
    except DomainError as error:
        return await _refused(request, event_code, user, error)
    return RedirectResponse(f"/events/{normalise_event_code(event_code)}#rooms", status_code=303)


@router.post("/events/{event_code}/sessions/{session_code}/remove")
async def remove_session(
    request: Request, event_code: str, session_code: str, user: FormUser
) -> Response:
    await _events(request).remove_session(event_code, user, session_code)
    return RedirectResponse(f"/events/{normalise_event_code(event_code)}#rooms", status_code=303)


@router.post("/events/{event_code}/links")
async def link_slide(
    request: Request,
    event_code: str,
    user: FormUser,
    slide: Annotated[str, Form(max_length=120)] = "",
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Link a slide (`SESSIONCODE/slide-id`) to the others with the same label."""
    session_code, _, slide_id = slide.partition("/")
    try:
        await _events(request).link(event_code, user, session_code, slide_id, label)
    except DomainError as error:
        return await _refused(request, event_code, user, error)
    return RedirectResponse(f"/events/{normalise_event_code(event_code)}#links", status_code=303)


# live dashboard and side-by-side view -----------------------------------------------------


@router.get("/events/{event_code}/live", response_class=HTMLResponse)
async def live_page(request: Request, event_code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    events = _events(request)
    state = await events.dashboard(event_code, user)
    event = await events.owned(event_code, user)
    context = {"event": event, "state": state}
    return render(request, "event_live.html", context)


async def _compare_context(request: Request, event_code: str, user: User) -> dict[str, Any]:
    events = _events(request)
    event = await events.owned(event_code, user)
    shared = await events.shared(event_code, user)
    return {"event": event, "shared": shared}


@router.get("/events/{event_code}/compare", response_class=HTMLResponse)
async def compare_page(request: Request, event_code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    context = await _compare_context(request, event_code, user)
    return render(request, "event_compare.html", context)


@router.get("/events/{event_code}/compare/fragment", response_class=HTMLResponse)
async def compare_fragment(request: Request, event_code: str) -> Response:
    """The side-by-side bars alone, fetched every few seconds by the page."""
    user = await facilitator(request)
    if user is None:
        raise NotAllowed(N_("Sign in as the event's organiser."))
    context = await _compare_context(request, event_code, user)
    return render(request, "event_compare_list.html", context)


@router.get("/events/{event_code}/poster", response_class=HTMLResponse)
async def poster(request: Request, event_code: str) -> Response:
    """A printable A4 poster of the event's QR code, join address and rooms."""
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    events = _events(request)
    event = await events.owned(event_code, user)
    context = {
        "event": event,
        "brand": brand(event),
        "rooms": await events.rooms(event),
        "join_url": _join_url(request, event),
    }
    return render(request, "event_poster.html", context)


# the public event join page ---------------------------------------------------------------


def _join_url(request: Request, event: Event) -> str:
    return f"{settings(request).base_url()}/ev/{event.code}"


@router.get("/ev/{event_code}", response_class=HTMLResponse)
async def join_page(request: Request, event_code: str) -> Response:
    """The event's one join page: its branding, then the plenary and every working
    session to pick (each leads to that session's own phone page)."""
    events = _events(request)
    event = await events.public(event_code)
    if event.code != event_code:
        return RedirectResponse(f"/ev/{event.code}", status_code=303)
    rooms = await events.rooms(event)
    language = rooms[0].session.deck.info.language if rooms else None
    context = {
        "event": event,
        "brand": brand(event),
        "plenary": [r for r in rooms if r.member.role == PLENARY],
        "working": [r for r in rooms if r.member.role != PLENARY],
        "language_hint": language,
    }
    return render(request, "event_join.html", context, session=rooms[0].session if rooms else None)


@router.get("/ev/{event_code}/qr.svg")
async def qr(request: Request, event_code: str) -> Response:
    event = await _events(request).public(event_code)
    qr_code = segno.make(_join_url(request, event), error="m")
    buffer = io.BytesIO()
    qr_code.save(buffer, kind="svg", scale=8, border=2, dark="#111", light="#fff", omitsize=True)
    return Response(
        buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"}
    )


@router.get("/ev/{event_code}/logo")
async def logo(request: Request, event_code: str, v: str = "") -> Response:
    """The logo with the type read from its bytes; cached for good under its versioned
    URL (a new logo gets a new `v`), revalidated by ETag otherwise."""
    found = await _events(request).logo(event_code)
    etag = f'"{found.digest[:32]}"'
    versioned = bool(v) and found.digest.startswith(v)
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE if versioned else "public, max-age=300",
        "Content-Disposition": "inline",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)


@router.get("/ev/{event_code}/brand.css")
async def brand_css(request: Request, event_code: str, v: str = "") -> Response:
    """The event's colours as CSS custom properties, contrast kept readable."""
    event = await _events(request).public(event_code)
    css = Brand(event.primary, event.secondary).css()
    current = f"{event.primary[1:]}{event.secondary[1:]}"
    cache = IMMUTABLE if v == current else "public, max-age=60"
    return Response(css, media_type="text/css", headers={"Cache-Control": cache})
