"""A session against an earlier run of the same deck: the change per statement and option.

Slides are matched by their text, not their ids, so an edited deck still lines up where the
question stayed the same (`domain.matching.slide_key`: the rule comparing rooms uses too),
and a choice question's options by their label. Changes are in percentage points of
respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

from denkdag.domain.kinds import STANCES, kind_of
from denkdag.domain.matching import normalised, slide_key
from denkdag.formats.report import Report, SlideResult


@dataclass(frozen=True)
class Change:
    """One answer's share then and now."""

    key: str
    label: str
    before: int
    now: int

    @property
    def points(self) -> int:
        """The change in percentage points (now minus before)."""
        return self.now - self.before


@dataclass(frozen=True)
class SlideChange:
    current: SlideResult
    earlier: SlideResult
    rows: tuple[Change, ...]


@dataclass(frozen=True)
class Comparison:
    """The matched slides of `current` against `earlier`, in the current deck's order."""

    current_code: str
    earlier_code: str
    earlier_title: str
    earlier_date: str
    earlier_joined: int
    slides: tuple[SlideChange, ...]
    unmatched: int
    """Current slides that ask something but have no counterpart in the earlier run."""


def _rows(current: SlideResult, earlier: SlideResult) -> tuple[Change, ...]:
    if kind_of(current.slide.kind).rows == "stances":
        return tuple(
            Change(key, key, earlier.percentage(key), current.percentage(key)) for key in STANCES
        )
    before = {normalised(o.label): o.id for o in earlier.slide.options}
    return tuple(
        Change(
            option.id,
            option.label,
            earlier.percentage(before[normalised(option.label)]),
            current.percentage(option.id),
        )
        for option in current.slide.options
        if normalised(option.label) in before
    )


def compare(current: Report, earlier: Report) -> Comparison:
    """Match the slides of two reports by text and give the change on each."""
    earlier_by_key: dict[str, SlideResult] = {}
    for result in earlier.slides:
        key = slide_key(result.slide)
        if key is not None:
            earlier_by_key.setdefault(key, result)
    matched: list[SlideChange] = []
    unmatched = 0
    for result in current.slides:
        key = slide_key(result.slide)
        if key is None:
            continue
        other = earlier_by_key.get(key)
        if other is None:
            unmatched += 1
            continue
        matched.append(SlideChange(result, other, _rows(result, other)))
    return Comparison(
        current_code=current.code,
        earlier_code=earlier.code,
        earlier_title=earlier.info.title,
        earlier_date=earlier.info.date,
        earlier_joined=earlier.participation.joined,
        slides=tuple(matched),
        unmatched=unmatched,
    )
