"""A report as HTML: the page a facilitator reads on screen and the source of the PDF.

The templates (`report.html` and the per-kind partials `kinds/{kind}_report.html`, found
and set up by `formats/templating.py`) are rendered here, below both the web pages and the
CLI, so that `denkdag export --format pdf` and `/r/{code}.pdf` print the very same
document. A slide kind without a report partial falls back to a plain table of its counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, partial
from typing import Any

from babel.dates import format_date
from jinja2 import Environment

from denkdag.domain.events import Brand, Event
from denkdag.formats import localised, templating
from denkdag.formats.compare import Comparison
from denkdag.formats.event_report import EventReport
from denkdag.formats.report import Report

GROUP_COLOURS = ("#9aa3b2", "#2b59c3", "#e4003a", "#1b7f3b", "#b8860b", "#7a4fb5")
"""Fill per OpinionGroup.colour: the projector's colours of groups A, B … (denkdag.css
`.group-N`), after grey for participants drawn without a group."""
STANCE_COLOURS = {"agree": "#1b7f3b", "disagree": "#c0262d", "pass": "#6b7280"}


@cache
def environment(language: str) -> Environment:
    """One Jinja environment per language, its `_()` bound to that language's catalogue."""
    env = templating.environment()
    env.install_gettext_translations(  # type: ignore[attr-defined]
        templating.translations(language), newstyle=True
    )
    env.globals["GROUP_COLOURS"] = GROUP_COLOURS
    env.globals["STANCE_COLOURS"] = STANCE_COLOURS
    env.filters["decimal"] = partial(_decimal, language=language)
    env.filters["percent"] = partial(localised.percentage, language=language)
    env.filters["day"] = partial(localised.day, language=language)
    env.filters["clock"] = partial(_clock, language=language)
    env.filters["zone_name"] = _zone_name
    return env


def _decimal(value: float | None, digits: int = 1, *, language: str) -> str:
    return localised.decimal(value, language, digits)


def _clock(moment: Any, zone: str, *, language: str) -> str:
    return localised.clock(moment, language, zone)


def _zone_name(moment: Any, zone: str) -> str:
    """The abbreviation of `zone` at `moment` (CET, CEST …): which clock a time is on."""
    return localised.local(moment, zone).tzname() or zone


def brand_of(event: Event | None) -> Brand:
    """The colours a report is drawn in: its event's, else the house colours."""
    return Brand(event.primary, event.secondary) if event else Brand()


def chart_colours(brand: Brand) -> dict[str, str]:
    """The fills of the report's charts (SVG presentation attributes: the PDF renderer
    applies no page style inside an SVG): bars in the brand's bar colour, the grey track,
    joins in its accent, as the screen's style sheet draws them."""
    variables = brand.variables()
    return {"bar": variables["--bar"], "accent": variables["--accent"], "track": "#e9edf3"}


def report_assets(report: Report, *, printed: bool) -> dict[str, Any]:
    """Logo, colours and name a session's report is branded with: its event's when it is a
    room of one, else the house's (Denkdag's colours, no logo)."""
    event = report.event
    if event is not None:
        assets: dict[str, Any] = event_assets(event, printed=printed) | {"name": event.title}
    else:
        style = Brand().css() if printed else None
        assets = {"logo": None, "brand_css": None, "brand_style": style, "name": "Denkdag"}
    return assets | {"colours": chart_colours(brand_of(event))}


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
    assets = report_assets(report, printed=page is None)
    return env.get_template("report.html").render(
        report=report,
        comparison=comparison,
        page=page,
        lang=language,
        brand=assets,
        colours=assets["colours"],
        generated=localised.date_time(report.generated_at, language, report.zone),
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
    zone = next((room.report.zone for room in event_report.rooms), localised.DEFAULT_ZONE)
    return env.get_template("event_report.html").render(
        event_report=event_report,
        assets=event_assets(event, printed=page is None),
        colours=chart_colours(brand_of(event)),
        page=page,
        lang=language,
        event_date=format_date(event.date, "long", locale=language) if event.date else None,
        generated=localised.date_time(event_report.generated_at, language, zone),
    )
