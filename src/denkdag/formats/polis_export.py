"""Writing a session's statements and votes in pol.is' open-data layout.

pol.is publishes a conversation as a folder of CSV files; these three are what its own
tooling, red-dwarf and `denkdag analyse` (formats/polis.py, the reader beside this writer)
read:

- `comments.csv`: one row per statement: `timestamp` (milliseconds), `datetime`,
  `comment-id`, `author-id`, `agrees`, `disagrees`, `moderated` (1 accepted, 0 waiting,
  -1 moderated out), `comment-body`, then `is-seed` and `is-meta` (pol.is added those two
  later; red-dwarf needs `is-meta` to reproduce pol.is' groups from a folder);
- `votes.csv`: every vote: `timestamp`, `datetime`, `comment-id`, `voter-id`, `vote`
  (agree 1, disagree -1, pass 0), oldest first;
- `participants-votes.csv`: one row per voter: `participant`, `group-id` (blank when not
  in a group that may be shown), `n-comments`, `n-votes`, `n-agree`, `n-disagree`, then one
  column per statement (blank: no vote).

Ids are numbers, as pol.is' are. Statements are numbered 0, 1, 2 … in the order of their
opinion-map column (so the file's matrix is the live map's matrix, in the same order).
Participants keep the number of their pseudonym in the session's CSV export (`p3` is
participant 3), never a token or a name; who wrote a statement is never exported, so every
statement's `author-id` is 0, the conversation's owner as pol.is numbers it, which is no
participant. A facilitator's hidden statement is moderated out (-1), a statement waiting
for approval is unmoderated (0). Statement text goes through `safe_cell`, like every other
export, so a spreadsheet that opens the file runs nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from denkdag.formats.export_csv import safe_cell

COMMENTS = "comments.csv"
VOTES = "votes.csv"
PARTICIPANTS_VOTES = "participants-votes.csv"
FILES = (COMMENTS, VOTES, PARTICIPANTS_VOTES)

ACCEPTED = 1
UNMODERATED = 0
MODERATED_OUT = -1
OWNER = 0
"""`author-id` of every statement: the conversation's owner (authors are never exported)."""

COMMENT_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
    "is-seed",
    "is-meta",
)
VOTE_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
MATRIX_HEADER = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
_EPOCH = datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class PolisStatement:
    """A statement as pol.is lists it; `key` is its opinion-map column (a statement slide's
    id, or `slide/statement` for a statement round's)."""

    key: str
    text: str
    moderated: int = ACCEPTED
    seed: bool = True
    """Written by the facilitator (a deck statement), not by a participant."""
    created: datetime | None = None


@dataclass(frozen=True)
class PolisVote:
    """A vote: `participant` is the pseudonym's number, `value` 1, -1 or 0."""

    participant: int
    key: str
    value: int
    when: datetime | None = None


def _millis(moment: datetime) -> int:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _shown(moment: datetime) -> str:
    """pol.is' `datetime` column ("Mon Jul 17 16:10:15 UTC 2017"), in UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def polis_files(
    statements: Sequence[PolisStatement],
    votes: Iterable[PolisVote],
    groups: Mapping[int, int] | None = None,
    began: datetime | None = None,
) -> dict[str, str]:
    """The three CSV texts by file name. `groups` (participant → group) fills `group-id`;
    give only groups that may be shown. A vote on a statement not listed is left out.
    A deck statement has no time of its own: it gets the first vote's, else `began` (when
    the room began), else 1970's first instant."""
    ordered = sorted(statements, key=lambda s: s.key)
    number = {statement.key: index for index, statement in enumerate(ordered)}
    kept = sorted(
        (v for v in votes if v.key in number),
        key=lambda v: (_millis(v.when) if v.when else 0, v.participant, number[v.key]),
    )
    known = [s.created for s in ordered if s.created] + [v.when for v in kept if v.when]
    start = min(known, key=_millis) if known else (began or _EPOCH)
    return {
        COMMENTS: _comments(ordered, number, kept, start),
        VOTES: _votes(kept, number, start),
        PARTICIPANTS_VOTES: _matrix(ordered, number, kept, groups or {}),
    }


def _comments(
    ordered: Sequence[PolisStatement],
    number: Mapping[str, int],
    votes: Sequence[PolisVote],
    start: datetime,
) -> str:
    agrees = dict.fromkeys(number, 0)
    disagrees = dict.fromkeys(number, 0)
    for vote in votes:
        if vote.value == 1:
            agrees[vote.key] += 1
        elif vote.value == -1:
            disagrees[vote.key] += 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COMMENT_HEADER)
    for statement in ordered:
        created = statement.created or start
        writer.writerow(
            [
                _millis(created),
                _shown(created),
                number[statement.key],
                OWNER,
                agrees[statement.key],
                disagrees[statement.key],
                statement.moderated,
                safe_cell(statement.text),
                _flag(statement.seed),
                _flag(False),
            ]
        )
    return buffer.getvalue()


def _votes(votes: Sequence[PolisVote], number: Mapping[str, int], start: datetime) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VOTE_HEADER)
    for vote in votes:
        when = vote.when or start
        writer.writerow(
            [_millis(when), _shown(when), number[vote.key], vote.participant, vote.value]
        )
    return buffer.getvalue()


def _matrix(
    ordered: Sequence[PolisStatement],
    number: Mapping[str, int],
    votes: Sequence[PolisVote],
    groups: Mapping[int, int],
) -> str:
    cells: dict[int, dict[int, int]] = {}
    for vote in votes:  # oldest first: a later vote replaces an earlier one
        cells.setdefault(vote.participant, {})[number[vote.key]] = vote.value
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*MATRIX_HEADER, *range(len(ordered))])
    for participant in sorted(cells):
        mine = cells[participant]
        group = groups.get(participant)
        writer.writerow(
            [
                participant,
                "" if group is None else group,
                0,
                len(mine),
                sum(1 for v in mine.values() if v == 1),
                sum(1 for v in mine.values() if v == -1),
                *(mine.get(column, "") for column in range(len(ordered))),
            ]
        )
    return buffer.getvalue()


def polis_zip(files: Mapping[str, str]) -> bytes:
    """The files in one zip (the report page's download), each at the zip's top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            archive.writestr(name, files[name].encode("utf-8"))
    return buffer.getvalue()
