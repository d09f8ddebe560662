"""Numbers, dates and times as a reader of a given language expects them, by Babel.

The one place the documents Denkdag hands over (the report on screen and as PDF) turn a
figure or a moment into text: a mean reads "3,7" in Dutch and French and "3.7" in
English, and a moment is shown in the configured time zone with its abbreviation ("14:05
CET"), never as the server's UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

DEFAULT_ZONE = "Europe/Brussels"
"""The time zone of a report when none is configured (Denkdag's home)."""
NO_FIGURE = "–"


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (an IANA name); ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {name!r}") from error


def decimal(value: float | None, language: str, digits: int = 1) -> str:
    """`value` with exactly `digits` decimals in `language`'s notation; "–" for None."""
    if value is None:
        return NO_FIGURE
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=language))


def percentage(value: float | None, language: str) -> str:
    """A whole percentage (`value` is 0–100) as `language` writes it: "45%", "45 %"."""
    if value is None:
        return NO_FIGURE
    return str(format_percent(value / 100, locale=language))


def day(value: date | None, language: str) -> str:
    """A date as `language` writes it in full ("17 mei 2018"); empty for None."""
    return "" if value is None else str(format_date(value, "long", locale=language))


def local(moment: datetime, zone_name: str) -> datetime:
    """`moment` (naive means UTC) in the time zone `zone_name`."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(zone(zone_name))


def clock(moment: datetime, language: str, zone_name: str) -> str:
    """The time of day of `moment` in `zone_name`, short, as `language` writes it."""
    return str(format_time(local(moment, zone_name), "short", locale=language))


def date_time(moment: datetime, language: str, zone_name: str) -> str:
    """Date and time of `moment` in `zone_name` as `language` writes them, with the zone's
    abbreviation (CET, CEST …) so a reader elsewhere knows which clock it is."""
    here = local(moment, zone_name)
    text = format_datetime(here, "medium", locale=language)
    return f"{text} {here.tzname()}"
