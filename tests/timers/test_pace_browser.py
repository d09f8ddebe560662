"""A survey at audience pace in Chromium: a phone goes through the slides by itself
(previous/next, its own progress), never following the presenter; the projector shows
the room's progress live; closing the survey reaches the phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_phone_goes_through_the_survey_and_the_projector_shows_progress(
    chromium: Any, deck_server: Any, helpers: Any
) -> None:
    code = deck_server.codes["survey"]
    console = helpers.Console()
    projector_context = helpers.new_context(chromium)
    phone_context = helpers.new_context(chromium, phone=True)
    try:
        projector = console.watch(projector_context.new_page())
        projector.goto(deck_server.signin(f"/p/{code}"))
        projector.wait_for_url(re.compile(rf"/p/{code}$"))
        progress = projector.locator("#slide.pace-progress")
        expect(progress).to_be_visible()
        expect(progress.locator(".pace-slide")).to_have_count(3)

        phone = console.watch(phone_context.new_page())
        phone.goto(deck_server.url(f"/j/{code}"))
        phone.locator("#phone").wait_for()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "intro")
        expect(phone.locator(".pace-answered")).to_have_text("0 van 3 beantwoord")
        expect(projector.locator("#pace-joined")).to_have_text("1")

        phone.locator(".pace-next").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "how")
        expect(phone).to_have_url(re.compile(rf"/j/{code}\?slide=how$"))
        expect(phone.locator(".pace-where")).to_contain_text("Dia 2 van 5")
        phone.locator('#slide button.choice[value="b"]').tap()
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
        expect(phone.locator(".pace-answered")).to_have_text("1 van 3 beantwoord")
        how = projector.locator('.pace-slide[data-slide="how"] .pace-slide-count strong')
        expect(how).to_have_text("1")

        # The presenter moving does not move the phone.
        moved = deck_server.control("survey", "goto", "thanks")
        expect(phone.locator("#slide")).to_have_attribute("data-version", str(moved["version"]))
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "how")

        phone.locator(".pace-next").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "agree")
        phone.locator('#slide button.choice[value="agree"]').tap()
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
        phone.locator(".pace-next").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "word")
        phone.locator("#slide input.word-input").first.fill("samen")
        phone.locator("#slide form button[type=submit]").tap()
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
        expect(phone.locator(".pace-answered")).to_have_text("3 van 3 beantwoord")
        expect(projector.locator("#pace-finished")).to_have_text("1")
        phone.locator(".pace-previous").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "agree")
        expect(phone.locator('#slide button.choice[value="agree"]')).to_have_class(
            re.compile(r"\bchosen\b")
        )
        phone.locator(".pace-next").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "word")
        phone.locator(".pace-next").tap()
        expect(phone.locator(".pace-done")).to_have_text("Dit was de laatste dia. Bedankt!")

        # The facilitator closes the survey: the phone says so, the projector too.
        phone.locator(".pace-previous").tap()
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "word")
        deck_server.control("survey", "close-all")
        expect(phone.locator(".pace-nav .notice.closed")).to_have_text("De bevraging is gesloten.")
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "word")
        expect(projector.locator("#slide .voting-state.closed")).to_be_visible()
        assert console.problems == []
    finally:
        projector_context.close()
        phone_context.close()
