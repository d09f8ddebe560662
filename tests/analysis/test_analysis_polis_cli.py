"""Reading pol.is export folders, the JSON result, and the `analyse` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from denkdag.cli.analyse import analyse
from denkdag.formats.polis import read_export

STATEMENTS = {
    0: "Bikes belong on the road",
    1: "Cars belong on the road",
    2: "Everyone deserves a safe commute",
    3: "Spam that was moderated out",
}


def _write_export(folder: Path, *, matrix: bool) -> None:
    """Two camps of 10 (ids 100..119) on statements 0 and 1; all agree on 2."""
    folder.mkdir()
    with (folder / "comments.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees",
                      "disagrees", "moderated", "comment-body"])  # fmt: skip
        for sid, text in STATEMENTS.items():
            out.writerow([0, "", sid, 0, 0, 0, -1 if sid == 3 else 1, text])
    rows = []
    for i in range(20):
        pid = 100 + i
        camp = i < 10
        rows.append((pid, {0: 1 if camp else -1, 1: -1 if camp else 1, 2: 1, 3: 1}))
    if matrix:
        with (folder / "participants-votes.csv").open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree",
                          "n-disagree", "0", "1", "2", "3"])  # fmt: skip
            for pid, votes in rows:
                group = 0 if pid < 110 else 1
                out.writerow([pid, group, 0, 4, 0, 0, *(votes[s] for s in range(4))])
    else:
        with (folder / "votes.csv").open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
            for pid, votes in rows:
                out.writerow([1, "", 0, pid, -votes[0]])  # changed later: the last vote wins
                for sid, vote in votes.items():
                    out.writerow([2 + sid, "", sid, pid, vote])


def test_read_votes_csv(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    _write_export(folder, matrix=False)
    export = read_export(folder)
    assert export.votes.shape == (20, 4)
    assert export.votes.excluded == {3}
    assert export.votes.dense()[0].tolist() == [1, -1, 1, 1]
    assert export.texts[2] == STATEMENTS[2]
    assert export.polis_groups == {}


def test_read_matrix_csv(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    _write_export(folder, matrix=True)
    export = read_export(folder)
    assert export.votes.shape == (20, 4)
    assert export.polis_groups[100] == 0 and export.polis_groups[119] == 1


def test_analyse_command_prints_and_writes_json(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    _write_export(folder, matrix=False)
    app = typer.Typer()
    app.command()(analyse)
    out_file = tmp_path / "out" / "result.json"

    result = CliRunner().invoke(app, [str(folder), "--json", str(out_file)])

    assert result.exit_code == 0, result.output
    assert "2 opinion groups" in result.output
    assert "Group 0 (10 participants)" in result.output
    assert "Group 1 (10 participants)" in result.output
    assert "Consensus" in result.output and STATEMENTS[2] in result.output
    assert "Divisive" in result.output and STATEMENTS[0] in result.output
    assert STATEMENTS[3] not in result.output  # moderated out

    data = json.loads(out_file.read_text())
    groups = data["groups"]
    assert set(groups) == {str(100 + i) for i in range(20)}
    camp_a = {groups[str(100 + i)] for i in range(10)}
    camp_b = {groups[str(110 + i)] for i in range(10)}
    assert len(camp_a) == len(camp_b) == 1 and camp_a != camp_b
    assert data["consensus"][0]["text"] == STATEMENTS[2]
    assert {d["statement_id"] for d in data["divisive"]} == {0, 1}


def test_analyse_command_without_json(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    _write_export(folder, matrix=True)
    app = typer.Typer()
    app.command()(analyse)
    result = CliRunner().invoke(app, [str(folder)])
    assert result.exit_code == 0, result.output
    assert "Wrote" not in result.output
    assert CliRunner().invoke(app, [str(tmp_path / "missing")]).exit_code != 0
