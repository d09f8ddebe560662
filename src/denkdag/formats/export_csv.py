"""Answers as CSV in long form: one row per answer, with a pseudonymous participant id.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading apostrophe, so an export can never execute what someone typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from denkdag.domain.model import Session
from denkdag.storage import StoredAnswer

HEADER = ("session", "slide", "kind", "title", "participant", "answer", "answered_at")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value`, made inert for spreadsheets."""
    return "'" + value if value.startswith(_DANGEROUS) else value


def _answer_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)
    return json.dumps(value, ensure_ascii=False)


def answers_csv(session: Session, answers: Iterable[StoredAnswer]) -> str:
    """The CSV text: participants numbered 1, 2, 3 … in order of first appearance."""
    slides = {slide.id: slide for slide in session.deck.slides}
    order = {slide.id: index for index, slide in enumerate(session.deck.slides)}
    pseudonyms: dict[int, str] = {}
    rows = sorted(answers, key=lambda a: (order.get(a.slide_id, 1 << 30), a.participant_id))
    for answer in sorted(rows, key=lambda a: a.participant_id):
        pseudonyms.setdefault(answer.participant_id, f"p{len(pseudonyms) + 1}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for answer in rows:
        slide = slides.get(answer.slide_id)
        if slide is None:
            continue
        writer.writerow(
            [
                safe_cell(session.code),
                safe_cell(slide.id),
                slide.kind,
                safe_cell(slide.title),
                pseudonyms[answer.participant_id],
                safe_cell(_answer_text(answer.value)),
                answer.updated_at.isoformat(timespec="seconds"),
            ]
        )
    return buffer.getvalue()
