"""Scales (Likert): one or several items, each rated on the same scale, say 1 to 5.

Deck syntax: settings `min` and `max` (whole numbers, 0 ≤ min < max ≤ 10; default 1 and
5) and `labels` (the words at the two ends, `low | high`), an optional prompt, then one
bullet per item. Without bullets the slide rates one unnamed item: its title.

    # Hoe ervaar je de samenwerking?
    kind: scale
    max: 5
    labels: Helemaal oneens | Helemaal eens

    - Ik ken de partners in mijn regio
    - We delen genoeg kennis

Items get the ids a, b, c … in the order written. An answer rates one or more items,
`{"a": 4, "b": 2}`: a participant may leave out an item they cannot judge, and a new
answer replaces the whole previous one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    Form,
    KindDefaults,
    Line,
    Rows,
    Setting,
    SlideContent,
    SlideSource,
    body_text,
    last_value,
    parse_int,
)
from denkdag.domain.kinds.choice import MAX_OPTIONS, option_id
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

LOWEST, HIGHEST = 0, 10
DEFAULT_MIN, DEFAULT_MAX = 1, 5
MAX_LABEL = 200


def _number(source: SlideSource, name: str, default: int) -> int:
    return parse_int(source, name, default, LOWEST, HIGHEST)


def _labels(source: SlideSource) -> list[str]:
    raw = source.settings.get("labels")
    if raw is None:
        return []
    parts = [part.strip() for part in raw.split("|")]
    if len(parts) != 2 or not all(parts) or any(len(part) > MAX_LABEL for part in parts):
        line = source.setting_lines["labels"]
        raise DeckSyntaxError(
            line.number, N_("'labels' are the two ends of the scale: 'low label | high label'")
        )
    return parts


def _items(source: SlideSource) -> tuple[str, list[dict[str, str]]]:
    prompt: list[Line] = []
    items: list[dict[str, str]] = []
    for line in source.body:
        if line.text.startswith(("- ", "* ")):
            label = line.text[2:].strip()
            if not label:
                raise DeckSyntaxError(line.number, N_("an item needs a text after '- '"))
            if len(items) == MAX_OPTIONS:
                raise DeckSyntaxError(line.number, N_("at most %(most)s items"), most=MAX_OPTIONS)
            items.append({"id": option_id(len(items)), "label": label})
        elif items and line.text.strip():
            raise DeckSyntaxError(
                line.number, N_("text after the items: write each item on its own '- ' line")
            )
        elif not items:
            prompt.append(line)
    if not items:
        items = [{"id": option_id(0), "label": ""}]
    return body_text(prompt), items


class ScaleKind(KindDefaults):
    """Items rated on one numeric scale, with a distribution and a mean per item."""

    name = "scale"
    asks = True
    settings = frozenset({"min", "max", "labels"})
    label = N_("Scale")
    starter = N_(
        "# How do you rate this?\nkind: scale\nmin: 1\nmax: 5\n"
        "labels: Not at all | Completely\n\n- First item\n- Second item"
    )
    rows: Rows = "items"
    form_settings = (
        Setting("min", N_("Lowest value"), "number", LOWEST, HIGHEST, str(DEFAULT_MIN)),
        Setting("max", N_("Highest value"), "number", LOWEST, HIGHEST, str(DEFAULT_MAX)),
        Setting("labels", N_("Words at the two ends (low | high)")),
    )
    breakdown = True
    partials = frozenset({"phone", "projector", "report", "results"})

    def read_form(self, slide: Slide, form: Form) -> Any:
        """One radio group per item, `item-<id>`, holding the rating."""
        rated: dict[str, Any] = {}
        for item in slide.extra.get("items", []):
            raw = last_value(form, f"item-{item['id']}")
            if isinstance(raw, str) and raw.strip():
                stripped = raw.strip()
                rated[item["id"]] = int(stripped) if stripped.lstrip("-").isdigit() else stripped
        return rated

    def read(self, source: SlideSource) -> SlideContent:
        low = _number(source, "min", DEFAULT_MIN)
        high = _number(source, "max", DEFAULT_MAX)
        if low >= high:
            line = source.setting_lines.get("max") or source.setting_lines["min"]
            raise DeckSyntaxError(
                line.number,
                N_("'max' (%(high)s) must be above 'min' (%(low)s)"),
                high=high,
                low=low,
            )
        prompt, items = _items(source)
        extra: dict[str, Any] = {"items": items, "min": low, "max": high}
        labels = _labels(source)
        if labels:
            extra["labels"] = labels
        return SlideContent(body=prompt, extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings: dict[str, str] = {}
        low, high = scale_range(slide)
        if low != DEFAULT_MIN:
            settings["min"] = str(low)
        if high != DEFAULT_MAX:
            settings["max"] = str(high)
        labels = slide.extra.get("labels")
        if labels:
            settings["labels"] = f"{labels[0]} | {labels[1]}"
        lines = slide.body.split("\n") if slide.body else []
        items = [item for item in slide.extra["items"] if item["label"]]
        if items and lines:
            lines.append("")
        lines += [f"- {item['label']}" for item in items]
        return settings, lines

    def validate(self, slide: Slide, value: object) -> Any:
        low, high = scale_range(slide)
        known = [item["id"] for item in slide.extra["items"]]
        if not isinstance(value, dict) or not value:
            raise InvalidAnswer(
                N_('Rate at least one item: an object like {"%(example)s": %(high)s}.'),
                example=known[0],
                high=high,
            )
        rated: dict[str, int] = {}
        for item_id in known:
            if item_id not in value:
                continue
            number = value[item_id]
            if isinstance(number, bool) or not isinstance(number, int):
                raise InvalidAnswer(
                    N_("Rate item '%(item_id)s' with a whole number from %(low)s to %(high)s."),
                    item_id=item_id,
                    low=low,
                    high=high,
                )
            if not low <= number <= high:
                raise InvalidAnswer(
                    N_(
                        "%(number)s is off the scale for item '%(item_id)s': use %(low)s to "
                        "%(high)s."
                    ),
                    number=number,
                    item_id=item_id,
                    low=low,
                    high=high,
                )
            rated[item_id] = number
        unknown = [key for key in value if key not in known]
        if unknown:
            raise InvalidAnswer(
                N_("Unknown item '%(unknown)s'; this scale has %(known)s."),
                unknown=unknown[0],
                known=", ".join(known),
            )
        return rated

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        low, high = scale_range(slide)
        items = slide.extra["items"]
        counts = {item["id"]: dict.fromkeys(range(low, high + 1), 0) for item in items}
        respondents = 0
        for answer in answers:
            if not isinstance(answer, dict):
                continue
            respondents += 1
            for item_id, number in answer.items():
                if item_id in counts and number in counts[item_id]:
                    counts[item_id][number] += 1
        results = []
        for item in items:
            distribution = counts[item["id"]]
            rated = sum(distribution.values())
            total = sum(number * count for number, count in distribution.items())
            results.append(
                {
                    "id": item["id"],
                    "label": item["label"],
                    "counts": {str(number): count for number, count in distribution.items()},
                    "mean": round(total / rated, 2) if rated else None,
                }
            )
        return Tally(
            slide_id=slide.id,
            kind=self.name,
            respondents=respondents,
            counts={item["id"]: sum(counts[item["id"]].values()) for item in items},
            extra={"items": results},
        )


def scale_range(slide: Slide) -> tuple[int, int]:
    """The slide's lowest and highest rating."""
    return int(slide.extra.get("min", DEFAULT_MIN)), int(slide.extra.get("max", DEFAULT_MAX))


KIND = ScaleKind()
