"""The event's report: `/events/{code}/report` on screen and its downloads
`.pdf`, `.xlsx`, `.csv`, `.json`.

The same access rule as the event's other organiser pages (`Events.owned`): only the
event's organiser; anyone else signed in gets 403 with nothing of the event in it, and a
browser that is not signed in is sent to the sign-in page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from denkdag.app.events import Events
from denkdag.app.exports import event_format, event_report_page, export_event
from denkdag.domain.events import Event
from denkdag.web import i18n
from denkdag.web.auth import facilitator, service

router = APIRouter(include_in_schema=False)


async def _language(request: Request, event: Event) -> str:
    """?lang=, the language cookie, the plenary's (first session's) deck, the browser."""
    deck = await Events(service(request)).plenary_language(event)
    return i18n.request_language(request, deck)


async def _event(request: Request, event_code: str) -> Event | Response:
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return await Events(service(request)).owned(event_code, user)


@router.get("/events/{event_code}/report", response_class=HTMLResponse)
async def report_page(request: Request, event_code: str) -> Response:
    event = await _event(request, event_code)
    if isinstance(event, Response):
        return event
    language = await _language(request, event)
    page = {"languages": i18n.LANGUAGE_NAMES}
    html = await event_report_page(service(request), event, language, page)
    response = HTMLResponse(html, headers={"Cache-Control": "no-cache"})
    i18n.remember_language(request, response)
    return response


@router.get("/events/{event_code}/report.{extension}")
async def report_download(request: Request, event_code: str, extension: str) -> Response:
    """`.pdf`, `.xlsx`, `.csv` or `.json` (`app.exports.export_event`); any other: 404."""
    event_format(extension)
    event = await _event(request, event_code)
    if isinstance(event, Response):
        return event
    file = await export_event(service(request), event, extension, await _language(request, event))
    return Response(
        file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )
