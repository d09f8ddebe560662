"""Domain errors: each carries a sentence a person can act on, in any interface language.

A sentence is a `Message`: an English template with named parameters, marked with `N_()`
so `pybabel extract` puts it in the catalogues, e.g.
`InvalidAnswer(N_("Give at most %(limit)s words; you gave %(given)s."), limit=3, given=4)`.
The domain does not translate (it imports nothing but the standard library): `detail` is
the English sentence (the CLI prints it, logs show it), and the web layer renders
`translated(gettext)` in the request's language. The web layer maps each class to one
HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Marks `message` for extraction into the catalogues; it is translated when shown."""
    return message


def _english(message: str) -> str:
    return message


class Message:
    """A sentence to show: an English template and its parameters.

    A parameter may itself be a `Message` (a reason inside a sentence): it is translated
    too. The template is only %-formatted when it has parameters, so a sentence without
    any may hold a literal `%`.
    """

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params: Mapping[str, Any] = params

    def translated(self, gettext: Gettext) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        values = {
            name: value.translated(gettext) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return text % values

    def __str__(self) -> str:
        return self.translated(_english)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{dict(self.params)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.template, dict(self.params)) == (other.template, dict(other.params))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.template)


class Capitalised(Message):
    """`message` as a sentence of its own: a capital first letter and a full stop."""

    __slots__ = ()

    def __init__(self, message: Message) -> None:
        super().__init__("%(message)s", message=message)

    def translated(self, gettext: Gettext) -> str:
        text = super().translated(gettext)
        return text[:1].upper() + text[1:] + "."


class DomainError(Exception):
    """Base class: something the user asked for cannot be done, and why.

    `DomainError(N_("... %(name)s ..."), name=value)`, or a ready `Message`.
    """

    def __init__(self, detail: str | Message, /, **params: Any) -> None:
        self.sentence = Message(detail, **params) if isinstance(detail, str) else detail
        self.detail = str(self.sentence)
        """The sentence in English (the source language)."""
        super().__init__(self.detail)

    def translated(self, gettext: Gettext) -> str:
        """The sentence in the language of `gettext`."""
        return self.sentence.translated(gettext)

    def __reduce__(self) -> tuple[Any, ...]:
        # An error raised in a worker process crosses back by pickle. By default it is
        # rebuilt by calling its class with its English text, which fails for a class whose
        # constructor takes other arguments (ReportTooSlow's seconds, say).
        return _restored, (type(self), dict(self.__dict__))


def _restored(cls: type[DomainError], state: dict[str, Any]) -> DomainError:
    """A pickled DomainError as it was: its class, its sentence, whatever else it kept."""
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("detail", ""))
    error.__dict__.update(state)
    return error


class NotFound(DomainError):
    """An unknown join code, slide, participant or user."""


class UnknownSession(NotFound):
    """No session has this join code."""


class UnknownSlide(NotFound):
    """The session has no slide with this id."""


class SlideNotOpen(DomainError):
    """The slide does not accept answers right now (voting closed, or not a question)."""


class InvalidAnswer(DomainError):
    """The value is not an answer this slide accepts."""


class InvalidText(DomainError):
    """A title or name a person typed that cannot be kept: it holds a character no screen
    shows (`domain.characters`)."""


class InvalidControl(DomainError):
    """A facilitator action that cannot apply (unknown action, no current slide)."""


class NotAllowed(DomainError):
    """The caller may not do this (wrong session, not a facilitator of it)."""


class SessionBusy(DomainError):
    """A change lost its optimistic retries: others kept changing the session meanwhile.

    Use cases re-read and retry a few times when the stored version moved under them;
    when that still fails the user is told to try again (409), not shown a server error.
    """

    def __init__(self) -> None:
        super().__init__(N_("The session kept changing while this was saved; please try again."))
