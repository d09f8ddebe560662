"""A session of every kind answered by a room of forty, for the report tests.

The deck is `tests/kinds/every_kind.md` with two profile questions, a statement round and
an opinion map added, so one session holds every slide kind the report draws. Forty
participants answer with fixed, uneven figures (each scale has one clear most chosen
point, two camps vote apart on the statements so the opinion map has groups), and answer
the profile questions. `build_full_session` stores it in a running service, optionally as
a room of an event with its own colours and logo.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from denkdag.app.denkdag import Denkdag
from denkdag.domain.kinds.statement_round import seed_id
from denkdag.domain.model import Session, User
from denkdag.formats.deck import parse_deck

EVERY_KIND = Path(__file__).parent.parent / "kinds" / "every_kind.md"
PEOPLE = 40
PROFILE = (
    "profile: Ik werk in: bibliotheek / cultuurcentrum / school / OCMW / andere\n"
    "profile: Waar ligt je werkplek? Antwerpen / Limburg / Brussel\n"
)
EXTRA_SLIDES = """
# Wat vindt de zaal?
kind: conversation
id: round
submissions: no

> De bibliotheek moet 's avonds open zijn.
> Elke gemeente verdient een eigen cultuurcentrum.
> Samenwerken kost te veel tijd.

# Opiniekaart van de zaal
kind: opinions
id: map
"""


def full_deck_text() -> str:
    """The every-kind deck with profile questions, a statement round and an opinion map."""
    text = EVERY_KIND.read_text(encoding="utf-8")
    head, rest = text.split("\n---\n", 1)
    return f"{head}\n{PROFILE}---\n{rest.rstrip()}\n{EXTRA_SLIDES}"


def _spread(pairs: list[tuple[Any, int]]) -> list[Any]:
    """`[(value, times), …]` as one value per participant (the counts add up to PEOPLE)."""
    values = [value for value, times in pairs for _ in range(times)]
    assert len(values) == PEOPLE, len(values)
    return values


CAMP = [index % 2 for index in range(PEOPLE)]
"""Two camps of twenty that vote apart: the opinion map finds two groups."""

SCALE_A = _spread([(4, 16), (5, 10), (3, 8), (2, 4), (1, 2)])  # mean 3.7, most chosen 4
SCALE_B = _spread([(2, 18), (1, 10), (3, 8), (4, 4)])  # mean 2.15, most chosen 2
SCALE_TEN = _spread([(8, 14), (7, 9), (10, 6), (5, 5), (9, 3), (2, 2), (0, 1)])  # 7.275
WORDS = ["vertrouwen", "tijd", "ruimte", "kennis", "cultuurcentrum"]

ANSWERS: dict[str, list[Any]] = {
    "choice": _spread([("a", 12), ("b", 28)]),
    "statement": [
        ("agree" if camp else "disagree") if i < 36 else "pass" for i, camp in enumerate(CAMP)
    ],
    "scale": [{"a": a, "b": b} for a, b in zip(SCALE_A, SCALE_B, strict=True)],
    "scale10": [{"a": value} for value in SCALE_TEN],
    "cloud": [
        [WORDS[i % 5], WORDS[(i * 3 + 1) % 5]] if i % 5 != (i * 3 + 1) % 5 else [WORDS[i % 5]]
        for i in range(PEOPLE)
    ],
    "open": [f"Antwoord {i}: meer samenwerking met het cultuurcentrum" for i in range(6)]
    + [None] * 34,
    "ranking": [["c", "a", "b"] if i % 4 else ["a", "b", "c"] for i in range(PEOPLE)],
}
ROUND_STATEMENTS = (
    "De bibliotheek moet 's avonds open zijn.",
    "Elke gemeente verdient een eigen cultuurcentrum.",
    "Samenwerken kost te veel tijd.",
)
ROUND_VOTES = {
    ROUND_STATEMENTS[0]: ["agree" if camp else "disagree" for camp in CAMP],
    ROUND_STATEMENTS[1]: ["disagree" if camp else "agree" for camp in CAMP],
    ROUND_STATEMENTS[2]: ["agree" if i % 3 else "pass" for i in range(PEOPLE)],
}
PROFILES = [
    {
        "p1": ("bibliotheek", "cultuurcentrum", "school")[i % 3],
        "p2": ("antwerpen", "limburg")[i % 2],
    }
    for i in range(PEOPLE)
]


@dataclass(frozen=True)
class FullSession:
    """The stored session (re-read after the answers) and its participants' tokens."""

    session: Session
    tokens: list[str]


async def build_full_session(
    service: Denkdag, owner: User, session: Session | None = None
) -> FullSession:
    """The forty answer the full deck in `session` (a new standalone one when None)."""
    if session is None:
        session = await service.sessions.create(parse_deck(full_deck_text()), owner.id)
    code = session.code
    tokens = [await service.participation.join(code) for _ in range(PEOPLE)]
    ids = [(await service.participation.participant(code, token)).id for token in tokens]
    for participant, answers in zip(ids, PROFILES, strict=True):
        await service.profiles.answer(session, participant, answers)
    for slide_id, values in ANSWERS.items():
        await service.control.apply(code, owner, "goto", slide_id)
        for token, value in zip(tokens, values, strict=True):
            if value is not None:
                await service.participation.respond(code, token, slide_id, value)
    await service.control.apply(code, owner, "goto", "round")
    session = await service.sessions.get(code)
    for text, votes in ROUND_VOTES.items():
        for participant, vote in zip(ids, votes, strict=True):
            await service.rounds.vote(session, participant, "round", seed_id(text), vote)
    await service.control.apply(code, owner, "goto", "map")
    return FullSession(await service.sessions.get(code), tokens)
