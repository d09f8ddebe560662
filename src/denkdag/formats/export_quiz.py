"""The quiz in every export: each question's share of right answers and the final
ranking by nickname (domain/quiz.py `QuizResults`), as JSON, CSV rows, a spreadsheet
sheet; the PDF draws it from `report_quiz.html`.

Nicknames appear in the ranking only, never beside the answers' pseudonyms (p1, p2 …):
an export must not tie a nickname to the answers given on the other, anonymous slides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from denkdag.domain.quiz import QuizResults

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from denkdag.formats.export_xlsx import Gettext

QUESTION_KIND = "quiz-question"
RANKING_KIND = "quiz-ranking"
"""The `kind` column of the CSV's quiz rows (after every answer)."""


def quiz_document(results: QuizResults) -> dict[str, Any]:
    """The JSON export's `quiz`."""
    return {
        "questions": [
            {
                "slide": q.slide_id,
                "title": q.title,
                "correct": list(q.correct),
                "answered": q.answered,
                "right": q.right,
                "share_right": q.share,
            }
            for q in results.questions
        ],
        "ranking": [player.as_dict() for player in results.ranking],
    }


def quiz_rows(code: str, results: QuizResults) -> list[list[str]]:
    """The CSV's quiz rows in its columns (session, slide, kind, title, participant,
    answer, answered_at, hidden, highlighted, answer_label): a row per question (answer:
    right/answered, label: the share), then a row per player (answer: the nickname,
    label: rank and points). The participant column stays empty."""
    from denkdag.formats.export_csv import safe_cell

    rows = [
        [
            safe_cell(code),
            safe_cell(q.slide_id),
            QUESTION_KIND,
            safe_cell(q.title),
            "",
            f"{q.right}/{q.answered}",
            "",
            "no",
            "no",
            f"{q.share}% right",
        ]
        for q in results.questions
    ]
    rows += [
        [
            safe_cell(code),
            "",
            RANKING_KIND,
            "ranking",
            "",
            safe_cell(player.nickname),
            "",
            "no",
            "no",
            f"rank {player.rank}, {player.points} points",
        ]
        for player in results.ranking
    ]
    return rows


def quiz_sheet(sheet: Worksheet, results: QuizResults, _: Gettext) -> None:
    """The workbook's quiz sheet: the questions with their share right, then the ranking."""
    from denkdag.formats.export_xlsx import fit_columns, put_row, put_share

    put_row(sheet, 1, (_("Question"), _("Answered"), _("Right"), _("Share right")), bold=True)
    row = 2
    for q in results.questions:
        put_row(sheet, row, (q.title, q.answered, q.right))
        put_share(sheet, row, 4, q.share)
        row += 1
    row += 1
    put_row(sheet, row, (_("Rank"), _("Nickname"), _("Points")), bold=True)
    for player in results.ranking:
        row += 1
        put_row(sheet, row, (player.rank, player.nickname, player.points))
    fit_columns(sheet)
