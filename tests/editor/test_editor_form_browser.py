"""The editor's form in Chromium: a facilitator edits a choice question's options (add,
rename, describe, move by keyboard, remove) and its kind without typing deck text, the
preview follows, a reload finds it saved; a value the deck reader refuses is shown at its
field, and switching to the deck text and back loses nothing."""

from __future__ import annotations

import json
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
    with helpers.seed_server(tmp_path_factory, "denkdag-editor-form") as running:
        yield running


@pytest.fixture
def editor(helpers: ModuleType, chromium: Any, server: Any) -> Iterator[tuple[Any, Any]]:
    context = helpers.new_context(chromium, viewport={"width": 1440, "height": 900})
    console = helpers.Console()
    page = console.watch(context.new_page())
    link = server.presenter_url.split("?", 1)[0]
    page.goto(f"{link}?next=/e/{server.code}")
    page.locator("#editor").wait_for()
    try:
        yield page, console
    finally:
        context.close()


def slide_on_server(server: Any, index: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.base}/api/v1/sessions/{server.code}") as response:
        slide: dict[str, Any] = json.loads(response.read())["slides"][index]
        return slide


def saved(page: Any) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")


def test_a_choice_question_is_edited_without_deck_text(editor: Any, server: Any) -> None:
    page, console = editor
    index = next(n for n in range(12) if slide_on_server(server, n)["kind"] == "choice")
    page.locator("#slide-list li .pick").nth(index).click()
    expect(page.locator("#view-form")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#form-kind")).to_have_value("choice")
    expect(page.locator("#preview .slide")).to_have_attribute("data-kind", "choice")
    _first, second, third = (o["label"] for o in slide_on_server(server, index)["options"])

    page.click("#form-add-option")
    expect(page.locator("#option-3-label")).to_be_focused()
    page.keyboard.type("Netwerk")
    page.fill("#option-3-description", "Met de buren")
    page.fill("#option-0-label", "Informeel")
    page.locator("#option-3-label").press("Alt+ArrowUp")  # the option moves, not the slide
    expect(page.locator("#option-2-label")).to_have_value("Netwerk")
    expect(page.locator("#option-2-label")).to_be_focused()
    page.click("li.option-row[data-index='1'] .option-remove")
    expect(page.locator("li.option-row")).to_have_count(3)
    rows = page.locator("li.option-row")
    rows.nth(2).locator(".option-handle").drag_to(rows.nth(0))  # and by dragging
    expect(page.locator("#option-0-label")).to_have_value(third)
    saved(page)
    expected = [third, "Informeel", "Netwerk"]
    expect(page.locator("#preview")).to_contain_text("Netwerk")
    wait_until_sync(
        lambda: [o["label"] for o in slide_on_server(server, index)["options"]] == expected,
        "the edited options are saved",
    )
    options = slide_on_server(server, index)["options"]
    assert options[2]["description"] == "Met de buren"
    assert second not in [o["label"] for o in options]
    selected = page.locator("#slide-list li.selected").get_attribute("data-id")
    assert slide_on_server(server, index)["id"] == selected

    page.select_option("#form-kind", "ranking")
    saved(page)
    wait_until_sync(lambda: slide_on_server(server, index)["kind"] == "ranking", "the new kind")
    expect(page.locator("#slide-list li.selected .kind-tag")).to_have_text("Rangschikking")
    expect(page.locator("#preview .slide")).to_have_attribute("data-kind", "ranking")
    expect(page.locator("#option-2-label")).to_have_value("Netwerk")  # the options stay

    page.reload()
    page.locator("#slide-list li .pick").nth(index).click()
    expect(page.locator("#form-kind")).to_have_value("ranking")
    labels = page.locator("li.option-row .option-label")
    expect(labels).to_have_count(3)
    assert [labels.nth(n).input_value() for n in range(3)] == expected
    assert console.problems == []


def test_a_refused_value_is_shown_at_its_field_and_views_lose_nothing(
    editor: Any, server: Any
) -> None:
    page, console = editor
    page.select_option("#add-kind", "scale")
    page.click("#add-slide")
    expect(page.locator("#form-title")).to_be_focused()
    expect(page.locator("#form-kind")).to_have_value("scale")
    page.fill("#setting-max", "12")  # outside the number field's limits: not even sent
    expect(page.locator("#error-setting-max")).to_contain_text("0")
    page.fill("#setting-max", "3")
    page.fill("#setting-min", "5")  # within limits, but the reader wants max above min
    expect(page.locator("#error-setting-max")).to_contain_text("'max' (3)")
    expect(page.locator("#setting-max")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "error")
    page.click("#view-text")  # the refused change would be lost: refused
    expect(page.locator("#view-note")).to_be_visible()
    expect(page.locator("#view-form")).to_have_attribute("aria-pressed", "true")
    page.fill("#setting-min", "1")
    saved(page)
    expect(page.locator("#error-setting-max")).to_be_hidden()
    page.fill("#form-title", "Hoe tevreden ben je?")
    saved(page)
    page.click("#view-text")
    expect(page.locator("#slide-text")).to_have_value(
        "# Hoe tevreden ben je?\nkind: scale\nmax: 3\nlabels: Helemaal niet | Helemaal\n\n"
        "- Eerste punt\n- Tweede punt"  # a new slide in a Dutch session starts in Dutch
    )
    page.click("#view-form")
    expect(page.locator("#form-title")).to_have_value("Hoe tevreden ben je?")
    expect(page.locator("#setting-max")).to_have_value("3")
    page.click("#undo")  # the form's saves of one slide are one typing burst: one undo
    expect(page.locator("#form-title")).to_have_value("Hoe beoordeel je dit?")
    expect(page.locator("#setting-max")).to_have_value("")
    unexpected = [p for p in console.problems if "status of 422" not in p]
    assert unexpected == []
