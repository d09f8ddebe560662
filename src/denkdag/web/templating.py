"""Rendering a page: the web's one Jinja environment and `render`, which every page module
imports from here.

The environment is `formats.templating`'s (the templates, filters and catalogues shared
with the report documents), with gettext bound to the request's language and the pages'
own globals. `render` adds what every page needs: its language, the CSRF token and the
site's address.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from denkdag.domain.model import Session
from denkdag.formats.templating import environment
from denkdag.web import i18n, pace
from denkdag.web.auth import CSRF_FIELD, csrf_token, set_csrf, settings

_environment = environment()
_environment.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, npgettext=i18n.npgettext
)
templates = Jinja2Templates(env=_environment)
"""The pages' environment (`formats.templating`'s, with `_()` in the request's language)."""
templates.env.globals["LANGUAGES"] = i18n.LANGUAGE_NAMES
templates.env.globals["countdown_data"] = pace.countdown_data
templates.env.filters["countdown_text"] = pace.clock_text
templates.env.filters["countdown_phase"] = pace.countdown_phase


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    session: Session | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page in the request's language, with the CSRF cookie set and no caching."""
    language = i18n.request_language(request, session.deck.info.language if session else None)
    context = {
        "request": request,
        "lang": language,
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "base_url": settings(request).base_url(),
        **context,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-cache"
    set_csrf(request, response)
    i18n.remember_language(request, response)
    return response


def render_shared(template: str, context: dict[str, Any], language: str) -> str:
    """A fragment many readers share (the room's part of a slide, web/pages.py), in
    `language`: none of one reader's own values, so its forms carry an empty CSRF token
    that the page's script (static/js/live.js) fills with the reader's own."""
    i18n.current_language.set(language)
    return templates.env.get_template(template).render(
        {"lang": language, "csrf": "", "csrf_field": CSRF_FIELD, **context}
    )
