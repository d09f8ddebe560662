"""The first vote after a restart: an instance that loads a session reads its participants'
tokens in one query, so a phone's first answer needs no lookup of its own; participants
who join later (on another instance) are still found, and many requests for a session not
yet cached read it once. On SQLite and (`--database postgresql`) PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

import denkdag.app.views as service_module
from denkdag.app.denkdag import Denkdag
from denkdag.app.sessions import topic
from denkdag.domain.errors import NotAllowed
from denkdag.formats.deck import parse_deck
from denkdag.live import Envelope, MemoryBroadcaster
from denkdag.seed import seed_deck_text
from denkdag.storage import SqlStore, open_store

pytestmark = pytest.mark.anyio


class Counted:
    """Counts the calls of one of the store's own methods (which still does its work)."""

    def __init__(self, store: SqlStore, name: str) -> None:
        self.calls = 0
        real: Callable[..., Any] = getattr(store, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await real(*args, **kwargs)

        setattr(store, name, counted)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


async def instance(stack: AsyncExitStack, database_url: str) -> Denkdag:
    """A service of its own (its own store and caches), as a freshly started instance."""
    store = await open_store(database_url)
    stack.push_async_callback(store.close)
    service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
    await service.start()
    stack.push_async_callback(service.stop)
    return service


async def test_a_restarted_instance_finds_every_participant_without_a_lookup_each(
    database_url: str, stack: AsyncExitStack
) -> None:
    first = await instance(stack, database_url)
    user = await first.store.ensure_user("facilitator")
    session = await first.sessions.create(parse_deck(seed_deck_text()), user.id)
    await first.control.apply(session.code, user, "goto", "s4")
    tokens = [await first.participation.join(session.code) for _ in range(30)]

    restarted = await instance(stack, database_url)
    lookups = Counted(restarted.store, "participant_for_token")
    for index, token in enumerate(tokens):
        stored = await restarted.participation.respond(session.code, token, "s4", "abc"[index % 3])
        assert stored == "abc"[index % 3]
    assert lookups.calls == 0
    tally = await restarted.results.tally(session, session.deck.slides[3])
    assert tally.respondents == 30

    # Joined on the other instance after this one loaded the session: one lookup, then cached.
    late = await first.participation.join(session.code)
    assert await restarted.participation.respond(session.code, late, "s4", "b") == "b"
    assert await restarted.participation.respond(session.code, late, "s4", "c") == "c"
    assert lookups.calls == 1

    # A token of another session is refused as before, prefetched or not.
    other = await first.sessions.create(parse_deck(seed_deck_text()), user.id)
    stranger = await first.participation.join(other.code)
    await restarted.sessions.get(other.code)
    with pytest.raises(NotAllowed):
        await restarted.participation.participant(session.code, stranger)
    with pytest.raises(NotAllowed):
        await restarted.participation.participant(other.code, tokens[0])
    with pytest.raises(NotAllowed):
        await restarted.participation.participant(session.code, "not-a-token")


async def test_a_session_is_read_once_however_many_ask_at_the_same_time(
    database_url: str, stack: AsyncExitStack
) -> None:
    first = await instance(stack, database_url)
    user = await first.store.ensure_user("facilitator")
    session = await first.sessions.create(parse_deck(seed_deck_text()), user.id)
    tokens = [await first.participation.join(session.code) for _ in range(5)]

    restarted = await instance(stack, database_url)
    reads = Counted(restarted.store, "session_by_code")
    prefetches = Counted(restarted.store, "participants_of_session")
    found = await asyncio.gather(
        *(restarted.participation.participant(session.code, t) for t in tokens * 20)
    )
    assert {p.session.id for p in found} == {session.id}
    assert reads.calls == 1 and prefetches.calls == 1

    # A session dropped from the cache (a deck edited elsewhere) is read again, but its
    # participants are not read a second time.
    restarted.sessions.drop(session.code)
    await restarted.sessions.get(session.code)
    assert reads.calls == 2 and prefetches.calls == 1


async def test_the_prefetch_reads_the_newest_participants_first(
    database_url: str, stack: AsyncExitStack
) -> None:
    service = await instance(stack, database_url)
    user = await service.store.ensure_user("facilitator")
    session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
    for _ in range(6):
        await service.participation.join(session.code)
    rows = await service.store.participants_of_session(session.id, 4)
    ids = [participant_id for _, participant_id in rows]
    assert len(rows) == 4 and ids == sorted(ids, reverse=True)
    everyone = await service.store.participants_of_session(session.id, 100)
    assert len(everyone) == 6 and {len(hashed) for hashed, _ in everyone} == {64}
    assert max(ids) == max(i for _, i in everyone)


async def test_streams_opening_together_share_one_opening_state_until_the_next_event(
    database_url: str, stack: AsyncExitStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await instance(stack, database_url)
    user = await service.store.ensure_user("facilitator")
    session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
    await service.control.apply(session.code, user, "goto", "s4")
    await service.control.apply(session.code, user, "reveal")
    tokens = [await service.participation.join(session.code) for _ in range(3)]
    await service.participation.respond(session.code, tokens[0], "s4", "a")
    subscription = service.broadcaster.hub.subscribe(topic(session), facilitator=True)

    async def heard(event: str) -> None:
        while True:
            item = await subscription.next(timeout=5)
            assert isinstance(item, Envelope), f"no {event} event came"
            if item.event == event:
                return

    await heard("tally")
    counts = Counted(service.store, "count_participants")
    current = await service.sessions.get(session.code)
    views = await asyncio.gather(*(service.views.opening(current) for _ in range(50)))
    assert counts.calls == 1
    assert {v["joined"] for v in views} == {3}
    assert views[0]["revealed"]["s4"]["counts"] == {"a": 1, "b": 0, "c": 0}

    # A vote: once its tally is out, the next stream starts from the new count.
    await service.participation.respond(session.code, tokens[1], "s4", "b")
    await heard("tally")
    view = await service.views.opening(await service.sessions.get(session.code))
    assert counts.calls == 2 and view["revealed"]["s4"]["counts"] == {"a": 1, "b": 1, "c": 0}
    # A join (its presence event), and a slide change (a new state version), likewise.
    await service.participation.join(session.code)
    await heard("presence")
    assert (await service.views.opening(await service.sessions.get(session.code)))["joined"] == 4
    await service.control.apply(session.code, user, "goto", "s7")
    moved = await service.views.opening(await service.sessions.get(session.code))
    assert moved["current_slide"] == "s7" and counts.calls >= 4

    # Each stream gets the server's clock as it opens (the countdowns set theirs by it),
    # and a shared state is not kept past OPENING_SHARED_FOR, events or not.
    calls = counts.calls
    service.clock = lambda: 1000.0
    first = await service.views.opening(await service.sessions.get(session.code))
    service.clock = lambda: 1005.0
    later = await service.views.opening(await service.sessions.get(session.code))
    assert (first["server_time"], later["server_time"]) == (1000.0, 1005.0)
    assert counts.calls == calls  # still the one computed after the move above
    monkeypatch.setattr(service_module, "OPENING_SHARED_FOR", 0.0)
    await asyncio.sleep(0.01)
    await service.views.opening(await service.sessions.get(session.code))
    assert counts.calls == calls + 1
