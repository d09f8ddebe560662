"""Opinion groups: base clusters, then groups of base clusters, kept stable over time.

Following pol.is, participants are first grouped into up to 100 small "base clusters" by
k-means on the 2-D map; the opinion groups are then k-means clusters of those base centres,
weighted by their size. Clustering ~100 weighted points instead of every participant makes
choosing k cheap (silhouette over 100 points) and smooths out single noisy participants.

Stability rules, because the result is shown live on a projector:

* every k-means is warm-started from the centres of the previous recompute;
* the chosen k changes only after a new k had the best silhouette `k_buffer` times in a row;
* group numbers are matched to last time's groups by shared members.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from denkdag.analysis.matrix import FloatArray, IntArray
from denkdag.analysis.settings import Settings


@dataclass(frozen=True)
class KSmoother:
    """pol.is' group-k smoother state: the last best k, its run length and the k shown."""

    last_k: int
    last_k_count: int
    smoothed_k: int

    def update(self, best_k: int, buffer: int) -> KSmoother:
        """Advance by one recompute in which `best_k` had the best silhouette."""
        count = self.last_k_count + 1 if best_k == self.last_k else 1
        smoothed = best_k if count >= buffer else self.smoothed_k
        return KSmoother(best_k, count, smoothed)

    @staticmethod
    def first(best_k: int) -> KSmoother:
        return KSmoother(best_k, 1, best_k)


@dataclass(frozen=True, eq=False)
class Clustering:
    """The outcome of one recompute of the groups."""

    base_labels: IntArray
    """Base cluster of each clustered participant (in the order given)."""
    base_centres: FloatArray
    """(base clusters, 2)."""
    base_groups: IntArray
    """Opinion group of each base cluster."""
    group_centres: Mapping[int, FloatArray]
    """Weighted k-means centres per tried k (the chosen k in group-number order)."""
    silhouettes: Mapping[int, float]
    smoother: KSmoother

    @property
    def k(self) -> int:
        return int(self.base_groups.max()) + 1 if self.base_groups.size else 0

    @property
    def labels(self) -> IntArray:
        """Opinion group of each clustered participant."""
        return self.base_groups[self.base_labels]


def _distinct_count(points: FloatArray) -> int:
    return int(np.unique(np.round(points, 12), axis=0).shape[0]) if points.size else 0


def _kmeans(
    points: FloatArray,
    k: int,
    init: FloatArray | None,
    settings: Settings,
    weights: FloatArray | None = None,
    n_init: int = 1,
) -> tuple[IntArray, FloatArray]:
    """Lloyd k-means; `init` warm-starts, otherwise k-means++ with a fixed seed."""
    model = KMeans(
        n_clusters=k,
        init="k-means++" if init is None else init,
        n_init=n_init if init is None else 1,
        max_iter=settings.kmeans_max_iter,
        random_state=settings.seed,
        algorithm="lloyd",
    )
    labels = model.fit_predict(points, sample_weight=weights)
    return labels.astype(np.int64), np.asarray(model.cluster_centers_, dtype=np.float64)


def _warm_init(points: FloatArray, previous: FloatArray | None, k: int) -> FloatArray | None:
    """Previous centres adjusted to exactly `k` distinct ones, or None to start fresh.

    Extra centres are dropped (the least used first would need counts; the last ones go);
    missing ones are filled with the points farthest from every centre, as pol.is does.
    """
    if previous is None or previous.size == 0:
        return None
    centres = np.unique(np.round(previous, 12), axis=0)[:k]
    while centres.shape[0] < k:
        distance = np.min(np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2), axis=1)
        far = int(np.argmax(distance))
        if distance[far] <= 0:
            return None
        centres = np.vstack([centres, points[far]])
    return centres


def base_clusters(
    points: FloatArray, settings: Settings, previous: FloatArray | None
) -> tuple[IntArray, FloatArray]:
    """Up to `base_k` small clusters of the participants' positions."""
    k = min(settings.base_k, _distinct_count(points))
    if k <= 1:
        return np.zeros(points.shape[0], dtype=np.int64), points.mean(axis=0, keepdims=True)
    labels, centres = _kmeans(points, k, _warm_init(points, previous, k), settings)
    # Drop empty clusters (possible with a warm start) and renumber densely.
    used, labels = np.unique(labels, return_inverse=True)
    return labels.astype(np.int64), centres[used]


