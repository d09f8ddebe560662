"""What each group stands for, what the room shares, and what splits it.

The statistics are pol.is' published ones. For a statement and a group, with `agree`,
`disagree` and `seen` counts (passes count as seen):

* agree probability ``pa = (agree + 1) / (seen + 2)`` (a +1/+2 pseudocount, so a statement
  two people agreed with is not "100 % agreed"); ``pd`` likewise;
* a one-proportion z-test of ``pa > 1/2`` and a two-proportion z-test of the group against
  everyone else, both with +1 pseudocounts, significant at one-sided 90 % (z > 1.2816);
* representativeness ``ra = pa / pa(rest)``.

A statement represents a group when both tests pass for agree (or both for disagree); the
best five by ``ra × z(ra) × pa × z(pa)`` are kept, agreements first. Consensus is the same
one-proportion test over the whole room. Group-informed consensus multiplies each group's
smoothed agree probability, so a statement only scores high if *every* group agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from denkdag.analysis.matrix import AGREE, DISAGREE, FloatArray, Id, IntArray, VoteMatrix
from denkdag.analysis.settings import Settings

Direction = Literal["agree", "disagree"]


@dataclass(frozen=True, eq=False)
class VoteCounts:
    """Per group (rows) and statement (columns): agrees, disagrees and votes seen."""

    agree: FloatArray
    disagree: FloatArray
    seen: FloatArray


def count_votes(votes: VoteMatrix, groups: IntArray, n_groups: int) -> VoteCounts:
    """Count votes by group; participants with group -1 are left out."""
    m = votes.shape[1]
    group_of_vote = groups[votes.rows]
    keep = group_of_vote >= 0
    flat = group_of_vote[keep] * m + votes.cols[keep]
    values = votes.values[keep]
    size = n_groups * m

    def tally(mask: NDArray[np.bool_]) -> FloatArray:
        return np.bincount(flat[mask], minlength=size).reshape(n_groups, m).astype(np.float64)

    return VoteCounts(
        agree=tally(values == AGREE),
        disagree=tally(values == DISAGREE),
        seen=tally(np.ones(values.size, dtype=bool)),
    )


def probability(successes: FloatArray, seen: FloatArray) -> FloatArray:
    """Smoothed proportion (successes + 1) / (seen + 2)."""
    return (successes + 1.0) / (seen + 2.0)


def prop_test(successes: FloatArray, seen: FloatArray) -> FloatArray:
    """z-score of "the proportion is above 1/2", with +1 pseudocounts."""
    n = seen + 1.0
    return 2.0 * np.sqrt(n) * ((successes + 1.0) / n - 0.5)


def two_prop_test(
    successes_in: FloatArray, successes_out: FloatArray, seen_in: FloatArray, seen_out: FloatArray
) -> FloatArray:
    """z-score of "the proportion inside is above the proportion outside", +1 pseudocounts."""
    s1, s2 = successes_in + 1.0, successes_out + 1.0
    n1, n2 = seen_in + 1.0, seen_out + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    difference = s1 / n1 - s2 / n2
    return np.divide(difference, spread, out=np.zeros(np.broadcast(s1, s2).shape), where=spread > 0)


@dataclass(frozen=True)
class RepStatement:
    """A statement that sets one group apart from the rest of the room."""

    statement_id: Id
    direction: Direction
    n_success: int
    """Group members who agreed (or disagreed, per `direction`)."""
    n_trials: int
    """Group members who voted on it (passes included)."""
    p_success: float
    p_test: float
    repness: float
    """How many times likelier the group is to vote this way than everyone else."""
    repness_test: float


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement the whole room agrees (or disagrees) with."""

    statement_id: Id
    direction: Direction
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


@dataclass(frozen=True)
class GroupConsensus:
    """Group-informed consensus: the product over groups of their agree probability."""

    statement_id: Id
    value: float


@dataclass(frozen=True)
class DivisiveStatement:
    """A statement the groups answer most differently."""

    statement_id: Id
    spread: float
    """Highest minus lowest group agree probability."""
    agree_by_group: tuple[float, ...]


