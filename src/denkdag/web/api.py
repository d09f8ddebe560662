"""The JSON API under /api/v1, as ../shared/design/API.md names it. Thin: parse → service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from denkdag.storage import User
from denkdag.web import sse
from denkdag.web.auth import bearer, facilitator, service
from denkdag.web.schemas import (
    Answer,
    Control,
    ControlDone,
    Detail,
    Joined,
    Results,
    SessionOut,
    Stored,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Detail} for status in (400, 403, 404, 409, 413, 415, 422, 429)
}

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get(
    "/sessions/{code}", response_model=SessionOut, summary="The session as participants see it"
)
async def get_session(code: str, request: Request) -> dict[str, Any]:
    svc = service(request)
    return await svc.public_view(await svc.session(code))


@router.post(
    "/sessions/{code}/participants",
    status_code=201,
    response_model=Joined,
    summary="Join a session anonymously",
)
async def join(code: str, request: Request) -> dict[str, str]:
    token = await service(request).join(code)
    return {"participant_token": token}


@router.put(
    "/sessions/{code}/slides/{slide_id}/response",
    response_model=Stored,
    summary="Record or replace this participant's answer",
)
async def respond(code: str, slide_id: str, answer: Answer, request: Request) -> dict[str, Any]:
    stored = await service(request).respond(code, bearer(request), slide_id, answer.value)
    return {"slide": slide_id, "value": stored}


@router.get(
    "/sessions/{code}/results",
    response_model=Results,
    summary="Every slide's tally (facilitator)",
)
async def results(
    code: str, request: Request, user: User | None = Depends(facilitator)
) -> dict[str, Any]:
    svc = service(request)
    session = await svc.facilitated(code, user)
    tallies = await svc.results(session)
    slides = [
        {
            "id": slide.id,
            "kind": slide.kind,
            "title": slide.title,
            "respondents": tally.respondents,
            "counts": dict(tally.counts),
            **tally.extra,
        }
        for slide, tally in zip(session.deck.slides, tallies, strict=True)
    ]
    return {
        "code": session.code,
        "title": session.title,
        "joined": await svc.joined(session),
        "slides": slides,
    }


@router.post(
    "/sessions/{code}/control",
    response_model=ControlDone,
    summary="Move, open, close, reveal or hide (facilitator)",
)
async def control(
    code: str, body: Control, request: Request, user: User | None = Depends(facilitator)
) -> dict[str, Any]:
    session = await service(request).control(code, user, body.action, body.slide)
    state = session.state
    return {
        "current_slide": state.current_slide,
        "open_slides": sorted(state.open_slides),
        "revealed": sorted(state.revealed),
        "version": state.version,
    }


@router.get(
    "/sessions/{code}/events",
    summary="Server-Sent Events: state, tally and presence",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(code: str, request: Request) -> StreamingResponse:
    return await sse.stream(code, request)
