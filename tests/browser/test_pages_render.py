"""Every page renders in Chromium in each language without console errors or CSP
violations, and the projector and phone layouts do not overflow sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LANGUAGES = ["nl", "en", "fr"]
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def settle(page: Any) -> None:
    """Wait until the page's scripts ran (live pages have opened their event stream)."""
    page.wait_for_load_state("load")
    if page.locator("script[src*='live.js']").count():
        page.wait_for_function("() => window.Denkdag !== undefined")
    page.wait_for_timeout(50)


def visit(page: Any, url: str, lang: str, *, final: str | None = None) -> None:
    response = page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    if final is not None:
        page.wait_for_url(re.compile(final))
    settle(page)
    assert page.locator("html").get_attribute("lang") == lang, url
    assert page.evaluate(NO_OVERFLOW), f"{url} ({lang}) overflows sideways"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_load_cleanly(browser: Any, server: Any, ui: Any, lang: str) -> None:
    console = ui.Console()
    participant = ui.new_context(browser, phone=True)
    facilitator = ui.new_context(browser)
    try:
        page = console.watch(participant.new_page())
        visit(page, server.base + "/", lang)
        expect(page.locator("#code")).to_be_visible()
        visit(page, server.base + "/privacy", lang)
        expect(page.locator("h1")).to_be_visible()
        # The join page joins by itself and lands on the phone page.
        visit(page, f"{server.base}/j/{server.code}", lang, final=rf"/j/{server.code}$")
        expect(page.locator("#phone #slide")).to_be_visible()
        visit(page, f"{server.base}/j/{server.code}", lang)
        expect(page.locator("#phone #slide .slide-title")).to_be_visible()

        # Scripts off: the join page itself, with its button.
        quiet = ui.new_context(browser, phone=True, java_script_enabled=False)
        try:
            plain = console.watch(quiet.new_page())
            visit(plain, f"{server.base}/j/{server.code}", lang)
            expect(plain.locator("#join-form button[type=submit]")).to_be_visible()
        finally:
            quiet.close()

        desk = console.watch(facilitator.new_page())
        visit(desk, server.base + "/login", lang)
        expect(desk.locator("#username")).to_be_visible()
        desk.goto(server.presenter_url)
        desk.wait_for_url(re.compile(rf"/p/{server.code}$"))
        visit(desk, f"{server.base}/p/{server.code}", lang)
        expect(desk.locator("#slide .slide-title")).to_be_visible()
        expect(desk.locator("#join-banner img.qr")).to_be_visible()
        assert desk.evaluate("document.querySelector('#join-banner img.qr').naturalWidth > 0")
        visit(desk, f"{server.base}/c/{server.code}", lang)
        expect(desk.locator("#remote .slide-list li")).to_have_count(11)  # the seed's slides
        visit(desk, f"{server.base}/sessions", lang)
    finally:
        participant.close()
        facilitator.close()
    assert console.problems == [], console.problems


def test_presenter_fits_every_slide(browser: Any, server: Any, ui: Any) -> None:
    """At 1600×900, every slide of the seed fits: no sideways scroll, title in view, and
    nothing cut off at the bottom of the slide area."""
    server.control("goto", "s1")
    console = ui.Console()
    context = ui.new_context(browser, viewport=ui.PROJECTOR)
    try:
        page = console.watch(context.new_page())
        page.goto(server.presenter_url)
        page.wait_for_url(re.compile(rf"/p/{server.code}$"))
        settle(page)
        count = int(page.locator("#slide").get_attribute("data-count"))
        seen = []
        for position in range(1, count + 1):
            slide = page.locator("#slide")
            expect(slide).to_have_attribute("data-position", str(position))
            slide_id = slide.get_attribute("data-slide")
            seen.append(slide_id)
            assert page.evaluate(NO_OVERFLOW), f"slide {slide_id} overflows sideways"
            title = page.locator("#slide .slide-title")
            expect(title).to_be_visible()
            expect(title).to_be_in_viewport(ratio=1)
            fits = page.evaluate(
                """() => {
                  const host = document.getElementById('slide-host');
                  const stage = document.getElementById('presenter');
                  return host.scrollHeight <= host.clientHeight + 1
                      && host.scrollWidth <= host.clientWidth + 1
                      && stage.scrollHeight <= stage.clientHeight + 1;
                }"""
            )
            assert fits, f"slide {slide_id} does not fit the projector"
            if position < count:
                page.keyboard.press("ArrowRight")
        assert len(set(seen)) == count
    finally:
        context.close()
    assert console.problems == [], console.problems


def test_phone_fits_choice_question(browser: Any, server: Any, ui: Any) -> None:
    server.control("goto", "s4")
    server.control("open", "s4")
    console = ui.Console()
    context = ui.new_context(browser, phone=True, viewport={"width": 360, "height": 740})
    try:
        page = console.watch(context.new_page())
        ui.join_by_link(page, server)
        expect(page.locator("#slide")).to_have_attribute("data-slide", "s4")
        expect(page.locator("#slide button.choice")).to_have_count(3)
        settle(page)
        assert page.evaluate(NO_OVERFLOW), "the phone overflows sideways on the choice question"
        for button in page.locator("#slide button.choice").all():
            box = button.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    finally:
        context.close()
    assert console.problems == [], console.problems