def representative(
    votes: VoteMatrix, counts: VoteCounts, settings: Settings
) -> tuple[tuple[RepStatement, ...], ...]:
    """The up to `max_representative` statements that characterise each group."""
    n_groups = counts.seen.shape[0]
    if n_groups < 2:
        return tuple(() for _ in range(n_groups))
    active = votes.active_statements()
    rest_agree = counts.agree.sum(axis=0) - counts.agree
    rest_disagree = counts.disagree.sum(axis=0) - counts.disagree
    rest_seen = counts.seen.sum(axis=0) - counts.seen

    pa, pd = probability(counts.agree, counts.seen), probability(counts.disagree, counts.seen)
    pat, pdt = prop_test(counts.agree, counts.seen), prop_test(counts.disagree, counts.seen)
    ra = pa / probability(rest_agree, rest_seen)
    rd = pd / probability(rest_disagree, rest_seen)
    rat = two_prop_test(counts.agree, rest_agree, counts.seen, rest_seen)
    rdt = two_prop_test(counts.disagree, rest_disagree, counts.seen, rest_seen)

    z = settings.z_90
    passes = ((rat > z) & (pat > z)) | ((rdt > z) & (pdt > z))
    agree_side = rat > rdt
    result: list[tuple[RepStatement, ...]] = []
    for g in range(n_groups):

        def build(j: int, g: int = g) -> RepStatement:
            a = bool(agree_side[g, j])
            return RepStatement(
                statement_id=votes.statement_ids[j],
                direction="agree" if a else "disagree",
                n_success=int((counts.agree if a else counts.disagree)[g, j]),
                n_trials=int(counts.seen[g, j]),
                p_success=float((pa if a else pd)[g, j]),
                p_test=float((pat if a else pdt)[g, j]),
                repness=float((ra if a else rd)[g, j]),
                repness_test=float((rat if a else rdt)[g, j]),
            )

        chosen = np.flatnonzero(passes[g] & active)
        if chosen.size:
            side = agree_side[g, chosen]
            metric = np.where(
                side,
                ra[g, chosen] * rat[g, chosen] * pa[g, chosen] * pat[g, chosen],
                rd[g, chosen] * rdt[g, chosen] * pd[g, chosen] * pdt[g, chosen],
            )
            top = chosen[np.lexsort((chosen, -metric))][: settings.max_representative]
            # Agreements first (a group is easier to read by what it is for), stable otherwise.
            top = np.concatenate([top[agree_side[g, top]], top[~agree_side[g, top]]])
            result.append(tuple(build(int(j)) for j in top))
            continue
        # Nothing significant: fall back to the single best-by-test statement it voted on.
        candidates = np.flatnonzero(active & (counts.seen[g] > 0))
        if candidates.size == 0:
            result.append(())
            continue
        score = np.maximum(rat[g, candidates], rdt[g, candidates])
        best = candidates[np.lexsort((candidates, -score))][0]
        result.append((build(int(best)),))
    return tuple(result)


def best_agree(
    votes: VoteMatrix, counts: VoteCounts, settings: Settings
) -> tuple[RepStatement | None, ...]:
    """Per group, pol.is' "best agree" statement: the one it shows first for the group.

    pol.is' rule (its `beats-best-agr?`), walking the analysed statements in id order and
    skipping any nobody in the group agreed or disagreed with: the first statement is taken
    when its agree share is significant (z > 1.2816) or the group agrees more than the rest
    (ra > 1) and mostly (pa > 1/2). After that a statement replaces the current best when
    it scores higher, by ``ra × z(ra) × pa × z(pa)`` if the current best has ra > 1, else by
    ``pa × z(pa)`` (then something the group broadly agrees with is the point). A tie keeps
    the earlier statement. None when no statement qualifies (or with a single group).
    """
    n_groups = counts.seen.shape[0]
    if n_groups < 2:
        return tuple(None for _ in range(n_groups))
    rest_agree = counts.agree.sum(axis=0) - counts.agree
    rest_seen = counts.seen.sum(axis=0) - counts.seen
    pa = probability(counts.agree, counts.seen)
    pat = prop_test(counts.agree, counts.seen)
    ra = pa / probability(rest_agree, rest_seen)
    rat = two_prop_test(counts.agree, rest_agree, counts.seen, rest_seen)
    by_repness = ra * rat * pa * pat
    by_agreement = pa * pat
    candidates = np.flatnonzero(votes.active_statements())
    result: list[RepStatement | None] = []
    for g in range(n_groups):
        best: int | None = None
        for j in candidates.tolist():
            if counts.agree[g, j] == 0 and counts.disagree[g, j] == 0:
                continue
            if best is None:
                if pat[g, j] > settings.z_90 or (ra[g, j] > 1.0 and pa[g, j] > 0.5):
                    best = j
            elif ra[g, best] > 1.0:
                if by_repness[g, j] > by_repness[g, best]:
                    best = j
            elif by_agreement[g, j] > by_agreement[g, best]:
                best = j
        result.append(
            None
            if best is None
            else RepStatement(
                statement_id=votes.statement_ids[best],
                direction="agree",
                n_success=int(counts.agree[g, best]),
                n_trials=int(counts.seen[g, best]),
                p_success=float(pa[g, best]),
                p_test=float(pat[g, best]),
                repness=float(ra[g, best]),
                repness_test=float(rat[g, best]),
            )
        )
    return tuple(result)


