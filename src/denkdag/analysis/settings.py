"""Every tunable of the opinion analysis, in one frozen dataclass.

The defaults follow pol.is' published method (its `conversation` defaults map): a
participant counts once they voted on `min(7, statements)` statements, 100 base clusters,
2 to 5 opinion groups chosen by silhouette, a new k only after it won 4 updates in a row,
and z-tests at 90 % one-sided confidence.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Tunables for :func:`denkdag.analysis.compute`; pass a changed copy to experiment."""

    min_votes: int = 7
    """A participant is included once they voted on at least `min(min_votes, statements)`."""
    min_participants: int = 15
    """If fewer qualify, the most active participants are added up to this many."""
    base_k: int = 100
    """Number of fine-grained base clusters the groups are built from."""
    min_k: int = 2
    max_k: int = 5
    """The number of opinion groups is chosen in `min_k..max_k` by silhouette."""
    base_clusters_per_k: int = 12
    """At most `2 + base_clusters // base_clusters_per_k` groups (few base clusters, few groups)."""
    k_margin: float = 0.02
    """More groups win only by a clear margin: the number of groups is the fewest whose
    silhouette is within `k_margin` of the best one's (silhouettes of neighbouring k are
    often a hair apart, and then the simpler map is the stabler one)."""
    k_buffer: int = 4
    """A new best k must win this many updates in a row before the groups change to it."""
    kmeans_max_iter: int = 100
    kmeans_fresh_inits: int = 10
    """Fresh group clusterings try this many seeded k-means++ starts besides one start
    from every base centre."""
    kmeans_base_inits: int = 5
    """Fresh base clusterings keep the best (least inertia) of this many k-means++ starts."""
    z_90: float = 1.2816
    """One-sided 90 % critical value for the proportion z-tests."""
    max_representative: int = 5
    max_consensus: int = 5
    max_divisive: int = 5
    divisive_min_spread: float = 0.3
    """A divisive statement's group agree rates differ by at least this much."""
    min_variance: float = 1e-9
    """Below this total variance the room is of one mind: one group, no projection spread."""
    seed: int = 0
    """Seed for the k-means++ starts, so a recompute on the same votes is identical."""


DEFAULTS = Settings()
"""The settings used unless told otherwise."""
