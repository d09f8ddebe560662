"""Results broken down by profile group: per slide, per opinion group, and who answered.

Every figure here goes through `disclosed_groups` (domain/profiles.py): a group is shown
on its own only with at least five members *in the population the figure is about* (the
slide's respondents, the participants on the opinion map, everyone who joined), and the
rest, shown as one "other" row, is nobody or at least five people, so no small group can
be read off by subtracting the shown rows from the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Slide
from denkdag.domain.numbers import percent
from denkdag.domain.profiles import (
    ProfileOption,
    ProfileQuestion,
    answer_of,
    disclosed_groups,
    group_sizes,
)
from denkdag.domain.tally import Tally


def breaks_down(slide: Slide) -> bool:
    """Whether the slide's results are split by profile group (`Kind.breakdown`: counts
    or means worth splitting; texts and rankings are not split)."""
    return kind_of(slide.kind).breakdown


Profiles = Mapping[int, Mapping[str, str | None]]
"""Participant id → their profile answers (question id → option id or None)."""


@dataclass(frozen=True)
class GroupTally:
    """One shown profile group's result on a slide."""

    option: ProfileOption
    tally: Tally


@dataclass(frozen=True)
class Breakdown:
    """A slide's result per profile group of one question."""

    question: ProfileQuestion
    slide: Slide
    groups: tuple[GroupTally, ...]
    """The groups shown on their own, in the order the deck lists them."""
    rest: Tally | None
    """Everyone else who answered, as one: small groups and those who did not say
    (None when that is nobody; never one to four people)."""
    hidden_groups: int
    """How many of the question's options had respondents but are not shown."""

    def as_dict(self) -> dict[str, Any]:
        """The breakdown as the results endpoint and the JSON export give it."""

        def entry(tally: Tally, **head: Any) -> dict[str, Any]:
            return {
                **head,
                "respondents": tally.respondents,
                "counts": dict(tally.counts),
                "percentages": tally.percentages(),
                **tally.shown_extra(),
            }

        return {
            "question": self.question.id,
            "text": self.question.text,
            "groups": [entry(g.tally, id=g.option.id, label=g.option.label) for g in self.groups],
            "other": entry(self.rest) if self.rest is not None else None,
        }


def slide_breakdown(
    slide: Slide,
    question: ProfileQuestion,
    answers: Iterable[tuple[int, Any]],
    profiles: Profiles,
) -> Breakdown:
    """`slide`'s result per group of `question`, from (participant id, stored answer)."""
    kind = kind_of(slide.kind)
    by_option: dict[str | None, list[Any]] = {}
    for participant, value in answers:
        option = answer_of(question, profiles.get(participant))
        by_option.setdefault(option, []).append(value)
    tallies = {option: kind.tally(slide, values) for option, values in by_option.items()}
    sizes = {o.id: tallies[o.id].respondents if o.id in tallies else 0 for o in question.options}
    not_said = tallies[None].respondents if None in tallies else 0
    shown = disclosed_groups(sizes, not_said)
    groups = tuple(GroupTally(o, tallies[o.id]) for o in question.options if o.id in shown)
    rest_values = [v for option, values in by_option.items() if option not in shown for v in values]
    rest = kind.tally(slide, rest_values) if rest_values else None
    if rest is not None and rest.respondents == 0:
        rest = None
    hidden = sum(1 for o in question.options if sizes[o.id] and o.id not in shown)
    return Breakdown(question, slide, groups, rest, hidden)


@dataclass(frozen=True)
class GroupCount:
    option: ProfileOption
    count: int
    share: int
    """Whole percentage of the population."""


@dataclass(frozen=True)
class ProfileCounts:
    """How many participants are in each group of one question (shown groups only)."""

    question: ProfileQuestion
    population: int
    groups: tuple[GroupCount, ...]
    rest: int
    """Everyone else: small groups and those who did not say (0, or at least five)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question.id,
            "text": self.question.text,
            "options": [{"id": o.id, "label": o.label} for o in self.question.options],
            "participants": self.population,
            "groups": [
                {"id": g.option.id, "label": g.option.label, "count": g.count, "share": g.share}
                for g in self.groups
            ],
            "other": self.rest,
        }


def profile_counts(
    question: ProfileQuestion, profiles: Profiles, participants: Iterable[int]
) -> ProfileCounts:
    """The participants per group of `question` among `participants`."""
    people = list(participants)
    sizes, not_said = group_sizes(question, profiles, people)
    shown = disclosed_groups(sizes, not_said)
    total = len(people)
    groups = tuple(
        GroupCount(o, sizes[o.id], percent(sizes[o.id], total))
        for o in question.options
        if o.id in shown
    )
    return ProfileCounts(question, total, groups, total - sum(g.count for g in groups))


@dataclass(frozen=True)
class SpreadRow:
    """One profile group (or the rest, `option` None) over the opinion groups."""

    option: ProfileOption | None
    counts: tuple[int, ...]
    """Per column of `OpinionSpread.columns`."""

    @property
    def total(self) -> int:
        return sum(self.counts)

    def shares(self) -> tuple[int, ...]:
        return tuple(percent(count, self.total) for count in self.counts)


@dataclass(frozen=True)
class OpinionSpread:
    """How each profile group spreads over the opinion groups of the opinion map."""

    question: ProfileQuestion
    columns: tuple[str, ...]
    """Opinion group labels as shown; the last may be the participants drawn without a
    group (its label is the caller's)."""
    rows: tuple[SpreadRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question.id,
            "text": self.question.text,
            "columns": list(self.columns),
            "rows": [
                {
                    "id": row.option.id if row.option else None,
                    "label": row.option.label if row.option else None,
                    "counts": list(row.counts),
                    "percentages": list(row.shares()),
                    "total": row.total,
                }
                for row in self.rows
            ],
        }


def opinion_spread(
    question: ProfileQuestion,
    opinion_of: Mapping[int, int],
    columns: Sequence[str],
    profiles: Profiles,
) -> OpinionSpread:
    """The profile groups of the participants on the map (`opinion_of`: participant id →
    column index in `columns`), the floor applied among those participants."""
    people = list(opinion_of)
    sizes, not_said = group_sizes(question, profiles, people)
    shown = disclosed_groups(sizes, not_said)
    counts: dict[str | None, list[int]] = {}
    for participant, column in opinion_of.items():
        option = answer_of(question, profiles.get(participant))
        key = option if option in shown else None
        counts.setdefault(key, [0] * len(columns))[column] += 1
    rows = [SpreadRow(o, tuple(counts[o.id])) for o in question.options if o.id in counts]
    if None in counts:
        rows.append(SpreadRow(None, tuple(counts[None])))
    return OpinionSpread(question, tuple(columns), tuple(rows))
