"""An event's report: every room's session report, participation per room and
the rooms side by side, and its exports (CSV, JSON, XLSX; the PDF is the HTML printed).

Built from the session reports (`formats/report.py`), one per room, and the side-by-side
figures of `Events.shared` (plain values), so the page, the PDF and the files show the
same figures. Participants appear as pseudonyms only, numbered across the whole event
(p1, p2 … in order of joining, whatever their room: a participant belongs to one
session), so no two rooms' participants share a name; no token, name or address is here.
Profile breakdowns are each room's own (groups under five never shown on their own).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from denkdag.domain.errors import N_
from denkdag.domain.events import Event
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.statement_round import NAME as ROUND
from denkdag.domain.model import Session
from denkdag.domain.numbers import percent
from denkdag.formats.export_csv import ANSWER_HEADER, hidden_mark, safe_cell, yes_no
from denkdag.formats.export_json import results_document
from denkdag.formats.export_xlsx import (
    MAX_SHEET_TITLE,
    SHEET_UNSAFE,
    Gettext,
    put_row,
    put_text,
    slide_sheet,
    summary_sheet,
    workbook_words,
)
from denkdag.formats.report import Report, pseudonyms

if TYPE_CHECKING:  # openpyxl loads when a workbook is written (export_xlsx.py)
    from openpyxl.worksheet.worksheet import Worksheet

CSV_HEADER = (*ANSWER_HEADER[:1], N_("room"), *ANSWER_HEADER[1:])
"""`hidden` and `highlighted` mark moderation as in a session's CSV export (export_csv.py)."""
PROFILE_IDS = ("p1", "p2")
"""A deck asks at most two profile questions, `p1` and `p2` (domain/profiles.py)."""


@dataclass(frozen=True)
class RoomReport:
    """One session of the event with its place in it and its own report."""

    session: Session
    role: str
    """plenary or working"""
    room: str
    report: Report

    @property
    def code(self) -> str:
        return self.session.code

    @property
    def label(self) -> str:
        """The room's name, or the session's title when no room is given."""
        return self.room or self.session.title

    @property
    def asked(self) -> tuple[Any, ...]:
        """The slide results of the slides that ask something."""
        return tuple(r for r in self.report.slides if kind_of(r.slide.kind).asks)


@dataclass(frozen=True)
class EventReport:
    """Everything an event's report shows."""

    event: Event
    rooms: tuple[RoomReport, ...]
    """Plenary first, then the working sessions in the event's order."""
    shared: tuple[Mapping[str, Any], ...]
    """The questions asked in two or more rooms, as `Events.shared` gives them."""
    generated_at: datetime

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def joined(self) -> int:
        return sum(room.report.participation.joined for room in self.rooms)

    @property
    def answered(self) -> int:
        return sum(room.report.participation.answered for room in self.rooms)

    def pseudonyms(self) -> dict[int, str]:
        """Participant id → p1, p2 … across the event (ids grow as people join)."""
        return pseudonyms(pid for room in self.rooms for pid in room.report.pseudonyms)


# rows of answers ----------------------------------------------------------------------


def _answer_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)
    return json.dumps(value, ensure_ascii=False)


def answer_rows(event: EventReport) -> Iterator[tuple[RoomReport, int, tuple[str, ...]]]:
    """(room, participant id, row of CSV_HEADER) of every answer, room by room, slide by
    slide; a statement round's votes as rows of `round/id` (those on statements hidden or
    waiting for approval last, marked hidden)."""
    names = event.pseudonyms()
    for room in event.rooms:
        report = room.report
        slides = {r.slide.id: r for r in report.slides}
        for answer in sorted(
            report.answers, key=lambda a: (slides[a.slide_id].position, a.participant_id)
        ):
            slide = slides[answer.slide_id].slide
            row = (
                room.code,
                room.label,
                slide.id,
                slide.kind,
                slide.title,
                names[answer.participant_id],
                _answer_text(answer.value),
                answer.updated_at.isoformat(timespec="seconds"),
                hidden_mark(slide, answer, report.hidden_words.get(slide.id, ())),
                yes_no(answer.highlighted),
            )
            yield room, answer.participant_id, row
        texts = {
            f"{r.slide.id}/{entry['id']}": str(entry["text"])
            for r in report.slides
            if kind_of(r.slide.kind).tally_source == "round"
            for entry in r.tally.extra.get("statements", ())
        }
        votes = sorted(
            report.round_votes,
            key=lambda item: (
                slides[item[0]].position,
                item[1].statement_id,
                item[1].participant_id,
            ),
        )
        for slide_id, vote in votes:
            column = f"{slide_id}/{vote.statement_id}"
            if column not in texts:
                continue
            when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
            row = (
                room.code,
                room.label,
                column,
                ROUND,
                texts[column],
                names[vote.participant_id],
                vote.value,
                when,
                "no",
                "no",
            )
            yield room, vote.participant_id, row
        for slide_id, vote, text in report.moderated_votes:  # on statements not shown
            when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
            column = f"{slide_id}/{vote.statement_id}"
            values = (room.code, room.label, column, ROUND, text, names[vote.participant_id])
            yield room, vote.participant_id, (*values, vote.value, when, "yes", "no")


