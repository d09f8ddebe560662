"""A deck as stored reads back whole: every front-matter setting survives the database, so
a session behaves the same after a restart, on another instance, or when it was imported
by the command line into a running server's database."""

from __future__ import annotations

import dataclasses

import pytest

from denkdag.domain.model import SessionInfo
from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck, write_deck
from denkdag.storage import open_store
from denkdag.storage.codec import dump_deck, load_deck
from denkdag.storage.store import Refused

pytestmark = pytest.mark.anyio

EVERY_SETTING = """---
title: Raad van bestuur
event: Denkdag 2026
date: 7 december 2026
venue: Gent
presenter: An
role: voorzitter
language: fr
results: hidden
questions: show-at-once
pace: audience
phone_results: after-answer
next_closes: yes
capacity: 12
profile: Ik werk in: bibliotheek / school
---

# Welkom
"""


def test_every_front_matter_setting_is_written_and_read_back() -> None:
    deck = parse_deck(EVERY_SETTING)
    defaults = SessionInfo(title="")
    changed = {
        field.name
        for field in dataclasses.fields(SessionInfo)
        if getattr(deck.info, field.name) != getattr(defaults, field.name)
    }
    # the deck above sets every setting, so a forgotten one cannot hide behind its default
    assert changed == {field.name for field in dataclasses.fields(SessionInfo)}
    assert load_deck(dump_deck(deck)) == deck
    assert parse_deck(write_deck(deck)) == deck  # the editor's deck text too


async def test_a_capacity_holds_for_a_session_read_from_the_database(database_url: str) -> None:
    """The session made by one process (the command line), joined through another (the
    server), which knows it only as stored."""
    deck = parse_deck("---\ntitle: Kleine kring\ncapacity: 1\n---\n\n# Welkom\n")
    store = await open_store(database_url)
    try:
        made = await store.create_session("12121212", None, deck, start(deck))
        stored = await store.session_by_code("12121212")
        assert stored is not None and stored.deck.info.capacity == 1
        first = await store.add_participant(made.id, "first", stored.deck.info.capacity)
        assert isinstance(first, int)
        assert await store.add_participant(made.id, "second", stored.deck.info.capacity) is (
            Refused.FULL
        )
    finally:
        await store.close()
