"""HTML pages: home and join, the phone, the projector, the facilitator's remote, sign-in.

Pages render the same Jinja partials that the live scripts fetch as fragments, so a slide
looks the same with or without JavaScript, and voting works as a plain form post.
"""

from __future__ import annotations

import io
import re
from typing import Any

import segno
from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from denkdag.app.access import LINK_TOKEN, LOGIN_LIFETIME
from denkdag.app.editor import Editor
from denkdag.app.events import Events, looks_like_event_code, normalise_event_code
from denkdag.app.participation import Participant
from denkdag.domain.errors import N_, DomainError, NotAllowed, NotFound, SlideNotOpen
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Session, User
from denkdag.domain.tally import Tally
from denkdag.domain.visibility import phone_sees
from denkdag.security import normalise_code
from denkdag.web import i18n, pace, profiles
from denkdag.web.auth import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    check_csrf,
    facilitator,
    facilitator_from_cookie,
    participant_cookie,
    service,
    settings,
    to_login,
)
from denkdag.web.branding import session_brand
from denkdag.web.errors import retry_headers, status_of
from denkdag.web.kind_forms import read_form
from denkdag.web.presenter_breakdown import breakdown_context
from denkdag.web.ratelimit import Limits
from denkdag.web.schemas import RowId
from denkdag.web.templating import render

router = APIRouter(include_in_schema=False)


def join_url(request: Request, code: str) -> str:
    return f"{settings(request).base_url()}/j/{code}"


async def _tallies(request: Request, session: Session) -> dict[str, Tally]:
    svc = service(request)
    return {
        s.id: await svc.results.tally(session, s)
        for s in session.deck.slides
        if kind_of(s.kind).asks
    }


async def slide_context(
    request: Request, session: Session, *, room: bool = False
) -> dict[str, Any]:
    """What a slide's page shows. `room`: for a participant's phone, whose counts the
    whole room asks for at once (after each slide change): shared, at most a tally
    interval old (Denkdag.shown_tally); the facilitator's screens count exactly."""
    svc = service(request)
    current = session.deck.slide(session.state.current_slide or "")
    counted = svc.results.shown_tally if room else svc.results.tally
    tally = await counted(session, current) if current and kind_of(current.kind).asks else None
    return {
        "session": session,
        "info": session.deck.info,
        "slide": current,
        "tally": tally,
        "is_open": bool(current and current.id in session.state.open_slides),
        "revealed": bool(current and current.id in session.state.revealed),
        "position": (session.deck.slides.index(current) + 1) if current else 0,
        "count": len(session.deck.slides),
        "joined": await (svc.results.shown_joined if room else svc.results.joined)(session),
        # The opinion map as the room may see it; the templates draw it only
        # once revealed, the projector's and the phones' alike.
        "opinion": (
            await svc.opinions.view(session, facilitator=True)
            if current and kind_of(current.kind).shows_opinions
            else None
        ),
        # A leaderboard slide's standings (app/quiz.py); None on any other slide.
        "board": await svc.quiz.screen(session, current),
        # The event's logo and colours, when the session is part of one (web/branding.py).
        "brand": await session_brand(request, session),
        # At audience pace the projector shows how far the room is (web/pace.py).
        "progress": await svc.results.progress(session) if pace.at_audience_pace(session) else None,
    }


# participants --------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, code: str | None = None) -> Response:
    """The one code field: a session's join code (digits) goes to its join page, an
    event's code (it always holds a letter) to the event's join page."""
    if code is None:
        return render(request, "home.html", {})
    target = await _code_target(request, code[:40])
    if target is not None:
        return RedirectResponse(target, status_code=303)
    typed = " ".join(code.split())[:20]
    if not typed:  # the template says it in the page's language
        return render(request, "home.html", {"error": "empty"}, status_code=422)
    # A 404 costs the address one failed lookup, like an unknown code anywhere (ratelimit).
    return render(request, "home.html", {"error": "unknown", "typed": typed}, status_code=404)


async def _code_target(request: Request, typed: str) -> str | None:
    """Where a typed code leads: a session's or an event's join page; None if nowhere.

    Join codes are digits only; event codes are made with at least one letter, so a code
    with a letter is an event's. An all-digit code is a session's first; an event code
    made before letters were required can still be all digits, and is found second.
    """
    events = Events(service(request))
    if not looks_like_event_code(typed):
        wanted = normalise_code(typed)
        if not wanted:
            return None
        try:
            session = await service(request).sessions.get(wanted)
        except NotFound:
            pass
        else:
            return f"/j/{session.code}"
    event_code = normalise_event_code(typed)
    if not event_code:
        return None
    try:
        event = await events.public(event_code)
    except NotFound:
        return None
    return f"/ev/{event.code}"


