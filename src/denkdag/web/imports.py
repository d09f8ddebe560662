"""A new session from a slide file (.pptx, .pdf) in the browser: the upload (through
the import page's form, web/editor.py hands such files here), the review page where the
facilitator accepts or changes each slide's detected kind, and the session made from it.
Nothing is created before the review is posted (app/imports.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.app.imports import PendingImport, SlideImports
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.kinds import KINDS
from denkdag.domain.model import User
from denkdag.formats.deck import DeckError
from denkdag.formats.deck_import import MAX_SLIDE_FILE, thumbnail_uri
from denkdag.formats.detection import INFO, possible_kinds
from denkdag.formats.detection import items_of as detected_items
from denkdag.formats.detection import statement_of as detected_statement
from denkdag.web import i18n
from denkdag.web.auth import check_csrf, facilitator_from_cookie, service
from denkdag.web.templating import render

router = APIRouter(include_in_schema=False)
KIND_FIELD = "kind-"
"""A review form's field per slide: `kind-<slide number>` = the kind to make it."""


def _imports(request: Request) -> SlideImports:
    return SlideImports(service(request))


async def _user(request: Request) -> User:
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed(N_("Sign in first."))
    return user


async def upload(request: Request, user: User, file: UploadFile, name: str) -> Response:
    """Read an uploaded slide file and show its review; a file that cannot be read
    changes nothing and its sentence is shown on the import page."""
    data = await file.read(MAX_SLIDE_FILE + 1)
    try:
        waiting = await _imports(request).read(user, data, name)
    except DeckError as error:
        return render(
            request, "editor_import.html", {"error": i18n.Refusal(error)}, status_code=422
        )
    return RedirectResponse(f"/sessions/import/{waiting.token}", status_code=303)


def _rows(waiting: PendingImport) -> list[dict[str, Any]]:
    rows = []
    for slide, proposal in zip(waiting.deck.slides, waiting.proposals, strict=True):
        picture = slide.rendering or (slide.pictures[0][0] if slide.pictures else None)
        rows.append(
            {
                "slide": slide,
                "proposal": proposal.kind,
                "reason": i18n.Refusal(proposal.reason),
                "kinds": possible_kinds(slide),
                "options": detected_items(slide),
                "statement": detected_statement(slide),
                "thumbnail": thumbnail_uri(picture) if picture is not None else None,
            }
        )
    return rows


def _labels() -> dict[str, str]:
    """The kinds' names (`N_()` texts): the template translates them in the page's
    language, which `render` chooses."""
    return {name: kind.label or name for name, kind in KINDS.items()}


@router.get("/sessions/import/{token}", response_class=HTMLResponse)
async def review(request: Request, token: str) -> Response:
    user = await facilitator_from_cookie(request)
    if user is None:
        return RedirectResponse("/login?next=/sessions", status_code=303)
    waiting = await _imports(request).review(user, token)
    context = {
        "waiting": waiting,
        "rows": _rows(waiting),
        "labels": _labels(),
        "notices": [i18n.Refusal(notice) for notice in waiting.deck.notices],
    }
    return render(request, "import_review.html", context)


@router.post("/sessions/import/{token}")
async def accept(request: Request, token: str) -> Response:
    """Make the session with the kinds as reviewed (a slide whose field is missing, or
    names a kind it cannot be, stays information)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = await _user(request)
    kinds = {}
    for key, value in form.multi_items():
        number = key.removeprefix(KIND_FIELD)
        if key.startswith(KIND_FIELD) and number.isdigit() and isinstance(value, str):
            kinds[int(number)] = value if value in KINDS else INFO
    designed = form.get("designed") == "yes"
    try:
        session = await _imports(request).accept(user, token, kinds, designed=designed)
    except DeckError as error:
        waiting = await _imports(request).review(user, token)
        context = {
            "waiting": waiting,
            "rows": _rows(waiting),
            "labels": _labels(),
            "notices": [],
            "error": i18n.Refusal(error),
        }
        return render(request, "import_review.html", context, status_code=422)
    return RedirectResponse(f"/e/{session.code}", status_code=303)
