"""Screens on venue Wi-Fi, in Chromium: the client live layer (static/js/live.js) under
faults. A slide fetch that fails once, a phone offline while the slides move on, a phone
that sleeps through many slide changes, a server stopped and started again: every screen
ends on the server's slide, and every answer given meanwhile is stored, never shown as
saved before the server holds it.

The server of this module is stopped and restarted by the last test, so it runs last.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.browser import resume_server, stop_server

pytestmark = pytest.mark.browser

CHOICE = "s4"
CATCH_UP_MS = 5_000
"""How soon a screen must be on the server's slide again once it can reach the server."""
BACK_MS = 15_000
"""How soon after a restart every screen is connected again (the backoff's longest step is
5 s; a restart itself takes a few seconds)."""


NOTHING_QUEUED = """() => !localStorage.getItem(
  "denkdag:outbox:" + document.getElementById("phone").dataset.code)"""
"""The phone's queue of answers not yet sent (static/js/live.js) is empty."""


def slide_of(page: Any) -> Any:
    return page.locator("#slide")


def count(server: Any, key: str) -> int:
    counts: dict[str, int] = server.results(CHOICE)["counts"]
    return counts.get(key, 0)


def phone(browser: Any, server: Any, ui: Any, console: Any) -> tuple[Any, Any]:
    context = ui.new_context(browser, phone=True)
    page = console.watch(context.new_page())
    ui.join_by_link(page, server)
    return context, page


def presenter(browser: Any, server: Any, ui: Any, console: Any) -> tuple[Any, Any]:
    context = ui.new_context(browser)
    page = console.watch(context.new_page())
    page.goto(server.presenter_url)
    page.wait_for_url(re.compile(rf"/p/{server.code}$"))
    return context, page


def at(server: Any, slide: str) -> None:
    server.control("goto", slide)


def expect_connected(page: Any) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "ok", timeout=BACK_MS)


def expect_lost(page: Any) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "lost")


def lost_text(page: Any) -> str:
    text: str = page.locator("#live-status").get_attribute("data-text-lost")
    return text


def queued_text(page: Any) -> str:
    text: str = page.locator("#phone").get_attribute("data-queued-text")
    return text


# Chromium reports a page's aborted requests and its failed stream on the console; they
# are the faults these tests make, not problems of the page.
def real_problems(console: Any) -> list[str]:
    noise = ("Failed to load resource", "ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_REFUSED")
    return [p for p in console.problems if not any(n in p for n in noise)]


def test_a_slide_fetch_that_fails_once_is_retried(browser: Any, server: Any, ui: Any) -> None:
    console = ui.Console()
    at(server, "s3")
    desk, projector = presenter(browser, server, ui, console)
    room, page = phone(browser, server, ui, console)
    try:
        expect(slide_of(projector)).to_have_attribute("data-slide", "s3")
        expect(slide_of(page)).to_have_attribute("data-slide", "s3")
        refused: dict[str, int] = {}
        slides = re.compile(r"/(j|p)/\d+/slide")

        def refuse_once(screen: str) -> Any:
            def handle(route: Any) -> None:
                if screen not in refused:
                    refused[screen] = 1
                    route.fulfill(status=503, body="busy")
                else:
                    route.continue_()

            return handle

        projector.route(slides, refuse_once("projector"))
        page.route(slides, refuse_once("phone"))
        at(server, CHOICE)
        for screen in (projector, page):
            expect(slide_of(screen)).to_have_attribute("data-slide", CHOICE, timeout=CATCH_UP_MS)
        assert refused == {"projector": 1, "phone": 1}, "a slide fetch was never refused"
        expect_connected(page)
    finally:
        desk.close()
        room.close()
    assert real_problems(console) == [], console.problems


def test_b_answer_given_offline_goes_out_when_back(browser: Any, server: Any, ui: Any) -> None:
    console = ui.Console()
    at(server, CHOICE)
    room, page = phone(browser, server, ui, console)
    try:
        expect(slide_of(page)).to_have_attribute("data-slide", CHOICE)
        before = count(server, "a")
        room.set_offline(True)
        expect_lost(page)
        expect(page.locator("#live-status")).to_have_text(lost_text(page))
        page.locator("#slide button.choice[value=a]").click()
        notice = page.locator("#slide .answer-form .notice")
        expect(notice).to_have_text(queued_text(page))
        expect(notice).not_to_have_class(re.compile(r"\bsaved\b"))
        at(server, "s5")
        at(server, "s6")
        assert count(server, "a") == before  # not on the server while the phone is away
        expect(notice).to_have_text(queued_text(page))  # and still said so
        room.set_offline(False)
        expect(slide_of(page)).to_have_attribute("data-slide", "s6", timeout=CATCH_UP_MS)
        expect_connected(page)
        page.wait_for_function(NOTHING_QUEUED)
        assert count(server, "a") == before + 1
        # Back on the question, the phone shows its answer as the server holds it.
        at(server, CHOICE)
        expect(page.locator("#slide button.choice[value=a]")).to_have_class(re.compile("chosen"))
    finally:
        room.close()
    assert real_problems(console) == [], console.problems