async def _participant(request: Request, code: str) -> Participant | None:
    token = request.cookies.get(participant_cookie(normalise_code(code)))
    try:
        return await service(request).participation.participant(code, token)
    except NotAllowed:
        return None


@router.get("/j/{code}", response_class=HTMLResponse)
async def phone(request: Request, code: str) -> Response:
    svc = service(request)
    session = await svc.sessions.get(code)
    if session.code != code:
        return RedirectResponse(f"/j/{session.code}", status_code=303)
    participant = await _participant(request, code)
    if participant is None:
        context = {
            "session": session,
            "needs_invitation": await svc.participation.needs_invitation(session),
        }
        context["brand"] = await session_brand(request, session)
        return render(request, "join.html", context, session=session)
    asking = await profiles.maybe_ask(request, participant)  # once, before the first slide
    if asking is not None:
        return asking
    context = await _phone_context(request, participant)
    return render(request, "phone.html", context, session=participant.session)


async def _phone_context(request: Request, participant: Participant) -> dict[str, Any]:
    svc = service(request)
    session = await svc.sessions.get(participant.session.code)
    context = await slide_context(request, session, room=True)
    answers = await svc.participation.answers_of(participant)
    if pace.at_audience_pace(session):  # the participant's own slide, not the presenter's
        wanted = request.query_params.get("slide") or getattr(request.state, "pace_slide", None)
        context.update(await pace.phone_context(svc, session, answers, wanted))
    slide = context["slide"]
    context["answer"] = answers.get(slide.id) if slide else None
    # The session's phone_results decide what this phone may see (domain/visibility.py).
    context["revealed"] = bool(
        slide and phone_sees(session.deck.info, session.state, slide, answered=slide.id in answers)
    )
    context["phone_results"] = session.deck.info.phone_results
    if slide and kind_of(slide.kind).shows_opinions:
        context["me"] = await svc.opinions.position(session, participant.id)
    if slide and kind_of(slide.kind).tally_source == "round":  # this phone's next statement
        context["round"] = await svc.rounds.next_for(session, participant.id, slide.id)
        context["round_votes"] = await svc.rounds.my_votes(session, participant.id, slide)
        context["round_pending"] = await svc.rounds.mine_pending(session, participant.id, slide)
    # On a quiz question or leaderboard: this phone's nickname, points and place.
    context["quiz"] = await svc.quiz.phone(session, slide, participant.id)
    context["token"] = request.cookies.get(participant_cookie(session.code))
    # The slides this phone has answered: its live layer asks for the room's part of
    # any other slide (phone_slide).
    context["answered"] = " ".join(sorted(answers))
    return context


@router.get("/j/{code}/slide", response_class=HTMLResponse)
async def phone_slide(request: Request, code: str) -> Response:
    """A phone's current slide, with its own answer. (`?room=yes`, the room's part of a
    slide the phone has not answered, is answered before the router: web/room_slides.py;
    what that path does not answer comes here.)"""
    participant = await _participant(request, code)
    if participant is None:
        raise NotAllowed(N_("Join the session first."))
    context = await _phone_context(request, participant)
    return render(request, "phone_slide.html", context, session=participant.session)


@router.post("/j/{code}/join")
async def join(
    request: Request,
    code: str,
    csrf_token: str = Form(""),
    invitation: str = Form("", max_length=64),
) -> Response:
    check_csrf(request, csrf_token)
    svc = service(request)
    session = await svc.sessions.get(code)
    try:
        token = await svc.participation.join(session.code, invitation or None)
    except NotAllowed as refused:  # an unknown or used invitation code, or a full session
        context = {
            "session": session,
            "needs_invitation": await svc.participation.needs_invitation(session),
            "error": i18n.Refusal(refused),
        }
        return render(request, "join.html", context, session=session, status_code=403)
    response = RedirectResponse(f"/j/{session.code}", status_code=303)
    response.set_cookie(
        participant_cookie(session.code),
        token,
        httponly=True,
        samesite="lax",
        secure=settings(request).secure_cookies,
        max_age=7 * 24 * 3600,
    )
    return response


