"""A session's or an event's report as a file: one use case for the web downloads and the
command line, so `/r/CODE.csv` and `denkdag export CODE --format csv` cannot drift apart.

Access is the caller's business (the web checks the facilitator or organiser first; the
command line holds the database); this module only assembles the file. It does so whole in
a worker process (app/in_worker.py): the reads, the report, the file, and the report's web
page alike; only the bytes or the page's text come back to the server's event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from denkdag.app.denkdag import Denkdag
from denkdag.app.events import Events
from denkdag.app.in_worker import in_worker
from denkdag.app.opinions import statement_slides
from denkdag.domain.errors import N_, NotFound
from denkdag.domain.events import Event
from denkdag.domain.kinds.statement import VOTE_ENCODING
from denkdag.domain.kinds.statement_round import APPROVED, DECK_ORIGIN, HIDDEN, RoundData
from denkdag.domain.model import Session, StoredAnswer
from denkdag.formats.compare import Comparison, compare
from denkdag.formats.event_report import EventReport, event_csv, event_json, event_xlsx
from denkdag.formats.export_csv import answers_csv, pseudonym_numbers
from denkdag.formats.export_json import results_document
from denkdag.formats.export_profiles import profile_document
from denkdag.formats.export_quiz import quiz_document
from denkdag.formats.polis_export import (
    ACCEPTED,
    MODERATED_OUT,
    UNMODERATED,
    PolisStatement,
    PolisVote,
    polis_files,
    polis_zip,
)
from denkdag.formats.report_html import printed_logo, render_event_report, render_report
from denkdag.storage.events import EventStore

REPORT_FORMATS = ("json", "csv", "xlsx", "pdf")
"""The report's file formats, for a session and for an event alike."""
POLIS = "polis"
SESSION_FORMATS = (*REPORT_FORMATS, POLIS)
"""A session also comes as its statements and votes in pol.is' open-data layout (a zip
of comments.csv, votes.csv and participants-votes.csv)."""

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    POLIS: "application/zip",
}
SUFFIXES = dict(zip(SESSION_FORMATS, SESSION_FORMATS, strict=True)) | {POLIS: "polis.zip"}
"""A downloaded file's name ends in `.SUFFIX` (`denkdag-CODE.polis.zip`)."""


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
    if fmt not in SESSION_FORMATS:
        raise UnknownFormat(
            N_("The session report comes as .pdf, .xlsx, .csv, .json or .polis.zip.")
        )
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
    compared_with: Session | None = None,
) -> ExportFile:
    """The session's report as `json` (results per slide), `csv` (every answer), `xlsx` (the
    workbook in `language`), `pdf` (the printed report in `language`), or `polis` (its
    statements and votes in pol.is' open-data layout, zipped); the comparison with
    `compared_with` (an earlier run of the deck) goes into the xlsx and pdf.

    Read and built whole in a worker process (app/in_worker.py): only the file comes back."""
    chosen = session_format(fmt)
    other = compared_with.code if compared_with is not None and chosen in {"xlsx", "pdf"} else None
    data = await in_worker(svc, _session_file, session.code, chosen, language, other)
    return ExportFile(f"denkdag-{session.code}.{SUFFIXES[chosen]}", MEDIA_TYPES[chosen], data)


async def session_report_page(
    svc: Denkdag,
    session: Session,
    language: str,
    compared_with: Session | None,
    page: dict[str, Any],
) -> str:
    """The report as the facilitator's web page (`page`: the page's own values), compared
    with `compared_with` if given; read and rendered in a worker process, as the files are."""
    other = compared_with.code if compared_with is not None else None
    return await in_worker(svc, _report_html, session.code, language, other, page)


async def _compared(svc: Denkdag, session: Session, other_code: str | None) -> Comparison | None:
    """The comparison of the session's report with another session's (access checked by
    the caller)."""
    if other_code is None:
        return None
    other = await svc.sessions.get(other_code)
    return compare(await svc.reports.report(session), await svc.reports.report(other))


async def _session_file(
    svc: Denkdag, code: str, chosen: str, language: str, other_code: str | None
) -> bytes:
    """In a worker: the session's file."""
    session = await svc.sessions.get(code)
    comparison = await _compared(svc, session, other_code)
    return await _session_bytes(svc, session, chosen, language, comparison)


async def _report_html(
    svc: Denkdag, code: str, language: str, other_code: str | None, page: dict[str, Any]
) -> str:
    """In a worker: the session's report page."""
    session = await svc.sessions.get(code)
    comparison = await _compared(svc, session, other_code)
    report = await svc.reports.report(session)
    return render_report(report, language=language, comparison=comparison, page=page)


MODERATION = {APPROVED: ACCEPTED, HIDDEN: MODERATED_OUT}
"""A round statement's status as pol.is' `moderated`; any other status (waiting for
approval) is UNMODERATED."""


