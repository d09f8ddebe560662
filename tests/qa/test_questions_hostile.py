"""The Big List of Naughty Strings as questions: each is stored as typed (trimmed) or
refused with a 422 sentence (never a 500), and comes back escaped and intact on the
phone's Q&A page, the remote's moderation list and in the API the projector draws from."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from denkdag.formats.export_csv import safe_cell

pytestmark = pytest.mark.anyio

BLNS = Path(__file__).parents[1] / "data" / "naughty-strings" / "blns.json"
EXTRA = [
    "<script>window.__canary = true</script>",
    '"><img src=x onerror="window.__canary=true">',
    "\u202eevil\u202c right-to-left override",
    "a" * 280,
    "a" * 281,
    "👩‍👩‍👧‍👦🇧🇪",
    "\ud800 lone surrogate",
    "nul \x00 byte",
    "javascript:alert(1)",
]
RULES = re.compile(
    r"Your question is empty; type something first\."
    r"|Your question is \d+ characters long; at most 280 are allowed\."
    r"|Your question holds (a control character \(U\+[0-9A-F]{4}\)|an invalid character "
    r"\(a lone surrogate\)); remove it and send again\."
    r"|'text': Input should be a valid string, unable to parse raw data as a unicode string\."
)
ROUND = 190  # phones see the 200 most voted questions: check in sessions of fewer


def page_holds(page: str, text: str) -> bool:
    escaped = str(escape(text))
    return f"<bdi>{escaped}</bdi>" in page and (escaped == text or f"<bdi>{text}</bdi>" not in page)


async def test_hostile_questions_stay_text_everywhere(qa_session: Any) -> None:
    strings: list[str] = json.loads(BLNS.read_text(encoding="utf-8")) + EXTRA
    refused = 0
    for start in range(0, len(strings), ROUND):
        refused += await check_round(
            await qa_session("show-at-once"), strings[start : start + ROUND]
        )
    assert refused < 20


async def check_round(run: Any, strings: list[str]) -> int:
    """Ask every string in one new session, check the pages; how many were refused."""
    # Questions share the answers' rate limit (30 at once per participant): ten askers.
    askers = [await run.join() for _ in range(10)]
    token = askers[0]
    stored: list[str] = []
    for index, text in enumerate(strings):
        response = await run.client.post(
            f"/api/v1/sessions/{run.code}/questions",
            content=json.dumps({"text": text}, ensure_ascii=True),
            headers={
                "Authorization": f"Bearer {askers[index % len(askers)]}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code in {201, 422}, (text, response.text)
        if response.status_code == 422:
            assert RULES.fullmatch(response.json()["detail"]), (text, response.text)
            continue
        kept = response.json()["text"]
        assert kept == text.replace("\r\n", "\n").replace("\r", "\n").strip()
        stored.append(kept)

    board = await run.client.get(
        f"/api/v1/sessions/{run.code}/questions", headers={"Authorization": f"Bearer {token}"}
    )
    assert sorted(q["text"] for q in board.json()["questions"]) == sorted(stored)

    run.client.cookies.set(f"dd_p_{run.code}", token)
    phone = (await run.client.get(f"/j/{run.code}/questions")).text
    run.client.cookies.clear()
    user = await run.service.store.ensure_user("facilitator")
    await run.client.get(f"/signin/{await run.service.access.create_signin_link(user)}")
    remote = (await run.client.get(f"/c/{run.code}/questions?fragment=true")).text
    run.client.cookies.clear()
    for text in stored:
        assert page_holds(phone, text), text
        assert page_holds(remote, text), text
    assert "<script>window.__canary" not in phone + remote
    exported = await run.client.get(
        f"/api/v1/sessions/{run.code}/questions/export.csv", headers=run.facilitator()
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["question"] for row in rows) == sorted(safe_cell(t) for t in stored)
    return len(strings) - len(stored)
