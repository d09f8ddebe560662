"""Answers as CSV in long form: one row per answer, with a pseudonymous participant id.

A statement round's votes are rows too, one per vote on a visible statement: `slide` is
`round/statement` (the statement's column in the opinion analysis), `title` the statement
and `answer` the vote. Hidden and pending statements, and the votes on them, are left out
(as in every export and the report); who wrote a statement is never exported.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading apostrophe, so an export can never execute what someone typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from denkdag.domain.kinds.conversation import NAME as ROUND
from denkdag.domain.kinds.conversation import RoundData
from denkdag.domain.model import Session
from denkdag.storage import StoredAnswer

if TYPE_CHECKING:
    from denkdag.formats.export_profiles import ProfileColumns

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


def answers_csv(
    session: Session,
    answers: Iterable[StoredAnswer],
    rounds: Sequence[RoundData] = (),
    profile: ProfileColumns | None = None,
) -> str:
    """The CSV text: participants numbered 1, 2, 3 … in order of first appearance.

    With `profile`, each row ends with the participant's profile groups, where disclosed
    (formats/export_profiles.py)."""
    slides = {slide.id: slide for slide in session.deck.slides}
    order = {slide.id: index for index, slide in enumerate(session.deck.slides)}
    pseudonyms: dict[int, str] = {}
    rows = sorted(answers, key=lambda a: (order.get(a.slide_id, 1 << 30), a.participant_id))
    voters = [v.participant_id for data in rounds for v in data.visible_votes()]
    for participant_id in sorted({a.participant_id for a in rows} | set(voters)):
        pseudonyms.setdefault(participant_id, f"p{len(pseudonyms) + 1}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if profile is not None:
        writer = profile.wrap(writer, pseudonyms)
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
    for data in sorted(rounds, key=lambda d: order.get(d.slide_id, 1 << 30)):
        if data.slide_id not in slides:
            continue
        texts = {statement.id: statement.text for statement in data.visible}
        for vote in sorted(data.visible_votes(), key=lambda v: (v.statement_id, v.participant_id)):
            when = vote.updated_at.isoformat(timespec="seconds") if vote.updated_at else ""
            writer.writerow(
                [
                    safe_cell(session.code),
                    safe_cell(f"{data.slide_id}/{vote.statement_id}"),
                    ROUND,
                    safe_cell(texts[vote.statement_id]),
                    pseudonyms[vote.participant_id],
                    vote.value,
                    when,
                ]
            )
    return buffer.getvalue()
