"""Answers from plain form posts (phones without JavaScript), one reader per slide kind.

The JSON API takes an answer's value as JSON; a form post only has strings. Each kind's
phone partial names its fields, and the reader here turns them into the same value the
API would get, so the domain checks both the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.model import Slide

Reader = Callable[[Slide, FormData], Any]


def _texts(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def _choice(slide: Slide, form: FormData) -> Any:
    """`value` once (one option or stance) or repeated (several options)."""
    values = _texts(form, "value")
    if slide.multiple:
        return values
    return values[0] if values else None


def _scale(slide: Slide, form: FormData) -> Any:
    """One radio group per item, `item-<id>`, holding the rating."""
    rated: dict[str, Any] = {}
    for item in slide.extra.get("items", []):
        raw = form.get(f"item-{item['id']}")
        if isinstance(raw, str) and raw.strip():
            stripped = raw.strip()
            rated[item["id"]] = int(stripped) if stripped.lstrip("-").isdigit() else stripped
    return rated


def _wordcloud(slide: Slide, form: FormData) -> Any:
    """Up to three `word` inputs; the empty ones are left out."""
    return [word for word in _texts(form, "word") if word.strip()]


def _open(slide: Slide, form: FormData) -> Any:
    """One `text` area."""
    texts = _texts(form, "text")
    return texts[0] if texts else ""


def _ranking(slide: Slide, form: FormData) -> Any:
    """A place (1, 2, 3 …) per option, `rank-<id>`; the answer is the ids by place."""
    places: dict[str, int] = {}
    for option in slide.options:
        raw = form.get(f"rank-{option.id}")
        if not isinstance(raw, str) or not raw.strip().isdigit():
            raise InvalidAnswer(
                N_("Give '%(label)s' a place from 1 to %(count)s."),
                label=option.label,
                count=len(slide.options),
            )
        places[option.id] = int(raw)
    taken = sorted(places.values())
    if taken != list(range(1, len(slide.options) + 1)):
        raise InvalidAnswer(
            N_("Give each option a different place, from 1 to %(count)s."), count=len(slide.options)
        )
    return sorted(places, key=lambda option_id: places[option_id])


READERS: dict[str, Reader] = {
    "scale": _scale,
    "wordcloud": _wordcloud,
    "open": _open,
    "ranking": _ranking,
}


def read_form(slide: Slide | None, form: FormData) -> Any:
    """The answer a phone's form post stands for (choice and statement by default)."""
    if slide is None:
        values = _texts(form, "value")
        return values[0] if values else None
    return READERS.get(slide.kind, _choice)(slide, form)
