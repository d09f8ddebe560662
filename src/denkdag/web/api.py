"""The JSON API under /api/v1, as docs/api.md describes it.

Thin: parse the request, call the use-case layer (app/), answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from denkdag.app.editor import Editor
from denkdag.domain import timer
from denkdag.domain.errors import N_, InvalidAnswer, NotAllowed
from denkdag.domain.kinds.wordcloud import hidden_key
from denkdag.domain.model import User
from denkdag.domain.views import result_view
from denkdag.web.auth import bearer, facilitator, service
from denkdag.web.ratelimit import Limits
from denkdag.web.schemas import (
    Answer,
    Control,
    ControlDone,
    Detail,
    Joined,
    JoinRequest,
    Metrics,
    ModeratedAnswer,
    ModeratedWord,
    Moderation,
    OpinionOut,
    OpinionPosition,
    Results,
    RoomSettings,
    RowId,
    SessionOut,
    Stored,
    WordModeration,
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
    return await svc.views.public(await svc.sessions.get(code))


@router.post(
    "/sessions/{code}/participants",
    status_code=201,
    response_model=Joined,
    summary="Join a session anonymously (with a personal invitation code if it needs one)",
)
async def join(code: str, request: Request, body: JoinRequest | None = None) -> dict[str, str]:
    token = await service(request).participation.join(code, body.invitation if body else None)
    return {"participant_token": token}


IDEMPOTENCY_KEY = Header(
    alias="Idempotency-Key",
    max_length=64,
    pattern=r"^[!-~]+$",
    description="Optional, 1–64 printable ASCII characters (a UUID is a good choice). Send a "
    "new key with every new answer and the SAME key when retrying a request whose reply "
    "never came: a key already applied to this participant's answer on this slide is not "
    "applied again, so a late retry never overwrites a newer answer; the reply is then 200 "
    "with the answer as stored now, even if the slide has closed meanwhile.",
)


@router.put(
    "/sessions/{code}/slides/{slide_id}/response",
    response_model=Stored,
    summary="Record or replace this participant's answer",
    description="200 once the answer is committed (never before). Safe to retry with the "
    "same `Idempotency-Key` header: see that parameter.",
)
async def respond(
    code: str,
    slide_id: str,
    answer: Answer,
    request: Request,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> dict[str, Any]:
    stored = await service(request).participation.respond(
        code, bearer(request), slide_id, answer.value, idempotency_key
    )
    return {"slide": slide_id, "value": stored}


@router.get(
    "/sessions/{code}/results",
    response_model=Results,
    summary="Every slide's tally (facilitator)",
    description="With `?by=p1` (a profile question's id) the answer also holds `breakdown`: "
    "the participants per group and each choice, statement and scale slide's result per "
    "group of that question. A group with fewer than five participants is never shown on "
    "its own; it is counted in `other` with those who did not say, which is nobody or at "
    "least five, so no group can be derived by subtraction.",
)
async def results(
    code: str,
    request: Request,
    user: User | None = Depends(facilitator),
    by: Annotated[str | None, Query(max_length=40, description="A profile question id.")] = None,
) -> dict[str, Any]:
    svc = service(request)
    session = await svc.access.facilitated(code, user)
    tallies = await svc.results.of_session(session)
    slides = [
        result_view(slide, svc.results.shown(session, slide, tally))
        for slide, tally in zip(session.deck.slides, tallies, strict=True)
    ]
    document: dict[str, Any] = {
        "code": session.code,
        "title": session.title,
        "joined": await svc.results.joined(session),
        "slides": slides,
    }
    if by is not None:
        live = await svc.opinions.current(session)
        document["breakdown"] = await svc.profiles.results_by(session, by, live)
    return document


@router.get(
    "/sessions/{code}/opinions",
    response_model=OpinionOut,
    summary="The opinion map of the session's statement votes (facilitator)",
    description="Recomputed in the background within two seconds of the last vote; the "
    "same data as the `opinion` event of the facilitator's live stream.",
)
async def opinions(
    code: str, request: Request, user: User | None = Depends(facilitator)
) -> dict[str, Any]:
    svc = service(request)
    session = await svc.access.facilitated(code, user)
    return await svc.opinions.view(session, facilitator=True)


@router.get(
    "/sessions/{code}/opinions/me",
    response_model=OpinionPosition,
    summary="This participant's own dot on the opinion map",
    description="`shown` is false unless a revealed opinions slide allows it (`show_own`).",
)
async def my_opinion(code: str, request: Request) -> dict[str, Any]:
    svc = service(request)
    participant = await svc.participation.participant(code, bearer(request))
    return await svc.opinions.position(participant.session, participant.id)


@router.post(
    "/sessions/{code}/control",
    response_model=ControlDone,
    summary="Move, open, close, reveal or hide; slide timers (facilitator)",
)
async def control(
    code: str, body: Control, request: Request, user: User | None = Depends(facilitator)
) -> dict[str, Any]:
    svc = service(request)
    session = await svc.control.apply(code, user, body.action, body.slide, body.seconds)
    state = session.state
    return {
        "current_slide": state.current_slide,
        "open_slides": sorted(state.open_slides),
        "revealed": sorted(state.revealed),
        "version": state.version,
        "timers": [timer.as_dict(countdown) for countdown in state.timers],
        "server_time": svc.clock(),
    }


@router.put(
    "/sessions/{code}/settings",
    response_model=RoomSettings,
    summary="Where results show on phones; whether Next closes a question (facilitator)",
    description="The deck's `phone_results` and `next_closes`, changed while the session "
    "runs: a new deck version, and every screen redraws.",
)
async def room_settings(
    code: str, body: RoomSettings, request: Request, user: User | None = Depends(facilitator)
) -> dict[str, Any]:
    session = await Editor(service(request)).set_room_settings(
        code, user, phone_results=body.phone_results, next_closes=body.next_closes
    )
    info = session.deck.info
    return {"phone_results": info.phone_results, "next_closes": info.next_closes}


@router.post(
    "/sessions/{code}/slides/{slide_id}/answers/{answer_id}",
    response_model=ModeratedAnswer,
    summary="Hide/show or highlight one open answer (facilitator)",
)
async def moderate(
    code: str,
    slide_id: str,
    answer_id: RowId,
    body: Moderation,
    request: Request,
    user: User | None = Depends(facilitator),
) -> dict[str, Any]:
    if body.hidden is None and body.highlighted is None:
        raise InvalidAnswer(N_("Send 'hidden', 'highlighted' or both, each true or false."))
    record = await service(request).results.moderate(
        code, user, slide_id, answer_id, hidden=body.hidden, highlighted=body.highlighted
    )
    return {
        "id": record.id,
        "text": str(record.value),
        "hidden": record.hidden,
        "highlighted": record.highlighted,
    }


@router.post(
    "/sessions/{code}/slides/{slide_id}/words",
    response_model=ModeratedWord,
    summary="Hide one word of a word cloud, or show it again (facilitator)",
)
async def moderate_word(
    code: str,
    slide_id: str,
    body: WordModeration,
    request: Request,
    user: User | None = Depends(facilitator),
) -> dict[str, Any]:
    """The word leaves (or comes back to) the cloud on the projector, the phones, the
    report and the public results; a `tally` event for the slide goes out at once."""
    tally = await service(request).results.hide_word(
        code, user, slide_id, body.word, hidden=body.hidden
    )
    return {
        "slide": slide_id,
        "word": hidden_key(body.word),
        "hidden": body.hidden,
        "cloud": tally.extra.get("cloud", []),
        "hidden_words": tally.extra.get("hidden_words", []),
    }


@router.get(
    "/sessions/{code}/events",
    summary="Server-Sent Events: state, tally and presence",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(code: str) -> StreamingResponse:
    """Declared for the OpenAPI schema only: every stream is opened in front of the router
    by web/stream.py's StreamOpener (plain ASGI, so that thousands of open streams hold no
    request or dependency stack), so this body never runs."""
    raise RuntimeError(f"the stream of {code} is opened by web/stream.StreamOpener")


@router.get("/metrics", response_model=Metrics, summary="Refusal counts (any facilitator)")
async def metrics(request: Request, user: User | None = Depends(facilitator)) -> dict[str, Any]:
    if user is None:
        raise NotAllowed(N_("Sign in as a facilitator to read the metrics."))
    limits: Limits = request.app.state.limits
    assert limits.refusals is not None
    return {"refusals": dict(limits.refusals.counts), "streams_open": limits.streams_open}
