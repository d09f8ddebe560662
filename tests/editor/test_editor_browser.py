"""The editor in Chromium: a facilitator adds a statement slide, types it, reloads and
finds it saved, moves it with the keyboard, and the preview follows; text typed just
before the tab closes is saved too."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.waiting import wait_until_sync

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-editor") as running:
        yield running


def slides_on_server(server: Any) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server.base}/api/v1/sessions/{server.code}") as response:
        slides: list[dict[str, Any]] = json.loads(response.read())["slides"]
        return slides


def open_editor(helpers: ModuleType, chromium: Any, server: Any) -> tuple[Any, Any, Any]:
    context = helpers.new_context(chromium)
    console = helpers.Console()
    page = console.watch(context.new_page())
    link = server.presenter_url.split("?", 1)[0]
    page.goto(f"{link}?next=/e/{server.code}")
    page.locator("#editor").wait_for()
    page.click("#view-text")  # these tests type deck text (the form: test_editor_form_browser)
    return context, page, console


def test_add_type_reload_reorder_and_preview(helpers: ModuleType, chromium: Any, server: Any):
    context, page, console = open_editor(helpers, chromium, server)
    try:
        count = page.locator("#slide-list li").count()
        page.locator("#slide-list li .pick").nth(1).click()
        page.select_option("#add-kind", "statement")
        page.click("#add-slide")
        expect(page.locator("#slide-list li")).to_have_count(count + 1)
        new = page.locator("#slide-list li.selected")
        expect(new.locator(".number")).to_have_text("3")
        expect(page.locator("#slide-text")).to_have_value(re.compile(r"^# .*\nkind: statement"))
        text = "# Eens of oneens?\nkind: statement\n\n> Bibliotheken werken beter samen."
        page.fill("#slide-text", text)
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
        expect(page.locator("#preview .statement")).to_have_text("Bibliotheken werken beter samen.")
        expect(page.locator("#preview .slide-title")).to_have_text("Eens of oneens?")
        added = slides_on_server(server)[2]
        assert added["kind"] == "statement"
        assert added["statement"] == "Bibliotheken werken beter samen."

        page.reload()
        page.locator("#editor").wait_for()
        page.locator("#slide-list li", has_text="Eens of oneens?").locator(".pick").click()
        expect(page.locator("#slide-text")).to_have_value(text)

        page.locator("#slide-list li.selected .pick").focus()
        page.keyboard.press("Alt+ArrowUp")
        expect(page.locator("#slide-list li.selected .number")).to_have_text("2")
        expect(page.locator("#slide-list li").nth(1)).to_contain_text("Eens of oneens?")
        wait_until_sync(
            lambda: slides_on_server(server)[1]["id"] == added["id"], "the move is saved"
        )
        expect(page.locator("#preview .slide-number")).to_have_text(f"2 / {count + 1}")

        page.fill("#slide-text", text.replace("Eens of oneens?", "Akkoord?"))
        expect(page.locator("#preview .slide-title")).to_have_text("Akkoord?")
        expect(page.locator("#slide-list li.selected .title")).to_have_text("Akkoord?")
        assert console.problems == []
    finally:
        context.close()


def test_a_broken_slide_shows_its_line_and_undo_brings_back_the_last_text(
    helpers: ModuleType, chromium: Any, server: Any
):
    context, page, console = open_editor(helpers, chromium, server)
    try:
        page.locator("#slide-list li .pick").nth(4).click()
        before = page.locator("#slide-text").input_value()
        page.fill("#slide-text", before + "\n\n# Second heading")
        expect(page.locator("#save-status")).to_have_attribute("data-state", "error")
        expect(page.locator("#slide-error")).to_contain_text("één slide per vak")
        page.fill("#slide-text", "# Nieuwe titel\n\nNieuwe tekst.")
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
        expect(page.locator("#slide-error")).to_be_hidden()
        page.click("#undo")
        expect(page.locator("#slide-text")).to_have_value(before)
        expect(page.locator("#preview .slide-title")).not_to_have_text("Nieuwe titel")
        # The refused save is the one failed request the console may show.
        unexpected = [p for p in console.problems if "status of 422" not in p]
        assert unexpected == []
    finally:
        context.close()


def test_text_typed_just_before_the_tab_closes_is_saved(
    helpers: ModuleType, chromium: Any, server: Any
):
    context, page, _console = open_editor(helpers, chromium, server)
    try:
        page.locator("#slide-list li .pick").nth(0).click()
        page.fill("#slide-text", "# Laatste woord\nlayout: title")
        page.close(run_before_unload=True)
        wait_until_sync(
            lambda: slides_on_server(server)[0]["title"] == "Laatste woord",
            "the text typed before closing is saved",
        )
    finally:
        context.close()


def test_a_change_in_one_tab_shows_in_the_other(helpers: ModuleType, chromium: Any, server: Any):
    first, page_a, console_a = open_editor(helpers, chromium, server)
    second, page_b, console_b = open_editor(helpers, chromium, server)
    try:
        for page in (page_a, page_b):
            page.locator("#slide-list li .pick").nth(2).click()
        page_a.fill("#slide-text", "# Van de andere begeleider\n\nNieuwe tekst.")
        expect(page_a.locator("#save-status")).to_have_attribute("data-state", "saved")
        expect(page_b.locator("#slide-text")).to_have_value(
            "# Van de andere begeleider\n\nNieuwe tekst."
        )
        expect(page_b.locator("#slide-list li").nth(2)).to_contain_text("Van de andere begeleider")
        expect(page_b.locator("#preview .slide-title")).to_have_text("Van de andere begeleider")
        assert console_a.problems == [] and console_b.problems == []
    finally:
        first.close()
        second.close()


def test_a_slide_is_moved_by_dragging(helpers: ModuleType, chromium: Any, server: Any):
    context, page, console = open_editor(helpers, chromium, server)
    try:
        before = [slide["id"] for slide in slides_on_server(server)]
        items = page.locator("#slide-list li")
        items.nth(0).drag_to(items.nth(2))
        expected = before[1:3] + before[:1] + before[3:]
        wait_until_sync(
            lambda: [s["id"] for s in slides_on_server(server)] == expected,
            "the dragged order is saved",
        )
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
        assert console.problems == []
    finally:
        context.close()
