"""A slide (and its result) as a JSON-ready dict: the one place that lists a slide's fields.

Storage keeps a deck as JSON, the API shows slides and results, the JSON export writes
them, and the editor sends them to the browser. Each used to build its own dict, so a new
slide field had to be added in five places; now they all start from `slide_view`, and a
field added here reaches every one of them (or is left out on purpose here).
"""

from __future__ import annotations

from typing import Any

from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.base import PRIVATE_EXTRA
from denkdag.domain.model import SessionInfo, Slide
from denkdag.domain.tally import Tally


def info_view(info: SessionInfo) -> dict[str, Any]:
    """The session's title page fields (its front matter as people read it): the API's
    session view, the JSON export and the stored deck all start from these."""
    return {
        "title": info.title,
        "event": info.event,
        "date": info.date,
        "venue": info.venue,
        "presenter": info.presenter,
        "role": info.role,
        "language": info.language,
    }


def _options(slide: Slide) -> list[dict[str, str]]:
    return [{"id": o.id, "label": o.label, "description": o.description} for o in slide.options]


def slide_view(slide: Slide, *, private: bool = False) -> dict[str, Any]:
    """The slide's fields.

    Public (the API, what participants may see): the kind's own fields (`Kind.view`:
    `multiple` on choice slides, `statement` on statement slides); the kind's own
    settings under `extra` and also beside the common fields (a scale's `min`, `max` …),
    without the private ones (a round's banned words). Private (what storage keeps and
    reads back): every field and every setting, nothing repeated, and the speaker's notes,
    which the public view never holds.
    """
    view: dict[str, Any] = {
        "id": slide.id,
        "kind": slide.kind,
        "title": slide.title,
        "section": slide.section,
        "body": slide.body,
        "options": _options(slide),
    }
    if private:
        view.update(multiple=slide.multiple, statement=slide.statement, extra=dict(slide.extra))
        if slide.notes:
            view["notes"] = slide.notes
        return view
    view.update(kind_of(slide.kind).view(slide))
    extra = {key: value for key, value in slide.extra.items() if key not in PRIVATE_EXTRA}
    if extra:
        view["extra"] = extra
        view.update({key: value for key, value in extra.items() if key not in view})
    return view


def result_view(slide: Slide, tally: Tally) -> dict[str, Any]:
    """A slide with its tally, for the facilitator (the results API and the JSON export):
    what it asked (its options, statement and text, when it has them), how many answered,
    the counts and the kind's own result fields."""
    entry: dict[str, Any] = {
        "id": slide.id,
        "kind": slide.kind,
        "title": slide.title,
        "section": slide.section,
        "respondents": tally.respondents,
        "counts": dict(tally.counts),
        **tally.extra,
    }
    asked = (("options", _options(slide)), ("statement", slide.statement), ("body", slide.body))
    entry.update({field: value for field, value in asked if value})
    return entry
