"""Errors as JSON sentences: domain errors, validation errors and HTTP errors.

A garbled request gets a 4xx that says what to fix, never a 500. The sentence is in the
language the pages would speak to the same person: the language they picked (`?lang=`, the
language cookie), else the session's (for a request about a session), else their
browser's (Accept-Language), else Dutch. A client that states no language at all (no pick,
no Accept-Language header: a script, not a browser) gets English, the API's own language.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from denkdag.app.editor import ImageNotAccepted
from denkdag.app.heavy import ReportsBusy, ReportTooSlow
from denkdag.domain.errors import (
    N_,
    DomainError,
    InvalidAnswer,
    InvalidControl,
    InvalidText,
    NotAllowed,
    NotFound,
    SessionBusy,
    SlideNotOpen,
    UnknownSession,
)
from denkdag.domain.events import InvalidEvent
from denkdag.domain.quiz import NicknameTaken
from denkdag.web import i18n

log = logging.getLogger(__name__)

STATUS = {
    NotFound: 404,
    SlideNotOpen: 409,
    InvalidAnswer: 422,
    InvalidText: 422,
    InvalidControl: 409,
    NotAllowed: 403,
    InvalidEvent: 422,
    ImageNotAccepted: 422,
    SessionBusy: 409,
    NicknameTaken: 409,
    ReportsBusy: 429,
    ReportTooSlow: 503,
}


def status_of(error: DomainError) -> int:
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 400


def retry_headers(error: DomainError) -> dict[str, str] | None:
    """`Retry-After` for a refusal that passes (busy or slow reports: come back), on the
    JSON answer and the page alike; None for one that will not."""
    retry_after = getattr(error, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after else None


API_LANGUAGE = "en"
"""The language of a refusal to a client that states none (the API's source language)."""
_SESSION_PATH = re.compile(r"^/(?:api/v1/sessions|j|p|c|e)/([^/]+)")
"""Paths about one session (its join code first): their refusals speak its language."""


async def choose_request_language(
    request: Request, error: BaseException | None = None, code: str | None = None
) -> str:
    """The request's language, as a page would choose it, made current for `gettext`.

    `code` is the session's join code when the caller knows it; otherwise it is read from
    the path. The session usually comes from the service's cache; a refusal about an unknown
    session does not look it up again, and a failed look-up only loses its language."""
    picked = request.query_params.get("lang") or request.cookies.get(i18n.LANG_COOKIE)
    accepted = request.headers.get("accept-language")
    if picked not in i18n.LANGUAGE_NAMES and accepted is None:
        i18n.current_language.set(API_LANGUAGE)
        return API_LANGUAGE
    session_language = None
    if picked not in i18n.LANGUAGE_NAMES and not isinstance(error, UnknownSession):
        if code is None:
            match = _SESSION_PATH.match(request.url.path)
            code = match.group(1) if match else None
        service = getattr(request.app.state, "service", None) if code else None
        if service is not None and code:
            try:
                session = await service.sessions.get(code)
            except Exception:  # an unknown code, or no database: the refusal still goes out
                session = None
            session_language = session.deck.info.language if session else None
    return i18n.request_language(request, session_language)


async def translated_detail(request: Request, error: BaseException, code: str | None = None) -> str:
    """`error`'s sentence in the request's language (see `choose_request_language`)."""
    await choose_request_language(request, error, code)
    return i18n.refusal(error)


def _validation_sentence(errors: list[dict[str, Any]]) -> tuple[int, str]:
    if not errors:
        return 422, i18n.gettext(N_("The request is not valid."))
    first = errors[0]
    kind = first.get("type", "")
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    if kind == "json_invalid":
        return 400, i18n.gettext(N_("The body is not valid JSON."))
    if kind in {"missing"} and where == "":
        return 400, i18n.gettext(N_("The request needs a JSON body."))
    if kind == "missing":
        return 422, i18n.gettext(N_("The field '%(field)s' is missing.")) % {"field": where}
    if kind == "extra_forbidden":
        return 422, i18n.gettext(N_("The field '%(field)s' is not allowed here.")) % {
            "field": where
        }
    if kind == "model_attributes_type" or kind == "dict_type":
        return 422, i18n.gettext(N_("The body must be a JSON object."))
    message = first.get("msg", "is not valid")
    return 422, f"'{where or 'body'}': {message}."


def names_nothing(errors: list[dict[str, Any]]) -> bool:
    """Whether a path parameter failed its check: `/questions/abc`, or an id beyond the
    stored range (`schemas.RowId`). Such a path names nothing: 404, as an unknown id."""
    return any(tuple(problem.get("loc", ()))[:1] == ("path",) for problem in errors)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        detail = await translated_detail(request, error)
        return JSONResponse(
            {"detail": detail}, status_code=status_of(error), headers=retry_headers(error)
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = list(error.errors())
        if names_nothing(problems):
            # Answered as any unknown address is, by the app's current 404 handler (pages
            # install one that shows a browser the error page).
            handler = request.app.exception_handlers[StarletteHTTPException]
            response: Response = await handler(request, StarletteHTTPException(404))
            return response
        await choose_request_language(request, error)
        status, sentence = _validation_sentence(problems)
        return JSONResponse({"detail": sentence}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        await choose_request_language(request, error)
        detail = error.detail if isinstance(error.detail, str) else N_("Request refused.")
        if error.status_code == 404 and detail == "Not Found":
            detail = N_("There is nothing at this address.")
        if error.status_code == 405:
            detail = N_("This method is not allowed here.")
        detail = i18n.gettext(detail)
        return JSONResponse(
            {"detail": detail}, status_code=error.status_code, headers=error.headers
        )
