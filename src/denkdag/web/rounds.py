"""Statement rounds over HTTP: the JSON resource and the phone's and remote's form posts.

API (participant bearer token, or the session's facilitator where it says so):

- `GET    …/slides/{slide}/statements`: participants the visible statements with their own
  vote; the facilitator every statement with its status and votes (the moderation list);
- `POST   …/slides/{slide}/statements`: a participant writes a statement (201);
- `GET    …/slides/{slide}/statements/next`: the one statement this phone offers now;
- `PUT    …/slides/{slide}/statements/{statement}/vote`: agree, disagree or pass, replacing
  an earlier vote; the reply carries the next statement;
- `PATCH  …/slides/{slide}/statements/{statement}`: the facilitator approves, hides or sends
  back to pending a statement written by the room.

The pages' forms (`/j/{code}/statements/…`, `/c/{code}/statements/…`) do the same without
JavaScript; js/kinds/rounds.js sends them through the API instead. Participant text
only ever reaches a page through Jinja's autoescaping or JavaScript's textContent.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from denkdag.domain.errors import N_, DomainError, NotAllowed, NotFound
from denkdag.domain.kinds.statement_round import LONGEST, PENDING, round_slide
from denkdag.domain.model import Session, User
from denkdag.security import normalise_code
from denkdag.web import i18n, pages
from denkdag.web.api import ERRORS
from denkdag.web.auth import (
    bearer,
    check_csrf,
    facilitated_form,
    facilitator,
    facilitator_from_cookie,
    participant_cookie,
    service,
)
from denkdag.web.errors import status_of
from denkdag.web.templating import render

PREFIX = "/api/v1/sessions/{code}/slides/{slide_id}/statements"
router = APIRouter(responses=ERRORS, tags=["Statement rounds"])
pages_router = APIRouter(include_in_schema=False)

CHANGES = {"approve": "approved", "hide": "hidden", "pending": "pending"}
"""The remote's moderation buttons, as statuses (PATCH …/statements/{id} in the API)."""


