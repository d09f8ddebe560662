"""Admission in the join's own transaction: a capacity and an invitation code hold when
joins race, also from two instances on one database (SQLite and `--database postgresql`)."""

from __future__ import annotations

import asyncio

import pytest

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.storage import open_store
from denkdag.storage.store import Refused

pytestmark = pytest.mark.anyio


async def test_racing_joins_from_two_instances_never_pass_the_capacity(database_url: str) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        deck = parse_deck("---\ntitle: Small room\ncapacity: 5\n---\n\n# Hello\n")
        session = await first.create_session("55556666", None, deck, start(deck))
        outcomes = await asyncio.gather(
            *(
                (first, second)[i % 2].add_participant(session.id, f"racer-{i}", capacity=5)
                for i in range(40)
            )
        )
        admitted = [o for o in outcomes if not isinstance(o, Refused)]
        assert len(admitted) == 5 and len(set(admitted)) == 5
        assert outcomes.count(Refused.FULL) == 35
        assert await first.count_participants(session.id) == 5
    finally:
        await first.close()
        await second.close()


async def test_an_invitation_admits_once_and_a_session_with_codes_admits_no_one_without(
    database_url: str,
) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        deck = parse_deck("---\ntitle: Board\n---\n\n# Hello\n")
        session = await first.create_session("77778888", None, deck, start(deck))
        assert isinstance(await first.add_participant(session.id, "before-codes"), int)
        await first.add_invitations(session.id, ["code-a", "code-b"])
        assert await second.add_participant(session.id, "walk-in") is Refused.NEEDS_INVITATION
        outcomes = await asyncio.gather(
            *(
                (first, second)[i % 2].add_invited_participant(session.id, f"guest-{i}", "code-a")
                for i in range(10)
            )
        )
        assert sum(1 for o in outcomes if not isinstance(o, Refused)) == 1
        assert outcomes.count(Refused.UNKNOWN_INVITATION) == 9
        assert await first.count_invitations(session.id) == (2, 1)
        unknown = await first.add_invited_participant(session.id, "guest-x", "code-z")
        assert unknown is Refused.UNKNOWN_INVITATION
        full = await first.add_invited_participant(session.id, "guest-y", "code-b", capacity=2)
        assert full is Refused.FULL  # "before-codes" and code-a's guest hold both seats
        assert await first.count_invitations(session.id) == (2, 1)  # code-b stays unused
    finally:
        await first.close()
        await second.close()
