"""The same votes give the same map to the bit: ids, row order and BLAS threads do not count.

On each shared pol.is conversation, hypothesis renames participants and statements at
random, shuffles the vote rows and picks a BLAS/OpenMP thread count; the coordinates, the
base clusters and the groups (with their numbers) must come out identical, not merely
close. pol.is' best-agree rule walks the statements in id order (docs/analysis.md), so
it is compared exactly when only participants are renamed.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from denkdag.analysis import Id, OpinionMap, VoteMatrix, compute
from denkdag.formats.polis import read_export

POLIS_DATA = Path(__file__).resolve().parent.parent / "data" / "polis"
CONVERSATIONS = [
    "15-per-hour-seattle",
    "brexit-consensus",
    "football-concussions",
    "scoop-hivemind.ubi",
]
draws = settings(max_examples=6, deadline=None, derandomize=False)


@functools.cache
def _baseline(name: str) -> tuple[VoteMatrix, OpinionMap]:
    votes = read_export(POLIS_DATA / name).votes
    with threadpool_limits(limits=1):
        return votes, compute(votes)


def _renamed(
    votes: VoteMatrix, seed: int, *, statements: bool
) -> tuple[VoteMatrix, dict[Id, Id], dict[Id, Id]]:
    """The votes under new random ids (participants; statements too if asked), rows
    shuffled; with the maps old → new id."""
    rng = random.Random(seed)
    people, items = list(votes.participant_ids), list(votes.statement_ids)
    p_map: dict[Id, Id] = dict(zip(people, rng.sample(range(10**7), len(people)), strict=True))
    s_map: dict[Id, Id] = (
        {s: f"s{n}" for s, n in zip(items, rng.sample(range(10**7), len(items)), strict=True)}
        if statements
        else {s: s for s in items}
    )
    triples = [(p_map[p], s_map[s], v) for p, s, v in votes.triples()]
    rng.shuffle(triples)
    renamed = VoteMatrix.from_votes(
        triples,
        participants=[p_map[p] for p in people],
        statements=[s_map[s] for s in items],
        excluded={s_map[s] for s in votes.excluded},
    )
    return renamed, p_map, s_map


def _assert_same_map(
    base: OpinionMap, other: OpinionMap, p_map: dict[Id, Id], s_map: dict[Id, Id]
) -> None:
    row_of = {p_map[p]: i for i, p in enumerate(base.participant_ids)}
    rows = [row_of[q] for q in other.participant_ids]
    assert np.array_equal(other.coordinates, base.coordinates[rows])  # to the bit
    assert np.array_equal(other.groups, base.groups[rows])  # the same numbers too
    assert np.array_equal(other.state.base_centres, base.state.base_centres)
    assert other.group_sizes == base.group_sizes
    assert other.state.silhouettes == base.state.silhouettes
    back = {new: old for old, new in s_map.items()}
    assert [[(back[r.statement_id], r.direction) for r in g] for g in other.representative] == [
        [(r.statement_id, r.direction) for r in g] for g in base.representative
    ]


@pytest.mark.parametrize("name", CONVERSATIONS)
@draws
@given(seed=st.integers(0, 2**32 - 1), threads=st.sampled_from([1, 2, 4]))
def test_renaming_and_reordering_change_not_a_bit(name: str, seed: int, threads: int) -> None:
    votes, base = _baseline(name)
    renamed, p_map, s_map = _renamed(votes, seed, statements=True)
    with threadpool_limits(limits=threads):
        other = compute(renamed)
    _assert_same_map(base, other, p_map, s_map)


@pytest.mark.parametrize("name", CONVERSATIONS)
@draws
@given(seed=st.integers(0, 2**32 - 1), threads=st.sampled_from([1, 2, 4]))
def test_renamed_participants_keep_the_best_agree_statements(
    name: str, seed: int, threads: int
) -> None:
    votes, base = _baseline(name)
    renamed, p_map, s_map = _renamed(votes, seed, statements=False)
    with threadpool_limits(limits=threads):
        other = compute(renamed)
    _assert_same_map(base, other, p_map, s_map)
    assert other.best_agree == base.best_agree
    assert other.consensus == base.consensus
    assert other.divisive == base.divisive