class StatementIn(BaseModel):
    """A participant's new statement: plain text, anonymous, one line."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        ...,
        max_length=4 * LONGEST,
        description="At most the round's `max_length` characters (140 unless the deck says).",
    )


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(..., max_length=32, description="agree, disagree or pass.")


class StatementPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["pending", "approved", "hidden"] = Field(
        ..., description="approved: offered to everyone; hidden: shown to no one."
    )


class StatementOut(BaseModel):
    id: str = Field(..., description="`d…` for the deck's statements, `r<number>` for the room's.")
    text: str
    origin: str = Field(..., description="deck or room.")
    status: str = "approved"
    votes: int | None = None
    agree: int | None = None
    disagree: int | None = None
    pass_: int | None = Field(None, alias="pass")
    vote: str | None = Field(None, description="My vote (participants).")
    created_at: str | None = None

    model_config = ConfigDict(populate_by_name=True)


class StatementList(BaseModel):
    slide: str
    moderation: str = Field(..., description="approve-first or show-at-once.")
    submissions: bool = Field(..., description="Whether participants may write statements.")
    statements: list[StatementOut] = Field(
        ..., description="The room's newest first, then the deck's."
    )
    pending: int
    votes: int
    voters: int


class Offered(BaseModel):
    id: str
    text: str
    origin: str = Field(..., description="deck or room.")


class NextStatement(BaseModel):
    slide: str
    statement: Offered | None = Field(
        ..., description="The statement to vote on now; null when none is left."
    )
    voted: int = Field(..., description="Visible statements I voted on.")
    total: int = Field(..., description="Visible statements.")
    remaining: int
    open: bool
    submissions: bool
    moderation: str
    max_length: int


class VoteOut(BaseModel):
    statement: str
    vote: str
    next: NextStatement


async def _participant(request: Request, code: str) -> tuple[Session, int]:
    """The caller as a participant of the session (a dependency: 403 before the body)."""
    svc = service(request)
    session = await svc.sessions.get(code)
    token = bearer(request) or request.cookies.get(participant_cookie(session.code))
    found = await svc.participation.participant(code, token)
    return found.session, found.id


async def _facilitated(
    code: str, request: Request, user: User | None = Depends(facilitator)
) -> Session:
    return await service(request).access.facilitated(code, user)


@router.get(PREFIX, response_model=StatementList, summary="A statement round's statements")
async def list_statements(code: str, slide_id: str, request: Request) -> dict[str, Any]:
    """Participants: the visible statements with `vote`, their own. The facilitator: every
    statement, whatever its status, with its votes."""
    svc = service(request)
    user = await facilitator(request)
    if user is not None:
        session = await svc.access.facilitated(code, user)
        return await svc.rounds.listing(session, slide_id, facilitator=True)
    session, participant_id = await _participant(request, code)
    listing = await svc.rounds.listing(session, slide_id, facilitator=False)
    mine = await svc.rounds.votes_of(participant_id, slide_id)
    for entry in listing["statements"]:
        entry["vote"] = mine.get(entry["id"])
    listing["pending"] = 0
    return listing


@router.post(PREFIX, status_code=201, response_model=StatementOut, summary="Write a statement")
async def write_statement(
    slide_id: str,
    body: StatementIn,
    request: Request,
    caller: tuple[Session, int] = Depends(_participant),
) -> dict[str, Any]:
    """201 once stored: `pending` until the facilitator approves it (approve-first), or
    `approved` and offered to everyone at once (show-at-once)."""
    session, participant_id = caller
    statement = await service(request).rounds.submit(session, participant_id, slide_id, body.text)
    return {
        "id": statement.id,
        "text": statement.text,
        "origin": statement.origin,
        "status": statement.status,
    }


@router.get(PREFIX + "/next", response_model=NextStatement, summary="My next statement")
async def next_statement(
    slide_id: str, request: Request, caller: tuple[Session, int] = Depends(_participant)
) -> dict[str, Any]:
    """Never one I voted on; the least voted first, in an order of my own among equals."""
    session, participant_id = caller
    return await service(request).rounds.next_for(session, participant_id, slide_id)


@router.put(
    PREFIX + "/{statement_id}/vote",
    response_model=VoteOut,
    summary="Vote agree, disagree or pass on one statement",
    description="200 once the vote is committed; a new vote replaces the old one. "
    "409 when the round is closed, 404 for a statement that is hidden or unknown.",
)
async def vote(
    slide_id: str,
    statement_id: str,
    body: VoteIn,
    request: Request,
    caller: tuple[Session, int] = Depends(_participant),
) -> dict[str, Any]:
    session, participant_id = caller
    return await service(request).rounds.vote(
        session, participant_id, slide_id, statement_id, body.value
    )


@router.patch(
    PREFIX + "/{statement_id}",
    response_model=StatementOut,
    summary="Approve, hide or send back a room statement (facilitator)",
)
async def moderate(
    slide_id: str,
    statement_id: str,
    body: StatementPatch,
    request: Request,
    session: Session = Depends(_facilitated),
) -> dict[str, Any]:
    statement = await service(request).rounds.moderate(session, slide_id, statement_id, body.status)
    return {
        "id": statement.id,
        "text": statement.text,
        "origin": statement.origin,
        "status": statement.status,
    }


# --- pages: the phone's form posts and the remote's moderation list ---------------------


@pages_router.post("/j/{code}/statements/{slide_id}")
async def phone_write(
    request: Request,
    code: str,
    slide_id: str,
    text: str = Form("", max_length=4 * LONGEST),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    participant = await pages._participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    session = participant.session
    try:
        statement = await service(request).rounds.submit(session, participant.id, slide_id, text)
    except DomainError as error:
        return await _phone_error(request, participant, error, {"statement_draft": text})
    anchor = "written-pending" if statement.status == PENDING else "written"
    return RedirectResponse(f"/j/{session.code}#{anchor}", status_code=303)


@pages_router.post("/j/{code}/statements/{slide_id}/{statement_id}/vote")
async def phone_vote(
    request: Request,
    code: str,
    slide_id: str,
    statement_id: str,
    value: str = Form("", max_length=32),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    participant = await pages._participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    session = participant.session
    try:
        await service(request).rounds.vote(session, participant.id, slide_id, statement_id, value)
    except DomainError as error:
        return await _phone_error(request, participant, error, {})
    return RedirectResponse(f"/j/{session.code}#round-card", status_code=303)


async def _phone_error(
    request: Request, participant: Any, error: DomainError, more: dict[str, Any]
) -> Response:
    context = await pages._phone_context(request, participant)
    context |= {"error": i18n.Refusal(error), **more}
    return render(
        request,
        "phone.html",
        context,
        session=participant.session,
        status_code=status_of(error),
    )


@pages_router.get("/c/{code}/statements/{slide_id}", response_class=HTMLResponse)
async def remote_list(request: Request, code: str, slide_id: str) -> Response:
    """The moderation list of one round, as the remote shows it (a fragment)."""
    user = await facilitator_from_cookie(request)
    if user is None:
        raise NotAllowed(N_("Sign in as a facilitator of this session."))
    svc = service(request)
    session = await svc.access.facilitated(code, user)
    slide = round_slide(session.deck, slide_id)
    board = await svc.rounds.listing(session, slide_id, facilitator=True)
    context = {"session": session, "slide": slide, "board": board}
    return render(request, "kinds/conversation_moderation.html", context, session=session)


@pages_router.post("/c/{code}/statements/{slide_id}/{statement_id}")
async def remote_moderate(
    request: Request,
    code: str,
    slide_id: str,
    statement_id: str,
    change: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    _, session = await facilitated_form(request, code, csrf_token)
    if change not in CHANGES:
        raise NotFound(N_("There is no such change of a statement."))
    await service(request).rounds.moderate(session, slide_id, statement_id, CHANGES[change])
    return RedirectResponse(f"/c/{session.code}#statement-{statement_id}", status_code=303)
