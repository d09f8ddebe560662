"""A slide as the API and the live `state` event show it."""

from __future__ import annotations

from typing import Any

from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.base import PRIVATE_EXTRA
from denkdag.domain.model import Slide


def slide_view(slide: Slide) -> dict[str, Any]:
    """A slide as the API shows it."""
    view: dict[str, Any] = {
        "id": slide.id,
        "kind": slide.kind,
        "title": slide.title,
        "section": slide.section,
        "body": slide.body,
        "options": [
            {"id": o.id, "label": o.label, "description": o.description} for o in slide.options
        ],
    }
    view.update(kind_of(slide.kind).view(slide))
    extra = {key: value for key, value in slide.extra.items() if key not in PRIVATE_EXTRA}
    if extra:
        view["extra"] = extra
        # A kind's own fields (a scale's items, min, max …) also stand beside the common
        # ones, as the API reference lists them.
        view.update({key: value for key, value in extra.items() if key not in view})
    return view
