"""A session against an earlier run of the same deck: the change per statement and option.

Slides are matched by their text, not their ids, so an edited deck still lines up where the
question stayed the same: a statement by its statement, a choice question by its title and
prompt, and its options by label. Changes are in percentage points of respondents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from denkdag.domain.kinds import STANCES, kind_of
from denkdag.domain.model import Slide
from denkdag.formats.report import Report, SlideResult

_QUOTES = "\"'“”„‘’«»"
_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    """Text as compared: case, spacing, surrounding quotes and end punctuation ignored."""
    text = _SPACE.sub(" ", text).strip().casefold()
    return text.strip(_QUOTES + " .").strip()


def slide_key(slide: Slide) -> str | None:
    """What identifies a slide across runs; None for slides that ask nothing comparable.
    A question with options is matched by its title and prompt (its options by label,
    so an edited list still lines up), any other by its kind's `question_key`."""
    kind = kind_of(slide.kind)
    if not kind.shared:
        return None
    if kind.rows == "options":
        return f"{slide.kind}:{_normal(slide.title)}|{_normal(slide.body)}"
    return kind.question_key(slide, _normal)


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
    before = {_normal(o.label): o.id for o in earlier.slide.options}
    return tuple(
        Change(
            option.id,
            option.label,
            earlier.percentage(before[_normal(option.label)]),
            current.percentage(option.id),
        )
        for option in current.slide.options
        if _normal(option.label) in before
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
