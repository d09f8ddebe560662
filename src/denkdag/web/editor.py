"""The session editor in the browser (`/e/{code}`) and deck files in and out of the browser.

The page loads the deck as JSON and changes it with small JSON requests under
`/e/{code}/…` (page-local, like the report's downloads): each names the deck version it
was made on, so a stale one gets 409 with the deck as it is now. Access is the same as
for the presenter view (`Denkdag.facilitated`); a cookie-signed request needs the CSRF
header (`facilitator` checks it).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from denkdag.domain.errors import DomainError, NotAllowed
from denkdag.domain.kinds import KINDS, kind_of
from denkdag.editing import (
    NEW_SLIDES,
    Editor,
    EditorDeck,
    NeedsConfirmation,
    SlideTextError,
    StaleDeck,
    new_deck,
)
from denkdag.formats.deck import DeckError, parse_deck, write_deck
from denkdag.storage import User
from denkdag.web import i18n
from denkdag.web.auth import check_csrf, facilitator, service, settings
from denkdag.web.errors import status_of
from denkdag.web.pages import facilitator_from_cookie, render

router = APIRouter(include_in_schema=False)
MAX_TEXT = 60_000
DECK_SUFFIXES = (".md", ".markdown", ".txt")


def _kind_labels() -> dict[str, str]:
    """The kinds' names as the add-slide menu shows them, in the page's language."""
    _ = i18n.gettext
    labels = {
        "info": _("Information"),
        "choice": _("Multiple choice"),
        "statement": _("Statement (agree / disagree)"),
        "scale": _("Scale"),
        "wordcloud": _("Word cloud"),
        "open": _("Open answer"),
        "ranking": _("Ranking"),
        "opinions": _("Opinion map"),
    }
    return {name: labels.get(name, name) for name in KINDS if name in NEW_SLIDES}


def _editor(request: Request) -> Editor:
    editor: Editor | None = getattr(request.app.state, "editor", None)
    if editor is None or editor.service is not service(request):
        editor = Editor(service(request))
        request.app.state.editor = editor
    return editor


async def _user(request: Request) -> User:
    """The signed-in facilitator (a cookie-signed change needs the CSRF header). As a
    dependency it runs before the body is read: a stranger gets 403, never a 422."""
    user = await facilitator(request)
    if user is None:
        raise NotAllowed("Sign in as a facilitator of this session.")
    return user


Signed = Annotated[User, Depends(_user)]


def _deck_json(view: EditorDeck, status: int = 200, **more: Any) -> JSONResponse:
    return JSONResponse({**view.as_dict(), **more}, status_code=status)


def _refusal(error: DomainError) -> JSONResponse:
    """An editor error as JSON: a conflict carries the deck as it is now, a slide's text
    error its line."""
    if isinstance(error, StaleDeck):
        return _deck_json(error.current, 409, detail=error.detail, conflict=True)
    if isinstance(error, SlideTextError):
        body = {"detail": error.detail, "line": error.line, "message": error.message}
        return JSONResponse(body, status_code=422)
    if isinstance(error, NeedsConfirmation):
        return JSONResponse({"detail": error.detail, "confirm": True}, status_code=409)
    return JSONResponse({"detail": error.detail}, status_code=status_of(error))


class Versioned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0)


class NewSlide(Versioned):
    kind: str = Field(max_length=40)
    after: str | None = Field(None, max_length=40)


class SlideText(Versioned):
    text: str = Field(max_length=MAX_TEXT)


class Order(Versioned):
    order: list[str] = Field(max_length=500)


class Removal(Versioned):
    confirm: bool = False


# the editor page and its JSON ---------------------------------------------------------


@router.get("/e/{code}", response_class=HTMLResponse)
async def editor_page(request: Request, code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next=/e/{code}", status_code=303)
    view = await _editor(request).open(code, user)
    session = view.session
    hints = {name: NEW_SLIDES[name] for name in KINDS if name in NEW_SLIDES}
    context = {
        "session": session,
        "data": {**view.as_dict(), "kinds": _kind_labels(), "hints": hints},
    }
    return render(request, "editor.html", context, session=session)


@router.get("/e/{code}/deck")
async def editor_deck(request: Request, code: str, user: Signed) -> JSONResponse:
    try:
        return _deck_json(await _editor(request).open(code, user))
    except DomainError as error:
        return _refusal(error)


@router.post("/e/{code}/slides")
async def add_slide(request: Request, code: str, body: NewSlide, user: Signed) -> JSONResponse:
    try:
        view, slide_id = await _editor(request).add(code, user, body.version, body.kind, body.after)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view, 201, slide=slide_id)


@router.put("/e/{code}/slides/{slide_id}")
async def edit_slide(
    request: Request, code: str, slide_id: str, body: SlideText, user: Signed
) -> JSONResponse:
    try:
        view = await _editor(request).edit(code, user, body.version, slide_id, body.text)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view)


@router.put("/e/{code}/info")
async def edit_info(request: Request, code: str, body: SlideText, user: Signed) -> JSONResponse:
    try:
        view = await _editor(request).edit_info(code, user, body.version, body.text)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view)


@router.put("/e/{code}/order")
async def reorder(request: Request, code: str, body: Order, user: Signed) -> JSONResponse:
    try:
        view = await _editor(request).move(code, user, body.version, body.order)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view)


@router.post("/e/{code}/slides/{slide_id}/duplicate")
async def duplicate_slide(
    request: Request, code: str, slide_id: str, body: Versioned, user: Signed
) -> JSONResponse:
    try:
        view, copy = await _editor(request).duplicate(code, user, body.version, slide_id)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view, 201, slide=copy)


@router.post("/e/{code}/slides/{slide_id}/delete")
async def delete_slide(
    request: Request, code: str, slide_id: str, body: Removal, user: Signed
) -> JSONResponse:
    try:
        view = await _editor(request).delete(code, user, body.version, slide_id, body.confirm)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view)


@router.post("/e/{code}/undo")
async def undo(request: Request, code: str, body: Versioned, user: Signed) -> JSONResponse:
    try:
        view = await _editor(request).undo(code, user, body.version)
    except DomainError as error:
        return _refusal(error)
    return _deck_json(view)


@router.get("/e/{code}/preview/{slide_id}", response_class=HTMLResponse)
async def preview(request: Request, code: str, slide_id: str, user: Signed) -> Response:
    """The slide as the projector shows it when it first comes up (presenter partial)."""
    svc = service(request)
    session = await svc.facilitated(code, user)
    slide = session.deck.slide(slide_id)
    if slide is None:
        return HTMLResponse("", status_code=404)
    asks = kind_of(slide.kind).asks
    context = {
        "session": session,
        "info": session.deck.info,
        "slide": slide,
        "tally": await svc.tally(session, slide) if asks else None,
        "is_open": asks,
        "revealed": session.deck.info.results.value == "live",
        "position": session.deck.slides.index(slide) + 1,
        "count": len(session.deck.slides),
        "joined": await svc.joined(session),
        "opinion": (
            await svc.opinions.view(session, facilitator=True) if slide.kind == "opinions" else None
        ),
    }
    return render(request, "presenter_slide.html", context, session=session)


# sessions from the dashboard ---------------------------------------------------------


@router.get("/e/{code}/deck.md")
async def download_deck(request: Request, code: str) -> Response:
    """The session as a deck file (`write_deck`), which imports back into the same deck."""
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next=/e/{code}", status_code=303)
    session = await service(request).facilitated(code, user)
    return Response(
        write_deck(session.deck),
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="denkdag-{session.code}.md"',
            "Cache-Control": "no-store",
        },
    )


async def _signed_in(request: Request, csrf: str) -> User:
    check_csrf(request, csrf)
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed("Sign in first.")
    return user


@router.post("/sessions/new")
async def new_session(
    request: Request,
    title: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    user = await _signed_in(request, csrf_token)
    deck = new_deck(title or i18n.gettext("New session"))
    session = await _editor(request).create(user, deck)
    return RedirectResponse(f"/e/{session.code}", status_code=303)


@router.post("/sessions/import")
async def import_deck(
    request: Request,
    deck: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A new session from an uploaded deck file; a broken file changes nothing and its
    `FILE:LINE: message` is shown on the page."""
    user = await _signed_in(request, csrf_token)
    if deck is None:
        context = {"error": i18n.gettext("Choose a deck file to import.")}
        return render(request, "editor_import.html", context, status_code=422)
    name = (deck.filename or "deck.md").replace("\\", "/").rsplit("/", 1)[-1][:100]
    data = await deck.read(settings(request).max_body_bytes + 1)
    try:
        if not name.lower().endswith(DECK_SUFFIXES):
            raise DeckError(name, 1, i18n.gettext("a deck file is a Markdown file (.md)"))
        parsed = parse_deck(data, source=name)
    except DeckError as error:
        return render(request, "editor_import.html", {"error": str(error)}, status_code=422)
    session = await _editor(request).create(user, parsed)
    return RedirectResponse(f"/e/{session.code}", status_code=303)


@router.post("/e/{code}/copy")
async def copy_session(
    request: Request, code: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """A copy of the session (new join code, no participants or answers), opened in the
    editor."""
    user = await _signed_in(request, csrf_token)
    session = await _editor(request).duplicate_session(code, user)
    return RedirectResponse(f"/e/{session.code}", status_code=303)
