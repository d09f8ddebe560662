"""A report as a spreadsheet (openpyxl): a summary sheet, one sheet per slide, the answers.

Every cell holding deck or participant text is written as text: openpyxl would otherwise
store a string starting with `=` as a formula, so it gets the CSV export's leading
apostrophe as well (`safe_cell`) and an explicit string type. Participants appear as
pseudonyms only (p1, p2 …, as in the CSV export). A statement round's sheet lists its
visible statements with their votes, and those votes are rows of the Answers sheet
(authors never named). The Answers sheet marks moderation as the CSV export does
(`hidden`, `highlighted`): hidden open answers and words stay in, so an analyst can
filter; the slide sheets, like the report, show what the room saw.
"""

from __future__ import annotations

import io
import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from denkdag.domain.kinds import STANCES, kind_of
from denkdag.domain.kinds.statement_round import NAME as ROUND
from denkdag.domain.numbers import percent
from denkdag.formats.compare import Comparison
from denkdag.formats.export_csv import ANSWER_HEADER, hidden_mark, safe_cell, yes_no
from denkdag.formats.report import Report, SlideResult

if TYPE_CHECKING:  # openpyxl loads when a workbook is written, not with the web server
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

MAX_SHEET_TITLE = 31
SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")


@cache
def bold_font() -> Font:
    """The bold font of header cells (one object, shared by every cell)."""
    from openpyxl.styles import Font

    return Font(bold=True)


_NOT_XML = re.compile("[\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (control characters never reach here: participant text
refuses them). One of them in a cell would make the whole workbook unreadable."""


def xml_safe(value: str) -> str:
    """`value` with what XML cannot hold replaced by U+FFFD (the replacement character)."""
    return _NOT_XML.sub("\ufffd", value)


def put_text(sheet: Worksheet, row: int, column: int, value: str, bold: bool = False) -> None:
    """Write `value` as an inert text cell, never a formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = xml_safe(safe_cell(value))
    cell.data_type = "s"
    if bold:
        cell.font = bold_font()


def put_number(sheet: Worksheet, row: int, column: int, value: float | int) -> None:
    sheet.cell(row=row, column=column, value=value)


def put_row(sheet: Worksheet, row: int, values: tuple[Any, ...], bold: bool = False) -> None:
    """Strings as text cells, numbers as numbers."""
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            put_text(sheet, row, column, value, bold)
        elif value is not None:
            put_number(sheet, row, column, value)
            if bold:
                sheet.cell(row=row, column=column).font = bold_font()


def sheet_title(position: int, title: str, taken: set[str]) -> str:
    """`3 Hoe wil je …`: position first so titles stay unique, Excel's rules kept."""
    base = f"{position} {SHEET_UNSAFE.sub(' ', title)}".strip()[:MAX_SHEET_TITLE].strip()
    name, suffix = base, 2
    while name.casefold() in taken:
        tail = f" ({suffix})"
        name = base[: MAX_SHEET_TITLE - len(tail)] + tail
        suffix += 1
    taken.add(name.casefold())
    return name


def _answer_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)
    return json.dumps(value, ensure_ascii=False)


def summary_sheet(sheet: Worksheet, report: Report) -> None:
    info = report.info
    facts = (
        ("Session", info.title),
        ("Event", info.event),
        ("Date", info.date),
        ("Venue", info.venue),
        ("Presenter", ", ".join(part for part in (info.presenter, info.role) if part)),
        ("Join code", report.code),
        ("Report made (UTC)", report.generated_at.strftime("%Y-%m-%d %H:%M")),
    )
    for row, (label, value) in enumerate(facts, 1):
        put_text(sheet, row, 1, label, bold=True)
        put_text(sheet, row, 2, value)
    row = len(facts) + 2
    put_text(sheet, row, 1, "Joined", bold=True)
    put_number(sheet, row, 2, report.participation.joined)
    put_text(sheet, row + 1, 1, "Answered at least once", bold=True)
    put_number(sheet, row + 1, 2, report.participation.answered)
    row += 3
    put_row(sheet, row, ("#", "Kind", "Title", "Respondents", "Share of joined (%)"), bold=True)
    joined = report.participation.joined
    for result in report.slides:
        row += 1
        asks = kind_of(result.slide.kind).asks
        respondents = result.tally.respondents
        share = percent(respondents, joined) if joined and asks else None
        put_row(
            sheet,
            row,
            (
                result.position,
                result.slide.kind,
                result.slide.statement or result.slide.title,
                respondents if asks else None,
                share,
            ),
        )
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 13
    sheet.column_dimensions["E"].width = 18


def _rows_of(result: SlideResult) -> list[tuple[str, str]]:
    """(key, label) of each answer the slide's tally counts."""
    slide = result.slide
    rows = kind_of(slide.kind).rows
    if rows == "stances":
        return [(stance, stance) for stance in STANCES]
    if slide.options:
        return [(option.id, option.label) for option in slide.options]
    return [(key, key) for key in result.tally.counts]