def silhouette(points: FloatArray, labels: IntArray) -> float:
    """Mean silhouette over the points (pol.is: base centres, unweighted); singletons score 0."""
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    clusters = np.unique(labels)
    if clusters.size < 2:
        return 0.0
    onehot = (labels[:, None] == clusters[None, :]).astype(np.float64)
    sizes = onehot.sum(axis=0)
    sums = distance @ onehot
    own = np.searchsorted(clusters, labels)
    own_size = sizes[own]
    a = np.divide(
        sums[np.arange(labels.size), own],
        own_size - 1,
        out=np.zeros(labels.size),
        where=own_size > 1,
    )
    mean_to = sums / sizes[None, :]
    mean_to[np.arange(labels.size), own] = np.inf
    b = mean_to.min(axis=1)
    denominator = np.maximum(a, b)
    s = np.divide(b - a, denominator, out=np.zeros(labels.size), where=denominator > 0)
    s[own_size <= 1] = 0.0
    return float(s.mean())


def _relabel(
    labels: IntArray, sizes: FloatArray, previous_labels: IntArray | None, k: int
) -> IntArray:
    """A map old→new group number: best overlap with last time, else biggest first."""
    if previous_labels is None or not np.any(previous_labels >= 0):
        order = np.argsort(-sizes, kind="stable")
        mapping = np.empty(k, dtype=np.int64)
        mapping[order] = np.arange(k)
        return mapping
    known = previous_labels >= 0
    width = max(k, int(previous_labels.max()) + 1)
    overlap = np.zeros((k, width))
    np.add.at(overlap, (labels[known], previous_labels[known]), 1.0)
    best: tuple[int, ...] = tuple(range(k))
    best_score = -1.0
    for perm in itertools.permutations(range(k)):
        score = float(overlap[np.arange(k), perm].sum())
        if score > best_score:
            best, best_score = perm, score
    return np.array(best, dtype=np.int64)


def cluster(
    points: FloatArray,
    settings: Settings,
    *,
    previous_base: FloatArray | None = None,
    previous_groups: Mapping[int, FloatArray] | None = None,
    previous_smoother: KSmoother | None = None,
    previous_labels: IntArray | None = None,
    degenerate: bool = False,
) -> Clustering:
    """Group the clustered participants' positions into opinion groups.

    `previous_labels` gives each participant's group last time (-1 if none) in the order of
    `points`, for keeping group numbers; `degenerate` (no spread at all) forces one group.
    """
    n = points.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Clustering(empty, np.zeros((0, 2)), empty, {}, {}, KSmoother.first(1))
    base_labels, base_centres = base_clusters(points, settings, previous_base)
    weights = np.bincount(base_labels, minlength=base_centres.shape[0]).astype(np.float64)
    n_base = base_centres.shape[0]
    max_k = min(settings.max_k, 2 + n_base // settings.base_clusters_per_k, n_base)
    centres: dict[int, FloatArray] = {}
    groupings: dict[int, IntArray] = {}
    silhouettes: dict[int, float] = {}
    if not degenerate:
        for k in range(settings.min_k, max_k + 1):
            init = _warm_init(base_centres, (previous_groups or {}).get(k), k)
            labels, k_centres = _kmeans(
                base_centres, k, init, settings, weights, settings.kmeans_fresh_inits
            )
            if np.unique(labels).size < k:
                continue
            groupings[k], centres[k] = labels, k_centres
            silhouettes[k] = silhouette(base_centres, labels)
    if not silhouettes:
        smoother = KSmoother.first(1)
        groups = np.zeros(n_base, dtype=np.int64)
        return Clustering(base_labels, base_centres, groups, {}, {}, smoother)

    best_k = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    smoother = (
        previous_smoother.update(best_k, settings.k_buffer)
        if previous_smoother is not None
        else KSmoother.first(best_k)
    )
    k = smoother.smoothed_k if smoother.smoothed_k in groupings else best_k
    groups = groupings[k]
    participant_groups = groups[base_labels]
    sizes = np.bincount(participant_groups, minlength=k).astype(np.float64)
    mapping = _relabel(participant_groups, sizes, previous_labels, k)
    groups = mapping[groups]
    ordered = np.empty_like(centres[k])
    ordered[mapping] = centres[k]
    centres[k] = ordered
    return Clustering(base_labels, base_centres, groups, centres, silhouettes, smoother)
