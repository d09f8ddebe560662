"""The report's "compare with an earlier session" offers only the facilitator's sessions that
ask at least one of its statements or questions (the rule an event's comparison uses), and
says so when there is none."""

from __future__ import annotations

import re
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck

pytestmark = pytest.mark.anyio


def _deck(title: str, *statements: str) -> str:
    slides = "\n".join(f"# Do you agree?\nkind: statement\n\n> {s}\n" for s in statements)
    return f"---\ntitle: {title}\nlanguage: en\n---\n\n{slides}"


def _offered(page: str) -> set[str]:
    select = re.search(r'<select id="compare" name="compare">(.*?)</select>', page, re.S)
    return set(re.findall(r'<option value="([^"]+)"', select.group(1))) if select else set()


async def test_only_sessions_that_share_a_statement_are_offered(running: Any) -> None:
    svc = running.service
    user = await svc.store.ensure_user("facilitator")

    async def create(title: str, *statements: str) -> str:
        session = await svc.sessions.create(parse_deck(_deck(title, *statements)), user.id)
        return session.code

    this = await create("Harbour day", "The harbour needs a ferry.", "Bikes on the quay.")
    # Written differently, the same statement: quotes, case and spacing do not count.
    shared = await create("Another title", "“the harbour  needs a FERRY”", "Cars on the quay.")
    unrelated = await create("Harbour day", "Schools should start later.")
    alone = await create("Nothing in common", "Mars deserves a library.")

    page = await running.client.get(f"/r/{this}", headers=running.facilitator())
    assert page.status_code == 200
    assert _offered(page.text) == {shared}
    assert unrelated not in _offered(page.text)
    assert "there is none to compare it with" not in page.text

    lonely = await running.client.get(f"/r/{alone}?lang=nl", headers=running.facilitator())
    assert lonely.status_code == 200
    assert _offered(lonely.text) == set()
    assert "dus er is niets om ze mee te vergelijken" in lonely.text
