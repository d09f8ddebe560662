"""A report as HTML: the page a facilitator reads on screen and the source of the PDF.

The templates (`report.html` and the per-kind partials `kinds/{kind}_report.html`, found
and set up by `formats/templating.py`) are rendered here, below both the web pages and the
CLI, so that `denkdag export --format pdf` and `/r/{code}.pdf` print the very same
document. A slide kind without a report partial falls back to a plain table of its counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment

from denkdag.config import Settings
from denkdag.domain.events import Brand, Event
from denkdag.formats import templating
from denkdag.formats.compare import Comparison
from denkdag.formats.event_report import EventReport
from denkdag.formats.report import Report

GROUP_COLOURS = ("#9aa3b2", "#2b59c3", "#e4003a", "#1b7f3b", "#b8860b", "#7a4fb5")
"""Fill per OpinionGroup.colour: the projector's colours of groups A, B … (denkdag.css
`.group-N`), after grey for participants drawn without a group."""
STANCE_COLOURS = {"agree": "#1b7f3b", "disagree": "#c0262d", "pass": "#6b7280"}


def report_zone() -> tzinfo:
    """The zone reports write times in (`DENKDAG_TIME_ZONE`): the room's clock."""
    return ZoneInfo(Settings().time_zone)


def _moment(moment: datetime, language: str) -> str:
    """When a report was made, in the report's zone and language, the zone named."""
    zone = report_zone()
    return f"{format_datetime(moment, 'medium', tzinfo=zone, locale=language)} ({zone})"


@cache
def environment(language: str) -> Environment:
    """One Jinja environment per language, its `_()` bound to that language's catalogue."""
    env = templating.environment()
    env.install_gettext_translations(  # type: ignore[attr-defined]
        templating.translations(language), newstyle=True
    )
    env.globals["GROUP_COLOURS"] = GROUP_COLOURS
    env.globals["STANCE_COLOURS"] = STANCE_COLOURS
    return env


def render_report(
    report: Report,
    *,
    language: str,
    comparison: Comparison | None = None,
    page: Mapping[str, Any] | None = None,
) -> str:
    """The report document. `page` carries the screen-only parts (downloads, the delete
    form and its CSRF token); without it the document is the one that is printed."""
    env = environment(language)
    return env.get_template("report.html").render(
        report=report,
        comparison=comparison,
        page=page,
        lang=language,
        generated=_moment(report.generated_at, language),
        zone=report_zone(),
    )


def printed_logo(event: Event) -> str | None:
    """Where the printed event report finds the logo: a path the PDF renderer is handed
    the logo's bytes for (it fetches nothing itself)."""
    return f"/media/ev-{event.code}/logo" if event.logo_digest else None


def event_assets(event: Event, *, printed: bool) -> dict[str, str | None]:
    """The event's logo and colours for its report: on screen the event's own versioned
    addresses (`/ev/CODE/logo`, `/ev/CODE/brand.css`: the CSP allows no inline style);
    printed, the colours as a style element and the logo from `printed_logo`."""
    if printed:
        colours = Brand(event.primary, event.secondary).css()
        return {"logo": printed_logo(event), "brand_css": None, "brand_style": colours}
    digest = event.logo_digest
    return {
        "logo": f"/ev/{event.code}/logo?v={digest[:16]}" if digest else None,
        "brand_css": f"/ev/{event.code}/brand.css?v={event.primary[1:]}{event.secondary[1:]}",
        "brand_style": None,
    }


def render_event_report(
    event_report: EventReport, *, language: str, page: Mapping[str, Any] | None = None
) -> str:
    """The event report document: with `page` the screen's (downloads, languages), without
    it the one that is printed. Each room's part is the session report's own template."""
    env = environment(language)
    event = event_report.event
    return env.get_template("event_report.html").render(
        event_report=event_report,
        assets=event_assets(event, printed=page is None),
        page=page,
        lang=language,
        event_date=format_date(event.date, "long", locale=language) if event.date else None,
        generated=_moment(event_report.generated_at, language),
        zone=report_zone(),
    )
