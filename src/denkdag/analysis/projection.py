"""The 2-D opinion map: PCA of the vote matrix, as pol.is publishes it.

Missing votes are imputed by the statement's mean, so after centring they are exact zeros:
the centred matrix is as sparse as the votes, and the covariance is one Gram product of it.
Participants are then projected using only the statements they voted on and pushed out by
`sqrt(statements / statements voted)`, so someone who voted on few statements is not pulled
into the centre merely for being quiet.

The covariance is statements × statements, so the cost grows with the number of statements
squared but only linearly with participants — rooms have far more people than statements.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import numpy as np

from denkdag.analysis.matrix import FloatArray, Id, IntArray, VoteMatrix

N_COMPONENTS = 2


@dataclass(frozen=True, eq=False)
class Projection:
    """Participant coordinates plus the axes that produced them."""

    coordinates: FloatArray
    """(participants, 2)."""
    components: FloatArray
    """(2, statements): the two principal axes; zero on excluded statements."""
    centre: FloatArray
    """(statements,): each statement's mean vote (0 if nobody voted on it yet)."""
    variance: FloatArray
    """(2,): variance along each axis."""

    @property
    def total_variance(self) -> float:
        return float(self.variance.sum())


def statement_means(votes: VoteMatrix) -> FloatArray:
    """Mean vote per statement over those who voted on it (0 when nobody did)."""
    m = votes.shape[1]
    counts = np.bincount(votes.cols, minlength=m)
    sums = np.bincount(votes.cols, weights=votes.values.astype(np.float64), minlength=m)
    return np.divide(sums, counts, out=np.zeros(m), where=counts > 0)


def project(
    votes: VoteMatrix,
    previous: tuple[tuple[Id, ...], FloatArray] | None = None,
) -> Projection:
    """PCA with mean imputation, then pol.is' sparsity-aware participant projection.

    `previous` is (statement ids, components) from the last recompute: the new axes are
    flipped and/or swapped to line up with them, so the map does not mirror itself when a
    vote arrives (eigenvectors have no intrinsic sign).
    """
    n, m = votes.shape
    active = votes.active_statements()
    keep = active[votes.cols]
    rows, cols = votes.rows[keep], votes.cols[keep]
    centre = statement_means(votes)
    centre[~active] = 0.0

    # Centred votes times the statement's vote count are integers (count × vote − sum), so
    # their Gram matrix is a product of integers: exact in float64 whatever the order of the
    # participants or the BLAS threads' split of the sums (up to ~130,000 participants).
    counts = np.bincount(cols, minlength=m).astype(np.float64)
    sums = np.bincount(cols, weights=votes.values[keep].astype(np.float64), minlength=m).astype(
        np.float64
    )
    scaled = np.zeros((n, m))
    scaled[rows, cols] = counts[cols] * votes.values[keep] - sums[cols]
    per = np.where(counts > 0, counts, 1.0)
    components = np.zeros((N_COMPONENTS, m))
    variance = np.zeros(N_COMPONENTS)
    gram = scaled.T @ scaled
    order = statement_order(gram, counts, sums)
    if n > 0 and m > 0:
        covariance = gram[np.ix_(order, order)] / np.outer(per[order], per[order]) / n
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        top = min(N_COMPONENTS, m)
        best = np.argsort(eigenvalues, kind="stable")[::-1][:top]
        components[:top, order] = eigenvectors[:, best].T
        variance[:top] = np.clip(eigenvalues[best], 0.0, None)
    components = _orient(components, votes.statement_ids, previous)

    # pol.is zeroes moderated-out columns rather than dropping them: they then count as
    # statements everyone "voted" on, which also tempers the push-out of light voters.
    n_excluded = m - int(active.sum())
    voted = np.bincount(rows, minlength=n) + n_excluded
    scale = np.sqrt(m / np.maximum(voted, 1))
    centred = scaled[:, order] / per[order]
    coordinates = (centred @ components[:, order].T) * scale[:, None]
    return Projection(coordinates, components, centre, variance)


def statement_order(gram: FloatArray, counts: FloatArray, sums: FloatArray) -> IntArray:
    """An order of the statements that depends on their votes, never on their ids.

    Every floating-point step over statements (the covariance's eigenvectors, each
    participant's sum over statements) runs in this order, so renaming statements cannot
    change a single bit of the map. Keys, all computed from exact integers: how many voted,
    the sum of the votes, the statement's own Gram entry, then a digest of its sorted row
    of the Gram matrix. Statements equal on all of them vote alike up to the participants'
    order; only such a tie falls back to the statements' canonical id order.
    """
    m = gram.shape[0]
    rows = np.sort(gram, axis=1)
    digest = np.array(
        [
            int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=7).digest(), "big")
            for row in rows
        ],
        dtype=np.int64,
    )
    keys = (np.arange(m), digest, np.diagonal(gram), sums, counts)
    return np.lexsort(keys).astype(np.int64)


def _orient(
    components: FloatArray,
    statement_ids: tuple[Id, ...],
    previous: tuple[tuple[Id, ...], FloatArray] | None,
) -> FloatArray:
    """Choose signs (and order) of the axes: like last time, else a fixed convention."""
    if previous is not None:
        prev_ids, prev_components = previous
        prev_index = {s: j for j, s in enumerate(prev_ids)}
        common = [(j, prev_index[s]) for j, s in enumerate(statement_ids) if s in prev_index]
        if common:
            new_idx, old_idx = (np.array(x) for x in zip(*common, strict=True))
            overlap = components[:, new_idx] @ prev_components[:, old_idx].T
            best = _best_signed_permutation(overlap)
            if best is not None:
                return best @ components
    # Fresh: make each axis' largest loading positive.
    out = components.copy()
    for axis in out:
        if _points_negative(axis):
            axis *= -1
    return out


def _points_negative(axis: FloatArray) -> bool:
    """Whether the axis' largest loading is negative, deciding ties by the values alone.

    The loadings from largest down are compared with those of the flipped axis; the
    first difference decides. So a statement and its mirror image (loadings a and -a)
    cannot let the statements' order pick the sign, and the same votes always draw the
    same map. Rounded, so float noise does not count as a difference.
    """
    rounded = np.round(axis, 9)
    as_is = np.sort(rounded)[::-1]
    flipped = np.sort(-rounded)[::-1]
    differ = np.flatnonzero(as_is != flipped)
    return bool(differ.size) and bool(as_is[differ[0]] < flipped[differ[0]])


def _best_signed_permutation(overlap: FloatArray) -> FloatArray | None:
    """The signed permutation P maximising trace(P @ overlap), or None if no overlap."""
    if not np.any(np.abs(overlap) > 1e-12):
        return None
    k = overlap.shape[0]
    best: FloatArray | None = None
    best_score = -np.inf
    for perm in itertools.permutations(range(k)):
        for signs in itertools.product((1.0, -1.0), repeat=k):
            candidate = np.zeros((k, k))
            for new_axis, (old_axis, sign) in enumerate(zip(perm, signs, strict=True)):
                # Row `old_axis` of the result is `sign` × new axis `new_axis`.
                candidate[old_axis, new_axis] = sign
            score = float(np.trace(candidate @ overlap))
            if score > best_score + 1e-12:
                best, best_score = candidate, score
    return best
