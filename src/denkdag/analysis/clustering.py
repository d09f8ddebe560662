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
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

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


def canonical_order(points: FloatArray) -> IntArray:
    """An order of the points that depends on where they are, never on where they came from.

    By distance from their mean, then x, then y, each rounded to 9 decimals so that float
    noise (the same votes in another column order sum in another order) cannot reorder
    them. The distance comes first because it does not change when the map is mirrored
    or rotated, so only points tied on it depend on the axes' orientation. Every seeding
    and tie-break below works on points in this order, which makes the groups independent
    of the order of participants and statements (up to exact ties between distinct points).
    """
    if points.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    radius = np.linalg.norm(points - points.mean(axis=0), axis=1)
    keys = np.round(np.column_stack([radius, points]), _KEY_DECIMALS)
    return np.lexsort(keys.T[::-1]).astype(np.int64)


_KEY_DECIMALS = 9


def _sklearn_kmeans(
    points: FloatArray, k: int, init: FloatArray | None, settings: Settings
) -> tuple[IntArray, FloatArray]:
    """Lloyd k-means (scikit-learn's, compiled: the base clustering may see 20,000 points).

    `init` warm-starts, otherwise one seeded k-means++ start; the caller passes the points
    in canonical order, so the seeding does not depend on the input order.
    """
    # scikit-learn takes a second to import: only processes that cluster pay for it.
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    model = KMeans(
        n_clusters=k,
        init="k-means++" if init is None else init,
        n_init=settings.kmeans_base_inits if init is None else 1,
        max_iter=settings.kmeans_max_iter,
        random_state=settings.seed,
        algorithm="lloyd",
    )
    with warnings.catch_warnings():
        # Fewer distinct clusters than asked (a warm start on stacked points) is handled
        # by the caller, which drops empty clusters.
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = model.fit_predict(points)
    return labels.astype(np.int64), np.asarray(model.cluster_centers_, dtype=np.float64)


def _warm_init(points: FloatArray, previous: FloatArray | None, k: int) -> FloatArray | None:
    """Previous centres adjusted to exactly `k` distinct ones, or None to start fresh.

    Extra centres are dropped (the last in coordinate order); missing ones are filled with
    the points farthest from every centre, as pol.is does. `points` must be in canonical
    order, so ties in distance go the same way whatever the input order.
    """
    if previous is None or previous.size == 0:
        return None
    centres = np.unique(np.round(previous, 12), axis=0)[:k]
    while centres.shape[0] < k:
        distance = np.min(np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2), axis=1)
        far = int(np.argmax(np.round(distance, _KEY_DECIMALS)))
        if distance[far] <= 0:
            return None
        centres = np.vstack([centres, points[far]])
    return centres


def base_clusters(
    points: FloatArray, settings: Settings, previous: FloatArray | None
) -> tuple[IntArray, FloatArray]:
    """Up to `base_k` small clusters of the participants' positions, numbered canonically."""
    k = min(settings.base_k, _distinct_count(points))
    if k <= 1:
        return np.zeros(points.shape[0], dtype=np.int64), points.mean(axis=0, keepdims=True)
    order = canonical_order(points)
    ordered = points[order]
    ordered_labels, centres = _sklearn_kmeans(
        ordered, k, _warm_init(ordered, previous, k), settings
    )
    labels = np.empty_like(ordered_labels)
    labels[order] = ordered_labels
    # Drop empty clusters (possible with a warm start), then number them canonically.
    used, labels = np.unique(labels, return_inverse=True)
    centres = centres[used]
    centre_order = canonical_order(centres)
    rank = np.empty_like(centre_order)
    rank[centre_order] = np.arange(centre_order.size)
    return rank[labels.astype(np.int64)], centres[centre_order]


