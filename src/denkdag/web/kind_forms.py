"""Answers from plain form posts (phones without JavaScript), read by the slide's kind.

The JSON API takes an answer's value as JSON; a form post only has strings. Each kind's
phone partial names its fields, and its `read_form` (domain/kinds) turns them into the
same value the API would get, so the domain checks both the same way.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from denkdag.domain.kinds import Form, kind_of
from denkdag.domain.model import Slide


def fields(form: FormData) -> Form:
    """The form's text fields, each name with its values in the order posted (files are
    left out: no kind reads one)."""
    out: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(name, []).append(value)
    return out


def read_form(slide: Slide | None, form: FormData) -> Any:
    """The answer a phone's form post stands for; without a slide, its first `value`."""
    posted = fields(form)
    if slide is None:
        values = posted.get("value", ())
        return values[0] if values else None
    return kind_of(slide.kind).read_form(slide, posted)
