"""The entry point: votes (and last time's map) in, a new opinion map out.

`compute` is a pure function, like pol.is' conversation update: everything it needs from
the previous recompute (axes, included participants, cluster centres, k history, group
numbers) travels in the previous :class:`OpinionMap`, so a caller only keeps the last map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from denkdag.analysis.clustering import KSmoother, cluster
from denkdag.analysis.inclusion import included
from denkdag.analysis.matrix import FloatArray, Id, IntArray, VoteMatrix
from denkdag.analysis.projection import project
from denkdag.analysis.representative import (
    ConsensusStatement,
    DivisiveStatement,
    GroupConsensus,
    RepStatement,
    best_agree,
    consensus,
    count_votes,
    divisive,
    group_informed_consensus,
    representative,
)
from denkdag.analysis.settings import DEFAULTS, Settings

GROUP_LABELS = "ABCDEFGHIJ"
"""How a group is named wherever it is shown (projector, phones, report): by its index."""


@dataclass(frozen=True, eq=False)
class ClusterState:
    """What the next recompute needs to stay stable; not meant for display."""

    components: FloatArray
    """(2, statements) PCA axes, to keep the map from mirroring."""
    base_centres: FloatArray
    group_centres: Mapping[int, FloatArray]
    smoother: KSmoother
    silhouettes: Mapping[int, float]


@dataclass(frozen=True, eq=False)
class OpinionMap:
    """Everything a projector draws, plus the state for a stable next recompute.

    Arrays are indexed like `participant_ids` (rows) and `statement_ids` (columns).
    """

    participant_ids: tuple[Id, ...]
    statement_ids: tuple[Id, ...]
    coordinates: FloatArray
    """(participants, 2): position on the opinion map."""
    groups: IntArray
    """Opinion group of each participant, -1 for those not (yet) clustered."""
    group_sizes: tuple[int, ...]
    representative: tuple[tuple[RepStatement, ...], ...]
    """Per group, its representative statements."""
    best_agree: tuple[RepStatement | None, ...]
    """Per group, pol.is' best-agree statement (None if none qualifies): what the group
    agrees with that best sets it apart, shown first."""
    consensus: tuple[ConsensusStatement, ...]
    group_informed_consensus: tuple[GroupConsensus, ...]
    divisive: tuple[DivisiveStatement, ...]
    state: ClusterState = field(repr=False)

    @property
    def k(self) -> int:
        """Number of opinion groups."""
        return len(self.group_sizes)

    @property
    def included(self) -> NDArray[np.bool_]:
        return self.groups >= 0

    def group_of(self) -> dict[Id, int]:
        """Group number per clustered participant id."""
        return {
            p: int(g)
            for p, g in zip(self.participant_ids, self.groups.tolist(), strict=True)
            if g >= 0
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (lists, dicts, str, int, float)."""
        return {
            "k": self.k,
            "group_sizes": list(self.group_sizes),
            "participants": [
                {"id": p, "x": float(x), "y": float(y), "group": int(g)}
                for p, (x, y), g in zip(
                    self.participant_ids,
                    self.coordinates.tolist(),
                    self.groups.tolist(),
                    strict=True,
                )
            ],
            "representative": [[asdict(r) for r in group] for group in self.representative],
            "best_agree": [asdict(b) if b is not None else None for b in self.best_agree],
            "consensus": [asdict(c) for c in self.consensus],
            "group_informed_consensus": [asdict(c) for c in self.group_informed_consensus],
            "divisive": [
                {**asdict(d), "agree_by_group": list(d.agree_by_group)} for d in self.divisive
            ],
            "state": {
                "statement_ids": list(self.statement_ids),
                "components": self.state.components.tolist(),
                "base_centres": self.state.base_centres.tolist(),
                "group_centres": {str(k): c.tolist() for k, c in self.state.group_centres.items()},
                "silhouettes": {str(k): s for k, s in self.state.silhouettes.items()},
                "k_smoother": asdict(self.state.smoother),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OpinionMap:
        """The map back from `to_dict` (after a JSON round trip): the same groups, the same
        statement lists and the same state, so it serves as `previous` again."""
        people = data["participants"]
        state = data["state"]
        smoother = state["k_smoother"]
        return cls(
            participant_ids=tuple(p["id"] for p in people),
            statement_ids=tuple(state["statement_ids"]),
            coordinates=np.array([[p["x"], p["y"]] for p in people], dtype=np.float64).reshape(
                -1, 2
            ),
            groups=np.array([p["group"] for p in people], dtype=np.int64),
            group_sizes=tuple(int(size) for size in data["group_sizes"]),
            representative=tuple(
                tuple(RepStatement(**r) for r in group) for group in data["representative"]
            ),
            best_agree=tuple(
                RepStatement(**b) if b is not None else None
                for b in data.get("best_agree", [None] * len(data["group_sizes"]))
            ),
            consensus=tuple(ConsensusStatement(**c) for c in data["consensus"]),
            group_informed_consensus=tuple(
                GroupConsensus(**c) for c in data["group_informed_consensus"]
            ),
            divisive=tuple(
                DivisiveStatement(**{**d, "agree_by_group": tuple(d["agree_by_group"])})
                for d in data["divisive"]
            ),
            state=ClusterState(
                components=np.array(state["components"], dtype=np.float64).reshape(
                    2, len(state["statement_ids"])
                ),
                base_centres=np.array(state["base_centres"], dtype=np.float64).reshape(-1, 2),
                group_centres={
                    int(k): np.array(c, dtype=np.float64).reshape(-1, 2)
                    for k, c in state["group_centres"].items()
                },
                smoother=KSmoother(
                    int(smoother["last_k"]),
                    int(smoother["last_k_count"]),
                    int(smoother["smoothed_k"]),
                ),
                silhouettes={int(k): float(v) for k, v in state["silhouettes"].items()},
            ),
        )


_CONTROLLER: list[Any] = []


def _one_thread() -> Any:
    """A context running BLAS and OpenMP (scikit-learn's k-means) on one thread.

    Several threads split sums differently, which changes the last bits of a result, and
    the groups must not depend on the machine's thread count. The controller is built
    once, after scikit-learn is imported, so it also sees scikit-learn's OpenMP runtime.
    """
    if not _CONTROLLER:
        # scikit-learn and threadpoolctl take a while to import: only when computing.
        import sklearn.cluster  # noqa: F401
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def compute(
    votes: VoteMatrix, previous: OpinionMap | None = None, settings: Settings = DEFAULTS
) -> OpinionMap:
    """Analyse the room: projection, groups, representative / consensus / divisive statements.

    The same votes give the same map to the bit, whatever the participants' and
    statements' ids, the order the votes came in, or the number of BLAS threads.
    """
    with _one_thread():
        return _compute(votes, previous, settings)


def _compute(votes: VoteMatrix, previous: OpinionMap | None, settings: Settings) -> OpinionMap:
    prev_components = (
        (previous.statement_ids, previous.state.components) if previous is not None else None
    )
    projection = project(votes, prev_components)

    previously_in: list[Id] = []
    previous_group: dict[Id, int] = {}
    if previous is not None:
        previous_group = previous.group_of()
        previously_in = list(previous_group)
    mask = included(votes, settings, previously_in)
    members = np.flatnonzero(mask)
    previous_labels = (
        np.array(
            [previous_group.get(votes.participant_ids[i], -1) for i in members], dtype=np.int64
        )
        if previous is not None
        else None
    )
    clustering = cluster(
        projection.coordinates[members],
        settings,
        previous_base=previous.state.base_centres if previous is not None else None,
        previous_groups=previous.state.group_centres if previous is not None else None,
        previous_smoother=previous.state.smoother if previous is not None else None,
        previous_labels=previous_labels,
        degenerate=projection.total_variance < settings.min_variance,
    )

    groups = np.full(votes.shape[0], -1, dtype=np.int64)
    groups[members] = clustering.labels
    k = clustering.k
    group_counts = count_votes(votes, groups, k)
    room_counts = count_votes(votes, np.zeros(votes.shape[0], dtype=np.int64), 1)
    return OpinionMap(
        participant_ids=votes.participant_ids,
        statement_ids=votes.statement_ids,
        coordinates=projection.coordinates,
        groups=groups,
        group_sizes=tuple(int(x) for x in np.bincount(clustering.labels, minlength=k)),
        representative=representative(votes, group_counts, settings),
        best_agree=best_agree(votes, group_counts, settings),
        consensus=consensus(votes, room_counts, settings),
        group_informed_consensus=group_informed_consensus(votes, group_counts),
        divisive=divisive(votes, group_counts, settings),
        state=ClusterState(
            components=projection.components,
            base_centres=clustering.base_centres,
            group_centres=dict(clustering.group_centres),
            smoother=clustering.smoother,
            silhouettes=dict(clustering.silhouettes),
        ),
    )
