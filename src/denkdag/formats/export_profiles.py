"""Profile questions in the exports: CSV columns, the spreadsheet's Breakdown sheet, and
the JSON export's `profile` section.

Exports follow the report's privacy rule (domain/profiles.py): a participant's row carries
their group only where that group is disclosed among everyone who joined, else "hidden"
(the same word for a small group and for "prefer not to say", so neither is told apart);
the aggregate tables show groups of five or more and one row for everyone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from denkdag.domain.breakdowns import Breakdown
from denkdag.domain.errors import N_
from denkdag.domain.kinds import STANCES, kind_of
from denkdag.domain.profiles import HIDDEN
from denkdag.domain.tally import Tally
from denkdag.formats.export_csv import safe_cell
from denkdag.formats.export_xlsx import STANCE_WORDS, Gettext, english, put_row, put_text
from denkdag.formats.profile_report import ProfileReport
from denkdag.formats.report import Report

if TYPE_CHECKING:  # openpyxl loads when a workbook is written (export_xlsx.py)
    from openpyxl.worksheet.worksheet import Worksheet

OTHER = N_("Other groups and not said")


class ProfileColumns:
    """The CSV export's profile columns (`profile_p1` …), one value per participant."""

    def __init__(self, profiles: ProfileReport) -> None:
        self.header = [f"profile_{q.id}" for q in profiles.questions]
        self._ids = [q.id for q in profiles.questions]
        self._labels = profiles.labels

    def cells(self, participant_id: int | None) -> list[str]:
        labels = self._labels.get(participant_id, {}) if participant_id is not None else {}
        return [safe_cell(labels.get(qid, HIDDEN)) for qid in self._ids]

    def wrap(self, writer: Any, pseudonyms: Mapping[int, str]) -> Any:
        """`writer` (a csv writer), with the profile columns added to every row it writes:
        the header first, then by the row's participant column."""
        return _ProfileRows(writer, self, {name: pid for pid, name in pseudonyms.items()})


class _ProfileRows:
    PARTICIPANT = 4
    """The participant column of the CSV export's rows."""

    def __init__(self, writer: Any, columns: ProfileColumns, by_name: Mapping[str, int]) -> None:
        self.writer = writer
        self.columns = columns
        self.by_name = by_name
        self.header_done = False

    def writerow(self, row: Any) -> Any:
        row = list(row)
        if not self.header_done:
            self.header_done = True
            return self.writer.writerow(row + self.columns.header)
        pid = self.by_name.get(str(row[self.PARTICIPANT])) if len(row) > self.PARTICIPANT else None
        return self.writer.writerow(row + self.columns.cells(pid))


# spreadsheet --------------------------------------------------------------------------


def _keys(breakdown: Breakdown, _: Gettext) -> list[tuple[str, str]]:
    """(key, header) of the figures of one slide's breakdown, in the workbook's language."""
    slide = breakdown.slide
    rows = kind_of(slide.kind).rows
    if rows == "stances":
        return [(s, _(STANCE_WORDS[s])) for s in STANCES]
    if rows == "items":
        return [
            (str(item["id"]), f"{item['label'] or slide.title} ({_('mean')})")
            for item in slide.extra["items"]
        ]
    return [(o.id, o.label) for o in slide.options]


def _figures(breakdown: Breakdown, tally: Tally, _: Gettext) -> list[Any]:
    if kind_of(breakdown.slide.kind).rows == "items":
        means = {str(i["id"]): i.get("mean") for i in tally.extra.get("items", ())}
        return [means.get(key) for key, _label in _keys(breakdown, _)]
    shares = tally.percentages()
    cells: list[Any] = []
    for key, _label in _keys(breakdown, _):
        cells += [tally.counts.get(key, 0), shares.get(key, 0)]
    return cells


def breakdown_sheet(sheet: Worksheet, report: Report, _: Gettext = english) -> None:
    """Who took part per group, every slide per group, the opinion groups per group and
    the pseudonyms' disclosed groups; its words in the workbook's language (`_`)."""
    profiles = report.profiles
    assert profiles is not None
    other = _(OTHER)
    put_text(sheet, 1, 1, _("Breakdown by profile question"), bold=True)
    put_text(
        sheet,
        2,
        1,
        _(
            "Groups of fewer than five are never shown on their own; they count under "
            "'%(other)s' (nobody, or five or more), so they cannot be derived by subtraction."
        )
        % {"other": other},
    )
    row = 4
    for counts in profiles.counts:
        put_row(sheet, row, (counts.question.id, counts.question.text), bold=True)
        share = _("Share")
        put_row(sheet, row + 1, (_("Group"), _("Participants"), f"{share} (%)"), bold=True)
        row += 2
        for group in counts.groups:
            put_row(sheet, row, (group.option.label, group.count, group.share))
            row += 1
        if counts.rest:
            put_row(sheet, row, (other, counts.rest))
            row += 1
        row += 1
    for result in report.slides:
        for breakdown in profiles.slides.get(result.slide.id, ()):
            slide = result.slide
            title = f"{result.position} {slide.statement or slide.title}"
            by = _("by %(question)s") % {"question": breakdown.question.id}
            put_row(sheet, row, (title, by), bold=True)
            row += 1
            if not breakdown.groups:
                put_text(sheet, row, 1, _("Not broken down: no group of five or more answered."))
                row += 2
                continue
            header: list[str] = [_("Group"), _("Respondents")]
            for _key, label in _keys(breakdown, _):
                means = kind_of(slide.kind).rows == "items"
                header += [label] if means else [label, f"{label} (%)"]
            put_row(sheet, row, tuple(header), bold=True)
            row += 1
            lines = [(g.option.label, g.tally) for g in breakdown.groups]
            if breakdown.rest is not None:
                lines.append((other, breakdown.rest))
            for label, tally in lines:
                put_row(sheet, row, (label, tally.respondents, *_figures(breakdown, tally, _)))
                row += 1
            row += 1
    for spread in profiles.spread:
        title = _("Opinion groups by %(question)s") % {"question": spread.question.id}
        put_row(sheet, row, (title,), bold=True)
        columns = [f"{_('Group')} {c}" if c else _("Without a group") for c in spread.columns]
        put_row(sheet, row + 1, (_("Group"), _("Participants"), *columns), bold=True)
        row += 2
        for line in spread.rows:
            label = line.option.label if line.option else other
            put_row(sheet, row, (label, line.total, *line.counts))
            row += 1
        row += 1
    put_row(sheet, row, (_("Participant"), *[f"profile_{q.id}" for q in profiles.questions]), True)
    for pid, name in sorted(report.pseudonyms.items(), key=lambda item: int(item[1][1:])):
        row += 1
        labels = profiles.labels.get(pid, {})
        put_row(sheet, row, (name, *[labels.get(q.id, HIDDEN) for q in profiles.questions]))
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 14


# JSON ----------------------------------------------------------------------------------


def profile_document(profiles: ProfileReport) -> dict[str, Any]:
    """The JSON export's `profile` section: questions, group sizes, each slide's
    breakdown (aggregates only: no participant appears here)."""
    return {
        "questions": [c.as_dict() for c in profiles.counts],
        "slides": {
            slide_id: [b.as_dict() for b in found] for slide_id, found in profiles.slides.items()
        },
        "opinion_groups": [s.as_dict() for s in profiles.spread],
    }
