"""An event's branding on the pages of its sessions (phone, join and presenter pages).

Kept apart from `web/events.py` so `pages.py` can use it without importing the event
pages (which import `templating.render`). The colours reach the page as a versioned style
sheet of CSS custom properties (the CSP allows no inline style).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request

from denkdag.app.events import Events, logo_url
from denkdag.domain.events import Event
from denkdag.domain.model import Session
from denkdag.web.auth import service


def brand(event: Event) -> dict[str, Any]:
    """What the templates need to brand a page: title, join page, logo, style sheet."""
    colours = f"{event.primary[1:]}{event.secondary[1:]}"
    return {
        "title": event.title,
        "code": event.code,
        "logo": logo_url(event),
        "css": f"/ev/{event.code}/brand.css?v={colours}",
    }


CACHE_SECONDS = 10.0
"""Every phone fetches its slide on every change: the branding is looked up once in a
while per session, not per fetch. A change of colours or logo shows within this time."""
Cache = dict[int, tuple[float, dict[str, Any] | None]]


def _cache(request: Request) -> Cache:
    """The app's own cache (one per app, so tests with fresh databases never share it)."""
    cache: Cache | None = getattr(request.app.state, "brand_cache", None)
    if cache is None:
        cache = {}
        request.app.state.brand_cache = cache
    return cache


async def session_brand(request: Request, session: Session) -> dict[str, Any] | None:
    """The branding of the event this session belongs to; None outside an event."""
    now = time.monotonic()
    cache = _cache(request)
    cached = cache.get(session.id)
    if cached is not None and cached[0] > now:
        return cached[1]
    event = await Events(service(request)).event_of_session(session)
    found = brand(event) if event is not None else None
    if len(cache) > 10_000:
        cache.clear()
    cache[session.id] = (now + CACHE_SECONDS, found)
    return found


def forget_brands(request: Request) -> None:
    """Drop cached branding (after an event changes on this instance)."""
    _cache(request).clear()