def _lloyd(
    points: FloatArray, weights: FloatArray, starts: FloatArray, max_iter: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Weighted Lloyd iterations from many starts at once.

    `starts` is (starts, k, 2); returns labels (starts, points), centres (starts, k, 2) and
    the weighted inertia of each start. A centre left without points stays where it was.
    """
    k = starts.shape[1]
    centres = starts.copy()
    labels = np.full((starts.shape[0], points.shape[0]), -1, dtype=np.int64)
    for _ in range(max_iter):
        squared = ((points[None, :, None, :] - centres[:, None, :, :]) ** 2).sum(axis=3)
        new_labels = squared.argmin(axis=2)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        member = (labels[:, :, None] == np.arange(k)[None, None, :]) * weights[None, :, None]
        mass = member.sum(axis=1)
        sums = np.einsum("snk,nd->skd", member, points)
        centres = np.where(
            mass[:, :, None] > 0, sums / np.maximum(mass, 1e-300)[:, :, None], centres
        )
    squared = ((points[None, :, None, :] - centres[:, None, :, :]) ** 2).sum(axis=3)
    labels = squared.argmin(axis=2)
    inertia = (np.take_along_axis(squared, labels[:, :, None], axis=2)[:, :, 0] * weights).sum(
        axis=1
    )
    return labels.astype(np.int64), centres, inertia


def _fresh_starts(
    points: FloatArray, weights: FloatArray, k: int, settings: Settings
) -> FloatArray:
    """Deterministic and seeded starts for a weighted k-means of (canonically ordered) points.

    One start per point: that point first, then each next centre the point with the
    largest weight × squared distance to the chosen ones (ties: the first in canonical
    order). Plus `kmeans_fresh_inits` weighted k-means++ draws with the fixed seed. With at
    most 100 base centres and k ≤ 5 this is cheap, and the best of them is, in practice,
    the global optimum — which, unlike one lucky start, no ordering can change.
    """
    n = points.shape[0]
    squared = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    chosen = np.empty((n + settings.kmeans_fresh_inits, k), dtype=np.int64)
    chosen[:n, 0] = np.arange(n)
    nearest = squared[np.arange(n)]
    for c in range(1, k):
        score = np.round(weights[None, :] * nearest, _KEY_DECIMALS)
        pick = score.argmax(axis=1)
        chosen[:n, c] = pick
        nearest = np.minimum(nearest, squared[pick])
    rng = np.random.default_rng(settings.seed)
    for s in range(n, n + settings.kmeans_fresh_inits):
        chosen[s, 0] = rng.choice(n, p=weights / weights.sum())
        nearest = squared[chosen[s, 0]].copy()
        for c in range(1, k):
            mass = weights * nearest
            total = mass.sum()
            chosen[s, c] = rng.choice(n, p=mass / total) if total > 0 else chosen[s, c - 1]
            nearest = np.minimum(nearest, squared[chosen[s, c]])
    return points[chosen]


def _sorted_rows(centres: FloatArray) -> FloatArray:
    """Centres rounded and sorted by x, then y: a clustering's order-free fingerprint."""
    rounded = np.round(centres, _KEY_DECIMALS)
    return rounded[np.lexsort((rounded[:, 1], rounded[:, 0]))]


def group_kmeans(
    points: FloatArray,
    weights: FloatArray,
    k: int,
    settings: Settings,
    init: FloatArray | None = None,
) -> tuple[IntArray, FloatArray] | None:
    """Weighted k-means of the base centres into k groups, or None if k groups do not form.

    A warm start (`init`, last time's centres) is refined as it is, for stability; a fresh
    clustering keeps the best of many starts (:func:`_fresh_starts`) by weighted inertia,
    ties (equal within 1e-9) going to the solution whose centres come first in coordinate
    order. `points` must be in canonical order.
    """
    starts = init[None, :, :] if init is not None else _fresh_starts(points, weights, k, settings)
    labels, centres, inertia = _lloyd(points, weights, starts, settings.kmeans_max_iter)
    full = np.array([np.unique(row).size == k for row in labels])
    if not full.any():
        return None
    inertia = np.where(full, inertia, np.inf)
    best = inertia.min()
    tied = np.flatnonzero(inertia <= best + 1e-9 * max(best, 1e-12))
    if tied.size > 1:
        keys = np.array([_sorted_rows(centres[t]).ravel() for t in tied])
        tied = tied[np.lexsort(keys.T[::-1])]
    winner = int(tied[0])
    return labels[winner], centres[winner]


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


def sticky_k(silhouettes: Mapping[int, float], margin: float) -> int:
    """The fewest groups whose silhouette is within `margin` of the best silhouette.

    So a k with more groups is chosen only when it beats every smaller k by more than the
    margin. Silhouettes are compared rounded to 9 decimals, so float noise cannot decide.
    """
    rounded = {k: round(s, _KEY_DECIMALS) for k, s in silhouettes.items()}
    best = max(rounded.values())
    return min(k for k, s in rounded.items() if s >= round(best - margin, _KEY_DECIMALS))


def _relabel(
    labels: IntArray,
    sizes: FloatArray,
    centres: FloatArray,
    previous_labels: IntArray | None,
    k: int,
) -> IntArray:
    """A map old→new group number: best overlap with last time, else biggest first.

    Groups of equal size are numbered by where their centre is, not by a position.
    """
    if previous_labels is None or not np.any(previous_labels >= 0):
        rounded = np.round(centres, _KEY_DECIMALS)
        order = np.lexsort((rounded[:, 1], rounded[:, 0], -sizes))
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
            found = group_kmeans(base_centres, weights, k, settings, init)
            if found is None:
                continue
            labels, centres[k] = found
            groupings[k] = labels
            silhouettes[k] = silhouette(base_centres, labels)
    if not silhouettes:
        smoother = KSmoother.first(1)
        groups = np.zeros(n_base, dtype=np.int64)
        return Clustering(base_labels, base_centres, groups, {}, {}, smoother)

    best_k = sticky_k(silhouettes, settings.k_margin)
    smoother = (
        previous_smoother.update(best_k, settings.k_buffer)
        if previous_smoother is not None
        else KSmoother.first(best_k)
    )
    k = smoother.smoothed_k if smoother.smoothed_k in groupings else best_k
    groups = groupings[k]
    participant_groups = groups[base_labels]
    sizes = np.bincount(participant_groups, minlength=k).astype(np.float64)
    mapping = _relabel(participant_groups, sizes, centres[k], previous_labels, k)
    groups = mapping[groups]
    ordered = np.empty_like(centres[k])
    ordered[mapping] = centres[k]
    centres[k] = ordered
    return Clustering(base_labels, base_centres, groups, centres, silhouettes, smoother)
