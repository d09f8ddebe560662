"""Q&A in Chromium: a phone asks a (hostile-looking) question, the facilitator approves it
on the remote, another phone upvotes it, and the facilitator puts it on the projector,
every screen following live, and the text never runs as script."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUESTION = '<img src=x onerror="window.__canary += 1"> Wanneer is de pauze? \u202eevil'
CANARY = "window.__canary = 0; window.alert = function () { window.__canary += 1; };"


def open_questions(page: Any, server: Any) -> None:
    page.goto(server.join_url)
    page.locator("#phone").wait_for()
    page.locator(f'a[href="/j/{server.code}/questions"]').click()
    page.locator("#qa-phone").wait_for()


def test_ask_approve_upvote_and_project_a_question(
    chromium: Any, qa_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    desk = helpers.new_context(chromium)
    phones = [helpers.new_context(chromium, phone=True) for _ in range(2)]
    for context in (desk, *phones):
        context.add_init_script(CANARY)
    try:
        presenter = console.watch(desk.new_page())
        presenter.goto(qa_server.presenter_url)
        presenter.wait_for_url(re.compile(rf"/p/{qa_server.code}$"))
        remote = console.watch(desk.new_page())
        remote.goto(f"{qa_server.base}/c/{qa_server.code}/questions")
        remote.locator("#qa-remote").wait_for()
        asker, voter = (console.watch(context.new_page()) for context in phones)
        for page in (asker, voter):
            open_questions(page, qa_server)

        asker.fill("#qa-text", QUESTION)
        asker.locator("#qa-ask button[type=submit]").tap()
        pending = asker.locator("#qa-phone").get_attribute("data-pending-text")
        expect(asker.locator("#qa-ask .notice.saved.js")).to_have_text(pending or "?")
        expect(voter.locator("#qa-list .qa-item")).to_have_count(0)

        item = remote.locator(".qa-moderation .moderation-item").first
        expect(item.locator(".moderation-text")).to_have_text(QUESTION)
        item.locator('button[data-change="approve"]').click()

        entry = voter.locator("#qa-list .qa-item").first
        expect(entry.locator(".qa-text")).to_have_text(QUESTION)
        entry.locator("button").tap()
        expect(entry.locator(".qa-votes strong")).to_have_text("1")
        expect(entry.locator("button")).to_have_attribute("aria-pressed", "true")
        expect(asker.locator("#qa-list .qa-item .qa-votes strong")).to_have_text("1")

        expect(presenter.locator("#qa-banner")).to_be_hidden()
        remote.locator('.qa-moderation button[data-change="show"]').click()
        banner = presenter.locator("#qa-banner")
        expect(banner).to_be_visible()
        expect(banner.locator(".qa-banner-text")).to_have_text(QUESTION)
        expect(banner.locator(".qa-banner-votes strong")).to_have_text("1")
        remote.locator('.qa-moderation button[data-change="unshow"]').click()
        expect(banner).to_be_hidden()

        for page in (presenter, remote, asker, voter):
            assert page.evaluate("window.__canary") == 0, page.url
            assert page.locator("img[src=x]").count() == 0
        assert console.problems == []
    finally:
        for context in (desk, *phones):
            context.close()
