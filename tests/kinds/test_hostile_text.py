"""The Big List of Naughty Strings through every text kind (word cloud, open answer): each
string is stored as typed or refused with a 422 sentence (never a 500), and what is stored
comes back escaped and intact on the phone page, the projector fragment, the results API
and the JSON and CSV exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from denkdag.domain.kinds.wordcloud import normalise
from denkdag.formats.deck import parse_deck
from denkdag.formats.export_csv import answers_csv, safe_cell
from denkdag.formats.export_json import results_document

pytestmark = pytest.mark.anyio

BLNS = Path(__file__).parents[1] / "data" / "naughty-strings" / "blns.json"
EXTRA = [
    "<script>window.__canary = true</script>",
    '"><img src=x onerror="window.__canary=true">',
    "\u202eevil\u202c right-to-left override",
    "a" * 2000,
    '=HYPERLINK("http://example.com")',
    "👩‍👩‍👧‍👦🇧🇪",
    "\ud800 lone surrogate",
    "nul \x00 byte",
    "<img src=x onerror=alert(1)>",
    "<b>vet</b>",
    "javascript:alert(1)",
]
RULES = re.compile(
    r"(A word|Your answer) is empty; type something first\."
    r"|(A word|Your answer) is \d+ characters long; at most \d+ are allowed\."
    r"|(A word|Your answer) holds (a control character \(U\+[0-9A-F]{4}\)|an invalid character "
    r"\(a lone surrogate\)); remove it and send again\."
    r"|A word must fit on one line\."
    r"|'.*' has no letters or digits; type a word\."
    r"|'.*' is too common a word to show in the cloud; choose one that says more\.",
    re.DOTALL,
)
DECK = """---
title: Hostile
language: en
---

# Words
kind: wordcloud
id: cloud
words: 1

# Texts
kind: open
id: open
max_length: 2000
"""
ROUND = 180  # the wall shows the newest 200 visible answers: check in rounds below that


def corpus() -> list[str]:
    strings: list[str] = json.loads(BLNS.read_text(encoding="utf-8"))
    return strings + EXTRA


def page_holds(page: str, text: str) -> bool:
    """`text` is on the page as a card or word (bidi-isolated), escaped, never raw."""
    escaped = str(escape(text))
    return f"<bdi>{escaped}</bdi>" in page and (escaped == text or f"<bdi>{text}</bdi>" not in page)


async def test_hostile_strings_stay_text_everywhere(running: Any) -> None:
    svc = running.service
    user = await svc.store.ensure_user("facilitator")
    session = await svc.sessions.create(parse_deck(DECK), user.id)
    code = session.code
    client = running.client
    facilitator = running.facilitator()

    async def control(slide: str) -> None:
        response = await client.post(
            f"/api/v1/sessions/{code}/control",
            json={"action": "goto", "slide": slide},
            headers=facilitator,
        )
        assert response.status_code == 200

    strings = corpus()
    tokens = []
    for _ in range(ROUND):
        joined = await client.post(f"/api/v1/sessions/{code}/participants")
        tokens.append(joined.json()["participant_token"])

    refused = {"cloud": 0, "open": 0}
    # Each participant's current answer per slide (a refused answer keeps the one before).
    current: dict[str, dict[str, str]] = {"cloud": {}, "open": {}}
    for start in range(0, len(strings), ROUND):
        batch = strings[start : start + ROUND]
        for slide in ("cloud", "open"):
            await control(slide)
            for token, text in zip(tokens, batch, strict=False):
                value: Any = [text] if slide == "cloud" else text
                response = await client.put(
                    f"/api/v1/sessions/{code}/slides/{slide}/response",
                    content=json.dumps({"value": value}, ensure_ascii=True),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                assert response.status_code in {200, 422}, (slide, text, response.text)
                if response.status_code == 422:
                    assert RULES.fullmatch(response.json()["detail"]), (text, response.text)
                    refused[slide] += 1
                    continue
                kept = response.json()["value"]
                kept = kept[0] if slide == "cloud" else kept
                assert kept == text.replace("\r\n", "\n").replace("\r", "\n").strip()
                current[slide][token] = kept
            await check_screens(running, code, slide, tokens[0], list(current[slide].values()))
        await check_exports(running, code, {k: list(v.values()) for k, v in current.items()})
    # Open answers keep all but the empty and the control characters; the cloud also
    # refuses what is longer than a word, every time by one of its rules.
    assert refused["open"] < 20 and refused["cloud"] < len(strings) * 0.6, refused


async def check_screens(running: Any, code: str, slide: str, token: str, stored: list[str]) -> None:
    client = running.client
    results = await client.get(f"/api/v1/sessions/{code}/results", headers=running.facilitator())
    result = next(s for s in results.json()["slides"] if s["id"] == slide)
    client.cookies.set(f"dd_p_{code}", token)
    phone = (await client.get(f"/j/{code}")).text
    client.cookies.clear()
    projector = (await client.get(f"/p/{code}/slide", headers=running.facilitator())).text
    if slide == "open":
        assert sorted(a["text"] for a in result["answers"]) == sorted(stored)
        shown = stored
    else:
        keys = {normalise(text) for text in stored}
        assert set(result["words"]) == keys
        shown = [entry["text"] for entry in result["cloud"]]
    for text in shown:
        assert page_holds(phone, text), (slide, text)
        assert page_holds(projector, text), (slide, text)


async def check_exports(running: Any, code: str, stored: dict[str, list[str]]) -> None:
    svc = running.service
    session = await svc.sessions.get(code)
    document = results_document(
        session, await svc.results.of_session(session), await svc.results.joined(session)
    )
    again = json.loads(json.dumps(document, ensure_ascii=False))
    slides = {slide["id"]: slide for slide in again["slides"]}
    assert sorted(a["text"] for a in slides["open"]["answers"]) == sorted(stored["open"])
    rows = list(
        csv.DictReader(
            io.StringIO(answers_csv(session, await svc.store.session_answers(session.id)))
        )
    )
    assert sorted(r["answer"] for r in rows if r["slide"] == "open") == sorted(
        safe_cell(text) for text in stored["open"]
    )
    assert sorted(r["answer"] for r in rows if r["slide"] == "cloud") == sorted(
        safe_cell(text) for text in stored["cloud"]
    )
