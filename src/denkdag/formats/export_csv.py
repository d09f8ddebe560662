"""Answers as CSV in long form: one row per answer, with a pseudonymous participant id.

A statement round's votes are rows too, one per vote: `slide` is `round/statement` (the
statement's column in the opinion analysis), `title` the statement and `answer` the vote;
who wrote a statement is never exported.

The export is the organiser's data, so what a facilitator moderated stays in it, marked:
`hidden` is `yes` for a hidden open answer and a vote on a statement that is hidden or
waiting for approval (the report leaves those out), and for a word-cloud answer whose
every word is hidden; a word-cloud answer with some hidden words lists those words (as
typed, `;` between them); otherwise `no`. `highlighted` is `yes` for a highlighted open
answer. Filter on `hidden` = `no` for what the room saw.

`answer` keeps what was stored (option ids such as `b` or `c;a;b`, a scale's ratings as
JSON), so whatever reads it keeps working; `answer_label`, the last column before any
profile columns, says the same in the deck's words: the chosen options' labels (`;`
between them, in the order chosen or ranked), a scale's `item: rating` pairs, and nothing
when the answer is text already (open answers, words, votes on statements).

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading apostrophe, so an export can never execute what someone typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.statement_round import NAME as ROUND
from denkdag.domain.kinds.statement_round import RoundData
from denkdag.domain.kinds.wordcloud import normalise
from denkdag.domain.model import Session, Slide, StoredAnswer
from denkdag.domain.quiz import QuizResults

if TYPE_CHECKING:
    from denkdag.formats.export_profiles import ProfileColumns

ANSWER_HEADER = (
    "session",
    "slide",
    "kind",
    "title",
    "participant",
    "answer",
    "answered_at",
    "hidden",
    "highlighted",
)
"""The columns of one answer in every long-form export (this CSV, the spreadsheet's
answers, an event's CSV and answers with a room column after the session)."""
LABEL_COLUMN = "answer_label"
"""This CSV's column after the shared ones: the answer in the deck's words."""
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


def answer_label(slide: Slide, value: object) -> str:
    """The answer in the deck's words (see the module's docstring); "" when `answer` says
    it already."""
    if isinstance(value, str):
        option = slide.option(value)
        return option.label if option is not None else ""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        options = [slide.option(v) for v in value]
        if any(option is None for option in options):
            return ""
        return ";".join(option.label for option in options if option is not None)
    if isinstance(value, dict):
        items = {item["id"]: item["label"] for item in slide.extra.get("items", ())}
        if not items or not set(value) <= set(items):
            return ""
        return "; ".join(
            f"{items[item]}: {rating}" if items[item] else str(rating)
            for item, rating in value.items()
        )
    return ""


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def hidden_mark(slide: Slide, answer: StoredAnswer, hidden_words: Collection[str] = ()) -> str:
    """The `hidden` cell of an answer: yes, no, or a word cloud's hidden words as typed."""
    if answer.hidden:
        return "yes"
    hides_words = kind_of(slide.kind).tally_source == "words"
    if not hides_words or not hidden_words or not isinstance(answer.value, list):
        return "no"
    words = [word for word in answer.value if isinstance(word, str)]
    taken_out = [word for word in words if normalise(word) in hidden_words]
    if not taken_out:
        return "no"
    return "yes" if len(taken_out) == len(words) else ";".join(taken_out)


def pseudonym_numbers(
    answers: Iterable[StoredAnswer], rounds: Sequence[RoundData] = ()
) -> dict[int, int]:
    """Participant id → the number of their pseudonym (`p1`, `p2` …): 1, 2, 3 … in the
    order participants joined, over everyone who answered or voted. Every export that
    names participants numbers them this way, so `p3` is the same person in each."""
    voters = {v.participant_id for data in rounds for v in data.votes}
    everyone = sorted({a.participant_id for a in answers} | voters)
    return {participant_id: n for n, participant_id in enumerate(everyone, start=1)}


def answers_csv(
    session: Session,
    answers: Iterable[StoredAnswer],
    rounds: Sequence[RoundData] = (),
    profile: ProfileColumns | None = None,
    hidden_words: Mapping[str, Collection[str]] | None = None,
    quiz: QuizResults | None = None,
) -> str:
    """The CSV text: participants numbered 1, 2, 3 … in order of first appearance; a
    quiz's share right per question and ranking come last (formats/export_quiz.py).

    `hidden_words` are the word-cloud words a facilitator hid, per slide id. With
    `profile`, each row ends with the participant's profile groups, where disclosed
    (formats/export_profiles.py)."""
    hidden_words = hidden_words or {}
    slides = {slide.id: slide for slide in session.deck.slides}
    order = {slide.id: index for index, slide in enumerate(session.deck.slides)}
    rows = sorted(answers, key=lambda a: (order.get(a.slide_id, 1 << 30), a.participant_id))
    pseudonyms = {pid: f"p{n}" for pid, n in pseudonym_numbers(rows, rounds).items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if profile is not None:
        writer = profile.wrap(writer, pseudonyms)
    writer.writerow((*ANSWER_HEADER, LABEL_COLUMN))
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
                safe_cell(hidden_mark(slide, answer, hidden_words.get(slide.id, ()))),
                yes_no(answer.highlighted),
                safe_cell(answer_label(slide, answer.value)),
            ]
        )
    for data in sorted(rounds, key=lambda d: order.get(d.slide_id, 1 << 30)):
        if data.slide_id not in slides:
            continue
        texts = {statement.id: statement.text for statement in data.statements}
        shown = {statement.id for statement in data.visible}
        for vote in sorted(data.votes, key=lambda v: (v.statement_id, v.participant_id)):
            if vote.statement_id not in texts:
                continue
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
                    yes_no(vote.statement_id not in shown),
                    "no",
                    "",
                ]
            )
    if quiz is not None:
        from denkdag.formats.export_quiz import quiz_rows

        for row in quiz_rows(session.code, quiz):
            writer.writerow(row)
    return buffer.getvalue()
