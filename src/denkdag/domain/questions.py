"""Q&A: questions participants ask at any time, upvote, and a facilitator moderates.

A question is plain participant text (the rules of `participant_text`: length-limited,
no control characters, none of the facilitator's banned words). It is anonymous: no name
is ever stored with it, so nothing can leak who asked (display names are not offered).

The deck's front matter chooses the moderation (`questions:`):

- `approve-first` (the default): a new question is `pending`, seen only by facilitators
  until one approves it;
- `show-at-once`: a new question is `approved` at once; a facilitator may hide it after;
- `off`: the session takes no questions (asking and voting answer 409).

A facilitator approves, hides (or brings back to pending), marks answered, and puts at
most one question on the projector. Participants see approved questions only, most
votes first; a participant has one vote per question, which a second vote takes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from denkdag.domain.errors import N_, InvalidAnswer, NotFound, SlideNotOpen
from denkdag.domain.kinds.participant_text import clean_text, refuse_banned
from denkdag.domain.model import Deck

MAX_LENGTH = 280
"""Characters per question: a question, not an essay."""

APPROVE_FIRST = "approve-first"
SHOW_AT_ONCE = "show-at-once"
OFF = "off"
MODES = (APPROVE_FIRST, SHOW_AT_ONCE, OFF)

PENDING = "pending"
APPROVED = "approved"
HIDDEN = "hidden"
STATUSES = (PENDING, APPROVED, HIDDEN)

SHOWN_LIMIT = 200
"""Questions sent in one live event: the most voted this many (and the one on screen)."""


@dataclass(frozen=True)
class Question:
    """One question as stored, with its vote count."""

    id: int
    text: str
    status: str
    answered: bool
    on_screen: bool
    votes: int
    created_at: datetime | None = None

    @property
    def visible(self) -> bool:
        """Whether participants (and the projector) may see it."""
        return self.status == APPROVED

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status,
            "answered": self.answered,
            "on_screen": self.on_screen,
            "votes": self.votes,
        }


def mode_of(deck: Deck) -> str:
    """The session's Q&A moderation, from the deck's front matter."""
    return deck.info.questions or APPROVE_FIRST


def banned_words(deck: Deck) -> tuple[str, ...]:
    """Every slide's banned words: a facilitator who bans a word bans it in questions too."""
    found: dict[str, None] = {}
    for slide in deck.slides:
        for phrase in slide.extra.get("banned", ()):
            found[str(phrase)] = None
    return tuple(found)


def check_open(deck: Deck) -> None:
    """SlideNotOpen (409) when the session takes no questions."""
    if mode_of(deck) == OFF:
        raise SlideNotOpen(N_("This session takes no questions."))


def accept_question(deck: Deck, text: object) -> tuple[str, str]:
    """(text as stored, first status) of a new question; InvalidAnswer says what is wrong."""
    check_open(deck)
    cleaned = clean_text(text, max_length=MAX_LENGTH, what=N_("Your question"))
    try:
        refuse_banned(cleaned, banned_words(deck))
    except InvalidAnswer:
        raise InvalidAnswer(
            N_(
                "Your question holds a word the facilitator does not allow here; please rephrase "
                "it."
            )
        ) from None
    status = APPROVED if mode_of(deck) == SHOW_AT_ONCE else PENDING
    return cleaned, status


def check_vote(question: Question | None) -> Question:
    """The question a participant may vote on; NotFound for one they cannot see."""
    if question is None or not question.visible:
        raise NotFound(N_("There is no such question (it may have been hidden)."))
    return question


def check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise InvalidAnswer(
            N_("'status' must be one of %(statuses)s, not '%(status)s'."),
            statuses=", ".join(STATUSES),
            status=status,
        )


def ordered(questions: Iterable[Question]) -> list[Question]:
    """Most votes first; among equals the oldest first (it has waited longest)."""
    return sorted(questions, key=lambda q: (-q.votes, q.id))


def board(
    questions: Iterable[Question], *, facilitator: bool, limit: int | None = SHOWN_LIMIT
) -> dict[str, object]:
    """What a screen shows: the questions it may see, ordered, and the one on screen.

    Phones and live events get the `limit` most voted (and the one on screen); `total`
    says how many there are in all.
    """
    listed = ordered(questions)
    # The facilitator's list keeps hidden questions below the others: one just hidden
    # leaves its place to the next, so moderating top-down never acts on it again.
    shown = (
        sorted(listed, key=lambda q: q.status == HIDDEN)
        if facilitator
        else [q for q in listed if q.visible]
    )
    on_screen = next((q for q in listed if q.on_screen and q.visible), None)
    limited = shown if limit is None else shown[:limit]
    if on_screen is not None and on_screen not in limited:
        limited.append(on_screen)
    return {
        "questions": [q.as_dict() for q in limited],
        "total": len(shown),
        "on_screen": on_screen.as_dict() if on_screen else None,
    }
