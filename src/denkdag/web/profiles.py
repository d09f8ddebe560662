"""Profile questions on the web: the API (`/api/v1/sessions/{code}/profile`) and the
phone's page, which asks them once, after joining and before the first slide.

The page is a plain form (works without JavaScript); `static/js/profile.js` sends the
same answers through the API, so one tap on an option is enough when a single question
is asked.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from denkdag.app.events import Events
from denkdag.app.participation import Participant
from denkdag.domain.errors import DomainError, NotAllowed
from denkdag.domain.model import Session
from denkdag.domain.profiles import MAX_OPTION_ID, MAX_QUESTIONS, questions_digest
from denkdag.security import normalise_code
from denkdag.web import i18n
from denkdag.web.api import ERRORS
from denkdag.web.auth import (
    CSRF_FIELD,
    bearer,
    check_csrf,
    participant_cookie,
    service,
    settings,
)
from denkdag.web.errors import status_of
from denkdag.web.templating import render

router = APIRouter(prefix="/api/v1/sessions/{code}/profile", responses=ERRORS, tags=["profile"])
pages = APIRouter(include_in_schema=False)
SKIP = "skip"


class ProfileIn(BaseModel):
    """A participant's profile answers. Leave a question out, or send null, for "prefer not
    to say"; send `{}` (or `{"answers": {}}`) to skip the questions altogether."""

    model_config = ConfigDict(extra="forbid")
    answers: dict[str, str | None] = Field(
        default_factory=dict,
        max_length=MAX_QUESTIONS,
        description="Question id (p1, p2) → option id, or null for 'prefer not to say'.",
    )


class ProfileOptionOut(BaseModel):
    id: str = Field(..., max_length=MAX_OPTION_ID)
    label: str


class ProfileQuestionOut(BaseModel):
    id: str
    text: str
    options: list[ProfileOptionOut]


class ProfileOut(BaseModel):
    """The session's profile questions and this participant's answers."""

    questions: list[ProfileQuestionOut]
    answered: bool = Field(..., description="False until the participant answered or skipped.")
    answers: dict[str, str | None] = Field(
        ..., description="Question id → option id, or null for 'prefer not to say'."
    )


def questions_view(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "id": q.id,
            "text": q.text,
            "options": [{"id": o.id, "label": o.label} for o in q.options],
        }
        for q in session.deck.info.profile
    ]


async def _view(request: Request, participant: Participant) -> dict[str, Any]:
    stored = await service(request).profiles.of(participant.id)
    return {
        "questions": questions_view(participant.session),
        "answered": stored is not None,
        "answers": stored or {},
    }


@router.get("", response_model=ProfileOut, summary="The profile questions and my answers")
async def get_profile(code: str, request: Request) -> dict[str, Any]:
    participant = await service(request).participation.participant(code, bearer(request))
    return await _view(request, participant)


# asked once per event ------------------------------------------------------------------
#
# A phone that answered (or skipped) the profile questions in one room of an event is not
# asked again in another room of the same event that asks the same questions: the answers
# stay on the phone, in a cookie of its own for the event, and are stored for the new
# room's participant when it joins, as if typed again. Nothing on the server links the two
# rooms' participants. The cookie holds nothing the phone could not send anyway, so it is
# not signed: its answers are checked like typed ones, and only used while the questions
# are the same (their digest).


def event_profile_cookie(event_code: str) -> str:
    return f"dd_ep_{event_code}"


def _carried(text: str | None) -> tuple[str, dict[str, Any]] | None:
    """(questions' digest, answers) from the cookie; None when absent or unreadable."""
    if not text or len(text) > 2000:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode("ascii") + b"=="))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        return None
    answers = data.get("a")
    return (data["q"], answers) if isinstance(answers, dict) else None


async def remember(
    request: Request, response: Response, session: Session, answers: dict[str, str | None]
) -> None:
    """Keep the answers on this phone for the other rooms of the session's event."""
    if not session.deck.info.profile:
        return
    event = await Events(service(request)).event_of_session(session)
    if event is None:
        return
    data = {"q": questions_digest(session.deck.info.profile), "a": answers}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response.set_cookie(
        event_profile_cookie(event.code),
        base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("="),
        httponly=True,
        samesite="lax",
        secure=settings(request).secure_cookies,
        max_age=7 * 24 * 3600,
    )


async def answered_elsewhere(request: Request, participant: Participant) -> bool:
    """Store the answers this phone gave in another room of the event, when it asked the
    same questions; whether that happened (then the phone is not asked again)."""
    session = participant.session
    event = await Events(service(request)).event_of_session(session)
    if event is None:
        return False
    carried = _carried(request.cookies.get(event_profile_cookie(event.code)))
    if carried is None or carried[0] != questions_digest(session.deck.info.profile):
        return False
    try:
        await service(request).profiles.answer(session, participant.id, carried[1])
    except DomainError:
        return False  # an option since renamed: ask again
    return True


@router.put(
    "",
    response_model=ProfileOut,
    summary="Answer (or skip) the profile questions (participant)",
    description="Asked once at join; may be sent again to change the answers. 422 with a "
    "reason for an unknown question or option, or when the session asks none. Answers "
    "are only ever shown as group figures, for groups of at least five participants.",
)
async def put_profile(
    code: str, body: ProfileIn, request: Request, response: Response
) -> dict[str, Any]:
    svc = service(request)
    participant = await svc.participation.participant(code, bearer(request))
    stored = await svc.profiles.answer(participant.session, participant.id, body.answers)
    await remember(request, response, participant.session, stored)
    return await _view(request, participant)


# the phone's page ------------------------------------------------------------------------


async def _participant(request: Request, code: str) -> Participant | None:
    token = request.cookies.get(participant_cookie(normalise_code(code)))
    try:
        return await service(request).participation.participant(code, token)
    except NotAllowed:
        return None


def profile_page(
    request: Request,
    participant: Participant,
    *,
    chosen: dict[str, str | None] | None = None,
    error: str | i18n.Refusal | None = None,
    status_code: int = 200,
) -> Response:
    """The profile questions, as the phone shows them before the first slide."""

    session = participant.session
    context = {
        "session": session,
        "questions": session.deck.info.profile,
        "chosen": chosen or {},
        "error": error,
        "token": request.cookies.get(participant_cookie(session.code)),
    }
    return render(request, "profile.html", context, session=session, status_code=status_code)


@pages.post("/j/{code}/profile")
async def profile_form(request: Request, code: str) -> Response:
    """The form's answers (or its skip button); then on to the session."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    participant = await _participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    session = participant.session
    answers: dict[str, str | None] = {}
    if form.get(SKIP) is None:
        for question in session.deck.info.profile:
            value = str(form.get(question.id, "")).strip()
            answers[question.id] = value or None
    try:
        stored = await service(request).profiles.answer(session, participant.id, answers)
    except DomainError as error:
        return profile_page(
            request,
            participant,
            chosen=answers,
            error=i18n.Refusal(error),
            status_code=status_of(error),
        )
    response = RedirectResponse(f"/j/{session.code}", status_code=303)
    await remember(request, response, session, stored)
    return response


async def maybe_ask(request: Request, participant: Participant) -> Response | None:
    """The profile page when the phone should ask the questions first, else None (also
    when it answered the same questions in another room of the event)."""
    if not await service(request).profiles.must_ask(participant.session, participant.id):
        return None
    if await answered_elsewhere(request, participant):
        return None
    return profile_page(request, participant)