def slide_sheet(sheet: Worksheet, result: SlideResult) -> None:
    slide = result.slide
    put_text(sheet, 1, 1, "Slide", bold=True)
    put_number(sheet, 1, 2, result.position)
    put_text(sheet, 2, 1, "Kind", bold=True)
    put_text(sheet, 2, 2, slide.kind + (" (several answers)" if slide.multiple else ""))
    put_text(sheet, 3, 1, "Title", bold=True)
    put_text(sheet, 3, 2, slide.title)
    row = 4
    if slide.section:
        put_text(sheet, row, 1, "Section", bold=True)
        put_text(sheet, row, 2, slide.section)
        row += 1
    if slide.statement:
        put_text(sheet, row, 1, "Statement", bold=True)
        put_text(sheet, row, 2, slide.statement)
        row += 1
    if slide.body:
        put_text(sheet, row, 1, "Text", bold=True)
        put_text(sheet, row, 2, slide.body)
        from openpyxl.styles import Alignment

        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    if kind_of(slide.kind).tally_source == "round":
        _round_statements(sheet, row, result)
    elif kind_of(slide.kind).asks:
        put_text(sheet, row, 1, "Respondents", bold=True)
        put_number(sheet, row, 2, result.tally.respondents)
        row += 2
        put_row(sheet, row, ("Answer", "Label", "Count", "Percentage"), bold=True)
        for key, label in _rows_of(result):
            row += 1
            put_row(sheet, row, (key, label, result.tally.counts.get(key, 0)))
            put_number(sheet, row, 4, result.percentage(key))
        descriptions = [o for o in slide.options if o.description]
        if descriptions:
            row += 2
            put_row(sheet, row, ("Answer", "Description"), bold=True)
            for option in descriptions:
                row += 1
                put_row(sheet, row, (option.label, option.description))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70


def _round_statements(sheet: Worksheet, row: int, result: SlideResult) -> None:
    """A statement round: voters and votes, then each visible statement with its votes."""
    extra = result.tally.extra
    put_text(sheet, row, 1, "Voters", bold=True)
    put_number(sheet, row, 2, result.tally.respondents)
    put_text(sheet, row + 1, 1, "Votes", bold=True)
    put_number(sheet, row + 1, 2, int(extra.get("votes", 0)))
    put_text(sheet, row + 2, 1, "Left out", bold=True)
    put_text(
        sheet,
        row + 2,
        2,
        f"{extra.get('hidden', 0)} hidden, {extra.get('pending', 0)} waiting for approval",
    )
    row += 4
    header = ("Id", "Statement", "From", "Agree", "Disagree", "Pass", "Votes", "Agree (%)")
    put_row(sheet, row, header, bold=True)
    for entry in extra.get("statements", ()):
        row += 1
        put_row(
            sheet,
            row,
            (
                str(entry["id"]),
                str(entry["text"]),
                str(entry["origin"]),
                int(entry["agree"]),
                int(entry["disagree"]),
                int(entry["pass"]),
                int(entry["votes"]),
                int(entry["agree_share"]),
            ),
        )


def _answers(sheet: Worksheet, report: Report) -> None:
    put_row(sheet, 1, ANSWER_HEADER, bold=True)
    slides = {r.slide.id: r for r in report.slides}
    rows = sorted(report.answers, key=lambda a: (slides[a.slide_id].position, a.participant_id))
    for row, answer in enumerate(rows, 2):
        slide = slides[answer.slide_id].slide
        put_row(
            sheet,
            row,
            (
                report.code,
                slide.id,
                slide.kind,
                slide.title,
                report.pseudonyms[answer.participant_id],
                _answer_text(answer.value),
                answer.updated_at.isoformat(timespec="seconds"),
                hidden_mark(slide, answer, report.hidden_words.get(slide.id, ())),
                yes_no(answer.highlighted),
            ),
        )
    row = len(rows) + 1
    texts = {
        f"{r.slide.id}/{entry['id']}": str(entry["text"])
        for r in report.slides
        if kind_of(r.slide.kind).tally_source == "round"
        for entry in r.tally.extra.get("statements", ())
    }
    for slide_id, vote in report.round_votes:
        column = f"{slide_id}/{vote.statement_id}"
        if column not in texts:
            continue
        row += 1
        when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
        values = (report.code, column, ROUND, texts[column])
        pseudonym = report.pseudonyms[vote.participant_id]
        put_row(sheet, row, (*values, pseudonym, vote.value, when, "no", "no"))
    for slide_id, vote, text in report.moderated_votes:
        row += 1
        when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
        values = (report.code, f"{slide_id}/{vote.statement_id}", "conversation", text)
        pseudonym = report.pseudonyms[vote.participant_id]
        put_row(sheet, row, (*values, pseudonym, vote.value, when, "yes", "no"))
    for column, width in zip("ABCDEFGHI", (10, 8, 10, 40, 11, 20, 22, 10, 11), strict=True):
        sheet.column_dimensions[column].width = width


def _comparison(sheet: Worksheet, comparison: Comparison) -> None:
    put_text(sheet, 1, 1, "Compared with", bold=True)
    put_text(sheet, 1, 2, f"{comparison.earlier_title} ({comparison.earlier_code})")
    header = ("#", "Question", "Answer", "Then (%)", "Now (%)", "Change (pp)", "n then", "n now")
    put_row(sheet, 3, header, bold=True)
    row = 3
    for change in comparison.slides:
        slide = change.current.slide
        for line in change.rows:
            row += 1
            put_row(
                sheet,
                row,
                (
                    change.current.position,
                    slide.statement or slide.title,
                    line.label,
                    line.before,
                    line.now,
                    line.points,
                    change.earlier.tally.respondents,
                    change.current.tally.respondents,
                ),
            )
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 24


def report_xlsx(report: Report, comparison: Comparison | None = None) -> bytes:
    """The workbook's bytes: Summary, one sheet per slide, Answers (and Comparison)."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    summary_sheet(summary, report)
    taken = {"summary", "answers", "comparison", "breakdown"}
    for result in report.slides:
        title = sheet_title(result.position, result.slide.title, taken)
        slide_sheet(workbook.create_sheet(title), result)
    _answers(workbook.create_sheet("Answers"), report)
    if report.profiles is not None:
        from denkdag.formats.export_profiles import breakdown_sheet  # it uses put_row above

        breakdown_sheet(workbook.create_sheet("Breakdown"), report)
    if comparison is not None:
        _comparison(workbook.create_sheet("Comparison"), comparison)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
