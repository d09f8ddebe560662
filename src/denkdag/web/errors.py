"""Errors as JSON sentences: domain errors, validation errors and HTTP errors.

A garbled request gets a 4xx that says what to fix, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from denkdag.domain.errors import (
    DomainError,
    InvalidAnswer,
    InvalidControl,
    NotAllowed,
    NotFound,
    SlideNotOpen,
)
from denkdag.domain.events import InvalidEvent

log = logging.getLogger(__name__)

STATUS = {
    NotFound: 404,
    SlideNotOpen: 409,
    InvalidAnswer: 422,
    InvalidControl: 409,
    NotAllowed: 403,
    InvalidEvent: 422,
}


def status_of(error: DomainError) -> int:
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 400


def _validation_sentence(errors: list[dict[str, Any]]) -> tuple[int, str]:
    if not errors:
        return 422, "The request is not valid."
    first = errors[0]
    kind = first.get("type", "")
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    if kind == "json_invalid":
        return 400, "The body is not valid JSON."
    if kind in {"missing"} and where == "":
        return 400, "The request needs a JSON body."
    if kind == "missing":
        return 422, f"The field '{where}' is missing."
    if kind == "extra_forbidden":
        return 422, f"The field '{where}' is not allowed here."
    if kind == "model_attributes_type" or kind == "dict_type":
        return 422, "The body must be a JSON object."
    message = first.get("msg", "is not valid")
    return 422, f"'{where or 'body'}': {message}."


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, error: DomainError) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=status_of(error))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        status, sentence = _validation_sentence(list(error.errors()))
        return JSONResponse({"detail": sentence}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else "Request refused."
        if error.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        if error.status_code == 405:
            detail = "This method is not allowed here."
        return JSONResponse(
            {"detail": detail}, status_code=error.status_code, headers=error.headers
        )
