"""Properties the analysis must keep whatever the room looks like."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from denkdag.analysis import DEFAULTS, Id, OpinionMap, VoteMatrix, compute
from denkdag.formats.polis import read_export

from_seeds = st.integers(min_value=0, max_value=10_000)
fast = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
Room = Callable[..., tuple[list[tuple[Id, Id, int]], dict[Id, int]]]


def _rep_set(result: OpinionMap, rename: dict[Id, Id] | None = None) -> set[frozenset[Id]]:
    """Representative statements per group, as a set of sets (group numbers ignored)."""
    back = rename or {}
    return {
        frozenset((back.get(r.statement_id, r.statement_id), r.direction) for r in group)
        for group in result.representative
    }


@fast
@given(seed=from_seeds, data=st.data())
def test_permuting_participants_and_statements_changes_nothing(
    make_room: Room, seed: int, data: st.DataObject
) -> None:
    triples, _ = make_room(seed)
    # No top-5 cut: statements with equal scores would otherwise be cut by position.
    every = dataclasses.replace(DEFAULTS, max_representative=1000)
    base = compute(VoteMatrix.from_votes(triples), settings=every)

    shuffled = data.draw(st.permutations(triples))
    assert compute(VoteMatrix.from_votes(shuffled), settings=every).group_of() == base.group_of()

    # Renaming ids changes the canonical order of rows and columns: a real permutation.
    people = sorted({p for p, _, _ in triples}, key=str)
    items = sorted({s for _, s, _ in triples}, key=str)
    new_people = data.draw(st.permutations(range(len(people))))
    new_items = data.draw(st.permutations(range(len(items))))
    p_map = {p: f"q{new_people[i]:03d}" for i, p in enumerate(people)}
    s_map = {s: f"t{new_items[i]:03d}" for i, s in enumerate(items)}
    renamed = compute(
        VoteMatrix.from_votes([(p_map[p], s_map[s], v) for p, s, v in triples]), settings=every
    )

    ours, theirs = base.group_of(), renamed.group_of()
    assert renamed.k == base.k
    assert {p_map[p] for p in ours} == set(theirs)
    clustered = sorted(ours, key=str)
    assert adjusted_rand_score(
        [ours[p] for p in clustered], [theirs[p_map[p]] for p in clustered]
    ) == pytest.approx(1.0)
    back: dict[Id, Id] = {new: old for old, new in s_map.items()}
    assert _rep_set(renamed, back) == _rep_set(base)


@fast
@given(seed=from_seeds, who=st.integers(0, 59), vote=st.sampled_from([-1, 0, 1]))
def test_adding_a_vote_moves_only_what_it_should(
    make_room: Room, seed: int, who: int, vote: int
) -> None:
    triples, _ = make_room(seed, noise=0.0)
    before = compute(VoteMatrix.from_votes(triples))
    # A vote on a brand-new statement by one participant.
    after = compute(VoteMatrix.from_votes([*triples, (f"p{who}", "new", vote)]), before)
    assert after.k == before.k
    others_before = {p: g for p, g in before.group_of().items() if p != f"p{who}"}
    others_after = {p: g for p, g in after.group_of().items() if p != f"p{who}"}
    assert others_after == others_before  # the voter alone may join or change group
    old = {c.statement_id: c.value for c in before.group_informed_consensus}
    new = {c.statement_id: c.value for c in after.group_informed_consensus}
    voter = f"p{who}"
    if before.group_of().get(voter) == after.group_of().get(voter):
        assert {s: new[s] for s in old} == old  # no other statement's counts changed
    assert set(new) - set(old) == {"new"}


@fast
@given(n_participants=st.integers(3, 40), n_statements=st.integers(1, 12))
def test_all_agree_room_is_one_consensus_and_no_division(
    n_participants: int, n_statements: int
) -> None:
    triples = [(p, s, 1) for p in range(n_participants) for s in range(n_statements)]
    result = compute(VoteMatrix.from_votes(triples))
    assert result.k == 1
    assert result.group_sizes == (n_participants,)
    assert result.divisive == ()
    assert all(c.direction == "agree" for c in result.consensus)
    if n_participants >= 3:
        assert len(result.consensus) == min(n_statements, DEFAULTS.max_consensus)


@fast
@given(seed=from_seeds, who=st.integers(0, 59), item=st.integers(0, 11))
def test_k_does_not_flicker_when_one_vote_arrives(
    make_room: Room, seed: int, who: int, item: int
) -> None:
    triples, _ = make_room(seed)
    result: OpinionMap | None = None
    for _ in range(DEFAULTS.k_buffer):  # a stable room, recomputed until k has settled
        result = compute(VoteMatrix.from_votes(triples), result)
    assert result is not None
    settled = result.k
    for vote in (-1, 1, 0):
        nudged = [*triples, (f"p{who}", f"s{item}", vote)]
        assert compute(VoteMatrix.from_votes(nudged), result).k == settled


@fast
@given(seed=from_seeds)
def test_recovers_planted_camps(make_room: Room, seed: int) -> None:
    triples, truth = make_room(seed, n_statements=20, noise=0.0)
    fixed = dataclasses.replace(DEFAULTS, min_k=3, max_k=3)
    ours = compute(VoteMatrix.from_votes(triples), settings=fixed).group_of()
    assert adjusted_rand_score([truth[p] for p in ours], list(ours.values())) > 0.9


@pytest.mark.parametrize("shuffle", [1, 2, 3])
def test_real_conversation_ignores_the_order_of_participants_and_statements(
    polis_data: Path, shuffle: int
) -> None:
    """pol.is' brexit-consensus with ids renamed at random: the very same groups."""
    votes = read_export(polis_data / "brexit-consensus").votes
    triples = votes.triples()
    rng = random.Random(shuffle)
    people, items = list(votes.participant_ids), list(votes.statement_ids)
    p_map = dict(zip(people, rng.sample(range(len(people)), len(people)), strict=True))
    s_map = dict(zip(items, rng.sample(range(len(items)), len(items)), strict=True))
    base = compute(votes)
    renamed = compute(VoteMatrix.from_votes([(p_map[p], s_map[s], v) for p, s, v in triples]))
    ours, theirs = base.group_of(), renamed.group_of()
    assert renamed.k == base.k
    assert {p_map[p] for p in ours} == set(theirs)
    clustered = sorted(ours, key=str)
    assert adjusted_rand_score(
        [ours[p] for p in clustered], [theirs[p_map[p]] for p in clustered]
    ) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus"])
def test_vote_sign_convention_does_not_matter(polis_data: Path, name: str) -> None:
    """pol.is' math runs on its database's votes, where agree is -1; its exports flip them.

    Negating every vote mirrors the map (mean imputation and the scaling commute with the
    sign), so the groups are the same: comparing with the export's groups is fair.
    """
    votes = read_export(polis_data / name).votes
    flipped = VoteMatrix(
        votes.participant_ids,
        votes.statement_ids,
        votes.rows,
        votes.cols,
        (-votes.values).astype(votes.values.dtype),
        votes.excluded,
    )
    base, mirrored = compute(votes).group_of(), compute(flipped).group_of()
    assert set(base) == set(mirrored)
    clustered = sorted(base, key=str)
    assert adjusted_rand_score(
        [base[p] for p in clustered], [mirrored[p] for p in clustered]
    ) == pytest.approx(1.0)
