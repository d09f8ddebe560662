"""A statement round in Chromium: phones write statements, the facilitator approves them
on the remote (whose list updates live), phones vote one statement at a time, and the
projector shows the counts, the newest statements, the most agreed ones and finally the
opinion map that the room's own statements feed. A script tag written as a statement
stays text on every screen."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAKER = "We want a maker space in every library."
HOSTILE = "<script>window.__canary = true</script>"
SEEDS = (
    "Libraries should open in the evenings.",
    "Every town deserves its own library.",
    "Digital lending matters more than books.",
)


def call(server: Any, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        server.url(path),
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_phones_write_and_vote_one_at_a_time(
    chromium: Any, round_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    code = round_server.code
    round_server.control("goto", "round")
    desk = helpers.new_context(chromium, locale="en-GB")  # the round's deck is English
    phones_contexts = [helpers.new_context(chromium, phone=True, locale="en-GB") for _ in range(3)]
    try:
        presenter = console.watch(desk.new_page())
        presenter.goto(round_server.signin(f"/p/{code}"))
        presenter.wait_for_url(re.compile(rf"/p/{code}$"))
        remote = console.watch(desk.new_page())
        remote.goto(round_server.url(f"/c/{code}"))
        expect(remote.locator("#round-moderation")).to_be_visible()
        expect(presenter.locator("#slide .round-statements-count")).to_have_text("3")

        phones = [console.watch(context.new_page()) for context in phones_contexts]
        for phone in phones:
            phone.goto(round_server.url(f"/j/{code}"))
            expect(phone.locator("#round .round-statement")).to_have_count(1)

        # Two phones write statements; they wait for the facilitator (approve-first).
        for phone, text in ((phones[0], MAKER), (phones[1], HOSTILE)):
            phone.locator("#round-write textarea").fill(text)
            phone.locator("#round-write button[type=submit]").tap()
            expect(phone.locator("#round-write .notice")).to_contain_text("approves")
            expect(phone.locator("#round-write textarea")).to_have_value("")

        # The remote's moderation list shows them live; the facilitator approves both.
        pending = remote.locator("#round-moderation .round-status-pending")
        expect(pending).to_have_count(2)
        expect(remote.locator("#round-moderation")).to_contain_text(HOSTILE)
        for text in (MAKER, HOSTILE):
            item = remote.locator("#round-moderation .moderation-item").filter(has_text=text)
            item.locator('button[data-change="approve"]').click()
            expect(item).to_have_attribute("data-status", "approved")
        expect(pending).to_have_count(0)
        expect(remote.locator("#round-moderation .round-status-approved")).to_have_count(5)

        # Projector: five statements, the newest from the room, shown as text.
        expect(presenter.locator("#slide .round-statements-count")).to_have_text("5")
        newest = presenter.locator("#slide .round-newest-list .round-item")
        expect(newest).to_have_count(2)
        expect(newest.first).to_have_text(HOSTILE)

        # Phones vote one statement at a time: each tap shows the next one, never twice.
        for index, phone in enumerate(phones):
            seen = []
            for _ in range(5):
                card = phone.locator("#round-card .round-statement")
                expect(card).to_have_count(1)
                text = card.inner_text()
                shown_id = card.get_attribute("data-id") or ""
                assert text not in seen
                seen.append(text)
                stance = "agree" if text == MAKER or index == 0 else "disagree"
                phone.locator(f"#round-card button.stance-{stance}").tap()
                if len(seen) < 5:
                    expect(card).not_to_have_attribute("data-id", shown_id)
            expect(phone.locator("#round-card .round-done")).to_be_visible()
            expect(phone.locator("#round .round-progress-text")).to_contain_text("5 of 5")
            assert sorted(seen) == sorted([*SEEDS, MAKER, HOSTILE])
        expect(presenter.locator("#slide .round-votes-count")).to_have_text("15")
        expect(presenter.locator("#slide .round-voters-count")).to_have_text("3")
        expect(presenter.locator("#slide .round-agreed .round-item").first).to_contain_text(MAKER)

        # A phone changes an earlier vote in its list of votes.
        mine = phones[1].locator("#round .round-mine")
        mine.locator("summary").tap()
        item = mine.locator(".round-mine-item").filter(has_text=MAKER)
        item.locator("button.stance-pass").tap()
        expect(item.locator("button.stance-pass")).to_have_attribute("aria-pressed", "true")

        # Nine more participants vote through the API: two camps, all for the maker space.
        listing = remote.evaluate(
            "async (url) => (await (await fetch(url, {credentials: 'same-origin'})).json())",
            f"/api/v1/sessions/{code}/slides/round/statements",
        )
        statements = {s["text"]: s["id"] for s in listing["statements"]}
        for member in range(9):
            token = call(round_server, "POST", f"/api/v1/sessions/{code}/participants")[
                "participant_token"
            ]
            for text, statement in statements.items():
                stance = (
                    "agree"
                    if text == MAKER or (member % 2 == 0) == (text in SEEDS[:2])
                    else "disagree"
                )
                call(
                    round_server,
                    "PUT",
                    f"/api/v1/sessions/{code}/slides/round/statements/{statement}/vote",
                    token,
                    {"value": stance},
                )

        # The opinion map includes the room's statements.
        round_server.control("goto", "map")
        expect(presenter.locator("#slide")).to_have_attribute("data-kind", "opinions")
        expect(presenter.locator("#slide circle.opinion-dot")).not_to_have_count(0)
        expect(presenter.locator("#slide .opinion-board")).to_contain_text(MAKER)

        for page in (presenter, remote, *phones):
            assert page.evaluate("window.__canary === undefined")
        assert console.problems == []
    finally:
        desk.close()
        for context in phones_contexts:
            context.close()
