"""The vote matrix, the inclusion rule, the k smoother and group-number stability."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from denkdag.analysis import DEFAULTS, KSmoother, VoteMatrix, compute
from denkdag.analysis.inclusion import included


def test_later_vote_wins_and_ids_sort_canonically() -> None:
    votes = VoteMatrix.from_votes([("b", 2, 1), ("a", 10, -1), ("b", 2, -1), (7, 2, 0)])
    assert votes.participant_ids == (7, "a", "b")
    assert votes.statement_ids == (2, 10)
    dense = votes.dense()
    assert dense[2, 0] == -1  # the later vote of "b" on 2
    assert np.isnan(dense[0, 1])
    assert votes.n_votes == 3


def test_dense_round_trip_and_validation() -> None:
    matrix = [[1, np.nan], [0, -1]]
    votes = VoteMatrix.from_dense(matrix, ["y", "x"], ["s", "r"])
    assert votes.participant_ids == ("x", "y")
    assert votes.dense().tolist()[0] == [-1.0, 0.0]
    assert sorted(votes.triples()) == sorted([("y", "s", 1), ("x", "s", 0), ("x", "r", -1)])
    with pytest.raises(ValueError):
        VoteMatrix.from_votes([("a", "s", 2)])
    with pytest.raises(ValueError):
        VoteMatrix.from_dense([[0.5]], ["a"], ["s"])


def test_inclusion_rule() -> None:
    # 20 statements: p0..p19 vote on i+1 statements each.
    triples = [(p, s, 1) for p in range(20) for s in range(p + 1)]
    votes = VoteMatrix.from_votes(triples)
    mask = included(votes, DEFAULTS)
    # 7 votes or more: p6..p19 (14 people); one more, the most active left, tops up to 15.
    assert mask.tolist() == [False] * 5 + [True] * 15
    # Someone in last time stays in.
    assert included(votes, DEFAULTS, previously=[0])[0]
    # With 3 statements, voting on all 3 is enough.
    small = VoteMatrix.from_votes([(p, s, 1) for p in range(20) for s in range(3)])
    assert included(small, DEFAULTS).all()


def test_k_smoother_needs_a_run_of_wins() -> None:
    state = KSmoother.first(2)
    for _ in range(DEFAULTS.k_buffer - 1):
        state = state.update(3, DEFAULTS.k_buffer)
        assert state.smoothed_k == 2
    state = state.update(3, DEFAULTS.k_buffer)
    assert state.smoothed_k == 3
    # One win for another k resets the run and changes nothing.
    assert state.update(4, DEFAULTS.k_buffer).smoothed_k == 3


def test_group_numbers_survive_a_recompute(make_room) -> None:  # type: ignore[no-untyped-def]
    triples, _ = make_room(4, n_statements=20, noise=0.0)
    first = compute(VoteMatrix.from_votes(triples))
    # Same votes under other participant names that sort differently would renumber a naive
    # k-means; with `previous`, numbers follow the members.
    more = [*triples, ("p0", "extra", 1), ("p1", "extra", -1)]
    second = compute(VoteMatrix.from_votes(more), first)
    assert second.group_of() == first.group_of()
    assert second.state.smoother.last_k_count == 2


def test_fixed_seed_is_deterministic(room: VoteMatrix) -> None:
    a, b = compute(room), compute(room)
    assert a.group_of() == b.group_of()
    assert np.array_equal(a.coordinates, b.coordinates)


def test_map_does_not_mirror_between_recomputes(room: VoteMatrix) -> None:
    first = compute(room)
    flipped = dataclasses.replace(
        first, state=dataclasses.replace(first.state, components=-first.state.components)
    )
    again = compute(room, flipped)
    assert np.allclose(again.coordinates, -first.coordinates)


def test_tiny_and_empty_rooms() -> None:
    empty = compute(VoteMatrix.from_votes([]))
    assert empty.k == 0 and empty.to_dict()["group_sizes"] == []
    one = compute(VoteMatrix.from_votes([("a", "s", 1)]))
    assert one.k == 1 and one.group_of() == {"a": 0}
    two = compute(VoteMatrix.from_votes([("a", "s", 1), ("b", "s", -1)]))
    assert sum(two.group_sizes) == 2


def test_to_dict_is_plain_json(room: VoteMatrix) -> None:
    import json

    data = compute(room).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"participants", "representative", "consensus", "divisive", "state"} <= set(data)
