"""The Q&A pages: the phone's question list (/j/{code}/questions) and the facilitator's
moderation list (/c/{code}/questions). Both work as plain forms without JavaScript;
js/qa_phone.js and js/qa_remote.js make them live. Participant text is only ever put in
the page by Jinja's autoescaping (or by JavaScript as textContent).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.domain.errors import N_, DomainError, NotAllowed, NotFound
from denkdag.domain.model import Session
from denkdag.domain.questions import APPROVED, HIDDEN, PENDING, mode_of
from denkdag.security import normalise_code
from denkdag.web import i18n, pages
from denkdag.web.auth import (
    check_csrf,
    facilitated_form,
    facilitator_from_cookie,
    participant_cookie,
    service,
    to_login,
)
from denkdag.web.errors import status_of
from denkdag.web.schemas import RowId
from denkdag.web.templating import render

router = APIRouter(include_in_schema=False)

CHANGES: dict[str, dict[str, Any]] = {
    "approve": {"status": APPROVED},
    "hide": {"status": HIDDEN},
    "pending": {"status": PENDING},
    "answered": {"answered": True},
    "unanswered": {"answered": False},
    "show": {"on_screen": True},
    "unshow": {"on_screen": False},
}
"""The remote's buttons, as changes of a question (PATCH …/questions/{id} in the API)."""


async def _phone_context(request: Request, session: Session, participant_id: int) -> dict[str, Any]:
    svc = service(request)
    listing = await svc.qa.listing(session, facilitator=False)
    return {
        "session": session,
        "token": request.cookies.get(participant_cookie(session.code)),
        "questions": listing["questions"],
        "voted": await svc.qa.voted(session, participant_id),
        "waiting": await svc.qa.waiting(session, participant_id),
        "mode": mode_of(session.deck),
    }


@router.get("/j/{code}/questions", response_class=HTMLResponse)
async def phone_questions(request: Request, code: str) -> Response:
    participant = await pages._participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    context = await _phone_context(request, participant.session, participant.id)
    return render(request, "qa_phone.html", context, session=participant.session)


@router.post("/j/{code}/questions")
async def phone_ask(
    request: Request, code: str, text: str = Form("", max_length=4000), csrf_token: str = Form("")
) -> Response:
    check_csrf(request, csrf_token)
    participant = await pages._participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    session = participant.session
    try:
        question = await service(request).qa.ask(session, participant.id, text)
    except DomainError as error:
        context = await _phone_context(request, session, participant.id)
        context |= {"error": i18n.Refusal(error), "draft": text}
        return render(
            request, "qa_phone.html", context, session=session, status_code=status_of(error)
        )
    anchor = "asked-pending" if question.status == PENDING else f"question-{question.id}"
    return RedirectResponse(f"/j/{session.code}/questions#{anchor}", status_code=303)


@router.post("/j/{code}/questions/{question_id}/vote")
async def phone_vote(
    request: Request, code: str, question_id: RowId, csrf_token: str = Form("")
) -> Response:
    check_csrf(request, csrf_token)
    participant = await pages._participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    await service(request).qa.vote(participant.session, participant.id, question_id)
    return RedirectResponse(
        f"/j/{participant.session.code}/questions#question-{question_id}", status_code=303
    )


async def _remote_context(request: Request, code: str) -> dict[str, Any] | None:
    user = await facilitator_from_cookie(request)
    if user is None:
        return None
    svc = service(request)
    session = await svc.access.facilitated(code, user)
    listing = await svc.qa.listing(session, facilitator=True)
    return {"session": session, "questions": listing["questions"], "mode": mode_of(session.deck)}


@router.get("/c/{code}/questions", response_class=HTMLResponse)
async def remote_questions(request: Request, code: str, fragment: bool = False) -> Response:
    context = await _remote_context(request, code)
    if context is None:
        if fragment:
            raise NotAllowed(N_("Sign in as a facilitator of this session."))
        return to_login(request)
    template = "qa_remote_list.html" if fragment else "qa_remote.html"
    return render(request, template, context, session=context["session"])


@router.post("/c/{code}/questions/{question_id}")
async def remote_moderate(
    request: Request,
    code: str,
    question_id: RowId,
    change: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    _, session = await facilitated_form(request, code, csrf_token)
    if change not in CHANGES:
        raise NotFound(N_("There is no such change of a question."))
    await service(request).qa.moderate(session, question_id, **CHANGES[change])
    return RedirectResponse(f"/c/{session.code}/questions#question-{question_id}", status_code=303)
