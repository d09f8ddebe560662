"""The registry of slide kinds: one module per kind, found by name.

To add a kind, write a module here with a `KIND` object satisfying `Kind`, add it to
`_MODULES`, and add its phone and projector partials under `web/templates/kinds/`.
"""

from __future__ import annotations

from importlib import import_module

from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    Kind,
    Line,
    RecordKind,
    SlideContent,
    SlideSource,
)

_MODULES = (
    "info",
    "choice",
    "statement",
    "scale",
    "wordcloud",
    "open_answer",
    "ranking",
    "opinions",
    "conversation",
)

KINDS: dict[str, Kind] = {
    module.KIND.name: module.KIND
    for module in (import_module(f"{__name__}.{name}") for name in _MODULES)
}


def kind_of(name: str) -> Kind:
    """The kind with this name; KeyError for an unknown name."""
    return KINDS[name]


__all__ = [
    "KINDS",
    "DeckSyntaxError",
    "Kind",
    "Line",
    "RecordKind",
    "SlideContent",
    "SlideSource",
    "kind_of",
]
