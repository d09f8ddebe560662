"""Interface languages: Dutch, English, French, through gettext catalogues (Babel).

The catalogues are the `.po` files under `denkdag/locale`; they are compiled in memory at
start-up, so there is no build step and no binary file in the repository. Messages are
written in English in the code; a request's language lives in a context variable read by
the template's `_()`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

from babel import Locale
from fastapi import Request, Response
from markupsafe import Markup, escape

from denkdag.domain.errors import Message
from denkdag.domain.model import LANGUAGES
from denkdag.formats.templating import translations

DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "dd_lang"
"""The cookie holding the language a user picked (`?lang=`)."""
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "fr": "Français"}
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """`ngettext` of a word whose msgid also means something else (the counter's
    "joined" is a plural noun in Dutch and French, the plain "joined" a column's name)."""
    return translations(current_language.get()).npgettext(context, singular, plural, n)


class Translatable(Protocol):
    """A refusal that renders itself in a language: DomainError, DeckError …"""

    def translated(self, gettext: Callable[[str], str]) -> str: ...


def refusal(error: Translatable | Message | BaseException | str) -> str:
    """What went wrong, in the current language.

    Domain errors, deck errors and the like carry an English template and its parameters
    (see `denkdag.domain.errors.Message`); they are translated here, never in the domain.
    An error with no template (a `sentence`) is shown as it is.
    """
    if isinstance(error, Message):
        return error.translated(gettext)
    translated = getattr(error, "translated", None)
    if callable(translated):
        return str(translated(gettext))
    sentence = getattr(error, "sentence", None)
    if isinstance(sentence, Message):
        return sentence.translated(gettext)
    return gettext(error) if isinstance(error, str) else str(error)


class Refusal:
    """A refusal on a page, translated when the template shows it: `render` chooses the
    page's language after the handler has built its context."""

    __slots__ = ("error",)

    def __init__(self, error: Translatable | Message | BaseException | str) -> None:
        self.error = error

    def __str__(self) -> str:
        return refusal(self.error)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Refusal):
            return str(self) == str(other)
        return str(self) == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def choose_language(
    picked: str | None, session_language: str | None, accept_language: str | None
) -> str:
    """The user's pick, else the browser's language (when Denkdag speaks one of them: a
    fr-BE phone reads French in a Dutch session), else the session's language, else Dutch."""
    if picked in LANGUAGES:
        return picked
    for tag in _accepted(accept_language or ""):
        if tag in LANGUAGES:
            return tag
    if session_language in LANGUAGES:
        return session_language
    return DEFAULT_LANGUAGE


def request_language(request: Request, session_language: str | None = None) -> str:
    """The language a page, report or refusal speaks to this request (`choose_language`
    on `?lang=`, the language cookie, Accept-Language and the session's language), made
    current for `gettext`: the one place every page module picks it."""
    picked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    language = choose_language(picked, session_language, request.headers.get("accept-language"))
    current_language.set(language)
    return language


def remember_language(request: Request, response: Response) -> None:
    """A language picked with `?lang=` is kept for the reader's next pages (a year), in a
    cookie sent over HTTPS only where the site is served so (`DENKDAG_SECURE_COOKIES`)."""
    picked = request.query_params.get("lang")
    if picked in LANGUAGE_NAMES:
        response.set_cookie(
            LANG_COOKIE,
            picked,
            samesite="lax",
            max_age=31536000,
            secure=request.app.state.settings.secure_cookies,
        )


def _accepted(header: str) -> list[str]:
    """Accept-Language's languages, most wanted first (by q weight, then by order)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip().lower()[:2]))
    return [tag for _, _, tag in sorted(weighted)]


def locale_name(language: str) -> str:
    return Locale.parse(language).get_display_name(language) or language
