"""The facilitator's report: `/r/{code}` on screen, `.pdf`, `.xlsx`, `.csv`, `.json`
and `.polis.zip` (statements and votes in pol.is' open-data layout) downloads, the
comparison with an earlier run (`?compare=CODE`) and deletion for good.

Same access rule as the presenter view: only the session's facilitator; anyone else gets
403, and a browser that is not signed in is sent to the sign-in page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.app.exports import ExportFile, export_session, session_report_page
from denkdag.app.opinions import has_statements
from denkdag.domain.errors import N_, DomainError
from denkdag.domain.matching import slide_key
from denkdag.domain.model import Session, User
from denkdag.web import i18n
from denkdag.web.auth import (
    CSRF_FIELD,
    check_csrf,
    csrf_token,
    facilitator,
    facilitator_from_cookie,
    service,
    set_csrf,
    to_login,
)

router = APIRouter(include_in_schema=False)


class _SignIn(Exception):
    """Not signed in: a browser is sent to the sign-in page."""


async def _user(request: Request) -> User:
    user = await facilitator(request)
    if user is None:
        raise _SignIn
    return user


async def _compared_with(request: Request, user: User, other_code: str | None) -> Session | None:
    """The facilitator's other session to compare with, if asked (403 for another's)."""
    if not other_code:
        return None
    return await service(request).access.facilitated(other_code, user)


def _question_keys(session: Session) -> set[str]:
    return {key for slide in session.deck.slides if (key := slide_key(slide)) is not None}


def comparable(session: Session, candidates: list[Session]) -> list[Session]:
    """The other sessions a report can be compared with: those that ask at least one of its
    statements or questions (`domain.matching.slide_key`, the rule an event's comparison
    uses), same title first, newest first; a comparison with none in common says nothing."""
    mine = _question_keys(session)
    found = [s for s in candidates if s.id != session.id and mine & _question_keys(s)]
    found.sort(key=lambda s: (s.title != session.title, -s.id))
    return found


def _download(file: ExportFile) -> Response:
    return Response(
        file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )


async def _guarded(request: Request, code: str) -> tuple[User, Session] | Response:
    try:
        user = await _user(request)
    except _SignIn:
        return to_login(request)
    return user, await service(request).access.facilitated(code, user)


async def _export(request: Request, code: str, fmt: str, other: str | None = None) -> Response:
    """The report as a download (`app.exports.export_session`), in the reader's language,
    compared with the facilitator's session `other` when given (xlsx and pdf)."""
    guarded = await _guarded(request, code)
    if isinstance(guarded, Response):
        return guarded
    user, session = guarded
    compared_with = await _compared_with(request, user, other)
    language = i18n.request_language(request, session.deck.info.language)
    return _download(await export_session(service(request), session, fmt, language, compared_with))


@router.get("/r/{code}.pdf")
async def report_pdf(request: Request, code: str, compare: str | None = None) -> Response:
    return await _export(request, code, "pdf", compare)


@router.get("/r/{code}.xlsx")
async def report_spreadsheet(request: Request, code: str, compare: str | None = None) -> Response:
    return await _export(request, code, "xlsx", compare)


@router.get("/r/{code}.csv")
async def report_csv(request: Request, code: str) -> Response:
    return await _export(request, code, "csv")


@router.get("/r/{code}.json")
async def report_json(request: Request, code: str) -> Response:
    return await _export(request, code, "json")


@router.get("/r/{code}.polis.zip")
async def report_polis(request: Request, code: str) -> Response:
    return await _export(request, code, "polis")


@router.get("/r/{code}", response_class=HTMLResponse)
async def report_page(request: Request, code: str, compare: str | None = None) -> Response:
    guarded = await _guarded(request, code)
    if isinstance(guarded, Response):
        return guarded
    user, session = guarded
    svc = service(request)
    compared_with = await _compared_with(request, user, compare)
    # Only what the page shows of the others: the page travels to a worker (app/in_worker.py).
    others = [
        {"code": other.code, "title": other.title}
        for other in comparable(session, await svc.sessions.of_user(user))
    ]
    query = f"&compare={compared_with.code}" if compared_with else ""
    page: dict[str, Any] = {
        "languages": i18n.LANGUAGE_NAMES,
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "others": others,
        "polis": has_statements(session),
        "compare_query": query,
        "compare_query_first": "?" + query[1:] if query else "",
    }
    language = i18n.request_language(request, session.deck.info.language)
    html = await session_report_page(svc, session, language, compared_with, page)
    response = HTMLResponse(html, headers={"Cache-Control": "no-cache"})
    set_csrf(request, response)
    i18n.remember_language(request, response)
    return response


@router.post("/r/{code}/delete")
async def delete_session(
    request: Request, code: str, confirm: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Delete the session for good: its row, participants, tokens and answers."""
    check_csrf(request, csrf_token)
    svc = service(request)
    session = await svc.access.facilitated(code, await facilitator_from_cookie(request))
    if confirm != "yes":
        raise DomainError(N_("Tick the box to confirm that the session is deleted for good."))
    await svc.sessions.delete(session)
    return RedirectResponse("/sessions", status_code=303)
