"""A report as a spreadsheet (openpyxl) an organiser can hand on unchanged: a summary
sheet, one sheet per slide with the figures the report shows, the answers.

The workbook speaks the report's language: every sheet title, header and fixed word goes
through the interface catalogue (`_`, a gettext; English when none is given). Every figure
comes from the report model (formats/report.py) and the kinds' tallies in it, so the
spreadsheet, the web report and the PDF cannot disagree; percentages are stored as numbers
(the share as a fraction, shown with a `%` format), means and average ranks as numbers with
one decimal shown.

Every cell holding deck or participant text is written as text: openpyxl would otherwise
store a string starting with `=` as a formula, so it gets the CSV export's leading
apostrophe as well (`safe_cell`) and an explicit string type. Participants appear as
pseudonyms only (p1, p2 …, as in the CSV export). A statement round's sheet lists its
visible statements with their votes, and those votes are rows of the Answers sheet
(authors never named). The Answers sheet marks moderation as the CSV export does
(`hidden`, `highlighted`): hidden open answers and words stay in, so an analyst can
filter; the slide sheets show what the room saw, and an open answer's sheet lists every
answer with its moderation mark.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from denkdag.domain.errors import N_
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.statement_round import NAME as ROUND
from denkdag.domain.model import Slide, StoredAnswer
from denkdag.domain.numbers import percent
from denkdag.formats.compare import Comparison
from denkdag.formats.export_csv import hidden_mark, safe_cell
from denkdag.formats.report import Report, SlideResult

if TYPE_CHECKING:  # openpyxl loads when a workbook is written, not with the web server
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

Gettext = Callable[[str], str]
"""A catalogue's `gettext`: the workbook's fixed words in the report's language."""

MAX_SHEET_TITLE = 31
SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")
PERCENT_FORMAT = "0%"
"""Whole percentages, as the report shows them (the cell holds the share, 0–1)."""
DECIMAL_FORMAT = "0.0"
"""Means and average ranks, one decimal as the report shows them."""
MIN_WIDTH, MAX_WIDTH = 8, 60
CHART_COLUMN_GAP = 2
"""Empty columns between a table and the chart beside it."""

STANCE_WORDS = {"agree": N_("Agree"), "disagree": N_("Disagree"), "pass": N_("Pass")}


def english(message: str) -> str:
    """The gettext of the source language: every message as written."""
    return message


def workbook_words(language: str) -> Gettext:
    """The gettext of `language`'s interface catalogue (English without one)."""
    from denkdag.formats.templating import translations

    return translations(language).gettext


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


def put_number(
    sheet: Worksheet, row: int, column: int, value: float | int, number_format: str = ""
) -> None:
    """Write `value` as a number, shown with `number_format` when given."""
    cell = sheet.cell(row=row, column=column, value=value)
    if number_format:
        cell.number_format = number_format


def put_share(sheet: Worksheet, row: int, column: int, whole_percent: int) -> None:
    """A whole percentage (as the report rounds it) as a number with a `%` format."""
    put_number(sheet, row, column, whole_percent / 100, PERCENT_FORMAT)


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
    return unique_title(f"{position} {title}", taken)


def unique_title(title: str, taken: set[str]) -> str:
    """`title` within Excel's rules for sheet names, made unique among `taken`."""
    base = SHEET_UNSAFE.sub(" ", title).strip()[:MAX_SHEET_TITLE].strip()
    name, suffix = base, 2
    while name.casefold() in taken:
        tail = f" ({suffix})"
        name = base[: MAX_SHEET_TITLE - len(tail)] + tail
        suffix += 1
    taken.add(name.casefold())
    return name


def table(sheet: Worksheet, header_row: int, last_row: int, columns: int) -> None:
    """The table from `header_row` down: header frozen, auto-filter on every column."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = max(last_row, header_row)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{last}"


def fit_columns(sheet: Worksheet, widest: int = MAX_WIDTH) -> None:
    """Each column as wide as its longest value, within sensible bounds."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            length = len(str(cell.value)) if isinstance(cell.value, str) else 8
            widths[cell.column] = max(widths.get(cell.column, 0), length + 2)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(widest, width))


