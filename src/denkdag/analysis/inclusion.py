"""Who is in the opinion groups: pol.is' "in conversation" rule.

Someone who voted on two statements says little about where they stand, so groups are
built only from participants who voted on at least `min(7, statements)` statements (passes
and moderated-out statements count: they show engagement). When fewer than 15 qualify, the
most active are added so an early room still shows groups. Once in, a participant stays
in: a projector must not drop people from the map between updates.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from numpy.typing import NDArray

from denkdag.analysis.matrix import Id, VoteMatrix
from denkdag.analysis.settings import Settings


def included(
    votes: VoteMatrix, settings: Settings, previously: Collection[Id] = ()
) -> NDArray[np.bool_]:
    """Mask over participants of who is clustered."""
    _n, m = votes.shape
    counts = votes.votes_per_participant()
    mask = counts >= min(settings.min_votes, m)
    if previously:
        before = set(previously)
        mask |= np.array([p in before for p in votes.participant_ids], dtype=bool)
    missing = settings.min_participants - int(mask.sum())
    if missing > 0:
        # Most active first; ties keep the canonical participant order (stable sort).
        candidates = np.flatnonzero(~mask & (counts > 0))
        order = candidates[np.argsort(-counts[candidates], kind="stable")]
        mask[order[:missing]] = True
    return mask
