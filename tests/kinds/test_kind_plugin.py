"""A kind from outside the package (tests/kinds/gauge_kind.py, its partials in
tests/kinds/gauge/), registered through the public registry and the template search
path: decks read it, the phone and the projector draw it, a plain form post answers it,
and every export and the report carry it, with no line of the app naming it."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gauge_kind
import pytest
from openpyxl import load_workbook

from denkdag.domain.kinds import KINDS, STARTERS, register, unregister
from denkdag.formats.deck import parse_deck, write_deck
from denkdag.formats.templating import add_template_folder

pytestmark = pytest.mark.anyio
HERE = Path(__file__).parent

DECK = """---
title: Een eigen vraagvorm
language: en
results: live
---

# How full is your week?
kind: gauge
id: week
top: 5

Set it honestly.

# Plugins are easy
kind: statement
id: easy

> A new kind needs only its own module and templates.
"""


@pytest.fixture
def gauge() -> Iterator[None]:
    register(gauge_kind.KIND)
    add_template_folder(HERE / "gauge")
    yield
    unregister(gauge_kind.NAME)


@pytest.fixture
async def plugged(gauge: None, running: Any) -> Any:
    """`running` (tests/conftest.py), on a new session of a deck with a gauge slide."""
    user = await running.service.store.ensure_user("facilitator")
    session = await running.service.sessions.create(parse_deck(DECK), user.id)
    return dataclasses.replace(running, code=session.code)


def test_the_deck_reads_and_writes_the_registered_kind(gauge: None) -> None:
    deck = parse_deck(DECK)
    week = deck.slide("week")
    assert week is not None
    assert (week.kind, week.body, week.extra["top"]) == ("gauge", "Set it honestly.", 5)
    assert "top: 5" in write_deck(deck)
    assert parse_deck(write_deck(deck)).slide("week") == week
    assert STARTERS["gauge"].startswith("# How full is your week?")
    with pytest.raises(Exception, match="top"):
        parse_deck(DECK.replace("top: 5", "top: lots"))


def test_an_unregistered_kind_is_unknown_to_decks() -> None:
    assert "gauge" not in KINDS
    with pytest.raises(Exception, match="unknown kind 'gauge'"):
        parse_deck(DECK)


async def test_phone_projector_and_every_export_show_the_kind(plugged: Any) -> None:
    client = plugged.client
    await plugged.control("goto", "week")

    # The phone without JavaScript: its partial's form, read by the kind's read_form.
    page = await client.get(f"/j/{plugged.code}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    await client.post(f"/j/{plugged.code}/join", data={"csrf_token": csrf[1]})
    phone = await client.get(f"/j/{plugged.code}")
    assert 'class="gauge-input"' in phone.text and "Set it honestly." in phone.text
    posted = await client.post(
        f"/j/{plugged.code}/answer", data={"csrf_token": csrf[1], "slide": "week", "level": "4"}
    )
    assert posted.status_code == 303, posted.text
    refused = await client.post(
        f"/j/{plugged.code}/answer", data={"csrf_token": csrf[1], "slide": "week", "level": "9"}
    )
    assert refused.status_code == 422 and "Set the gauge from 0 to 5." in refused.text
    assert (await plugged.answer(await plugged.join(), "week", 2)).status_code == 200

    projector = await client.get(f"/p/{plugged.code}/slide", headers=plugged.facilitator())
    assert projector.status_code == 200
    assert "Gauge from 0 to 5: 2 set" in projector.text

    headers = plugged.facilitator()
    exported = (await client.get(f"/r/{plugged.code}.csv", headers=headers)).text
    rows = list(csv.DictReader(io.StringIO(exported)))
    answers = sorted(row["answer"] for row in rows if row["kind"] == "gauge")
    assert answers == ["2", "4"]
    assert {row["slide"] for row in rows if row["kind"] == "gauge"} == {"week"}

    document = json.loads((await client.get(f"/r/{plugged.code}.json", headers=headers)).content)
    week = next(slide for slide in document["slides"] if slide["id"] == "week")
    assert week["kind"] == "gauge" and week["respondents"] == 2
    assert {key: count for key, count in week["counts"].items() if count} == {"2": 1, "4": 1}

    xlsx = await client.get(f"/r/{plugged.code}.xlsx", headers=headers)
    workbook = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert "Gauge" in cells and "How full is your week?" in cells  # the kind's label

    report = await client.get(f"/r/{plugged.code}?lang=en", headers=headers)
    assert report.status_code == 200
    assert "Gauge levels: 2×1 4×1" in report.text
