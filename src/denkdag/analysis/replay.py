"""Replaying a conversation's history: the groups the room saw, not one run on the end state.

A live room's groups are the end of a history. Each recompute starts from the last one:
k-means warm-started from last time's centres, a new number of groups only after it kept
winning (`Settings.k_buffer`), group numbers matched to last time's, and "once in, always
in" for participants. A single analysis of the final votes sees none of that, so it can
settle on a different, equally good split of the same map. pol.is' groups are such a
history: its math worker recomputed after every batch of new votes.

:func:`replay` feeds timed votes, in time order, through a recompute step in batches:
every vote that arrived less than `every` seconds after a batch's first vote joins it,
and after each batch the step runs on all votes so far with the previous map. The step is
passed in, so a caller replays exactly the recompute its live rooms use
(`denkdag.app.opinions.replay_room`); the default is plain :func:`compute`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from denkdag.analysis.matrix import Id, VoteMatrix
from denkdag.analysis.opinion_map import OpinionMap, compute

EVERY = 60.0
"""Seconds of votes a batch gathers before the next recompute (see docs/analysis.md)."""

Recompute = Callable[[VoteMatrix, OpinionMap | None], OpinionMap | None]
"""One recompute: all votes so far and the last map (None at first) in, the new map out
(None while there are too few votes to draw one)."""


class TimedVote(NamedTuple):
    """One vote as a conversation's history records it."""

    time: float
    """Seconds (any epoch): only the order and the gaps matter."""
    participant_id: Id
    statement_id: Id
    vote: int


@dataclass(frozen=True)
class Step:
    """The groups after one recompute of the replay."""

    time: float
    """Time of the last vote in the batch."""
    votes: int
    """Votes given so far (a changed vote counts again)."""
    map: OpinionMap | None


@dataclass(frozen=True)
class Replay:
    """Every recompute of a replay, oldest first."""

    steps: tuple[Step, ...]

    @property
    def final(self) -> OpinionMap | None:
        """The map after the last vote: what the room saw at the end."""
        return self.steps[-1].map if self.steps else None


def in_time_order(history: Iterable[TimedVote]) -> list[TimedVote]:
    """Votes by time; equal times keep the order given (a later row is a later vote)."""
    return sorted(history, key=lambda vote: vote.time)


def batches(history: Sequence[TimedVote], every: float = EVERY) -> Iterator[int]:
    """End index (exclusive) of each batch of the time-ordered `history`.

    A batch is every vote less than `every` seconds after the batch's first vote (with
    `every` 0, each vote is a batch of its own).
    """
    if not history:
        return
    times = np.fromiter((v.time for v in history), np.float64, len(history))
    start = 0
    while start < len(history):
        end = max(int(np.searchsorted(times, times[start] + every, side="left")), start + 1)
        yield end
        start = end


def replay(
    history: Iterable[TimedVote],
    recompute: Recompute | None = None,
    *,
    every: float = EVERY,
    excluded: Iterable[Id] = (),
) -> Replay:
    """Recompute after every batch of votes, each time from the previous map.

    A statement is a column from its first vote on, as in pol.is' vote matrix. `excluded`
    (moderated out) is treated as out from the start: an export only tells the final state.
    """
    step_of: Recompute = recompute if recompute is not None else compute
    ordered = in_time_order(history)
    out = frozenset(excluded)
    steps: list[Step] = []
    previous: OpinionMap | None = None
    participants = [v.participant_id for v in ordered]
    items = [v.statement_id for v in ordered]
    values = [v.vote for v in ordered]
    for end in batches(ordered, every):
        seen = set(items[:end])
        matrix = VoteMatrix.from_arrays(
            participants[:end],
            items[:end],
            values[:end],
            excluded=out & seen,
        )
        result = step_of(matrix, previous)
        if result is not None:
            previous = result
        steps.append(Step(ordered[end - 1].time, end, result))
    return Replay(tuple(steps))