KIND_NAMES = {ROUND: N_("Statement round")}
"""Names of the kinds the editor's menu does not list (their `label` is empty)."""


def kind_name(kind: str, _: Gettext) -> str:
    """A kind as the editor's menu names it ("Multiple choice", "Meerkeuze"), in the
    workbook's language; never its key."""
    label = kind_of(kind).label or KIND_NAMES.get(kind)
    return _(label) if label else kind


def summary_sheet(sheet: Worksheet, report: Report, _: Gettext = english) -> None:
    """The session's facts, participation and one line per slide."""
    info = report.info
    facts = (
        (_("Session"), info.title),
        (_("Event"), info.event),
        (_("Date"), info.date),
        (_("Venue"), info.venue),
        (_("Presenter"), ", ".join(part for part in (info.presenter, info.role) if part)),
        (_("Join code"), report.code),
        (_("Report made (UTC)"), report.generated_at.strftime("%Y-%m-%d %H:%M")),
    )
    for row, (label, value) in enumerate(facts, 1):
        put_text(sheet, row, 1, label, bold=True)
        put_text(sheet, row, 2, value)
    row = len(facts) + 2
    put_text(sheet, row, 1, _("Joined"), bold=True)
    put_number(sheet, row, 2, report.participation.joined)
    put_text(sheet, row + 1, 1, _("Answered at least once"), bold=True)
    put_number(sheet, row + 1, 2, report.participation.answered)
    row += 3
    header_row = row
    header = ("#", _("Kind"), _("Question"), _("Respondents"), _("Share of joined"))
    put_row(sheet, row, header, bold=True)
    joined = report.participation.joined
    for result in report.slides:
        row += 1
        asks = kind_of(result.slide.kind).asks
        respondents = result.tally.respondents
        put_row(
            sheet,
            row,
            (
                result.position,
                kind_name(result.slide.kind, _),
                result.slide.statement or result.slide.title,
                respondents if asks else None,
            ),
        )
        if joined and asks:
            put_share(sheet, row, 5, percent(respondents, joined))
    table(sheet, header_row, row, len(header))
    fit_columns(sheet)


def _counted_rows(result: SlideResult, _: Gettext) -> list[tuple[str, str]]:
    """(key, label) of each answer a counting kind's tally shows (options or stances)."""
    slide = result.slide
    rows = kind_of(slide.kind).rows
    if rows == "stances":
        return [(stance, _(word)) for stance, word in STANCE_WORDS.items()]
    if slide.options:
        return [(option.id, option.label) for option in slide.options]
    return [(key, key) for key in result.tally.counts]


def _facts(sheet: Worksheet, result: SlideResult, _: Gettext) -> int:
    """The slide's facts at the top of its sheet; the next free row."""
    slide = result.slide
    put_text(sheet, 1, 1, _("Slide"), bold=True)
    put_number(sheet, 1, 2, result.position)
    put_text(sheet, 2, 1, _("Kind"), bold=True)
    several = _("several answers allowed")
    put_text(sheet, 2, 2, kind_name(slide.kind, _) + (f" ({several})" if slide.multiple else ""))
    put_text(sheet, 3, 1, _("Title"), bold=True)
    put_text(sheet, 3, 2, slide.title)
    row = 4
    if slide.section:
        put_text(sheet, row, 1, _("Section"), bold=True)
        put_text(sheet, row, 2, slide.section)
        row += 1
    if slide.statement:
        put_text(sheet, row, 1, _("Statement"), bold=True)
        put_text(sheet, row, 2, slide.statement)
        row += 1
    if slide.body:
        put_text(sheet, row, 1, _("Text"), bold=True)
        put_text(sheet, row, 2, slide.body)
        from openpyxl.styles import Alignment

        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    return row


