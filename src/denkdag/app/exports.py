"""A session's or an event's report as a file: one use case for the web downloads and the
command line, so `/r/CODE.csv` and `denkdag export CODE --format csv` cannot drift apart.

Access is the caller's business (the web checks the facilitator or organiser first; the
command line holds the database); this module only assembles the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from denkdag.app.denkdag import Denkdag
from denkdag.domain.errors import N_, NotFound
from denkdag.domain.model import Session
from denkdag.formats.compare import Comparison
from denkdag.formats.event_report import EventReport, event_csv, event_json, event_xlsx
from denkdag.formats.export_csv import answers_csv
from denkdag.formats.export_json import results_document
from denkdag.formats.export_profiles import profile_document
from denkdag.formats.report_html import printed_logo, render_event_report, render_report
from denkdag.storage.events import EventStore

REPORT_FORMATS = ("json", "csv", "xlsx", "pdf")
"""The report's file formats, for a session and for an event alike."""

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class UnknownFormat(NotFound):
    """A report format this module does not write (404 on the web: no such download)."""


@dataclass(frozen=True)
class ExportFile:
    """A file to hand over: its name as downloaded, its media type and its bytes."""

    filename: str
    media_type: str
    data: bytes


def session_format(fmt: str) -> str:
    """`fmt` if a session's report comes in it; `UnknownFormat` otherwise."""
    if fmt not in REPORT_FORMATS:
        raise UnknownFormat(N_("The session report comes as .pdf, .xlsx, .csv or .json."))
    return fmt


def event_format(fmt: str) -> str:
    """`fmt` if an event's report comes in it; `UnknownFormat` otherwise (the web asks
    before the access check, so any visitor learns the same from a wrong address)."""
    if fmt not in REPORT_FORMATS:
        raise UnknownFormat(N_("The event report comes as .pdf, .xlsx, .csv or .json."))
    return fmt


async def export_session(
    svc: Denkdag,
    session: Session,
    fmt: str,
    language: str,
    comparison: Comparison | None = None,
) -> ExportFile:
    """The session's report as `json` (results per slide), `csv` (every answer), `xlsx` (the
    workbook in `language`) or `pdf` (the printed report in `language`); `comparison` (with
    an earlier run of the deck) goes into the xlsx and pdf."""
    chosen = session_format(fmt)
    data = await _session_bytes(svc, session, chosen, language, comparison)
    return ExportFile(f"denkdag-{session.code}.{chosen}", MEDIA_TYPES[chosen], data)


async def _session_bytes(
    svc: Denkdag, session: Session, chosen: str, language: str, comparison: Comparison | None
) -> bytes:
    if chosen == "csv":
        answers = await svc.store.session_answers(session.id)
        profile = await svc.profiles.csv_columns(session, answers)
        rounds = await svc.rounds.rounds(session)
        text = answers_csv(
            session, answers, rounds, profile, await svc.results.hidden_words(session)
        )
        return text.encode("utf-8")
    if chosen == "json":
        document = results_document(
            session, await svc.results.of_session(session), await svc.results.joined(session)
        )
        if session.deck.info.profile:  # aggregates by profile group (groups of five or more)
            profiles = (await svc.reports.report(session)).profiles
            document["profile"] = profile_document(profiles) if profiles else None
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    report = await svc.reports.report(session)
    if chosen == "xlsx":
        from denkdag.formats.export_xlsx import report_xlsx  # openpyxl: on first use

        return report_xlsx(report, comparison, language)
    html = render_report(report, language=language, comparison=comparison)
    return await svc.reports.pdf(html, session)


async def export_event(svc: Denkdag, report: EventReport, fmt: str, language: str) -> ExportFile:
    """The event's report as `json`, `csv`, `xlsx` or `pdf` (the printed document in
    `language`, with the event's logo and every room's slide images)."""
    chosen = event_format(fmt)
    data = await _event_bytes(svc, report, chosen, language)
    return ExportFile(f"denkdag-event-{report.event.code}.{chosen}", MEDIA_TYPES[chosen], data)


async def _event_bytes(svc: Denkdag, report: EventReport, chosen: str, language: str) -> bytes:
    if chosen == "json":
        return event_json(report).encode("utf-8")
    if chosen == "csv":
        return event_csv(report).encode("utf-8")
    if chosen == "xlsx":
        return event_xlsx(report)
    html = render_event_report(report, language=language)
    extra = {}
    logo_path = printed_logo(report.event)
    if logo_path is not None:
        logo = await EventStore(svc.store).logo(report.event.id)
        if logo is not None:
            extra[logo_path] = (logo.content_type, logo.data)
    sessions = [room.session for room in report.rooms]
    return await svc.reports.pdf(html, *sessions, extra=extra)
