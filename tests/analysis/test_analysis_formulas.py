"""The pol.is statistics on tiny matrices, checked against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from denkdag.analysis import DEFAULTS, VoteMatrix
from denkdag.analysis.representative import (
    consensus,
    count_votes,
    divisive,
    group_informed_consensus,
    probability,
    prop_test,
    representative,
    two_prop_test,
)


def test_prop_test_by_hand() -> None:
    # 8 of 10 agree: 2·sqrt(11)·(9/11 − 1/2)
    assert prop_test(np.array(8.0), np.array(10.0)) == pytest.approx(
        2 * math.sqrt(11) * (9 / 11 - 0.5)
    )
    assert prop_test(np.array(0.0), np.array(0.0)) == pytest.approx(1.0)  # 2·1·(1 − 0.5)


def test_two_prop_test_by_hand() -> None:
    # 8/10 inside vs 2/10 outside, +1 pseudocounts: 9/11 vs 3/11, pooled 12/22.
    pooled = 12 / 22
    expected = (9 / 11 - 3 / 11) / math.sqrt(pooled * (1 - pooled) * (2 / 11))
    got = two_prop_test(np.array(8.0), np.array(2.0), np.array(10.0), np.array(10.0))
    assert got == pytest.approx(expected)
    # Everyone agrees everywhere: pooled proportion 1, the test is defined as 0.
    assert two_prop_test(np.array(5.0), np.array(3.0), np.array(5.0), np.array(3.0)) == 0


def test_probability_pseudocounts() -> None:
    assert probability(np.array(2.0), np.array(2.0)) == pytest.approx(3 / 4)


def _two_camps() -> tuple[VoteMatrix, np.ndarray]:
    """Camp 0 (4 people) agrees with s0, disagrees with s1; camp 1 (4) the opposite.

    Everyone agrees with s2, and s3 is passed by all.
    """
    triples = []
    for p in range(8):
        camp = 0 if p < 4 else 1
        triples += [
            (p, "s0", 1 if camp == 0 else -1),
            (p, "s1", -1 if camp == 0 else 1),
            (p, "s2", 1),
            (p, "s3", 0),
        ]
    votes = VoteMatrix.from_votes(triples)
    groups = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    return votes, groups


def test_counts() -> None:
    votes, groups = _two_camps()
    counts = count_votes(votes, groups, 2)
    assert counts.agree.tolist() == [[4, 0, 4, 0], [0, 4, 4, 0]]
    assert counts.disagree.tolist() == [[0, 4, 0, 0], [4, 0, 0, 0]]
    assert counts.seen.tolist() == [[4, 4, 4, 4], [4, 4, 4, 4]]


def test_repness_by_hand() -> None:
    votes, groups = _two_camps()
    rep = representative(votes, count_votes(votes, groups, 2), DEFAULTS)
    # Camp 0 is represented by agreeing with s0 and disagreeing with s1, agreements first.
    assert [(r.statement_id, r.direction) for r in rep[0]] == [("s0", "agree"), ("s1", "disagree")]
    assert [(r.statement_id, r.direction) for r in rep[1]] == [("s1", "agree"), ("s0", "disagree")]
    first = rep[0][0]
    # pa = 5/6 inside, rest 1/6: ra = 5; z of 4/4 vs 0/4 with +1: 5/5 vs 1/5, pooled 6/10.
    assert first.p_success == pytest.approx(5 / 6)
    assert first.repness == pytest.approx(5.0)
    assert first.repness_test == pytest.approx((1 - 0.2) / math.sqrt(0.6 * 0.4 * (2 / 5)))
    assert first.p_test == pytest.approx(2 * math.sqrt(5) * (5 / 5 - 0.5))
    assert (first.n_success, first.n_trials) == (4, 4)


def test_consensus_by_hand() -> None:
    votes, _ = _two_camps()
    room = count_votes(votes, np.zeros(8, dtype=np.int64), 1)
    result = consensus(votes, room, DEFAULTS)
    # Only s2 is agreed by all: pa = 9/10, z = 2·3·(9/9 − .5) = 3.
    assert [(c.statement_id, c.direction) for c in result] == [("s2", "agree")]
    assert result[0].p_success == pytest.approx(0.9)
    assert result[0].p_test == pytest.approx(3.0)


def test_group_informed_consensus_by_hand() -> None:
    votes, groups = _two_camps()
    result = group_informed_consensus(votes, count_votes(votes, groups, 2))
    values = {c.statement_id: c.value for c in result}
    assert values["s2"] == pytest.approx((5 / 6) ** 2)  # both camps agree 4 of 4
    assert values["s0"] == pytest.approx((5 / 6) * (1 / 6))
    assert values["s3"] == pytest.approx((1 / 6) ** 2)  # passes are seen, not agreed
    assert result[0].statement_id == "s2"


def test_divisive_by_hand() -> None:
    votes, groups = _two_camps()
    result = divisive(votes, count_votes(votes, groups, 2), DEFAULTS)
    assert {d.statement_id for d in result} == {"s0", "s1"}
    assert result[0].spread == pytest.approx(5 / 6 - 1 / 6)


def test_excluded_statements_are_never_reported() -> None:
    votes, groups = _two_camps()
    votes = VoteMatrix.from_votes(votes.triples(), excluded=["s0", "s2"])
    counts = count_votes(votes, groups, 2)
    shown = {r.statement_id for group in representative(votes, counts, DEFAULTS) for r in group}
    shown |= {d.statement_id for d in divisive(votes, counts, DEFAULTS)}
    shown |= {c.statement_id for c in group_informed_consensus(votes, counts)}
    assert not shown & {"s0", "s2"}
