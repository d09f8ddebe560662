"""Personal invitation codes as a printable sheet: one code, one voice.

For formal votes a facilitator hands every participant a slip with a code of their own.
Only the codes' hashes are stored, so the sheet is shown once, when the codes are made:
print it then.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.security import format_code
from denkdag.web.auth import check_csrf, facilitator, facilitator_from_cookie, service
from denkdag.web.pages import join_url
from denkdag.web.templating import render

MAX_CODES = 2000
router = APIRouter(include_in_schema=False)


@router.get("/c/{code}/invitations", response_class=HTMLResponse)
async def invitations_form(request: Request, code: str) -> Response:
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next=/c/{code}/invitations", status_code=303)
    session = await service(request).access.facilitated(code, user)
    context = {"session": session, "codes": None, "max_codes": MAX_CODES}
    return render(request, "invitations.html", context, session=session)


@router.post("/c/{code}/invitations", response_class=HTMLResponse)
async def make_invitations(request: Request, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    svc = service(request)
    session = await svc.access.facilitated(code, await facilitator_from_cookie(request))
    try:
        count = int(str(form.get("count", "")))
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_CODES:
        raise InvalidAnswer(N_("Ask for 1 to %(most)s codes."), most=MAX_CODES)
    codes = await svc.participation.create_invitations(session, count)
    context = {
        "session": session,
        "codes": codes,
        "max_codes": MAX_CODES,
        "join_url": join_url(request, session.code),
        "join_code": format_code(session.code),
    }
    response = render(request, "invitations.html", context, session=session)
    response.headers["Cache-Control"] = "no-store"
    return response
