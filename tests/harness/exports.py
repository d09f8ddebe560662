"""A session with known answers on every slide kind, for the export and report tests.

Seven participants join; six answer (p7 joins and answers nothing). The figures each test
checks are written out in `EXPECTED`. Texts that a spreadsheet would run as a formula
(`=…`, `+…`, `@…`) sit in the deck and in participants' answers on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.domain.model import Session, User
from denkdag.formats.deck import parse_deck

CANARY = "KANARIE7Q"
DECK = f"""---
title: "=Verslagtest {CANARY}"
event: Denkdag 2026
date: 12 maart 2026
venue: Muntpunt
presenter: An Peeters
role: Coördinator
language: nl
---

# Welkom
layout: title

Verslagtest

# Welke dag past?
kind: choice

- **Maandag**
  Na de middag
- **=SUM(A1:A9)**
- **Woensdag {CANARY}**

# Welke thema's?
kind: choice
multiple: yes

- **Lezen**
- **Digitaal**
- **@Cultuur**

# Akkoord of niet akkoord?
kind: statement

> Bibliotheken zijn ontmoetingsplaatsen.

# Akkoord of niet akkoord?
kind: statement

> +Samenwerking kost geld {CANARY}.

# Hoe ervaar je de samenwerking?
kind: scale
max: 5

- Ik ken de partners

# Eén woord?
kind: wordcloud
words: 2

# Wat neem je mee?
kind: open

# Wat eerst?
kind: ranking

- **Kennis delen**
- **Samen aankopen**
"""

ANSWERS: dict[str, list[Any]] = {
    # one list per slide: the answer of p1 … p6 (None: no answer)
    "s2": ["a", "a", "b", "c", "a", "b"],
    "s3": [["a", "b"], ["b"], ["a", "b", "c"], ["c"], ["b"], None],
    "s4": ["agree", "agree", "disagree", "pass", "agree", "agree"],
    "s5": ["disagree", "disagree", "disagree", "agree", "agree", None],
    "s6": [{"a": 4}, {"a": 5}, {"a": 4}, None, None, {"a": 2}],
    "s7": [["Vertrouwen"], ["vertrouwen", "tijd"], None, None, None, None],
    "s8": ['=HYPERLINK("http://x")', f"Veel ideeën {CANARY}", None, None, None, None],
    "s9": [["a", "b"], ["b", "a"], ["a", "b"], None, None, None],
}

EXPECTED = {
    # slide: (respondents, {key: (count, percentage)})
    "s2": (6, {"a": (3, 50), "b": (2, 33), "c": (1, 17)}),
    "s3": (5, {"a": (2, 40), "b": (4, 80), "c": (2, 40)}),
    "s4": (6, {"agree": (4, 67), "disagree": (1, 17), "pass": (1, 17)}),
    "s5": (5, {"agree": (2, 40), "disagree": (3, 60), "pass": (0, 0)}),
}
JOINED = 7
ANSWERED = 6
ANSWER_ROWS = sum(1 for values in ANSWERS.values() for value in values if value is not None)


@dataclass
class Built:
    app: FastAPI
    service: Denkdag
    session: Session
    owner: User
    settings: Settings
    tokens: list[str]


async def answer_all(
    service: Denkdag, session: Session, owner: User, answers: dict[str, list[Any]] = ANSWERS
) -> list[str]:
    """Join seven participants and give `answers`, slide by slide; their tokens."""
    tokens = [await service.participation.join(session.code) for _ in range(JOINED)]
    for slide_id, values in answers.items():
        await service.control.apply(session.code, owner, "goto", slide_id)
        for token, value in zip(tokens, values, strict=False):
            if value is not None:
                await service.participation.respond(session.code, token, slide_id, value)
    return tokens


async def build_session(
    database_url: str, answers: dict[str, list[Any]] = ANSWERS, owner_name: str = "facilitator"
) -> str:
    """Store the deck as a new session with `answers`, outside any app; its join code."""
    from denkdag.live import MemoryBroadcaster
    from denkdag.storage import open_store

    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
    await service.start()
    try:
        owner = await store.ensure_user(owner_name)
        session = await service.sessions.create(parse_deck(DECK), owner.id)
        await answer_all(service, session, owner, answers)
        return session.code
    finally:
        await service.stop()
        await store.close()
