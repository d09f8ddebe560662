"""The session editor in the browser (`/e/{code}`) and deck files in and out of the browser.

The page loads the deck as JSON and changes it with small JSON requests under
`/e/{code}/…` (page-local, like the report's downloads): each names the deck version it
was made on, so a stale one gets 409 with the deck as it is now. Only the session's
facilitators; another's session is answered exactly as an unknown code (`Access.edited`:
404, charged to the failed-lookup budget). A cookie-signed request needs the CSRF header
(`facilitator` checks it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile as StarletteUpload

from denkdag.app.editor import (
    Editor,
    EditorDeck,
    FieldError,
    ImageNotAccepted,
    NeedsConfirmation,
    StaleDeck,
)
from denkdag.domain.errors import N_, DomainError, InvalidText, NotAllowed
from denkdag.domain.kinds import KINDS, kind_of
from denkdag.domain.model import User
from denkdag.formats.deck import MAX_NOTES, DeckError, parse_deck, write_deck
from denkdag.formats.deck_import import is_slide_file
from denkdag.formats.deck_zip import MAX_ZIP_BYTES, DeckBundle, read_deck_zip, write_deck_zip
from denkdag.formats.images import (
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    ImageRefused,
    clean_image,
)
from denkdag.formats.slide_form import SlideForm, kind_forms
from denkdag.formats.slide_text import NEW_SLIDES, SlideTextError, new_deck
from denkdag.web import i18n, imports
from denkdag.web.auth import check_csrf, facilitator, facilitator_from_cookie, service
from denkdag.web.errors import choose_request_language, status_of
from denkdag.web.pages import dashboard_page
from denkdag.web.templating import render, templates

router = APIRouter(include_in_schema=False)
MAX_TEXT = 60_000
DECK_SUFFIXES = (".md", ".markdown", ".txt")
MAX_DECK_FILE = 1_000_000
UPLOADS = (
    (r"^/e/[^/]+/slides/[^/]+/image$", MAX_IMAGE_BYTES + 100_000),
    (r"^/sessions/import$", MAX_ZIP_BYTES + 100_000),
)
"""The editor's file uploads and their own body limits (web/middleware.py BodyLimit): an
image, or a deck zip, and some room for the form around it; the routes check the file."""
templates.env.globals["deck_upload_mb"] = (MAX_DECK_FILE // 1_000_000, MAX_ZIP_BYTES // 1_000_000)


def _kind_labels() -> dict[str, str]:
    """The kinds' names as the add-slide menu shows them, in the page's language."""
    return {
        name: i18n.gettext(KINDS[name].label) if KINDS[name].label else name for name in NEW_SLIDES
    }


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
        raise NotAllowed(N_("Sign in as a facilitator of this session."))
    return user


Signed = Annotated[User, Depends(_user)]


def _deck_json(view: EditorDeck, status: int = 200, **more: Any) -> JSONResponse:
    return JSONResponse({**view.as_dict(), **more}, status_code=status)


async def _refusal(request: Request, error: DomainError, code: str | None) -> JSONResponse:
    """An editor error as JSON, in the page's language: a conflict carries the deck as it
    is now, a slide's text error its line."""
    await choose_request_language(request, error, code)
    detail = i18n.refusal(error)
    if isinstance(error, StaleDeck):
        return _deck_json(error.current, 409, detail=detail, conflict=True)
    if isinstance(error, SlideTextError):
        body = {"detail": detail, "line": error.line, "message": i18n.refusal(error.reason)}
        if isinstance(error, FieldError):
            body["field"] = error.field
        return JSONResponse(body, status_code=422)
    if isinstance(error, NeedsConfirmation):
        return JSONResponse({"detail": detail, "confirm": True}, status_code=409)
    return JSONResponse({"detail": detail}, status_code=status_of(error))


class _RefusingRoute(APIRoute):
    """A route of the editor's JSON API: a refusal (DomainError) raised by the route or
    its dependencies becomes `_refusal`'s answer, which the editor's script reads (the
    deck as it is now on a conflict, the line of a slide's text error)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def refusing(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                return await _refusal(request, error, request.path_params.get("code"))

        return refusing


api = APIRouter(route_class=_RefusingRoute)
"""The editor's JSON API (`/e/{code}/…` fetched by editor.js); included in `router`."""


class Versioned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0)


class NewSlide(Versioned):
    kind: str = Field(max_length=40)
    after: str | None = Field(None, max_length=40)


class SlideText(Versioned):
    text: str = Field(max_length=MAX_TEXT)


class FormOption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(max_length=2_000)
    description: str = Field("", max_length=MAX_TEXT)


