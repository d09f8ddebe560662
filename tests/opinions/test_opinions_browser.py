"""The opinion map in Chromium: phones vote on a round of statements (three tap in the
browser, the rest of the room answers through the API), the facilitator reveals the
opinions slide, and the projector shows the dots and the statement that unites the room;
new votes redraw the map live, and each phone sees its own dot highlighted."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.opinions import CONSENSUS, STATEMENTS, ballot

pytestmark = pytest.mark.browser

CONSENSUS_TEXT = "We learn more when we work together."


def api_participant(round_server: Any) -> str:
    request = urllib.request.Request(
        round_server.url(f"/api/v1/sessions/{round_server.code}/participants"), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token: str = json.loads(response.read())["participant_token"]
    return token


def api_vote(round_server: Any, token: str, slide: str, value: str) -> None:
    request = urllib.request.Request(
        round_server.url(f"/api/v1/sessions/{round_server.code}/slides/{slide}/response"),
        data=json.dumps({"value": value}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_phones_vote_and_the_projector_shows_the_opinion_map(
    chromium: Any, round_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    contexts = [helpers.new_context(chromium)] + [
        helpers.new_context(chromium, phone=True) for _ in range(3)
    ]
    try:
        presenter = console.watch(contexts[0].new_page())
        presenter.goto(round_server.signin(f"/p/{round_server.code}"))
        presenter.wait_for_url(re.compile(rf"/p/{round_server.code}$"))
        phones = [console.watch(context.new_page()) for context in contexts[1:]]
        for phone in phones:
            phone.goto(round_server.url(f"/j/{round_server.code}"))
            phone.locator("#phone").wait_for()
        browser_camps = [("north", 0), ("south", 0), ("west", 0)]
        api_room = [(camp, m, api_participant(round_server)) for camp in ("north", "south", "west")
                    for m in (1, 2, 3)]  # fmt: skip

        for statement in STATEMENTS:
            round_server.control("goto", statement)
            for phone, (camp, member) in zip(phones, browser_camps, strict=True):
                expect(phone.locator("#slide")).to_have_attribute("data-slide", statement)
                stance = ballot(camp, member)[statement]
                phone.locator(f"#slide button.stance-{stance}").tap()
                expect(phone.locator(f"#slide button.stance-{stance}")).to_have_class(
                    re.compile("chosen")
                )
            for camp, member, token in api_room:
                api_vote(round_server, token, statement, ballot(camp, member)[statement])

        # The opinions slide: hidden (results: hidden) until the facilitator reveals it.
        round_server.control("goto", "map")
        expect(presenter.locator("#slide")).to_have_attribute("data-kind", "opinions")
        expect(presenter.locator("#slide .opinion-board")).to_be_hidden()
        expect(phones[0].locator("#slide .opinion-dot")).to_have_count(0)
        presenter.keyboard.press("r")
        expect(presenter.locator("#slide .opinion-board")).to_be_visible()
        dots = presenter.locator("#slide svg.opinion-svg circle.opinion-dot")
        expect(dots).to_have_count(12)
        unite = presenter.locator("#slide .opinion-consensus .opinion-statement").first
        expect(unite).to_contain_text(CONSENSUS_TEXT)
        expect(presenter.locator("#slide .opinion-divisive .opinion-statement")).not_to_have_count(
            0
        )

        # Each phone sees the map and its own dot (show_own: yes).
        for phone in phones:
            expect(phone.locator("#slide .opinion-board")).to_be_visible()
            expect(phone.locator("#slide circle.opinion-dot")).to_have_count(12)
            expect(phone.locator("#slide circle.opinion-me")).to_have_count(1)

        # Three latecomers vote: the map redraws live, on the projector and the phones.
        for camp in ("north", "south", "west"):
            token = api_participant(round_server)
            for statement, stance in ballot(camp, 4).items():
                api_vote(round_server, token, statement, stance)
        expect(dots).to_have_count(15)
        expect(unite).to_contain_text(CONSENSUS_TEXT)
        for phone in phones:
            expect(phone.locator("#slide circle.opinion-dot")).to_have_count(15)
            expect(phone.locator("#slide circle.opinion-me")).to_have_count(1)
        assert presenter.locator("#slide").get_attribute("data-kind") == "opinions"
        assert CONSENSUS in STATEMENTS
        assert console.problems == []
    finally:
        for context in contexts:
            context.close()
