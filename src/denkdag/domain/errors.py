"""Domain errors: each carries a sentence a person can act on.

The web layer maps each class to one HTTP status; the CLI prints the sentence.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: something the user asked for cannot be done, and why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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


class InvalidControl(DomainError):
    """A facilitator action that cannot apply (unknown action, no current slide)."""


class NotAllowed(DomainError):
    """The caller may not do this (wrong session, not a facilitator of it)."""
