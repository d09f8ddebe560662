"""How far pol.is' own `group-id` can be reproduced from an export's final votes at all.

pol.is assigns a participant the group of their base cluster, and a base cluster the group
whose centre is nearest (k-means on the 2-D map). So, computed from the votes an export
holds, its groups must be (up to base-cluster granularity) a nearest-centre, i.e. linear,
partition of the map. These tests measure that with *oracles that are given pol.is' labels*:

* a multinomial logistic regression fitted on the map to pol.is' labels (the best linear
  partition, k = 2: a straight boundary; k = 4: Voronoi-like cells);
* a k-nearest-neighbour vote among each participant's neighbours on the map (cross-
  validated), which may follow any boundary, curved or patchy.

Whatever rule a clustering uses, it cannot agree with pol.is better than a rule fitted to
pol.is' answer, so where both oracles stay under 0.9 the 0.9 target is out of reach from
the final votes (docs/analysis.md, "What the exports allow"). The map is Denkdag's, which
is pol.is' current one (mean imputation, moderated-out columns zeroed, sparsity-aware
scaling); `_zero_imputed_map` is pol.is' older one (missing votes as 0), tried because
*scoop-hivemind.ubi* looks as if it was computed with it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier

from denkdag.analysis import DEFAULTS, VoteMatrix, compute
from denkdag.analysis.projection import project
from denkdag.formats.polis import PolisExport, read_export

# (conversation, linear oracle, 10-nn oracle), measured on the current map; asserted to
# two decimals so a change in the projection or the data shows up here.
ORACLES = [
    ("15-per-hour-seattle", 1.000, 0.795),
    ("brexit-consensus", 0.901, 0.881),
    ("football-concussions", 0.897, 0.865),
    ("scoop-hivemind.ubi", 0.413, 0.343),
]


def _clustered(export: PolisExport) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row indices of pol.is' clustered participants and their group ids."""
    ids = export.votes.participant_ids
    rows = np.array([i for i, p in enumerate(ids) if p in export.polis_groups], dtype=np.int64)
    return rows, np.array([export.polis_groups[ids[i]] for i in rows], dtype=np.int64)


def _linear_oracle(points: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
    model = LogisticRegression(C=1e4, max_iter=5000).fit(points, labels)
    return float(adjusted_rand_score(labels, model.predict(points)))


def _knn_oracle(points: NDArray[np.float64], labels: NDArray[np.int64], k: int = 10) -> float:
    folds = KFold(20, shuffle=True, random_state=0)
    predicted = cross_val_predict(KNeighborsClassifier(k), points, labels, cv=folds)
    return float(adjusted_rand_score(labels, predicted))


def _zero_imputed_map(votes: VoteMatrix) -> NDArray[np.float64]:
    """pol.is' map before it imputed column means: missing votes count as 0 in the PCA."""
    dense = votes.dense()
    dense[:, ~votes.active_statements()] = 0.0
    voted = ~np.isnan(dense)
    filled = np.where(voted, dense, 0.0)
    centre = filled.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh((filled - centre).T @ (filled - centre))
    axes = eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]
    projected = np.where(voted, dense - centre, 0.0) @ axes
    scale = np.sqrt(votes.shape[1] / np.maximum(voted.sum(axis=1), 1))
    return np.asarray(projected * scale[:, None], dtype=np.float64)


@pytest.mark.parametrize(("name", "linear", "knn"), ORACLES)
def test_how_well_the_final_map_can_reproduce_polis(
    polis_data: Path, name: str, linear: float, knn: float
) -> None:
    export = read_export(polis_data / name)
    rows, labels = _clustered(export)
    points = project(export.votes).coordinates[rows]
    assert _linear_oracle(points, labels) == pytest.approx(linear, abs=0.005)
    assert _knn_oracle(points, labels) == pytest.approx(knn, abs=0.005)


@pytest.mark.parametrize("name", ["football-concussions", "scoop-hivemind.ubi"])
def test_no_rule_on_the_map_reaches_0_9(polis_data: Path, name: str) -> None:
    """Even fitted to pol.is' own answer, neither oracle reaches the 0.9 target."""
    export = read_export(polis_data / name)
    rows, labels = _clustered(export)
    points = project(export.votes).coordinates[rows]
    knn = [_knn_oracle(points, labels, k) for k in (5, 10, 20)]
    best = max(_linear_oracle(points, labels), *knn)
    assert best < 0.9


def test_scoop_is_no_better_with_polis_older_imputation(polis_data: Path) -> None:
    """Missing-as-0 explains more of scoop's groups (which statements people saw), not 0.9."""
    export = read_export(polis_data / "scoop-hivemind.ubi")
    rows, labels = _clustered(export)
    old = _zero_imputed_map(export.votes)[rows]
    current = project(export.votes).coordinates[rows]
    assert _linear_oracle(old, labels) > _linear_oracle(current, labels) + 0.2
    assert max(_linear_oracle(old, labels), _knn_oracle(old, labels)) < 0.75


def test_seattle_groups_are_a_straight_cut_of_the_map(polis_data: Path) -> None:
    """Seattle's map is pol.is' exactly: its groups are a clean line through it.

    Denkdag's own k-means cut is a parallel-ish line a little further in (more people in
    the small group), a different local optimum of almost the same inertia: pol.is' cut
    depends on the warm starts of its history, which the export does not record.
    """
    export = read_export(polis_data / "15-per-hour-seattle")
    rows, labels = _clustered(export)
    points = project(export.votes).coordinates[rows]
    assert _linear_oracle(points, labels) == pytest.approx(1.0)
    settings = dataclasses.replace(DEFAULTS, min_k=2, max_k=2)
    ours = compute(export.votes, settings=settings).group_of()
    mine = np.array([ours[export.votes.participant_ids[i]] for i in rows])
    small_polis = int(np.bincount(labels).min())
    small_ours = int(np.bincount(mine).min())
    assert small_ours >= small_polis


def test_identical_votes_got_identical_polis_groups(polis_data: Path) -> None:
    """The exports are self-consistent where they must be: same votes, same group."""
    for name in ("brexit-consensus", "football-concussions", "scoop-hivemind.ubi"):
        export = read_export(polis_data / name)
        rows, labels = _clustered(export)
        dense = np.nan_to_num(export.votes.dense()[rows], nan=9.0)
        by_votes: dict[bytes, set[int]] = {}
        for row, label in zip(dense, labels.tolist(), strict=True):
            by_votes.setdefault(row.tobytes(), set()).add(label)
        assert all(len(groups) == 1 for groups in by_votes.values())
