"""Replaying a conversation's timed votes through the rooms' own recompute."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from denkdag.analysis import DEFAULTS, Id, VoteMatrix, compute
from denkdag.analysis.clustering import sticky_k
from denkdag.analysis.replay import TimedVote, batches, in_time_order, replay
from denkdag.app.opinions import MIN_VOTERS, replay_room
from denkdag.cli.analyse import EVERY as CLI_EVERY
from denkdag.cli.analyse import analyse
from denkdag.formats.polis import read_history

Room = Callable[..., tuple[list[tuple[Id, Id, int]], dict[Id, int]]]
POLIS_DATA = Path(__file__).resolve().parent.parent / "data" / "polis"


def _timed(triples: list[tuple[Id, Id, int]], seconds_apart: float) -> list[TimedVote]:
    """The votes one participant after another, `seconds_apart` between participants."""
    order = {p: i for i, p in enumerate(dict.fromkeys(p for p, _, _ in triples))}
    return [TimedVote(order[p] * seconds_apart, p, s, v) for p, s, v in triples]


def test_batches_gather_every_vote_within_the_window() -> None:
    history = in_time_order(TimedVote(t, "p", "s", 1) for t in [0, 5, 59, 60, 61, 200, 30])
    assert [v.time for v in history] == [0, 5, 30, 59, 60, 61, 200]
    assert list(batches(history, every=60)) == [4, 6, 7]
    assert list(batches(history, every=0)) == [1, 2, 3, 4, 5, 6, 7]
    assert list(batches([], every=60)) == []


def test_a_single_batch_is_the_one_shot_analysis(make_room: Room) -> None:
    triples, _ = make_room(3)
    replayed = replay(_timed(triples, 1.0), every=10_000)
    assert len(replayed.steps) == 1
    assert replayed.final is not None
    assert replayed.final.group_of() == compute(VoteMatrix.from_votes(triples)).group_of()


def test_the_room_replay_waits_for_enough_voters_and_keeps_every_step(make_room: Room) -> None:
    triples, truth = make_room(5, n_statements=16, noise=0.0)
    replayed = replay_room(_timed(triples, 60.0), every=60.0)
    assert len(replayed.steps) == len(truth)  # one recompute per participant's batch
    drawn = [step.map is not None for step in replayed.steps]
    assert drawn == [i + 1 >= MIN_VOTERS for i in range(len(truth))]
    assert [step.votes for step in replayed.steps][-1] == len(triples)
    final = replayed.final
    assert final is not None and final.k == 3
    # Once in, always in: everyone clustered at one step is clustered at the next.
    maps = [step.map for step in replayed.steps if step.map is not None]
    for before, after in itertools.pairwise(maps):
        assert set(before.group_of()) <= set(after.group_of())


def test_the_replay_ignores_ids_and_row_order(make_room: Room) -> None:
    triples, _ = make_room(7)
    history = _timed(triples, 30.0)
    rng = random.Random(7)
    rename = {p: f"x{rng.randrange(10**6)}" for p in {p for p, _, _ in triples}}
    shuffled = [
        TimedVote(v.time, rename[v.participant_id], v.statement_id, v.vote) for v in history
    ]
    rng.shuffle(shuffled)  # equal times: the order within a batch does not matter
    ours, theirs = replay_room(history, every=60.0), replay_room(shuffled, every=60.0)
    assert ours.final is not None and theirs.final is not None
    assert {rename[p]: g for p, g in ours.final.group_of().items()} == theirs.final.group_of()


def test_sticky_k_takes_more_groups_only_by_a_clear_margin() -> None:
    assert sticky_k({2: 0.40, 3: 0.41, 4: 0.395}, 0.02) == 2
    assert sticky_k({2: 0.40, 3: 0.43, 4: 0.44}, 0.02) == 3
    assert sticky_k({2: 0.40, 3: 0.43}, 0.0) == 3
    assert sticky_k({2: 0.30, 3: 0.43}, 0.02) == 3
    margin = dataclasses.replace(DEFAULTS, k_margin=1.0)
    assert margin.k_margin == 1.0 and sticky_k({2: 0.1, 5: 0.9}, margin.k_margin) == 2


def test_the_cli_default_cadence_is_the_library_one() -> None:
    from denkdag.analysis.replay import EVERY

    assert CLI_EVERY == EVERY


def test_analyse_replay_writes_the_history(tmp_path: Path) -> None:
    """Two camps vote one participant a minute; the last recompute has both camps."""
    folder = tmp_path / "conv"
    folder.mkdir()
    with (folder / "comments.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["comment-id", "moderated", "comment-body"])
        for sid in range(4):
            out.writerow([sid, 1, f"Statement {sid}"])
    with (folder / "votes.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for i in range(20):
            camp = 1 if i % 2 else -1
            for sid in range(4):
                vote = camp if sid < 2 else 1
                out.writerow([i * 60_000 + sid, "", sid, 100 + i, vote * (1 if sid else -1)])
    app = typer.Typer()
    app.command()(analyse)
    history = tmp_path / "history.jsonl"

    result = CliRunner().invoke(
        app, [str(folder), "--replay", "--every", "1", "--history", str(history)]
    )

    assert result.exit_code == 0, result.output
    assert "Replayed 80 votes in 20 recomputes" in result.output
    assert "2 opinion groups" in result.output
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert [line["recompute"] for line in lines] == list(range(1, 21))
    assert [line["votes"] for line in lines] == [4 * (i + 1) for i in range(20)]
    assert lines[0]["k"] == 0 and lines[0]["groups"] == {}
    assert lines[-1]["k"] == 2 and len(lines[-1]["groups"]) == 20
    odd = {lines[-1]["groups"][str(100 + i)] for i in range(1, 20, 2)}
    even = {lines[-1]["groups"][str(100 + i)] for i in range(0, 20, 2)}
    assert len(odd) == len(even) == 1 and odd != even


def test_history_needs_replay(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(analyse)
    result = CliRunner().invoke(
        app, [str(POLIS_DATA / "brexit-consensus"), "--history", str(tmp_path / "h")]
    )
    assert result.exit_code != 0


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus"])
def test_shared_conversations_have_their_history(name: str) -> None:
    history, rejected = read_history(POLIS_DATA / name)
    assert len(history) > 1000
    assert all(isinstance(v.time, float) for v in history[:10])
    assert rejected <= {v.statement_id for v in history} | rejected