class FormBody(Versioned):
    """A slide as the editor's form holds it (formats/slide_form.py): only the shape and
    sizes are checked here; the deck reader judges the content, field by field."""

    kind: str = Field(max_length=40)
    title: str = Field(max_length=2_000)
    text: str = Field("", max_length=MAX_TEXT)
    statement: str = Field("", max_length=MAX_TEXT)
    options: list[FormOption] = Field(default_factory=list, max_length=100)
    settings: dict[str, str] = Field(default_factory=dict, max_length=40)
    notes: str = Field("", max_length=MAX_NOTES + 1_000)

    def form(self) -> SlideForm:
        return SlideForm(
            kind=self.kind,
            title=self.title,
            text=self.text,
            statement=self.statement,
            options=tuple((option.label, option.description) for option in self.options),
            settings={key[:40]: value[:MAX_TEXT] for key, value in self.settings.items()},
            notes=self.notes,
        )


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
    # The kind labels and hints below are translated now, before `render` would choose
    # the page's language: choose it first.
    i18n.request_language(request, session.deck.info.language)
    hints = {name: i18n.gettext(NEW_SLIDES[name]) for name in KINDS if name in NEW_SLIDES}
    context = {
        "session": session,
        "data": {
            **view.as_dict(),
            "kinds": _kind_labels(),
            "hints": hints,
            "forms": kind_forms(i18n.gettext),
        },
    }
    return render(request, "editor.html", context, session=session)


@api.get("/e/{code}/deck")
async def editor_deck(request: Request, code: str, user: Signed) -> JSONResponse:
    return _deck_json(await _editor(request).open(code, user))


@api.post("/e/{code}/slides")
async def add_slide(request: Request, code: str, body: NewSlide, user: Signed) -> JSONResponse:
    view, slide_id = await _editor(request).add(code, user, body.version, body.kind, body.after)
    return _deck_json(view, 201, slide=slide_id)


@api.put("/e/{code}/slides/{slide_id}")
async def edit_slide(
    request: Request, code: str, slide_id: str, body: SlideText, user: Signed
) -> JSONResponse:
    view = await _editor(request).edit(code, user, body.version, slide_id, body.text)
    return _deck_json(view)


@api.put("/e/{code}/slides/{slide_id}/form")
async def edit_slide_form(
    request: Request, code: str, slide_id: str, body: FormBody, user: Signed
) -> JSONResponse:
    """The slide as the editor's form holds it; an error names the field (`field`)."""
    view = await _editor(request).edit_form(code, user, body.version, slide_id, body.form())
    return _deck_json(view)


@api.put("/e/{code}/info")
async def edit_info(request: Request, code: str, body: SlideText, user: Signed) -> JSONResponse:
    view = await _editor(request).edit_info(code, user, body.version, body.text)
    return _deck_json(view)


@api.put("/e/{code}/order")
async def reorder(request: Request, code: str, body: Order, user: Signed) -> JSONResponse:
    view = await _editor(request).move(code, user, body.version, body.order)
    return _deck_json(view)


@api.post("/e/{code}/slides/{slide_id}/duplicate")
async def duplicate_slide(
    request: Request, code: str, slide_id: str, body: Versioned, user: Signed
) -> JSONResponse:
    view, copy = await _editor(request).duplicate(code, user, body.version, slide_id)
    return _deck_json(view, 201, slide=copy)


@api.post("/e/{code}/slides/{slide_id}/delete")
async def delete_slide(
    request: Request, code: str, slide_id: str, body: Removal, user: Signed
) -> JSONResponse:
    view = await _editor(request).delete(code, user, body.version, slide_id, body.confirm)
    return _deck_json(view)


@api.post("/e/{code}/undo")
async def undo(request: Request, code: str, body: Versioned, user: Signed) -> JSONResponse:
    view = await _editor(request).undo(code, user, body.version)
    return _deck_json(view)


@api.post("/e/{code}/slides/{slide_id}/image")
async def upload_image(request: Request, code: str, slide_id: str, user: Signed) -> JSONResponse:
    """A picture for the slide (multipart: `image`, `alt`, `version`): checked by its bytes,
    re-encoded without metadata (formats/images.py), stored, and put on the slide. The
    access check comes before the body is read."""
    session = await service(request).access.edited(code, user)
    i18n.request_language(request, session.deck.info.language)  # the editor page's
    async with request.form(max_files=1, max_fields=4) as form:
        upload = form.get("image")
        alt = form.get("alt")
        version = str(form.get("version", ""))
        if not isinstance(upload, StarletteUpload):
            raise ImageNotAccepted(N_("Choose an image file to upload."))
        if not isinstance(alt, str) or not alt.strip():
            raise ImageNotAccepted(
                N_("Describe the image in a few words (alt text) for people who cannot see it.")
            )
        if not version.isdigit() or len(version) > 9:
            raise ImageNotAccepted(N_("The field 'version' must be the deck's version number."))
        data = await upload.read(MAX_IMAGE_BYTES + 1)
    try:
        image = await asyncio.to_thread(clean_image, data)
    except ImageRefused as refused:
        return JSONResponse({"detail": _refused(refused)}, status_code=refused.status)
    view = await _editor(request).set_image(code, user, int(version), slide_id, image, alt)
    return _deck_json(view, 201)


