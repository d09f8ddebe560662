"""The Big List of Naughty Strings (plus script tags, event handlers, very long words,
right-to-left overrides, emoji) written as statements of a statement round: each is stored
as typed or refused with a 422 sentence (never a 500), and what is stored comes back
escaped and intact on the phone, the projector, the remote's moderation list, the report,
and the CSV, JSON and XLSX exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from denkdag.formats.deck import parse_deck
from denkdag.formats.export_csv import safe_cell
from denkdag.formats.export_xlsx import xml_safe

pytestmark = pytest.mark.anyio

BLNS = Path(__file__).parents[1] / "data" / "naughty-strings" / "blns.json"
EXTRA = [
    "<script>window.__canary = true</script>",
    '"><img src=x onerror="window.__canary=true">',
    "\u202eevil\u202c right-to-left override",
    "a" * 500,
    '=HYPERLINK("http://example.com")',
    "👩‍👩‍👧‍👦🇧🇪",
    "\ud800 lone surrogate",
    "nul \x00 byte",
    "javascript:alert(1)",
    "</bdi><script>alert(1)</script>",
]
RULES = re.compile(
    r"Your statement is empty; type something first\."
    r"|Your statement is \d+ characters long; at most 500 are allowed\."
    r"|Your statement holds (a control character \(U\+[0-9A-F]{4}\)|an invalid character "
    r"\(a lone surrogate\)); remove it and send again\."
    r"|Your statement must fit on one line\."
    r"|'text': Input should be a valid string, unable to parse raw data as a unicode string\."
)
DECK = """---
title: Hostile round
language: en
---

# Write anything
kind: conversation
id: round
moderation: show-at-once
max_length: 500
"""
PER_PHONE = 10


def corpus() -> list[str]:
    strings: list[str] = json.loads(BLNS.read_text(encoding="utf-8"))
    return strings + EXTRA


def holds(page: str, text: str) -> bool:
    """`text` is on the page bidi-isolated and escaped, never raw (when escaping changes it)."""
    escaped = str(escape(text))
    return f"<bdi>{escaped}</bdi>" in page and (escaped == text or f"<bdi>{text}</bdi>" not in page)


async def test_hostile_statements_stay_text_everywhere(running: Any) -> None:
    svc = running.service
    client = running.client
    facilitator = running.facilitator()
    user = await svc.store.ensure_user("facilitator")
    session = await svc.sessions.create(parse_deck(DECK), user.id)
    code = session.code
    api = f"/api/v1/sessions/{code}/slides/round/statements"
    strings = corpus()
    stored: list[str] = []
    refused = 0
    for start in range(0, len(strings), PER_PHONE):
        joined = await client.post(f"/api/v1/sessions/{code}/participants")
        token = joined.json()["participant_token"]
        mine = []
        for text in strings[start : start + PER_PHONE]:
            response = await client.post(
                api,
                content=json.dumps({"text": text}, ensure_ascii=True),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            assert response.status_code in {201, 422}, (text, response.text)
            if response.status_code == 422:
                assert RULES.fullmatch(response.json()["detail"]), (text, response.text)
                refused += 1
                continue
            kept = response.json()
            assert kept["text"] == text.strip() and kept["status"] == "approved"
            mine.append(kept)
        for kept in mine:  # voting on each puts it in the phone's own list of votes
            vote = await client.put(
                f"{api}/{kept['id']}/vote",
                json={"value": "pass"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert vote.status_code == 200, vote.text
        client.cookies.set(f"dd_p_{code}", token)
        phone = (await client.get(f"/j/{code}")).text
        client.cookies.clear()
        for kept in mine:
            assert holds(phone, kept["text"]), kept["text"]
        projector = (await client.get(f"/p/{code}/slide", headers=facilitator)).text
        for kept in mine[-5:]:  # the projector lists the newest five
            assert holds(projector, kept["text"]), kept["text"]
        stored += [kept["text"] for kept in mine]
    assert refused < 25, refused  # empty, control characters, lone surrogates, line breaks
    assert len(stored) > len(strings) - 25

    client.cookies.set("dd_login", "")  # the moderation list needs a signed-in facilitator
    login_token = await svc.access.create_login(user)
    client.cookies.set("dd_login", login_token)
    moderation = (await client.get(f"/c/{code}/statements/round")).text
    report = (await client.get(f"/r/{code}")).text
    client.cookies.clear()
    for text in stored:
        assert holds(moderation, text), text
        assert holds(report, text), text

    rows = list(
        csv.DictReader(io.StringIO((await client.get(f"/r/{code}.csv", headers=facilitator)).text))
    )
    assert {row["title"] for row in rows} == {safe_cell(text) for text in stored}
    document = json.loads((await client.get(f"/r/{code}.json", headers=facilitator)).text)
    texts = [s["text"] for s in document["slides"][0]["statements"]]
    assert sorted(texts) == sorted(stored)
    workbook = load_workbook(
        io.BytesIO((await client.get(f"/r/{code}.xlsx", headers=facilitator)).content)
    )
    sheet = next(ws for ws in workbook.worksheets if ws.title.startswith("1 "))
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {xml_safe(safe_cell(text)) for text in stored} <= cells  # U+FFFE: not in XML
