"""The figures the report's charts are drawn from, computed once for screen and PDF.

The report page and its PDF are the same HTML (`report_html.py`); the templates draw a
chart from these values and compute nothing themselves, so a bar's height, the point it
stands on and the number written above it cannot disagree. The tallies stay the owner of
the counts; this module only arranges them per chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from denkdag.domain.model import Slide
from denkdag.domain.numbers import percent
from denkdag.domain.tally import Tally

FULL = 100
"""A chart's full height (or width) in its SVG's own units."""


@dataclass(frozen=True)
class ScaleColumn:
    """One point of a scale: how many gave it, their share of the item's ratings, and the
    column's height (the most given point reaches FULL)."""

    value: int
    count: int
    share: int
    height: float


@dataclass(frozen=True)
class ScaleChart:
    """One scale item: its label, mean (None: nobody rated it) and a column per point."""

    item_id: str
    label: str
    mean: float | None
    rated: int
    columns: tuple[ScaleColumn, ...]


@dataclass(frozen=True)
class RankBar:
    """A ranking's option by average rank (None: never ranked); the bar is FULL for an
    average rank of 1 and shrinks by one option's share per place."""

    option_id: str
    label: str
    average: float | None
    width: float


@dataclass(frozen=True)
class CloudWord:
    """A word of the cloud with how many gave it and its size step, 1 (once) to 5 (most);
    `word` is its folded key, the one the facilitator hides it by (as on the projector)."""

    word: str
    text: str
    count: int
    size: int


def scale_charts(slide: Slide, tally: Tally | None) -> list[ScaleChart]:
    """One chart per item of the scale `slide`, every point from `min` to `max` in order."""
    low, high = int(slide.extra.get("min", 1)), int(slide.extra.get("max", 5))
    results = {item["id"]: item for item in _extra(tally).get("items", [])}
    charts = []
    for item in slide.extra.get("items", []):
        found = results.get(item["id"], {})
        counts = {int(point): int(count) for point, count in found.get("counts", {}).items()}
        rated = sum(counts.values())
        top = max(counts.values(), default=0)
        columns = tuple(
            ScaleColumn(
                point,
                counts.get(point, 0),
                percent(counts.get(point, 0), rated),
                round(FULL * counts.get(point, 0) / top, 2) if top else 0.0,
            )
            for point in range(low, high + 1)
        )
        mean = found.get("mean")
        charts.append(ScaleChart(item["id"], item["label"] or slide.title, mean, rated, columns))
    return charts


def rank_bars(slide: Slide, tally: Tally | None) -> list[RankBar]:
    """The ranking's options by average rank, best first, as bars."""
    data = _extra(tally)
    average: dict[str, float] = data.get("average_rank", {})
    order = data.get("order") or [option.id for option in slide.options]
    n = len(slide.options)
    bars = []
    for option_id in order:
        option = slide.option(option_id)
        rank = average.get(option_id)
        width = round(FULL * (n - rank + 1) / n, 2) if rank is not None and n else 0.0
        bars.append(RankBar(option_id, option.label if option else option_id, rank, width))
    return bars


def cloud_words(tally: Tally | None) -> list[CloudWord]:
    """The word cloud's words, most given first (ties in alphabetical order)."""
    cloud = _extra(tally).get("cloud", [])
    top = max((int(entry["count"]) for entry in cloud), default=1)
    ordered = sorted(cloud, key=lambda entry: (-int(entry["count"]), str(entry["text"]).casefold()))
    return [
        CloudWord(
            str(entry["word"]),
            str(entry["text"]),
            int(entry["count"]),
            1 + round(4 * (int(entry["count"]) - 1) / ((top - 1) or 1)),
        )
        for entry in ordered
    ]


def _extra(tally: Tally | None) -> dict[str, Any]:
    return dict(tally.shown_extra()) if tally else {}