def slide_sheet(sheet: Worksheet, result: SlideResult, _: Gettext = english) -> None:
    """One slide: its facts, then its figures as the report shows them, as a table with a
    frozen header and filters (and a bar chart beside it where the report draws bars)."""
    slide = result.slide
    kind = kind_of(slide.kind)
    row = _facts(sheet, result, _)
    if kind.tally_source == "round":
        _round_statements(sheet, row, result, _)
    elif kind.asks:
        put_text(sheet, row, 1, _("Respondents"), bold=True)
        put_number(sheet, row, 2, result.tally.respondents)
        row += 2
        if kind.rows == "items":
            _scale(sheet, row, result, _)
        elif "average_rank" in result.tally.extra:
            _ranking(sheet, row, result, _)
        elif kind.tally_source == "words":
            _words(sheet, row, result, _)
        elif "answers" in result.tally.extra and not kind.rows:
            _texts(sheet, row, result, _)
        else:
            _counts(sheet, row, result, _)
    fit_columns(sheet)


def _counts(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """Each option (or stance) with its count and share of respondents, and a chart."""
    header_row = row
    put_row(sheet, row, (_("Answer"), _("Count"), _("Percentage")), bold=True)
    for key, label in _counted_rows(result, _):
        row += 1
        put_row(sheet, row, (label, result.tally.counts.get(key, 0)))
        put_share(sheet, row, 3, result.percentage(key))
    table(sheet, header_row, row, 3)
    if row > header_row:
        bar_chart(sheet, header_row, row, (3,), _("Percentage"), PERCENT_FORMAT)
    descriptions = [o for o in result.slide.options if o.description]
    if descriptions:
        row += 2
        put_row(sheet, row, (_("Answer"), _("Description")), bold=True)
        for option in descriptions:
            row += 1
            put_row(sheet, row, (option.label, option.description))


def _scale(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """Per item: its mean, how many rated it and how many gave each point of the scale."""
    slide = result.slide
    low, high = int(slide.extra.get("min", 1)), int(slide.extra.get("max", 5))
    points = list(range(low, high + 1))
    found = {str(item["id"]): item for item in result.tally.extra.get("items", ())}
    header_row = row
    put_row(sheet, row, (_("Item"), _("Mean"), _("Ratings"), *map(str, points)), bold=True)
    for item in slide.extra.get("items", ()):
        row += 1
        figures = found.get(str(item["id"]), {})
        counts = figures.get("counts", {})
        put_text(sheet, row, 1, str(item["label"] or slide.title))
        mean = figures.get("mean")
        if mean is not None:
            put_number(sheet, row, 2, mean, DECIMAL_FORMAT)
        put_number(sheet, row, 3, sum(counts.values()))
        for column, point in enumerate(points, 4):
            put_number(sheet, row, column, int(counts.get(str(point), 0)))
    table(sheet, header_row, row, 3 + len(points))
    labels = slide.extra.get("labels")
    if labels:
        put_row(sheet, row + 2, (f"{low}: {labels[0]}",))
        put_row(sheet, row + 3, (f"{high}: {labels[1]}",))
    if row > header_row:
        columns = tuple(range(4, 4 + len(points)))
        bar_chart(sheet, header_row, row, columns, _("Ratings"), "", by_rows=True)


def _ranking(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """The options by average rank, best first (1 is best), and how often each came first."""
    extra = result.tally.extra
    average = extra.get("average_rank", {})
    order = extra.get("order") or [o.id for o in result.slide.options]
    header_row = row
    put_row(sheet, row, ("#", _("Answer"), _("Average rank"), _("Ranked first")), bold=True)
    for place, option_id in enumerate(order, 1):
        row += 1
        option = result.slide.option(option_id)
        put_row(sheet, row, (place, option.label if option else option_id))
        rank = average.get(option_id)
        if rank is not None:
            put_number(sheet, row, 3, rank, DECIMAL_FORMAT)
        put_number(sheet, row, 4, result.tally.counts.get(option_id, 0))
    table(sheet, header_row, row, 4)
    put_text(sheet, row + 2, 1, _("Average rank: 1 is best."))


def _words(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """The cloud's words (as the room saw them), most given first, with their counts."""
    cloud = list(result.tally.shown_extra().get("cloud", ()))
    ranked = sorted(enumerate(cloud), key=lambda pair: (-int(pair[1]["count"]), pair[0]))
    header_row = row
    put_row(sheet, row, (_("Word"), _("Count"), _("Percentage")), bold=True)
    for _order, entry in ranked:
        row += 1
        put_row(sheet, row, (str(entry["text"]), int(entry["count"])))
        put_share(sheet, row, 3, percent(int(entry["count"]), result.tally.respondents))
    table(sheet, header_row, row, 3)


def moderation_mark(entry: dict[str, Any], _: Gettext) -> str:
    """An open answer's moderation as a word: hidden, highlighted or nothing."""
    if entry.get("hidden"):
        return _("hidden")
    return _("highlighted") if entry.get("highlighted") else ""


def _texts(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """Every open answer, newest first, with its moderation mark."""
    header_row = row
    put_row(sheet, row, (_("Answer"), _("Moderation")), bold=True)
    for entry in result.tally.extra.get("answers", ()):
        row += 1
        put_row(sheet, row, (str(entry["text"]), moderation_mark(entry, _)))
    table(sheet, header_row, row, 2)


def _round_statements(sheet: Worksheet, row: int, result: SlideResult, _: Gettext) -> None:
    """A statement round: voters and votes, then each visible statement with its votes,
    most agreed first as the report lists them."""
    extra = result.tally.extra
    put_text(sheet, row, 1, _("Voters"), bold=True)
    put_number(sheet, row, 2, result.tally.respondents)
    put_text(sheet, row + 1, 1, _("Votes"), bold=True)
    put_number(sheet, row + 1, 2, int(extra.get("votes", 0)))
    put_text(sheet, row + 2, 1, _("Left out"), bold=True)
    left_out = _("%(hidden)s hidden, %(pending)s waiting for approval") % {
        "hidden": extra.get("hidden", 0),
        "pending": extra.get("pending", 0),
    }
    put_text(sheet, row + 2, 2, left_out)
    row += 4
    header_row = row
    header = (
        _("Statement"),
        _("From"),
        _("Agree"),
        _("Disagree"),
        _("Pass"),
        _("Votes"),
        _("Agree") + " %",
        _("Disagree") + " %",
        _("Pass") + " %",
        "Id",
    )
    put_row(sheet, row, header, bold=True)
    entries = sorted(extra.get("statements", ()), key=lambda e: -int(e["agree_share"]))
    for entry in entries:
        row += 1
        origin = _("from the deck") if entry["origin"] == "deck" else _("from the room")
        put_row(
            sheet,
            row,
            (
                str(entry["text"]),
                origin,
                int(entry["agree"]),
                int(entry["disagree"]),
                int(entry["pass"]),
                int(entry["votes"]),
            ),
        )
        for column, share in enumerate(("agree_share", "disagree_share", "pass_share"), 7):
            put_share(sheet, row, column, int(entry[share]))
        put_text(sheet, row, 10, str(entry["id"]))
    table(sheet, header_row, row, len(header))


def bar_chart(
    sheet: Worksheet,
    header_row: int,
    last_row: int,
    columns: Sequence[int],
    title: str,
    number_format: str,
    by_rows: bool = False,
) -> None:
    """A native bar chart of the table's `columns` (labels in column A), beside it.
    `by_rows`: one series per row (a scale's items over its points)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    chart = BarChart()
    chart.type = "col" if by_rows else "bar"
    chart.title = title
    chart.legend = chart.legend if by_rows else None
    chart.y_axis.majorGridlines = None
    if number_format:
        chart.y_axis.number_format = number_format
    low, high = min(columns), max(columns)
    if by_rows:
        from openpyxl.chart.data_source import StrRef
        from openpyxl.chart.series import SeriesLabel

        quoted = sheet.title.replace("'", "''")
        for row in range(header_row + 1, last_row + 1):
            values = Reference(sheet, min_col=low, max_col=high, min_row=row, max_row=row)
            chart.add_data(values, from_rows=True, titles_from_data=False)
            chart.series[-1].tx = SeriesLabel(strRef=StrRef(f"'{quoted}'!$A${row}"))
        categories = Reference(sheet, min_col=low, max_col=high, min_row=header_row)
        chart.set_categories(categories)
    else:
        values = Reference(sheet, min_col=low, max_col=high, min_row=header_row, max_row=last_row)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
        chart.x_axis.scaling.orientation = "maxMin"  # first answer on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = max(6.0, 1.2 * (last_row - header_row) + 3)
    chart.width = 16
    anchor = f"{get_column_letter(max(columns) + CHART_COLUMN_GAP)}{header_row}"
    sheet.add_chart(chart, anchor)


def _answer_columns(report: Report) -> list[tuple[str, str, str]]:
    """(slide id, item id, header) of every scale item: one Answers column each."""
    columns = []
    for result in report.slides:
        if kind_of(result.slide.kind).rows != "items":
            continue
        for item in result.slide.extra.get("items", ()):
            label = str(item["label"] or result.slide.title)
            columns.append((result.slide.id, str(item["id"]), f"{result.position} · {label}"))
    return columns


def _labels(slide: Slide, value: object, _: Gettext) -> str:
    """An answer in words: an option's label, options' labels (a ranking numbered in its
    order), the words or text as given; empty where the item columns say it (a scale)."""
    kind = kind_of(slide.kind)
    if kind.rows == "items":
        return ""

    def label(option_id: str) -> str:
        option = slide.option(option_id)
        return option.label if option else option_id

    if isinstance(value, str):
        if kind.rows == "stances" and value in STANCE_WORDS:
            return _(STANCE_WORDS[value])
        return label(value) if slide.options else value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        if not slide.options:
            return "; ".join(value)
        if kind.rows == "options":  # several options chosen
            return "; ".join(label(item) for item in value)
        return "; ".join(f"{place}. {label(item)}" for place, item in enumerate(value, 1))
    return ""


def _answer_id(value: object) -> str:
    """The answer as stored: an option id, ids joined by `;` (a ranking in its order), the
    text given; a scale's ratings are in the item columns instead."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)
    if isinstance(value, dict):
        return ""
    return json.dumps(value, ensure_ascii=False)


def _answers(sheet: Worksheet, report: Report, _: Gettext) -> None:
    """Every answer and statement-round vote, one row each, ids and labels side by side,
    a scale's ratings in a column per item."""
    items = _answer_columns(report)
    header = (
        _("session"),
        _("slide"),
        _("kind"),
        _("title"),
        _("participant"),
        _("answer"),
        _("label"),
        *(name for _slide, _item, name in items),
        _("answered_at"),
        _("hidden"),
        _("highlighted"),
    )
    put_row(sheet, 1, header, bold=True)
    first_item = 8
    after = first_item + len(items)
    slides = {r.slide.id: r for r in report.slides}
    rows = sorted(report.answers, key=lambda a: (slides[a.slide_id].position, a.participant_id))

    def marks(row: int, hidden: str, highlighted: bool) -> None:
        put_text(sheet, row, after + 1, _(hidden) if hidden in {"yes", "no"} else hidden)
        put_text(sheet, row, after + 2, _("yes") if highlighted else _("no"))

    for row, answer in enumerate(rows, 2):
        slide = slides[answer.slide_id].slide
        put_row(
            sheet,
            row,
            (
                report.code,
                slide.id,
                kind_name(slide.kind, _),
                slide.title,
                report.pseudonyms[answer.participant_id],
                _answer_id(answer.value),
                _labels(slide, answer.value, _),
            ),
        )
        _ratings(sheet, row, answer, items, first_item)
        put_text(sheet, row, after, answer.updated_at.isoformat(timespec="seconds"))
        marks(
            row,
            hidden_mark(slide, answer, report.hidden_words.get(slide.id, ())),
            answer.highlighted,
        )
    row = len(rows) + 1
    texts = {
        f"{r.slide.id}/{entry['id']}": str(entry["text"])
        for r in report.slides
        if kind_of(r.slide.kind).tally_source == "round"
        for entry in r.tally.extra.get("statements", ())
    }
    votes = [
        (slide_id, vote, texts.get(f"{slide_id}/{vote.statement_id}"), "no")
        for slide_id, vote in report.round_votes
    ]
    votes += [(slide_id, vote, text, "yes") for slide_id, vote, text in report.moderated_votes]
    for slide_id, vote, text, hidden in votes:
        if text is None:
            continue
        row += 1
        when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
        values = (report.code, f"{slide_id}/{vote.statement_id}", kind_name(ROUND, _), text)
        pseudonym = report.pseudonyms[vote.participant_id]
        stance = STANCE_WORDS.get(vote.value)
        put_row(sheet, row, (*values, pseudonym, vote.value, _(stance) if stance else ""))
        put_text(sheet, row, after, when)
        marks(row, hidden, False)
    table(sheet, 1, row, len(header))
    fit_columns(sheet, widest=40)


def _ratings(
    sheet: Worksheet,
    row: int,
    answer: StoredAnswer,
    items: Sequence[tuple[str, str, str]],
    first: int,
) -> None:
    """A scale answer's ratings, each in its item's column."""
    if not isinstance(answer.value, dict):
        return
    for column, (slide_id, item_id, _name) in enumerate(items, first):
        rating = answer.value.get(item_id) if slide_id == answer.slide_id else None
        if isinstance(rating, int):
            put_number(sheet, row, column, rating)


def _comparison(sheet: Worksheet, comparison: Comparison, _: Gettext) -> None:
    put_text(sheet, 1, 1, _("Compared with"), bold=True)
    put_text(sheet, 1, 2, f"{comparison.earlier_title} ({comparison.earlier_code})")
    header = (
        "#",
        _("Question"),
        _("Answer"),
        _("Then"),
        _("Now"),
        _("Change (percentage points)"),
        _("Respondents then"),
        _("Respondents now"),
    )
    put_row(sheet, 3, header, bold=True)
    row = 3
    for change in comparison.slides:
        slide = change.current.slide
        for line in change.rows:
            row += 1
            stance = STANCE_WORDS.get(line.label) if kind_of(slide.kind).rows == "stances" else None
            label = _(stance) if stance else line.label
            put_row(sheet, row, (change.current.position, slide.statement or slide.title, label))
            put_share(sheet, row, 4, line.before)
            put_share(sheet, row, 5, line.now)
            put_row(
                sheet,
                row,
                (
                    None,
                    None,
                    None,
                    None,
                    None,
                    line.points,
                    change.earlier.tally.respondents,
                    change.current.tally.respondents,
                ),
            )
    table(sheet, 3, row, len(header))
    fit_columns(sheet)


def report_xlsx(
    report: Report, comparison: Comparison | None = None, language: str = "en"
) -> bytes:
    """The workbook's bytes in `language`: a summary, one sheet per slide, the answers (and
    the breakdown by profile group, the comparison with an earlier run)."""
    from openpyxl import Workbook

    _ = workbook_words(language)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    names = {
        "summary": _("Summary"),
        "answers": _("Answers"),
        "breakdown": _("Breakdown"),
        "comparison": _("Comparison"),
    }
    taken: set[str] = set()
    titles = {key: unique_title(name, taken) for key, name in names.items()}
    summary.title = titles["summary"]
    summary_sheet(summary, report, _)
    for result in report.slides:
        title = sheet_title(result.position, result.slide.title, taken)
        slide_sheet(workbook.create_sheet(title), result, _)
    _answers(workbook.create_sheet(titles["answers"]), report, _)
    if report.profiles is not None:
        from denkdag.formats.export_profiles import breakdown_sheet  # it uses put_row above

        breakdown_sheet(workbook.create_sheet(titles["breakdown"]), report, _)
    if comparison is not None:
        _comparison(workbook.create_sheet(titles["comparison"]), comparison, _)
    if report.quiz is not None:
        from denkdag.formats.export_quiz import quiz_sheet

        quiz_sheet(workbook.create_sheet(unique_title(_("Quiz"), taken)), report.quiz, _)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