async def polis_export(svc: Denkdag, session: Session) -> dict[str, str]:
    """The session's statements and votes as pol.is' three files (formats/polis_export.py):
    every column of its opinion map (statement slides and every statement of its statement
    rounds, hidden and waiting ones marked as pol.is marks them) with every vote on them,
    and the groups of the room's last map that may be shown."""
    answers = await svc.store.session_answers(session.id)
    rounds = await svc.rounds.rounds(session)
    numbers = pseudonym_numbers(answers, rounds)
    statements, votes = _conversation(session, answers, rounds, numbers)
    groups: dict[int, int] = {}
    live = await svc.opinions.for_report(session)
    if live is not None and live.map is not None:
        shown = live.shown()
        for participant, group in live.map.group_of().items():
            if group in shown and isinstance(participant, int) and participant in numbers:
                groups[numbers[participant]] = group
    joins = await svc.store.join_times(session.id)
    began = joins[0] if joins else datetime.now(UTC)  # nobody joined: the export's own time
    return polis_files(statements, votes, groups, began)


def _conversation(
    session: Session,
    answers: list[StoredAnswer],
    rounds: list[RoundData],
    numbers: dict[int, int],
) -> tuple[list[PolisStatement], list[PolisVote]]:
    slides = statement_slides(session)
    statements = [PolisStatement(slide_id, text) for slide_id, text in slides.items()]
    votes = [
        PolisVote(numbers[a.participant_id], a.slide_id, VOTE_ENCODING[a.value], a.updated_at)
        for a in answers
        if a.slide_id in slides and a.value in VOTE_ENCODING
    ]
    for data in rounds:
        for statement in data.statements:
            statements.append(
                PolisStatement(
                    f"{data.slide_id}/{statement.id}",
                    statement.text,
                    MODERATION.get(statement.status, UNMODERATED),
                    seed=statement.origin == DECK_ORIGIN,
                    created=statement.created_at,
                )
            )
        votes += [
            PolisVote(
                numbers[v.participant_id],
                f"{data.slide_id}/{v.statement_id}",
                VOTE_ENCODING[v.value],
                v.updated_at,
            )
            for v in data.votes
            if v.value in VOTE_ENCODING
        ]
    return statements, votes


async def _session_bytes(
    svc: Denkdag, session: Session, chosen: str, language: str, comparison: Comparison | None
) -> bytes:
    """In a worker: the session's file in the chosen format."""
    if chosen == "csv":
        answers = await svc.store.session_answers(session.id)
        profile = await svc.profiles.csv_columns(session, answers)
        rounds = await svc.rounds.rounds(session)
        words = await svc.results.hidden_words(session)
        quiz = await svc.quiz.results(session)
        return answers_csv(session, answers, rounds, profile, words, quiz).encode("utf-8")
    if chosen == POLIS:
        return polis_zip(await polis_export(svc, session))
    if chosen == "json":
        return await _json_bytes(svc, session)
    report = await svc.reports.report(session)
    if chosen == "xlsx":
        from denkdag.formats.export_xlsx import report_xlsx  # openpyxl: on first use

        return report_xlsx(report, comparison, language)
    return await svc.reports.pdf(
        partial(render_report, report, language=language, comparison=comparison), session
    )


async def _json_bytes(svc: Denkdag, session: Session) -> bytes:
    """The results per slide as JSON, with the profile aggregates (groups of five or more)
    and the quiz's results (share right per question, ranking by nickname)."""
    tallies = await svc.results.of_session(session)
    document = results_document(session, tallies, await svc.results.joined(session))
    if session.deck.info.profile:
        profiles = (await svc.reports.report(session)).profiles
        document["profile"] = profile_document(profiles) if profiles else None
    quiz = await svc.quiz.results(session)
    if quiz is not None:
        document["quiz"] = quiz_document(quiz)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


async def export_event(svc: Denkdag, event: Event, fmt: str, language: str) -> ExportFile:
    """The event's report as `json`, `csv`, `xlsx` or `pdf` (the printed document in
    `language`, with the event's logo and every room's slide images); read and built whole
    in a worker process (app/in_worker.py), as a session's are. Access is the caller's."""
    chosen = event_format(fmt)
    data = await in_worker(svc, _event_file, event.code, chosen, language)
    return ExportFile(f"denkdag-event-{event.code}.{chosen}", MEDIA_TYPES[chosen], data)


async def event_report_page(svc: Denkdag, event: Event, language: str, page: dict[str, Any]) -> str:
    """The event's report as the organiser's web page, read and rendered in a worker."""
    return await in_worker(svc, _event_html, event.code, language, page)


async def _event_report(svc: Denkdag, code: str) -> EventReport:
    events = Events(svc)
    return await events.report_of(await events.public(code))


async def _event_html(svc: Denkdag, code: str, language: str, page: dict[str, Any]) -> str:
    """In a worker: the event's report page."""
    return render_event_report(await _event_report(svc, code), language=language, page=page)


async def _event_file(svc: Denkdag, code: str, chosen: str, language: str) -> bytes:
    """In a worker: the event's file in the chosen format."""
    report = await _event_report(svc, code)
    if chosen == "json":
        return event_json(report).encode("utf-8")
    if chosen == "csv":
        return event_csv(report).encode("utf-8")
    if chosen == "xlsx":
        return event_xlsx(report, language)
    extra = {}
    logo_path = printed_logo(report.event)
    if logo_path is not None:
        logo = await EventStore(svc.store).logo(report.event.id)
        if logo is not None:
            extra[logo_path] = (logo.content_type, logo.data)
    sessions = [room.session for room in report.rooms]
    render = partial(render_event_report, report, language=language)
    return await svc.reports.pdf(render, *sessions, extra=extra)
