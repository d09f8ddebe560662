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
from denkdag.app.exports import event_format, export_event
from denkdag.formats.event_report import EventReport
from denkdag.formats.report_html import render_event_report
from denkdag.web import i18n
from denkdag.web.auth import facilitator, service

router = APIRouter(include_in_schema=False)


def _language(request: Request, report: EventReport) -> str:
    """?lang=, the language cookie, the plenary's (first session's) deck, the browser."""
    deck = report.rooms[0].session.deck.info.language if report.rooms else None
    return i18n.request_language(request, deck)


async def _report(request: Request, event_code: str) -> EventReport | Response:
    user = await facilitator(request)
    if user is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return await Events(service(request)).report(event_code, user)


@router.get("/events/{event_code}/report", response_class=HTMLResponse)
async def report_page(request: Request, event_code: str) -> Response:
    report = await _report(request, event_code)
    if isinstance(report, Response):
        return report
    language = _language(request, report)
    page = {"languages": i18n.LANGUAGE_NAMES}
    html = await service(request).reports.heavy.run(  # off the event loop (app/heavy.py)
        render_event_report, report, language=language, page=page
    )
    response = HTMLResponse(html, headers={"Cache-Control": "no-cache"})
    i18n.remember_language(request, response)
    return response


@router.get("/events/{event_code}/report.{extension}")
async def report_download(request: Request, event_code: str, extension: str) -> Response:
    """`.pdf`, `.xlsx`, `.csv` or `.json` (`app.exports.export_event`); any other: 404."""
    event_format(extension)
    report = await _report(request, event_code)
    if isinstance(report, Response):
        return report
    file = await export_event(service(request), report, extension, _language(request, report))
    return Response(
        file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )
