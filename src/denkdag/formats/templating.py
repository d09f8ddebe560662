"""The one Jinja setup: where the templates are, their filters, and the gettext catalogues.

Two renderers use the same templates: the web pages (`web/templating.py`, whose `_()`
follows each request's language) and the report documents (`formats/report_html.py`, one
environment per language, since `denkdag export --format pdf` has no request). Both build
their environment here, so a filter or a catalogue is set up once and a report looks the
same on screen, in the PDF and from the CLI.

The templates are package data in `denkdag/web/templates` (the pages own most of them;
the report and the kinds' report partials are shared). This module reads the files only:
`formats` imports nothing from `web`.
"""

from __future__ import annotations

import io
import os
from datetime import date
from functools import cache
from importlib import resources
from importlib.abc import Traversable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from denkdag.domain.kinds import SURFACES, Surface, kind_of
from denkdag.formats.localised import day, decimal, percentage
from denkdag.formats.markup import inline, render_body
from denkdag.formats.report_charts import cloud_words, rank_bars, scale_charts
from denkdag.security import format_code

TEMPLATES: Traversable = resources.files("denkdag") / "web" / "templates"
"""The templates of pages, fragments and reports."""
LOADER = FileSystemLoader(str(TEMPLATES))
"""The one loader of every environment; `add_template_folder` extends its search path,
so a folder added later is searched by the environments made before too."""
LOCALE: Traversable = resources.files("denkdag") / "locale"
"""The gettext catalogues (`LANG/LC_MESSAGES/messages.po`; see its README)."""


@cache
def translations(language: str) -> NullTranslations:
    """The interface catalogue for `language`, compiled in memory at first use (no build
    step, no binary file in the repository); English is the source language and needs none."""
    po = LOCALE / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def environment() -> Environment:
    """A new environment on the templates, with the filters and globals every template may
    use; the caller installs its gettext (per request or per language) and adds its own."""
    env = Environment(
        loader=LOADER,
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.filters["body"] = render_body
    env.filters["inline"] = inline
    env.filters["code"] = format_code
    # Figures and dates as the page's language writes them (`lang` in the template's
    # context); the report documents bind their one language instead (report_html.py).
    env.filters["decimal"] = page_decimal
    env.filters["percent"] = page_percentage
    env.filters["day"] = page_day
    env.globals["kind_of"] = kind_of
    env.globals["partial"] = partial
    # The figures of the kinds' report partials, wherever a partial is rendered (the
    # report document, a page that includes a partial).
    env.globals["scale_charts"] = scale_charts
    env.globals["rank_bars"] = rank_bars
    env.globals["cloud_words"] = cloud_words
    return env


def _page_language(context: Context) -> str:
    return str(context.get("lang") or "en")


@pass_context
def page_decimal(context: Context, value: float | None, digits: int = 1) -> str:
    """A mean or an average rank as the page's language writes it ("3,5" on a Dutch or
    French page, "3.5" on an English one); a dash when there is none."""
    return decimal(value, _page_language(context), digits)


@pass_context
def page_percentage(context: Context, value: float | None) -> str:
    """A whole percentage (0–100) as the page's language writes it: "45%", "45 %"."""
    return percentage(value, _page_language(context))


@pass_context
def page_day(context: Context, value: date | None) -> str:
    """An event's date as the page's language writes it ("17 mei 2018")."""
    return day(value, _page_language(context))


def add_template_folder(folder: str | os.PathLike[str]) -> None:
    """Search `folder` too, after the built-in templates (which it cannot replace): the
    partials of a kind that lives outside the package (a plugin's, a test's)."""
    path = os.fspath(folder)
    if path not in LOADER.searchpath:
        LOADER.searchpath.append(path)


def template_folders() -> tuple[str, ...]:
    """The folders added with `add_template_folder`, in their order."""
    return tuple(LOADER.searchpath[1:])


def partial(kind: str, surface: Surface) -> list[str]:
    """The templates to include for a slide of `kind` on `surface`: its own partial
    (`kinds/<kind>_<surface>.html`) when it declares one, then the surface's generic one."""
    if surface not in SURFACES:
        raise ValueError(f"unknown surface '{surface}'")
    generic = f"kinds/any_{surface}.html"
    if surface in kind_of(kind).partials:
        return [f"kinds/{kind}_{surface}.html", generic]
    return [generic]
