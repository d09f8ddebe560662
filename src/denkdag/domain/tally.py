"""Tallies: what the room answered on one slide, as counts that never go stale.

A tally is always computed from the stored answers (one per participant), never kept as a
counter that is read, changed and written back, so it is exact under any concurrency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from denkdag.domain.numbers import percent

PRIVACY_FLOOR = 5
"""Groups with fewer participants than this are never shown on their own."""


@dataclass(frozen=True)
class Tally:
    """The result of one slide: how many answered and the count of each answer.

    `counts` maps an option id (choice) or a stance (statement) to how many chose it;
    `extra` carries fields that only some kinds add (a scale's means, say).
    """

    slide_id: str
    kind: str
    respondents: int
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    public_extra: Mapping[str, Any] | None = None
    """What participants and the projector may see of `extra`, where that is less (an open
    answer's hidden texts are for facilitators only); None: all of `extra` is public."""

    def percentage(self, key: str) -> float:
        """Share of respondents who chose `key`, 0–100; 0 when nobody answered."""
        if self.respondents == 0:
            return 0.0
        return 100.0 * self.counts.get(key, 0) / self.respondents

    def percentages(self) -> dict[str, int]:
        """Whole percentages per answer, rounded half up, for display."""
        return {key: percent(count, self.respondents) for key, count in self.counts.items()}

    def shown_extra(self, *, facilitator: bool = False) -> Mapping[str, Any]:
        """The kind's own fields for this audience: all of them for facilitators only."""
        if facilitator or self.public_extra is None:
            return self.extra
        return self.public_extra

    def withholding(self, keys: frozenset[str]) -> Tally:
        """The tally without these fields of `extra` (for anyone): what a kind keeps until
        its slide is revealed (a quiz question's right answer)."""
        if not keys & set(self.extra):
            return self
        kept = {key: value for key, value in self.extra.items() if key not in keys}
        public = self.public_extra
        if public is not None:
            public = {key: value for key, value in public.items() if key not in keys}
        return replace(self, extra=MappingProxyType(kept), public_extra=public)

    def as_dict(self, *, with_counts: bool = True, facilitator: bool = False) -> dict[str, Any]:
        """The tally in the shape of the results endpoint (`counts` only when shown)."""
        data: dict[str, Any] = {"slide": self.slide_id, "respondents": self.respondents}
        if with_counts:
            data["counts"] = dict(self.counts)
            data.update(self.shown_extra(facilitator=facilitator))
        return data


@dataclass(frozen=True)
class AnswerRecord:
    """One participant's stored answer with what some kinds need beside its value.

    Kinds that show answers one by one (open answers) or in order of first appearance
    (word clouds) tally these instead of bare values: `id` is stable while a participant
    changes their answer, `updated_at` orders a wall newest first, and `hidden` /
    `highlighted` are the facilitator's moderation of it.
    """

    id: int
    value: Any
    updated_at: datetime | None = None
    hidden: bool = False
    highlighted: bool = False


def shown_groups(sizes: Mapping[str, int], floor: int = PRIVACY_FLOOR) -> set[str]:
    """The groups that may be shown on their own, given each group's size.

    A group under `floor` is hidden. If exactly one group is hidden, another must be hidden
    with it (the smallest shown one), or its figures could be derived by subtracting the
    shown groups from the total.
    """
    shown = {name for name, size in sizes.items() if size >= floor}
    hidden = set(sizes) - shown
    if len(hidden) == 1 and shown:
        smallest = min(shown, key=lambda name: (sizes[name], name))
        shown.discard(smallest)
    return shown
