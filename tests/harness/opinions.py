"""Planted camps for the opinion tests: who votes what, so the groups are known in advance."""

from __future__ import annotations

from pathlib import Path

DECK = Path(__file__).with_name("opinion_round.md")
STATEMENTS = ("libraries", "schools", "budget", "volunteers", "digital", "together", "evenings")
CONSENSUS = "together"
"""Every camp agrees with this statement: the room's consensus."""

CAMP_VOTES = {
    "north": {"libraries": "agree", "schools": "agree", "budget": "disagree",
              "volunteers": "disagree", "digital": "disagree", "evenings": "disagree"},
    "south": {"libraries": "disagree", "schools": "disagree", "budget": "agree",
              "volunteers": "agree", "digital": "disagree", "evenings": "disagree"},
    "west": {"libraries": "disagree", "schools": "disagree", "budget": "disagree",
             "volunteers": "disagree", "digital": "agree", "evenings": "agree"},
}  # fmt: skip
"""Each camp agrees with two statements of its own and disagrees with the other four."""


def ballot(camp: str, member: int) -> dict[str, str]:
    """A camp member's votes: every other member passes on one statement, so a camp is not
    one point, and everyone agrees with the consensus statement."""
    votes = dict(CAMP_VOTES[camp])
    if member % 2 == 1:
        statement = sorted(votes)[(member // 2) % len(votes)]
        votes[statement] = "pass"
    votes[CONSENSUS] = "agree"
    return votes