@router.post("/j/{code}/answer")
async def answer_form(request: Request, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")))
    participant = await _participant(request, code)
    if participant is None:
        return RedirectResponse(f"/j/{normalise_code(code)}", status_code=303)
    slide_id = str(form.get("slide", ""))
    slide = participant.session.deck.slide(slide_id)
    token = request.cookies.get(participant_cookie(participant.session.code))
    value: Any = None
    try:
        value = read_form(slide, form)
        await service(request).participation.respond(code, token, slide_id, value)
    except DomainError as error:
        request.state.pace_slide = slide_id  # at audience pace: show the answered slide again
        context = await _phone_context(request, participant)
        context["draft"] = value  # so a refused text is not lost
        closed = (
            isinstance(error, SlideNotOpen)
            and slide is not None
            and slide.id in {s.id for s in participant.session.deck.slides if kind_of(s.kind).asks}
        )
        context["error"] = i18n.gettext("Voting is closed.") if closed else i18n.Refusal(error)
        return render(
            request,
            "phone.html",
            context,
            session=participant.session,
            status_code=status_of(error),
        )
    return RedirectResponse(pace.answered_url(participant.session, slide_id), status_code=303)


@router.get("/qr/{code}.svg")
async def qr(request: Request, code: str) -> Response:
    session = await service(request).sessions.get(code)
    qr_code = segno.make(join_url(request, session.code), error="m")
    # A stand-alone SVG file needs its namespace (svg_inline leaves it out: no image then).
    buffer = io.BytesIO()
    qr_code.save(buffer, kind="svg", scale=8, border=2, dark="#111", light="#fff", omitsize=True)
    return Response(
        buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"}
    )


# facilitators --------------------------------------------------------------------------


@router.get("/p/{code}", response_class=HTMLResponse)
async def presenter(request: Request, code: str, by: str | None = None) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    session = await service(request).access.facilitated(code, user)
    context = await slide_context(request, session)
    context["join_url"] = join_url(request, session.code)
    context.update(await breakdown_context(request, session, context, by))
    return render(request, "presenter.html", context, session=session)


@router.get("/p/{code}/slide", response_class=HTMLResponse)
async def presenter_slide(request: Request, code: str, by: str | None = None) -> Response:
    session = await service(request).access.facilitated(code, await facilitator(request))
    context = await slide_context(request, session)
    context.update(await breakdown_context(request, session, context, by))
    return render(request, "presenter_slide.html", context, session=session)


@router.get("/c/{code}", response_class=HTMLResponse)
async def remote(request: Request, code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    session = await service(request).access.facilitated(code, user)
    context = await slide_context(request, session)
    context["tallies"] = await _tallies(request, session)
    context["join_url"] = join_url(request, session.code)
    current = context["slide"]
    if current and kind_of(current.kind).tally_source == "round":  # its moderation list
        context["board"] = await service(request).rounds.listing(
            session, current.id, facilitator=True
        )
    return render(request, "control.html", context, session=session)


@router.get("/c/{code}/notes", response_class=HTMLResponse)
async def speaker_notes(request: Request, code: str) -> Response:
    """The presenter's own window: the current slide as the room sees it, the next one,
    and the current slide's speaker notes (which no participant's or projector's page
    holds). Facilitators only, like the remote."""
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    session = await service(request).access.facilitated(code, user)
    context = await slide_context(request, session)
    position = context["position"]
    slides = session.deck.slides
    context["next_slide"] = slides[position] if 0 < position < len(slides) else None
    return render(request, "speaker_notes.html", context, session=session)


REMOTE_PAGES = {"notes": "/notes"}
"""Where a remote action made without JavaScript returns to (`back`): the remote, or the
speaker notes window it was made from."""


@router.post("/c/{code}")
async def remote_action(
    request: Request,
    code: str,
    action: str = Form(...),
    slide: str = Form(""),
    back: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    await service(request).control.apply(code, user, action, slide or None)
    page = REMOTE_PAGES.get(back, "")
    return RedirectResponse(f"/c/{normalise_code(code)}{page}", status_code=303)


@router.post("/c/{code}/settings")
async def remote_settings(
    request: Request,
    code: str,
    phone_results: str = Form("", max_length=40),
    next_closes: str = Form("no", max_length=10),
    csrf_token: str = Form(""),
) -> Response:
    """The remote's room settings: where results show on phones, whether Next closes."""
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    await Editor(service(request)).set_room_settings(
        code, user, phone_results=phone_results, next_closes=next_closes
    )
    return RedirectResponse(f"/c/{normalise_code(code)}", status_code=303)


@router.post("/c/{code}/answers/{answer_id}")
async def remote_moderate(
    request: Request,
    code: str,
    answer_id: RowId,
    slide: str = Form(""),
    flag: str = Form(...),
    on: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Hide/show or highlight an open answer from the remote, as a plain form post."""
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    if flag not in {"hidden", "highlighted"}:
        raise NotFound(N_("There is no such moderation."))
    await service(request).results.moderate(code, user, slide, answer_id, **{flag: on == "yes"})
    return RedirectResponse(f"/c/{normalise_code(code)}#answer-{answer_id}", status_code=303)


@router.post("/c/{code}/words")
async def remote_hide_word(
    request: Request,
    code: str,
    slide: str = Form(""),
    word: str = Form(""),
    on: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Hide a word of the word cloud (`on=yes`) or show it again, as a plain form post."""
    check_csrf(request, csrf_token)
    user = await facilitator_from_cookie(request)
    await service(request).results.hide_word(code, user, slide, word, hidden=on == "yes")
    return RedirectResponse(f"/c/{normalise_code(code)}#moderation", status_code=303)


@router.get("/sessions", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    user = await facilitator(request)
    if user is None:
        return to_login(request)
    return await dashboard_page(request, user)


async def dashboard_page(
    request: Request, user: User, status_code: int = 200, **notices: Any
) -> Response:
    """The facilitator's sessions and the forms for new ones; a form refused by a POST
    shows it again with its sentence (`notices`, e.g. `new_session_error`)."""
    svc = service(request)
    sessions = await svc.sessions.of_user(user)
    joined = {s.id: await svc.results.joined(s) for s in sessions}
    cofacilitators = await svc.accounts.cofacilitators(sessions)
    context = {"user": user, "sessions": sessions, "joined": joined}
    context |= {"cofacilitators": cofacilitators, **notices}
    return render(request, "dashboard.html", context, status_code=status_code)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/sessions"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/sessions") -> Response:
    first_run = await service(request).accounts.needs_first_administrator()
    context = {"next": _safe_next(next), "failed": False, "first_run": first_run}
    return render(request, "login.html", context)


def _signed_in(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings(request).secure_cookies,
        max_age=int(LOGIN_LIFETIME.total_seconds()),
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    username: str = Form("", max_length=80),
    password: str = Form("", max_length=200),
    next: str = Form("/sessions"),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    limits: Limits = request.app.state.limits
    address = limits.address(request.scope)
    limits.check_login(address, username)  # 429 while this account or address backs off
    svc = service(request)
    user = await svc.access.check_password(username, password)
    if user is None:
        limits.login_failed(address, username)
        context = {"next": _safe_next(next), "failed": True, "username": username}
        return render(request, "login.html", context, status_code=401)
    limits.login_succeeded(username)
    return _signed_in(request, await svc.access.create_login(user), next)


@router.get("/signin/{token}")
async def signin_link(request: Request, token: str, next: str = "/sessions") -> Response:
    """The presenter link `denkdag demo` prints: a sign-in token valid for a few hours."""
    svc = service(request)
    user = await svc.access.user_for_token(token, LINK_TOKEN)
    if user is None:
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "failed": False, "expired": True},
            status_code=401,
        )
    return _signed_in(request, await svc.access.create_login(user), next)


@router.post("/logout")
async def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    token = request.cookies.get(LOGIN_COOKIE)
    if token:
        await service(request).access.logout(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request) -> Response:
    return render(request, "privacy.html", {"retention_days": settings(request).retention_days})


# errors on pages ---------------------------------------------------------------------


_DOWNLOAD = re.compile(r"^(/r/[^/.]+|/events/[^/]+/report)\.[a-z.]+$")
"""A report's download (`/r/CODE.xlsx`, `/events/CODE/report.pdf` …) and, in group 1,
the report page it is downloaded from."""


def _report_of(request: Request) -> str | None:
    """The report page a refused download came from (the facilitator was there a moment
    ago, so the error page leads back to it); None for any other address."""
    download = _DOWNLOAD.match(request.url.path)
    return download.group(1) if download else None


def _same_address(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def _call(handler: Any, request: Request, error: Exception) -> Response:
    response: Response = await handler(request, error)
    return response


def install(app: FastAPI) -> None:
    """Render errors on pages as HTML; the API keeps its JSON errors."""
    json_domain = app.exception_handlers[DomainError]
    json_http = app.exception_handlers[StarletteHTTPException]

    async def domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        if _wants_html(request):
            retry = retry_headers(error)
            page = render(
                request,
                "error.html",
                {
                    "detail": i18n.Refusal(error),
                    "not_found": isinstance(error, NotFound),
                    # A busy or slow build passes: the same address again, later.
                    "again": _same_address(request) if retry else None,
                    "report": _report_of(request),
                },
                status_code=status_of(error),
            )
            page.headers.update(retry or {})
            return page
        return await _call(json_domain, request, error)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if _wants_html(request) and error.status_code in {404, 405}:
            return render(
                request,
                "error.html",
                {"detail": None, "not_found": True},
                status_code=error.status_code,
            )
        return await _call(json_http, request, error)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


__all__ = ["JSONResponse", "router"]
