"""The pure core: sessions, slides, answers and tallies.

Imports only the standard library, so every rule here is tested in milliseconds and
cannot depend on a database, a web framework or a broker.
"""

from denkdag.domain.errors import (
    DomainError,
    InvalidAnswer,
    InvalidControl,
    NotAllowed,
    NotFound,
    SlideNotOpen,
    UnknownSession,
    UnknownSlide,
)
from denkdag.domain.model import (
    Deck,
    LiveState,
    Option,
    ResultsMode,
    Session,
    SessionInfo,
    Slide,
)
from denkdag.domain.tally import Tally

__all__ = [
    "Deck",
    "DomainError",
    "InvalidAnswer",
    "InvalidControl",
    "LiveState",
    "NotAllowed",
    "NotFound",
    "Option",
    "ResultsMode",
    "Session",
    "SessionInfo",
    "Slide",
    "SlideNotOpen",
    "Tally",
    "UnknownSession",
    "UnknownSlide",
]
