"""Reading pol.is export folders and writing Denkdag's analysis of them as JSON.

A pol.is export holds `participants-votes.csv` (the final vote matrix, with the group
pol.is itself assigned), `votes.csv` (every vote in time order) and `comments.csv` (the
statements with their moderation state). The vote numbers are the same as ours (agree 1,
disagree -1, pass 0), so they go into a :class:`~denkdag.analysis.VoteMatrix` unchanged.
Statements moderated out (`moderated` = -1) are kept as activity but never analysed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from denkdag.analysis import Id, OpinionMap, VoteMatrix
from denkdag.analysis.replay import TimedVote

PARTICIPANTS_VOTES = "participants-votes.csv"
VOTES = "votes.csv"
COMMENTS = "comments.csv"
_MATRIX_META = {"participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}


@dataclass(frozen=True)
class PolisExport:
    """The votes of one pol.is conversation, its statement texts and pol.is' own groups."""

    votes: VoteMatrix
    texts: dict[Id, str] = field(default_factory=dict)
    polis_groups: dict[Id, int] = field(default_factory=dict)
    """pol.is' `group-id` per clustered participant (only from participants-votes.csv)."""


def parse_id(text: str) -> Id:
    """Integers stay integers (so they sort numerically) when that loses nothing."""
    stripped = text.strip()
    if stripped.isdigit() and str(int(stripped)) == stripped:
        return int(stripped)
    return stripped


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_comments(folder: Path) -> tuple[dict[Id, str], set[Id]]:
    path = folder / COMMENTS
    if not path.exists():
        return {}, set()
    texts: dict[Id, str] = {}
    rejected: set[Id] = set()
    for row in _read_rows(path):
        sid = parse_id(row["comment-id"])
        texts[sid] = row.get("comment-body", "") or ""
        if (row.get("moderated") or "").strip() == "-1":
            rejected.add(sid)
    return texts, rejected


def read_export(folder: Path) -> PolisExport:
    """Read an export folder: participants-votes.csv if present, else votes.csv."""
    texts, rejected = _read_comments(folder)
    matrix_path = folder / PARTICIPANTS_VOTES
    if matrix_path.exists():
        return _read_matrix(matrix_path, texts, rejected)
    votes_path = folder / VOTES
    if votes_path.exists():
        return _read_votes(votes_path, texts, rejected)
    raise FileNotFoundError(f"{folder} has neither {PARTICIPANTS_VOTES} nor {VOTES}")


def _read_matrix(path: Path, texts: dict[Id, str], rejected: set[Id]) -> PolisExport:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        statement_cols = [(i, parse_id(h)) for i, h in enumerate(header) if h not in _MATRIX_META]
        p_col = header.index("participant")
        g_col = header.index("group-id") if "group-id" in header else None
        triples: list[tuple[Id, Id, int]] = []
        participants: list[Id] = []
        groups: dict[Id, int] = {}
        for row in reader:
            if not row:
                continue
            pid = parse_id(row[p_col])
            participants.append(pid)
            if g_col is not None and row[g_col].strip():
                groups[pid] = int(row[g_col])
            for i, sid in statement_cols:
                cell = row[i].strip() if i < len(row) else ""
                if cell:
                    triples.append((pid, sid, int(float(cell))))
    statements = [sid for _, sid in statement_cols]
    votes = VoteMatrix.from_votes(
        triples,
        participants=participants,
        statements=statements,
        excluded=rejected & set(statements),
    )
    return PolisExport(votes, texts, groups)


def _read_votes(path: Path, texts: dict[Id, str], rejected: set[Id]) -> PolisExport:
    rows = _read_rows(path)
    # A later vote replaces an earlier one; sort by time (stable for equal times).
    rows.sort(key=lambda r: int(r.get("timestamp") or 0))
    triples = [
        (parse_id(r["voter-id"]), parse_id(r["comment-id"]), int(float(r["vote"]))) for r in rows
    ]
    votes = VoteMatrix.from_votes(triples, statements=list(texts), excluded=rejected)
    return PolisExport(votes, texts)


def read_history(folder: Path) -> tuple[list[TimedVote], set[Id]]:
    """Every vote of votes.csv with its time (seconds), in file order, and the statements
    moderated out: what a replay of the conversation needs."""
    path = folder / VOTES
    if not path.exists():
        raise FileNotFoundError(f"{folder} has no {VOTES}: a replay needs the votes' times")
    _, rejected = _read_comments(folder)
    history = [
        TimedVote(
            int(r["timestamp"]) / 1000.0,
            parse_id(r["voter-id"]),
            parse_id(r["comment-id"]),
            int(float(r["vote"])),
        )
        for r in _read_rows(path)
    ]
    return history, rejected


def _statement(export: PolisExport, sid: Id) -> dict[str, Any]:
    return {"statement_id": sid, "text": export.texts.get(sid, "")}


def result_json(export: PolisExport, opinion_map: OpinionMap) -> dict[str, Any]:
    """The analysis as plain JSON: `groups` maps participant id (as in the export) → group."""
    return {
        "groups": {str(p): g for p, g in opinion_map.group_of().items()},
        "k": opinion_map.k,
        "group_sizes": list(opinion_map.group_sizes),
        "representative": [
            [
                {
                    **_statement(export, r.statement_id),
                    "direction": r.direction,
                    "agreed" if r.direction == "agree" else "disagreed": r.n_success,
                    "voted": r.n_trials,
                    "repness": r.repness,
                }
                for r in group
            ]
            for group in opinion_map.representative
        ],
        "best_agree": [
            None
            if b is None
            else {**_statement(export, b.statement_id), "agreed": b.n_success, "voted": b.n_trials}
            for b in opinion_map.best_agree
        ],
        "consensus": [
            {
                **_statement(export, c.statement_id),
                "direction": c.direction,
                "share": c.n_success / c.n_trials if c.n_trials else 0.0,
                "voted": c.n_trials,
            }
            for c in opinion_map.consensus
        ],
        "group_informed_consensus": [
            {**_statement(export, c.statement_id), "value": c.value}
            for c in opinion_map.group_informed_consensus[:5]
        ],
        "divisive": [
            {
                **_statement(export, d.statement_id),
                "spread": d.spread,
                "agree_by_group": list(d.agree_by_group),
            }
            for d in opinion_map.divisive
        ],
        "participants": [
            {"id": str(p), "x": x, "y": y, "group": g}
            for p, (x, y), g in zip(
                opinion_map.participant_ids,
                opinion_map.coordinates.tolist(),
                opinion_map.groups.tolist(),
                strict=True,
            )
        ],
    }


def write_json(path: Path, export: PolisExport, opinion_map: OpinionMap) -> None:
    """Write :func:`result_json` to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(result_json(export, opinion_map), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