def _refused(refused: ImageRefused) -> str:
    """Why an image was refused, in the page's language."""
    _ = i18n.gettext
    messages = {
        "too_large": _(
            "The image is larger than %(size)s MB: save it smaller (1920 pixels wide is "
            "plenty for a projector) and try again."
        )
        % {"size": MAX_IMAGE_BYTES // 1_000_000},
        "empty": _("The file is empty."),
        "markup": _(
            "SVG and other markup files are refused (they can carry script): "
            "use a PNG, JPEG, WebP or GIF image."
        ),
        "not_image": _("This file is not a PNG, JPEG, WebP or GIF image, whatever its name says."),
        "pixels": _(
            "The image has too many pixels: at most %(side)s on a side and %(million)s "
            "million in all. Scale it down and try again."
        )
        % {"side": MAX_SIDE, "million": MAX_PIXELS // 1_000_000},
        "damaged": _(
            "The image cannot be read (damaged or incomplete): export it again from your "
            "image program."
        ),
    }
    return messages.get(refused.reason, refused.message)


@api.post("/e/{code}/slides/{slide_id}/image/remove")
async def remove_image(
    request: Request, code: str, slide_id: str, body: Versioned, user: Signed
) -> JSONResponse:
    view = await _editor(request).remove_image(code, user, body.version, slide_id)
    return _deck_json(view)


@router.get("/e/{code}/preview/{slide_id}", response_class=HTMLResponse)
async def preview(request: Request, code: str, slide_id: str, user: Signed) -> Response:
    """The slide as the projector shows it when it first comes up (presenter partial)."""
    svc = service(request)
    session = await svc.access.edited(code, user)
    slide = session.deck.slide(slide_id)
    if slide is None:
        return HTMLResponse("", status_code=404)
    asks = kind_of(slide.kind).asks
    context = {
        "session": session,
        "info": session.deck.info,
        "slide": slide,
        "tally": await svc.results.tally(session, slide) if asks else None,
        "is_open": asks,
        "revealed": session.deck.info.results.value == "live",
        "position": session.deck.slides.index(slide) + 1,
        "count": len(session.deck.slides),
        "joined": await svc.results.joined(session),
        "opinion": (
            await svc.opinions.view(session, facilitator=True)
            if kind_of(slide.kind).shows_opinions
            else None
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
    session = await service(request).access.edited(code, user)
    return Response(
        write_deck(session.deck),
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="denkdag-{session.code}.md"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/e/{code}/deck.zip")
async def download_deck_zip(request: Request, code: str) -> Response:
    """The session as a zip: `deck.md` and the images its slides show (formats/deck_zip)."""
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next=/e/{code}", status_code=303)
    session = await service(request).access.edited(code, user)
    images = await _editor(request).images_of(session)
    return Response(
        write_deck_zip(session.deck, images),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="denkdag-{session.code}.zip"',
            "Cache-Control": "no-store",
        },
    )


async def _signed_in(request: Request, csrf: str) -> User:
    check_csrf(request, csrf)
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed(N_("Sign in first."))
    return user


@router.post("/sessions/new")
async def new_session(
    request: Request,
    title: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    user = await _signed_in(request, csrf_token)
    try:
        deck = new_deck(title or i18n.gettext("New session"))
    except InvalidText as refused:
        error = i18n.Refusal(refused)
        return await dashboard_page(request, user, 422, new_session_error=error)
    session = await _editor(request).create(user, deck)
    return RedirectResponse(f"/e/{session.code}", status_code=303)


@router.post("/sessions/import")
async def import_deck(
    request: Request,
    deck: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A new session from an uploaded deck file; a broken file changes nothing and its
    `FILE:LINE: message` is shown on the page. A PowerPoint or PDF goes to its review."""
    user = await _signed_in(request, csrf_token)
    if deck is None:
        context = {"error": i18n.gettext("Choose a deck file to import.")}
        return render(request, "editor_import.html", context, status_code=422)
    name = (deck.filename or "deck.md").replace("\\", "/").rsplit("/", 1)[-1][:100]
    if is_slide_file(name):  # a PowerPoint or PDF: read, then reviewed (web/imports.py)
        return await imports.upload(request, user, deck, name)
    is_zip = name.lower().endswith(".zip")
    data = await deck.read((MAX_ZIP_BYTES if is_zip else MAX_DECK_FILE) + 1)
    try:
        if is_zip:
            bundle = await asyncio.to_thread(read_deck_zip, data, name)
        elif name.lower().endswith(DECK_SUFFIXES):
            bundle = DeckBundle(parse_deck(data, source=name), {})
        else:
            raise DeckError(
                name, 1, N_("a deck file is a Markdown file (.md) or a zip with images")
            )
    except DeckError as error:
        return render(
            request, "editor_import.html", {"error": i18n.Refusal(error)}, status_code=422
        )
    session = await _editor(request).create(user, bundle.deck, bundle.images)
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


router.include_router(api)  # last: including copies the routes defined so far
