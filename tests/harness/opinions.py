"""Planted camps for the opinion tests: who votes what, so the groups are known in advance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from denkdag.analysis import VoteMatrix
from denkdag.app.denkdag import Denkdag
from denkdag.app.opinions import LiveMap, RoomVotes
from harness.waiting import wait_until

DECK = Path(__file__).parents[1] / "opinions" / "opinion_round.md"
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


# --- waiting for the map to settle ----------------------------------------------------


async def bus_delivered(services: Sequence[Denkdag]) -> None:
    """Wait until every event the instances published so far reached every instance.

    A marker is published after them; the bus delivers in the order it was given events
    (Redis handles one command after another), so an instance that heard the marker heard
    everything before it. In one process the marker arrives at once."""
    topic = f"marker:{uuid.uuid4().hex}"
    heard: set[int] = set()
    for index, service in enumerate(services):
        service.broadcaster.hub.add_listener(
            lambda got, _envelope, index=index: heard.add(index) if got == topic else None
        )
    await services[0].broadcaster.publish(topic, "marker", None, None)
    await wait_until(lambda: len(heard) == len(services), "every instance hears the marker")


async def settled(services: Sequence[Denkdag], code: str) -> None:
    """Wait until the votes acknowledged so far can change the map no more: every instance
    published their tallies, every instance heard every tally, the map (whichever instance
    computes it) was computed from the votes stored now, and every instance heard of it.

    A map recomputed after that has the same votes, so the same groups."""
    sessions = [await service.sessions.get(code) for service in services]
    pairs = list(zip(services, sessions, strict=True))
    await wait_until(
        lambda: not any(service.coalescer.busy(session.id) for service, session in pairs),
        "every instance published its tallies",
    )
    await bus_delivered(services)

    async def caught_up() -> bool:
        return all([await service.opinions.caught_up(session) for service, session in pairs])

    await wait_until(caught_up, "the opinion map has every vote")
    await bus_delivered(services)  # and every instance heard of that map


# --- a room without a server, for the recomputer (denkdag.app.opinions.Recomputer) ---

STATEMENT_TEXTS = {s: f"Statement {s}" for s in ("a", "b", "c", "d", "e", "f", "g")}


class Room:
    """Votes as the store holds them, and what the recomputer published."""

    def __init__(self) -> None:
        self.votes: dict[tuple[int, str], int] = {}
        self.published: list[LiveMap] = []
        self.loads = 0

    def vote(self, participant: int, statement: str, value: int) -> None:
        self.votes[(participant, statement)] = value

    async def load(self, session_id: int) -> RoomVotes:
        self.loads += 1
        matrix = VoteMatrix.from_votes((p, s, v) for (p, s), v in self.votes.items())
        return RoomVotes(matrix, STATEMENT_TEXTS)

    async def publish(self, session_id: int, live: LiveMap) -> None:
        self.published.append(live)