def _profile_cells(room: RoomReport, participant_id: int, wanted: Sequence[str]) -> list[str]:
    """The participant's profile groups where the room's report discloses them (the
    session export's rule), "" where the room asks no such question."""
    profiles = room.report.profiles
    if profiles is None:
        return ["" for _ in wanted]
    asked = {question.id for question in profiles.questions}
    labels = profiles.labels.get(participant_id, {})
    return [labels.get(qid, "hidden") if qid in asked else "" for qid in wanted]


def _profile_ids(event: EventReport) -> list[str]:
    asked = {
        question.id
        for room in event.rooms
        if room.report.profiles is not None
        for question in room.report.profiles.questions
    }
    return [qid for qid in PROFILE_IDS if qid in asked]


# CSV ---------------------------------------------------------------------------------


def event_csv(event: EventReport) -> str:
    """One row per answer, with its session and room; participants p1, p2 … unique across
    the event; cells a spreadsheet would run as a formula made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    profile = _profile_ids(event)
    writer.writerow([*CSV_HEADER, *(f"profile_{qid}" for qid in profile)])
    for room, participant_id, row in answer_rows(event):
        cells = [safe_cell(value) for value in row]
        writer.writerow(
            [*cells, *(safe_cell(c) for c in _profile_cells(room, participant_id, profile))]
        )
    return buffer.getvalue()


# JSON --------------------------------------------------------------------------------


def _participation(room: RoomReport) -> dict[str, Any]:
    p = room.report.participation
    return {
        "joined": p.joined,
        "answered": p.answered,
        "slides": {r.slide.id: r.tally.respondents for r in room.asked},
    }


def event_document(event: EventReport) -> dict[str, Any]:
    """The event, each room's participation and results, and the rooms side by side."""
    from denkdag.formats.export_profiles import profile_document  # it imports export_xlsx

    info = event.event
    rooms = []
    for room in event.rooms:
        report = room.report
        joined = report.participation.joined
        results = results_document(room.session, [r.tally for r in report.slides], joined)
        if report.profiles is not None:  # aggregates by profile group (five or more)
            results["profile"] = profile_document(report.profiles)
        rooms.append(
            {
                "code": room.code,
                "role": room.role,
                "room": room.room,
                "title": room.session.title,
                "participation": _participation(room),
                "results": results,
            }
        )
    return {
        "event": {
            "code": info.code,
            "title": info.title,
            "date": info.date.isoformat() if info.date else None,
            "venue": info.venue,
            "primary_colour": info.primary,
            "secondary_colour": info.secondary,
        },
        "generated_at": event.generated_at.isoformat(timespec="seconds"),
        "participation": {"joined": event.joined, "answered": event.answered},
        "rooms": rooms,
        "shared": [dict(question) for question in event.shared],
    }


def event_json(event: EventReport) -> str:
    return json.dumps(event_document(event), ensure_ascii=False, indent=2) + "\n"


# spreadsheet -------------------------------------------------------------------------


ROLE_NAMES = {"plenary": N_("Plenary"), "working": N_("Working session")}


def _event_summary(sheet: Worksheet, event: EventReport, _: Gettext) -> None:
    info = event.event
    facts = (
        (_("Event"), info.title),
        (_("Date"), info.date.isoformat() if info.date else ""),
        (_("Venue"), info.venue),
        (_("Event code"), info.code),
        (_("Report made (UTC)"), event.generated_at.strftime("%Y-%m-%d %H:%M")),
    )
    for row, (label, value) in enumerate(facts, 1):
        put_text(sheet, row, 1, label, bold=True)
        put_text(sheet, row, 2, value)
    row = len(facts) + 2
    header = (
        _("Room"),
        _("Role"),
        _("Session"),
        _("Join code"),
        _("Joined"),
        _("Answered at least once"),
    )
    put_row(sheet, row, header, bold=True)
    for room in event.rooms:
        row += 1
        p = room.report.participation
        role = _(ROLE_NAMES[room.role]) if room.role in ROLE_NAMES else room.role
        put_row(sheet, row, (room.label, role, room.session.title, room.code, p.joined, p.answered))
    row += 1
    put_row(sheet, row, (_("All rooms"), "", "", "", event.joined, event.answered), bold=True)
    row += 2
    share_of_joined = _("Share of joined")
    columns = (_("Room"), "#", _("Question"), _("Answered"), f"{share_of_joined} (%)")
    put_row(sheet, row, columns, bold=True)
    for room in event.rooms:
        joined = room.report.participation.joined
        for result in room.asked:
            row += 1
            respondents = result.tally.respondents
            share = percent(respondents, joined)
            title = result.slide.statement or result.slide.title
            put_row(sheet, row, (room.label, result.position, title, respondents, share))
    for column, width in zip("ABCDEF", (24, 10, 50, 12, 12, 22), strict=True):
        sheet.column_dimensions[column].width = width


