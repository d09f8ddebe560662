"""A slide timer in Chromium: the projector and a phone show the same countdown, the
server closes the slide when it ends (a two-second `timer_closes` slide), both screens
say so, and a late vote is refused. The test waits on what the pages show, never on time."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG = 20_000  # ms: a generous bound on a two-second timer, never a measurement


def late_vote(deck_server: Any, code: str) -> tuple[int, str]:
    base = deck_server.server.base
    joined = urllib.request.Request(
        f"{base}/api/v1/sessions/{code}/participants", data=b"", method="POST"
    )
    with urllib.request.urlopen(joined, timeout=10) as response:
        token = json.loads(response.read())["participant_token"]
    vote = urllib.request.Request(
        f"{base}/api/v1/sessions/{code}/slides/quick/response",
        data=json.dumps({"value": "a"}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(vote, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())["detail"]


FIRST_FRAMES = """() => {
  window.firstFrames = [];
  const host = document.getElementById("slide-host");
  new MutationObserver(() => {
    const slide = document.querySelector("#slide");
    const countdown = document.getElementById("countdown");
    window.firstFrames.push([slide && slide.dataset.slide, countdown.hidden]);
  }).observe(host, { childList: true });
}"""
"""Records, for each slide swapped in, what the page paints first: the slide and whether
the countdown is hidden. Mutation observers run in the order they were made, after the
swap and before the next paint: this one after the page's own."""


def test_the_countdown_runs_on_both_screens_and_closes_the_slide(
    chromium: Any, deck_server: Any, helpers: Any
) -> None:
    code = deck_server.codes["timed"]
    console = helpers.Console()
    projector_context = helpers.new_context(chromium)
    phone_context = helpers.new_context(chromium, phone=True)
    try:
        projector = console.watch(projector_context.new_page())
        projector.goto(deck_server.signin(f"/p/{code}"))
        projector.wait_for_url(re.compile(rf"/p/{code}$"))
        phone = console.watch(phone_context.new_page())
        phone.goto(deck_server.url(f"/j/{code}"))
        phone.locator("#phone").wait_for()

        # A timer on a slide without timer_closes counts, and closes nothing.
        deck_server.control("timed", "goto", "slow")
        for page in (projector, phone):
            expect(page.locator("#slide")).to_have_attribute("data-slide", "slow")
            expect(page.locator("#countdown")).to_be_hidden()
        projector.keyboard.press("t")  # the presenter's key starts the slide's 1m30s
        for page in (projector, phone):
            expect(page.locator("#countdown")).to_be_visible()
            expect(page.locator("#countdown .countdown-time")).to_have_text(
                re.compile(r"^1:[23]\d$")
            )
        expect(phone.locator("#countdown-status")).to_have_text(
            re.compile(r"^Timer gestart: 1:[23]\d$")
        )
        projector.keyboard.press("t")  # and pauses it
        expect(phone.locator("#countdown")).to_have_class(re.compile(r"\bpaused\b"))
        expect(phone.locator("#countdown .countdown-state")).to_have_text("Timer gepauzeerd")

        # The two-second question: its timer closes voting on the server. The last slide's
        # countdown is gone in the very frame that shows it (were it to vanish later, the
        # options would move up under a finger about to tap one).
        for page in (projector, phone):
            page.evaluate(FIRST_FRAMES)
        deck_server.control("timed", "goto", "quick")
        for page in (projector, phone):
            expect(page.locator("#slide")).to_have_attribute("data-slide", "quick")
            expect(page.locator("#slide")).to_have_attribute("data-open", "yes")
            frames = page.evaluate("window.firstFrames")
            quick = [hidden for slide, hidden in frames if slide == "quick"]
            assert quick and quick[0] is True, frames
        phone.locator('#slide button.choice[value="a"]').tap()
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
        deck_server.control("timed", "timer-start")
        for page in (projector, phone):
            expect(page.locator("#countdown")).to_be_visible()
        # The projector's countdown is big: at least twice the phone's.
        big = projector.locator("#countdown .countdown-time").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        small = phone.locator("#countdown .countdown-time").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert big >= 2 * small, (big, small)

        # It ends: the server closes the slide and both screens show it.
        expect(projector.locator("#slide")).to_have_attribute("data-open", "no", timeout=LONG)
        expect(projector.locator("#slide .voting-state.closed")).to_be_visible()
        expect(projector.locator("#countdown .countdown-time")).to_have_text("0:00")
        expect(phone.locator("#slide")).to_have_attribute("data-open", "no", timeout=LONG)
        expect(phone.locator("#slide .notice.closed")).to_be_visible()
        expect(phone.locator("#countdown")).to_have_class(re.compile(r"\bended\b"))
        expect(phone.locator("#countdown-status")).to_have_text(
            "De tijd is om: stemmen is gesloten."
        )
        assert late_vote(deck_server, code) == (409, "Voting on this slide is closed.")
        results = deck_server.api("GET", f"/api/v1/sessions/{code}/results")
        quick = next(s for s in results["slides"] if s["id"] == "quick")
        assert quick["counts"] == {"a": 1, "b": 0}

        # The remote offers more time, which opens voting again for 30 s.
        remote = console.watch(projector_context.new_page())
        remote.goto(deck_server.url(f"/c/{code}"))
        expect(remote.locator("#countdown")).to_be_visible()
        remote.locator('button[data-action="timer-add"]').click()
        expect(phone.locator("#slide")).to_have_attribute("data-open", "yes")
        expect(phone.locator("#countdown .countdown-time")).to_have_text(re.compile(r"^0:[23]\d$"))
        remote.locator('button[data-action="timer-stop"]').click()
        for page in (projector, phone):
            expect(page.locator("#countdown")).to_be_hidden()
        assert console.problems == []
    finally:
        projector_context.close()
        phone_context.close()
