"""An event with known answers for the event report tests.

The event "Denkdag 2026" (olga's, with a logo and colours) has a plenary and two working
sessions. All three ask the same statement (the rooms' texts differ in case, spacing and
quotes only); each also asks something of its own. The plenary asks a profile question;
five say `bibliotheek`, one `school` (a group under five: never shown on its own).
The figures each test checks are written out below.
"""

from __future__ import annotations

import io
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from denkdag.app.denkdag import Denkdag
from denkdag.app.events import EventFields, Events
from denkdag.domain.events import PLENARY, WORKING
from denkdag.formats.deck import parse_deck
from denkdag.storage.accounts import AccountStore

CANARY = "KANARIE6Q"
STATEMENT = "Bibliotheken werken beter samen."
EVENT_TITLE = f"Denkdag 2026 {CANARY}"

PLENARY_DECK = f"""---
title: Plenaire opening
language: nl
profile: Ik werk in: bibliotheek / cultuurcentrum / school
---

# Welkom
layout: title

Goedemorgen

# Waar kom je vandaan?
kind: choice

- **Antwerpen**
- **Gent**
- **Brussel {CANARY}**

# Akkoord of niet akkoord?
kind: statement

> {STATEMENT}
"""

ROOM_ONE_DECK = """---
title: Werksessie Samenwerking
language: nl
---

# Stelling
kind: statement

> Bibliotheken werken beter samen

# Hoe ervaar je de samenwerking?
kind: scale
max: 5

- Ik ken de partners

# Wat neem je mee?
kind: open
"""

ROOM_TWO_DECK = """---
title: Werksessie Digitaal
language: nl
---

# Akkoord?
kind: statement

> “bibliotheken  werken beter SAMEN”

# Welke thema's?
kind: choice
multiple: yes

- **Lezen**
- **Digitaal**
- **=Cultuur**

# Eén woord?
kind: wordcloud
words: 2
"""

PLENARY_ANSWERS: dict[str, list[Any]] = {
    # one list per slide: the answer of each participant in order of joining (None: none)
    "s2": ["a", "a", "b", "c", "a", None],
    "s3": ["agree", "agree", "disagree", "pass", "agree", None],
}
ROOM_ONE_ANSWERS: dict[str, list[Any]] = {
    "s1": ["agree", "agree", "disagree", None],
    "s2": [{"a": 4}, {"a": 5}, {"a": 3}, None],
    "s3": ["Meer overleg", '=HYPERLINK("http://x")', None, None],
}
ROOM_TWO_ANSWERS: dict[str, list[Any]] = {
    "s1": ["agree", "pass", "pass"],
    "s2": [["a", "b"], ["b"], ["b", "c"]],
    "s3": [["tijd"], None, ["Tijd", "geld"]],
}
PROFILES = ["bibliotheek"] * 5 + ["school"]
"""The plenary's six participants' answers to its profile question."""

JOINED = {"plenary": 6, "one": 4, "two": 3}
ANSWERED = {"plenary": 5, "one": 3, "two": 3}
ROOMS = {"plenary": "Aula", "one": "Zaal 1", "two": "Zaal 2"}
TITLES = {
    "plenary": "Plenaire opening",
    "one": "Werksessie Samenwerking",
    "two": "Werksessie Digitaal",
}
SHARED = {
    # the statement, per room and overall: respondents, {stance: (count, percentage)}
    "plenary": (5, {"agree": (3, 60), "disagree": (1, 20), "pass": (1, 20)}),
    "one": (3, {"agree": (2, 67), "disagree": (1, 33), "pass": (0, 0)}),
    "two": (3, {"agree": (1, 33), "disagree": (0, 0), "pass": (2, 67)}),
    "overall": (11, {"agree": (6, 55), "disagree": (2, 18), "pass": (3, 27)}),
}
OWN = {
    # each room's own question: room, slide, respondents, {key: (count, percentage)}
    "plenary": ("s2", 5, {"a": (3, 60), "b": (1, 20), "c": (1, 20)}),
    "two": ("s2", 3, {"a": (1, 33), "b": (3, 100), "c": (1, 33)}),
}
ANSWER_ROWS = sum(
    1
    for answers in (PLENARY_ANSWERS, ROOM_ONE_ANSWERS, ROOM_TWO_ANSWERS)
    for values in answers.values()
    for value in values
    if value is not None
)
PEOPLE = {"olga": "organiser", "oscar": "organiser", "fien": "facilitator", "ada": "administrator"}


def logo_png() -> bytes:
    """A real 40×20 PNG (the PDF renders it)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 85, 170)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Made:
    """The event's code and its sessions' join codes (plenary, one, two)."""

    event: str
    codes: dict[str, str]


async def _answer(
    service: Denkdag, code: str, owner: Any, answers: dict[str, list[Any]], joined: int
) -> list[str]:
    tokens = [await service.participation.join(code) for _ in range(joined)]
    for slide_id, values in answers.items():
        await service.control.apply(code, owner, "goto", slide_id)
        for token, value in zip(tokens, values, strict=False):
            if value is not None:
                await service.participation.respond(code, token, slide_id, value)
    return tokens


async def build_event(service: Denkdag) -> Made:
    """The people of PEOPLE, olga's event with its three sessions, and every answer."""
    rows = AccountStore(service.store)
    for name, role in PEOPLE.items():
        user = await service.store.ensure_user(name)
        await rows.set_role(user.id, role)
    olga = await service.store.user_by_name("olga")
    assert olga is not None
    events = Events(service)
    fields = EventFields(EVENT_TITLE, "2026-03-12", "Muntpunt", "#0055AA", "#E4003A")
    event = await events.create(olga, fields)
    await events.set_logo(event.code, olga, logo_png())
    codes = {}
    for key, deck, role, facilitator in (
        ("plenary", PLENARY_DECK, PLENARY, None),
        ("one", ROOM_ONE_DECK, WORKING, "fien"),
        ("two", ROOM_TWO_DECK, WORKING, None),
    ):
        room = await events.create_session(
            event.code, olga, parse_deck(deck), role, ROOMS[key], facilitator
        )
        codes[key] = room.session.code
    plenary = await _answer(service, codes["plenary"], olga, PLENARY_ANSWERS, JOINED["plenary"])
    session = await service.sessions.get(codes["plenary"])
    for token, group in zip(plenary, PROFILES, strict=True):
        participant = await service.participation.participant(codes["plenary"], token)
        await service.profiles.answer(session, participant.id, {"p1": group})
    await _answer(service, codes["one"], olga, ROOM_ONE_ANSWERS, JOINED["one"])
    await _answer(service, codes["two"], olga, ROOM_TWO_ANSWERS, JOINED["two"])
    return Made(event.code, codes)


async def build_event_database(database_url: str) -> Made:
    """The event in the database at `database_url`, outside any app."""
    from denkdag.live import MemoryBroadcaster
    from denkdag.storage import open_store

    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
    await service.start()
    try:
        return await build_event(service)
    finally:
        await service.stop()
        await store.close()


async def signed_in(
    app: Any, service: Denkdag, username: str, stack: AsyncExitStack
) -> httpx.AsyncClient:
    """A browser signed in as `username` through a one-time sign-in link (English)."""
    user = await service.store.user_by_name(username)
    assert user is not None
    link = await service.access.create_signin_link(user)
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    client.cookies.set("dd_lang", "en")
    await stack.enter_async_context(client)
    assert (await client.get(f"/signin/{link}")).status_code == 303
    return client