def _side_by_side(sheet: Worksheet, event: EventReport, _: Gettext) -> None:
    """Each shared question: a row per answer, count and percentage per room and overall."""
    row = 1
    if not event.shared:
        put_text(sheet, row, 1, _("No question is asked in two or more rooms."))
        return
    for question in event.shared:
        rooms = question["rooms"]
        put_text(sheet, row, 1, str(question["kind"]), bold=True)
        put_text(sheet, row, 2, str(question["text"]), bold=True)
        row += 1
        header: list[str] = [_("Answer")]
        everyone = _("All rooms")
        for room in rooms:
            name = str(room["room"] or room["title"])
            header += [f"{name} (n)", f"{name} (%)"]
        header += [f"{everyone} (n)", f"{everyone} (%)"]
        put_row(sheet, row, tuple(header), bold=True)
        for answer in question["answers"]:
            row += 1
            key = answer["key"]
            values: list[Any] = [str(answer["label"])]
            for column in (*rooms, question["overall"]):
                values += [
                    int(column["counts"].get(key, 0)),
                    int(column["percentages"].get(key, 0)),
                ]
            put_row(sheet, row, tuple(values))
        row += 1
        respondents: list[Any] = [_("Respondents")]
        for column in (*rooms, question["overall"]):
            respondents += [int(column["respondents"]), None]
        put_row(sheet, row, tuple(respondents), bold=True)
        row += 2
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14


def _room_sheet_title(prefix: str, title: str, taken: set[str]) -> str:
    """`R2 Zaal 1`, `R2.3 Akkoord…`: the room's number first, names unique (Excel's
    rules kept, as `export_xlsx.sheet_title` does for a session's slides)."""
    base = f"{prefix} {SHEET_UNSAFE.sub(' ', title)}".strip()[:MAX_SHEET_TITLE].strip()
    name, suffix = base, 2
    while name.casefold() in taken:
        tail = f" ({suffix})"
        name = base[: MAX_SHEET_TITLE - len(tail)] + tail
        suffix += 1
    taken.add(name.casefold())
    return name


def _answers(sheet: Worksheet, event: EventReport, _: Gettext) -> None:
    put_row(sheet, 1, tuple(_(name) for name in CSV_HEADER), bold=True)
    for number, (_room, _slide, row) in enumerate(answer_rows(event), 2):
        put_row(sheet, number, row)
    widths = (10, 16, 8, 10, 40, 11, 20, 22, 10, 11)
    for column, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[column].width = width


def event_xlsx(event: EventReport, language: str = "en") -> bytes:
    """Summary (participation per room), Side by side, then per room its summary and a
    sheet per slide (`R2.3 …`: room 2, slide 3), every answer, and a room's breakdown by
    profile group when it asks profile questions; its words in `language`."""
    from openpyxl import Workbook

    from denkdag.formats.export_profiles import breakdown_sheet  # it imports export_xlsx

    _ = workbook_words(language)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    fixed = {
        "Summary": _("Summary"),
        "Side by side": _("Side by side"),
        "Answers": _("Answers"),
        "Breakdown": _("Breakdown"),
    }
    summary.title = fixed["Summary"]
    _event_summary(summary, event, _)
    _side_by_side(workbook.create_sheet(fixed["Side by side"]), event, _)
    taken = {fixed[key].casefold() for key in ("Summary", "Side by side", "Answers")}
    names = event.pseudonyms()
    for index, room in enumerate(event.rooms, 1):
        sheet = workbook.create_sheet(_room_sheet_title(f"R{index}", room.label, taken))
        summary_sheet(sheet, room.report, _)
        for result in room.report.slides:
            title = _room_sheet_title(f"R{index}.{result.position}", result.slide.title, taken)
            slide_sheet(workbook.create_sheet(title), result, _)
        if room.report.profiles is not None:
            title = _room_sheet_title(f"R{index}", fixed["Breakdown"], taken)
            named = {pid: names[pid] for pid in room.report.pseudonyms}  # the event's names
            breakdown_sheet(workbook.create_sheet(title), replace(room.report, pseudonyms=named), _)
    _answers(workbook.create_sheet(fixed["Answers"]), event, _)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
