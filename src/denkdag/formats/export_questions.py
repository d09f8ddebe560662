"""A session's Q&A as CSV: one row per question, most votes first, every status.

Questions are anonymous, so no participant column; cells a spreadsheet would run as a
formula are made inert the same way as in the answers export (`safe_cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from denkdag.domain.model import Session
from denkdag.domain.questions import Question, ordered
from denkdag.formats.export_csv import safe_cell

HEADER = ("session", "question", "status", "answered", "votes", "asked_at")


def questions_csv(session: Session, questions: Iterable[Question]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for question in ordered(questions):
        asked = question.created_at.isoformat() if question.created_at else ""
        writer.writerow(
            (
                session.code,
                safe_cell(question.text),
                question.status,
                "yes" if question.answered else "no",
                question.votes,
                asked,
            )
        )
    return out.getvalue()