def consensus(
    votes: VoteMatrix, counts: VoteCounts, settings: Settings
) -> tuple[ConsensusStatement, ...]:
    """Statements the room as a whole agrees (then disagrees) with, best first.

    `counts` has one row: the whole room.
    """
    active = votes.active_statements()
    agree, disagree, seen = counts.agree[0], counts.disagree[0], counts.seen[0]
    out: list[ConsensusStatement] = []
    for direction, success in (("agree", agree), ("disagree", disagree)):
        p, test = probability(success, seen), prop_test(success, seen)
        ok = np.flatnonzero(active & (p > 0.5) & (test > settings.z_90))
        metric = p[ok] * test[ok]
        for j in ok[np.lexsort((ok, -metric))][: settings.max_consensus]:
            out.append(
                ConsensusStatement(
                    statement_id=votes.statement_ids[int(j)],
                    direction="agree" if direction == "agree" else "disagree",
                    n_success=int(success[j]),
                    n_trials=int(seen[j]),
                    p_success=float(p[j]),
                    p_test=float(test[j]),
                )
            )
    return tuple(out)


def group_informed_consensus(votes: VoteMatrix, counts: VoteCounts) -> tuple[GroupConsensus, ...]:
    """Every analysed statement with its group-informed consensus, highest first."""
    active = np.flatnonzero(votes.active_statements())
    if counts.seen.shape[0] == 0:
        return ()
    value = np.prod(probability(counts.agree, counts.seen), axis=0)
    order = active[np.lexsort((active, -value[active]))]
    return tuple(GroupConsensus(votes.statement_ids[int(j)], float(value[j])) for j in order)


def divisive(
    votes: VoteMatrix, counts: VoteCounts, settings: Settings
) -> tuple[DivisiveStatement, ...]:
    """Statements the groups answer most differently (needs two groups or more).

    The spread of the groups' smoothed agree probabilities must reach
    `divisive_min_spread` and the most- and least-agreeing groups must differ significantly
    (two-proportion z-test at 90 %).
    """
    n_groups = counts.seen.shape[0]
    if n_groups < 2:
        return ()
    active = votes.active_statements()
    pa = probability(counts.agree, counts.seen)
    hi, lo = pa.argmax(axis=0), pa.argmin(axis=0)
    columns = np.arange(pa.shape[1])
    spread = pa[hi, columns] - pa[lo, columns]
    test = two_prop_test(
        counts.agree[hi, columns],
        counts.agree[lo, columns],
        counts.seen[hi, columns],
        counts.seen[lo, columns],
    )
    ok = np.flatnonzero(active & (spread >= settings.divisive_min_spread) & (test > settings.z_90))
    top = ok[np.lexsort((ok, -spread[ok]))][: settings.max_divisive]
    return tuple(
        DivisiveStatement(
            statement_id=votes.statement_ids[int(j)],
            spread=float(spread[j]),
            agree_by_group=tuple(float(x) for x in pa[:, j]),
        )
        for j in top
    )
