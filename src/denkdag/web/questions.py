"""The Q&A resource: /api/v1/sessions/{code}/questions. Thin: who asks → LiveQuestions.

Participants (bearer token) list the approved questions with their own votes, ask, and
toggle their upvote; the session's facilitator (bearer token or login cookie with CSRF)
lists every question and moderates one with PATCH.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.model import Session, User
from denkdag.domain.questions import MAX_LENGTH, Question, mode_of
from denkdag.formats.export_questions import questions_csv
from denkdag.web.api import ERRORS
from denkdag.web.auth import bearer, facilitator, participant_cookie, service
from denkdag.web.schemas import RowId

router = APIRouter(prefix="/api/v1/sessions/{code}/questions", responses=ERRORS, tags=["Q&A"])


class QuestionIn(BaseModel):
    """A new question: plain text, anonymous."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        ..., max_length=4 * MAX_LENGTH, description=f"At most {MAX_LENGTH} characters."
    )


class QuestionPatch(BaseModel):
    """A facilitator's change of one question: any of the fields."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["pending", "approved", "hidden"] | None = Field(
        None, description="approved: shown to participants; hidden: shown to no one."
    )
    answered: bool | None = Field(None, description="Mark answered (or not).")
    on_screen: bool | None = Field(
        None, description="Put on the projector (taking any other off), or take it off."
    )


class QuestionOut(BaseModel):
    id: int
    text: str
    status: str
    answered: bool
    on_screen: bool
    votes: int
    voted: bool | None = Field(None, description="Whether I voted for it (participants).")


class QuestionBoard(BaseModel):
    questions: list[QuestionOut]
    total: int = Field(..., description="How many questions this caller may see in all.")
    on_screen: QuestionOut | None
    mode: str = Field(..., description="approve-first, show-at-once or off.")


class VoteOut(BaseModel):
    id: int
    votes: int
    voted: bool


async def _participant(request: Request, code: str) -> tuple[Session, int]:
    """The caller as a participant of the session (a dependency: it answers 403 before
    the body is looked at)."""
    svc = service(request)
    session = await svc.sessions.get(code)
    token = bearer(request) or request.cookies.get(participant_cookie(session.code))
    found = await svc.participation.participant(code, token)
    return found.session, found.id


async def _is_facilitator(request: Request, code: str) -> Session | None:
    """The session when the caller facilitates it; None for a participant's request."""
    user = await facilitator(request)
    if user is None:
        return None
    return await service(request).access.facilitated(code, user)


async def _facilitated(
    code: str, request: Request, user: User | None = Depends(facilitator)
) -> Session:
    """The session, when the caller facilitates it (a dependency: 403 before the body)."""
    return await service(request).access.facilitated(code, user)


@router.get("", response_model=QuestionBoard, summary="The session's questions")
async def list_questions(code: str, request: Request) -> dict[str, Any]:
    """Participants: approved questions, most votes first, with `voted`. The facilitator:
    every question, whatever its status."""
    svc = service(request)
    session = await _is_facilitator(request, code)
    if session is not None:
        listing = await svc.qa.listing(session, facilitator=True)
    else:
        session, participant_id = await _participant(request, code)
        listing = await svc.qa.listing(session, facilitator=False)
        mine = await svc.qa.voted(session, participant_id)
        for question in listing["questions"]:
            question["voted"] = question["id"] in mine
    return listing | {"mode": mode_of(session.deck)}


@router.post("", status_code=201, response_model=QuestionOut, summary="Ask a question")
async def ask(
    body: QuestionIn,
    request: Request,
    caller: tuple[Session, int] = Depends(_participant),
) -> dict[str, Any]:
    session, participant_id = caller
    question = await service(request).qa.ask(session, participant_id, body.text)
    return question.as_dict() | {"voted": False}


@router.post("/{question_id}/vote", response_model=VoteOut, summary="Toggle my upvote")
async def vote(
    question_id: RowId, request: Request, caller: tuple[Session, int] = Depends(_participant)
) -> dict[str, Any]:
    session, participant_id = caller
    svc = service(request)
    question = await svc.qa.vote(session, participant_id, question_id)
    voted = question.id in await svc.qa.voted(session, participant_id)
    return {"id": question.id, "votes": question.votes, "voted": voted}


@router.patch(
    "/{question_id}", response_model=QuestionOut, summary="Moderate a question (facilitator)"
)
async def moderate(
    question_id: RowId,
    body: QuestionPatch,
    request: Request,
    session: Session = Depends(_facilitated),
) -> dict[str, Any]:
    if body.status is None and body.answered is None and body.on_screen is None:
        raise InvalidAnswer(N_("Send 'status', 'answered' or 'on_screen'."))
    svc = service(request)
    question: Question = await svc.qa.moderate(
        session, question_id, status=body.status, answered=body.answered, on_screen=body.on_screen
    )
    return question.as_dict()


@router.get(
    "/export.csv",
    summary="Every question as CSV (facilitator)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(
    code: str, request: Request, user: User | None = Depends(facilitator)
) -> Response:
    svc = service(request)
    session = await svc.access.facilitated(code, user)
    text = questions_csv(session, await svc.qa.of_session(session))
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{session.code}-questions.csv"'},
    )