def test_a_queued_answer_is_kept_across_a_reload(browser: Any, server: Any, ui: Any) -> None:
    console = ui.Console()
    at(server, CHOICE)
    room, page = phone(browser, server, ui, console)
    answers = re.compile(r"/api/v1/sessions/\d+/slides/s4/response")
    try:
        before = count(server, "c")
        page.route(answers, lambda route: route.abort("internetdisconnected"))
        page.locator("#slide button.choice[value=c]").click()
        notice = page.locator("#slide .answer-form .notice")
        expect(notice).to_have_text(queued_text(page))
        page.reload()
        expect(page.locator("#slide .answer-form .notice")).to_have_text(queued_text(page))
        page.unroute(answers)
        expect(page.locator("#slide .answer-form .notice")).to_have_class(
            re.compile(r"\bsaved\b"), timeout=CATCH_UP_MS
        )
        assert count(server, "c") == before + 1
    finally:
        room.close()
    assert real_problems(console) == [], console.problems


def test_c_a_refused_queued_answer_is_dropped_with_its_reason(
    browser: Any, server: Any, ui: Any
) -> None:
    console = ui.Console()
    at(server, CHOICE)
    room, page = phone(browser, server, ui, console)
    try:
        before = count(server, "b")
        room.set_offline(True)
        page.locator("#slide button.choice[value=b]").click()
        expect(page.locator("#slide .answer-form .notice")).to_have_text(queued_text(page))
        server.control("close", CHOICE)
        room.set_offline(False)
        refusal = page.locator("#slide .answer-form .notice.error")
        expect(refusal).not_to_have_text("", timeout=CATCH_UP_MS)
        page.wait_for_function(NOTHING_QUEUED)
        assert count(server, "b") == before
    finally:
        server.control("open", CHOICE)
        room.close()
    assert real_problems(console) == [], console.problems


def test_d_a_phone_asleep_through_many_changes_catches_up(
    browser: Any, server: Any, ui: Any
) -> None:
    console = ui.Console()
    at(server, "s1")
    room, page = phone(browser, server, ui, console)
    try:
        expect(slide_of(page)).to_have_attribute("data-slide", "s1")
        room.set_offline(True)
        expect_lost(page)
        for slide in ("s2", "s3", "s4", "s7", "s8", "s9"):
            at(server, slide)
        expect(slide_of(page)).to_have_attribute("data-slide", "s1")  # asleep: it heard nothing
        room.set_offline(False)
        expect(slide_of(page)).to_have_attribute("data-slide", "s9", timeout=CATCH_UP_MS)
        expect_connected(page)
    finally:
        room.close()
    assert real_problems(console) == [], console.problems


def test_z_every_screen_recovers_from_a_server_restart(browser: Any, server: Any, ui: Any) -> None:
    console = ui.Console()
    at(server, CHOICE)
    desk, projector = presenter(browser, server, ui, console)
    remote = console.watch(desk.new_page())
    remote.goto(f"{server.base}/c/{server.code}")
    room, page = phone(browser, server, ui, console)
    try:
        for screen in (projector, page):
            expect(slide_of(screen)).to_have_attribute("data-slide", CHOICE)
        expect(remote.locator("#remote")).to_have_attribute("data-version", re.compile(r"\d"))
        before = count(server, "b")
        stop_server(server)
        for screen in (projector, remote, page):
            expect_lost(screen)
        page.locator("#slide button.choice[value=b]").click()
        notice = page.locator("#slide .answer-form .notice")
        expect(notice).to_have_text(queued_text(page))
        resume_server(server)
        for screen in (projector, remote, page):
            expect_connected(screen)
        expect(notice).to_have_class(re.compile(r"\bsaved\b"), timeout=BACK_MS)
        assert count(server, "b") == before + 1
        # The streams are back: the next slide reaches every screen by itself.
        at(server, "s5")
        for screen in (projector, page):
            expect(slide_of(screen)).to_have_attribute("data-slide", "s5", timeout=CATCH_UP_MS)
        expect(remote.locator(".slide-list li.current input[name=slide]")).to_have_value(
            "s5", timeout=CATCH_UP_MS
        )
    finally:
        desk.close()
        room.close()
    assert real_problems(console) == [], console.problems
