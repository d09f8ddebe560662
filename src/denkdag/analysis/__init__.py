"""Opinion analysis of agree / disagree / pass votes, after pol.is' published method.

Pure numpy and scikit-learn: no web framework, no database, nothing else from Denkdag.
Build a :class:`VoteMatrix` from (participant, statement, vote) triples and call
:func:`compute`; pass the previous :class:`OpinionMap` back in so groups stay stable.
"""

from denkdag.analysis.clustering import KSmoother
from denkdag.analysis.matrix import AGREE, DISAGREE, PASS, VOTES, Id, VoteMatrix
from denkdag.analysis.opinion_map import GROUP_LABELS, ClusterState, OpinionMap, compute
from denkdag.analysis.representative import (
    ConsensusStatement,
    DivisiveStatement,
    GroupConsensus,
    RepStatement,
)
from denkdag.analysis.settings import DEFAULTS, Settings

__all__ = [
    "AGREE",
    "DEFAULTS",
    "DISAGREE",
    "GROUP_LABELS",
    "PASS",
    "VOTES",
    "ClusterState",
    "ConsensusStatement",
    "DivisiveStatement",
    "GroupConsensus",
    "Id",
    "KSmoother",
    "OpinionMap",
    "RepStatement",
    "Settings",
    "VoteMatrix",
    "compute",
]
