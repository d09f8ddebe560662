"""The registry of slide kinds: one module per kind, found by name.

Code outside a kind's module and templates never compares a kind's name; it asks the
kind's capabilities (base.py `Kind`). To add a kind:

1. Write a module with a `KIND` object: a class inheriting `KindDefaults` with `name`,
   `asks`, `settings`, `read` / `write` (deck syntax), `validate` and `tally` (a
   `RecordKind` adds `tally_records`). Override the capabilities that differ from the
   defaults: `label` and `starter` (the editor's add-slide menu and the new slide's
   text), `form_parts` and `form_settings` (the editor's form for it), `read_form` (a
   phone's plain form post), `rows` (bars, spreadsheet rows, breakdowns and comparisons),
   `breakdown`, `shared` with `question_key`, `view` (its API fields), `tally_source`,
   `feeds_opinions` / `shows_opinions`, `same_for_every_phone` (False when a phone sees
   something of its own), and `partials`.
2. Make it known: add the module to `_MODULES` here, or, from outside the package (a
   plugin, a test), call `register(KIND)`. A registered kind travels to the worker
   processes that build exports (app/heavy.py) by pickle, so its class must live in a
   module the worker can import (on the path, not defined inside a function).
3. Write its template partials `kinds/<name>_<surface>.html` for the surfaces named in
   `partials` (phone, projector, remote, report, results); a surface without one uses the
   generic `kinds/any_<surface>.html`. Built-in kinds keep theirs in
   `web/templates/kinds/`; a kind from elsewhere adds its folder (holding `kinds/`) with
   `denkdag.formats.templating.add_template_folder`.
4. If its phone form should be sent through the JSON API with JavaScript, give the form
   `data-kind-form="<reader>"` naming one of `READ`'s readers in
   `web/static/js/kinds/phone_inputs.js` (text, ratings, words, places), or add one there;
   without it the form posts plainly and `read_form` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib import import_module

from denkdag.domain.kinds.base import (
    STANCES,
    SURFACES,
    Control,
    DeckSyntaxError,
    Form,
    FormPart,
    Kind,
    KindDefaults,
    Line,
    RecordKind,
    Setting,
    SlideContent,
    SlideSource,
    Surface,
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
    "statement_round",
    "quiz",
    "leaderboard",
)

DEFAULT_KIND = "info"
"""The kind of a deck slide without a `kind:` setting."""

KINDS: dict[str, Kind] = {
    module.KIND.name: module.KIND
    for module in (import_module(f"{__name__}.{name}") for name in _MODULES)
}

BUILT_IN: frozenset[str] = frozenset(KINDS)
"""The names of the kinds of this package; any other kind in KINDS was registered."""


def kind_of(name: str) -> Kind:
    """The kind with this name; KeyError for an unknown name."""
    return KINDS[name]


class _Starters(Mapping[str, str]):
    """Each registered kind's starter text (`Kind.starter`) by name, for the kinds the
    editor offers; read live, so a kind registered later is offered too."""

    def __getitem__(self, name: str) -> str:
        starter = KINDS[name].starter
        if not starter:
            raise KeyError(name)
        return starter

    def __iter__(self) -> Iterator[str]:
        return (name for name, kind in KINDS.items() if kind.starter)

    def __len__(self) -> int:
        return sum(1 for _ in self)


STARTERS: Mapping[str, str] = _Starters()


def register(kind: Kind) -> None:
    """Make a kind from outside this package known to decks, pages and exports alike."""
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise ValueError(f"a kind named '{kind.name}' is already registered")
    KINDS[kind.name] = kind


def unregister(name: str) -> None:
    """Forget a registered kind (a test's, when it is done)."""
    KINDS.pop(name, None)


def registered() -> tuple[Kind, ...]:
    """The kinds registered from outside the package (`register`), in their order."""
    return tuple(kind for name, kind in KINDS.items() if name not in BUILT_IN)


def use_registered(kinds: Iterable[Kind]) -> None:
    """Make the kinds registered from outside exactly `kinds`: a worker process, which
    imports only this package's kinds, takes over its parent's registrations this way."""
    for name in [name for name in KINDS if name not in BUILT_IN]:
        del KINDS[name]
    for kind in kinds:
        KINDS[kind.name] = kind


__all__ = [
    "BUILT_IN",
    "DEFAULT_KIND",
    "KINDS",
    "STANCES",
    "STARTERS",
    "SURFACES",
    "Control",
    "DeckSyntaxError",
    "Form",
    "FormPart",
    "Kind",
    "KindDefaults",
    "Line",
    "RecordKind",
    "Setting",
    "SlideContent",
    "SlideSource",
    "Surface",
    "kind_of",
    "register",
    "registered",
    "unregister",
    "use_registered",
]
