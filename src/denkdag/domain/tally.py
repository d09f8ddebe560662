"""Tallies: what the room answered on one slide, as counts that never go stale.

A tally is always computed from the stored answers (one per participant), never kept as a
counter that is read, changed and written back, so it is exact under any concurrency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

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

    def percentage(self, key: str) -> float:
        """Share of respondents who chose `key`, 0–100; 0 when nobody answered."""
        if self.respondents == 0:
            return 0.0
        return 100.0 * self.counts.get(key, 0) / self.respondents

    def percentages(self) -> dict[str, int]:
        """Whole percentages per answer, rounded half up, for display."""
        return {key: int(self.percentage(key) + 0.5) for key in self.counts}

    def as_dict(self, *, with_counts: bool = True) -> dict[str, Any]:
        """The tally in the shape of the results endpoint (`counts` only when shown)."""
        data: dict[str, Any] = {"slide": self.slide_id, "respondents": self.respondents}
        if with_counts:
            data["counts"] = dict(self.counts)
            data.update(self.extra)
        return data


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
