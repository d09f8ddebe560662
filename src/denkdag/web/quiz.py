"""The quiz on the web: a participant's nickname and the leaderboard (the API,
docs/api.md), and the phone's nickname as a plain form post (a phone without JavaScript;
js/kinds/quiz.js sends the same through the API).

Thin: parse the request, call the quiz's use cases (app/quiz.py), answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from denkdag.domain.errors import DomainError
from denkdag.domain.model import User
from denkdag.security import normalise_code
from denkdag.web import i18n
from denkdag.web.api import ERRORS
from denkdag.web.auth import (
    CSRF_FIELD,
    bearer,
    check_csrf,
    facilitator,
    participant_cookie,
    service,
)
from denkdag.web.errors import status_of
from denkdag.web.pages import _participant, _phone_context
from denkdag.web.templating import render

router = APIRouter(prefix="/api/v1/sessions/{code}", responses=ERRORS, tags=["quiz"])
pages = APIRouter(include_in_schema=False)


class NicknameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nickname: str = Field(..., max_length=1000, description="1 to 24 characters, one line.")


class NicknameOut(BaseModel):
    nickname: str


class PlayerOut(BaseModel):
    nickname: str
    points: int
    rank: int


class TeamOut(BaseModel):
    team: str
    points: int = Field(..., description="The team's average points, rounded.")
    players: int
    rank: int


class LeaderboardOut(BaseModel):
    players: list[PlayerOut]
    teams: list[TeamOut]


@router.put(
    "/nickname",
    response_model=NicknameOut,
    summary="Choose this participant's quiz nickname",
    description="With the participant's token. 422 when it is empty, longer than 24 "
    "characters, on more than one line, holds a control character or a word the session "
    "bans; 409 when another participant of the session has it (case and accents aside). "
    "Kept for this session only; a participant without one answers anonymously and is on "
    "no leaderboard.",
)
async def set_nickname(code: str, body: NicknameIn, request: Request) -> dict[str, str]:
    nickname = await service(request).quiz.set_nickname(code, bearer(request), body.nickname)
    return {"nickname": nickname}


@router.get(
    "/leaderboard",
    response_model=LeaderboardOut,
    summary="The quiz's standings (facilitator; participants once a leaderboard is shown)",
    description="Players by nickname, most points first (ties: less total answer time "
    "first, then shared rank). `teams`: the team averages by a profile question's groups "
    "(`?teams=p1`, default the deck's leaderboard `teams:`); a group under five players "
    "is not shown.",
)
async def leaderboard(
    code: str,
    request: Request,
    user: User | None = Depends(facilitator),
    teams: Annotated[str | None, Query(max_length=40, description="A profile question id.")] = None,
) -> dict[str, Any]:
    return await service(request).quiz.leaderboard(code, user, bearer(request), teams)


@pages.post("/j/{code}/nickname")
async def nickname_form(request: Request, code: str) -> Response:
    """The phone's nickname without JavaScript: back to the phone, or the phone with the
    refusal's sentence (and its status)."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    participant = await _participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    token = request.cookies.get(participant_cookie(participant.session.code))
    try:
        await service(request).quiz.set_nickname(code, token, str(form.get("nickname", "")))
    except DomainError as error:
        context = await _phone_context(request, participant)
        context["error"] = i18n.Refusal(error)
        return render(
            request,
            "phone.html",
            context,
            session=participant.session,
            status_code=status_of(error),
        )
    return RedirectResponse(f"/j/{participant.session.code}", status_code=303)
