"""Where page and report templates are found: the web package's own folder, then the
folders added for kinds that live elsewhere (a plugin's, a test's).

Every Jinja environment (the web pages' and the reports') loads through `LOADER`, so a
folder added here is searched by all of them, also after they were made. A kind's
partials are named `kinds/<kind>_<surface>.html`; `partial` gives the names to include,
the kind's own first and the generic one after it.
"""

from __future__ import annotations

import os
from importlib import resources

from jinja2 import FileSystemLoader

from denkdag.domain.kinds import SURFACES, Surface, kind_of

TEMPLATES = resources.files("denkdag") / "web" / "templates"
LOADER = FileSystemLoader(str(TEMPLATES))
"""The one loader of every environment; `add_template_folder` extends its search path."""


def add_template_folder(folder: str | os.PathLike[str]) -> None:
    """Search `folder` too (after the built-in templates, which it cannot replace)."""
    path = os.fspath(folder)
    if path not in LOADER.searchpath:
        LOADER.searchpath.append(path)


def partial(kind: str, surface: Surface) -> list[str]:
    """The templates to include for a slide of `kind` on `surface`: its own partial when
    it declares one, and the generic partial of the surface."""
    if surface not in SURFACES:
        raise ValueError(f"unknown surface '{surface}'")
    generic = f"kinds/any_{surface}.html"
    if surface in kind_of(kind).partials:
        return [f"kinds/{kind}_{surface}.html", generic]
    return [generic]
