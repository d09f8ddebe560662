"""Word-cloud moderation in Chromium: the facilitator hides a word on the
remote and the projector's cloud drops it at once; "show again" brings it back. The
remote's forms also work with JavaScript switched off."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _answer(base: str, code: str, words: list[str]) -> None:
    request = urllib.request.Request(f"{base}/api/v1/sessions/{code}/participants", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.loads(response.read())["participant_token"]
    put = urllib.request.Request(
        f"{base}/api/v1/sessions/{code}/slides/cloud/response",
        data=json.dumps({"value": words}).encode(),
        method="PUT",
    )
    put.add_header("Authorization", f"Bearer {token}")
    put.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(put, timeout=10) as response:
        assert response.status == 200


def test_hiding_a_word_on_the_remote_drops_it_from_the_projectors_cloud(
    chromium: Any, kinds_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    laptop = helpers.new_context(chromium)
    phone = helpers.new_context(chromium, phone=True)
    try:
        kinds_server.control("goto", "cloud")
        base, code = kinds_server.url(""), kinds_server.code
        for words in (["Vertrouwen", "Onzinwoord"], ["onzinwoord!", "tijd"], ["Vertrouwen"]):
            _answer(base, code, words)
        presenter = console.watch(laptop.new_page())
        presenter.goto(kinds_server.signin(f"/p/{code}"))
        presenter.wait_for_url(re.compile(rf"/p/{code}$"))
        projector_word = presenter.locator('#slide svg.cloud text[data-word="onzinwoord"]')
        expect(projector_word).to_have_attribute("data-count", "2")
        watcher = console.watch(phone.new_page())
        watcher.goto(kinds_server.url(f"/j/{code}"))
        expect(watcher.locator('#slide svg.cloud text[data-word="onzinwoord"]')).to_have_count(1)

        place = (projector_word.get_attribute("x"), projector_word.get_attribute("y"))
        remote = console.watch(laptop.new_page())
        remote.goto(kinds_server.url(f"/c/{code}"))
        word = remote.locator('#moderation .word-list li[data-word="onzinwoord"]')
        expect(word).to_contain_text("Onzinwoord")
        word.locator("button").click()

        # Gone from the projector and the phone at once (a tally event), the rest stays.
        expect(projector_word).to_have_count(0)
        expect(watcher.locator('#slide svg.cloud text[data-word="onzinwoord"]')).to_have_count(0)
        expect(presenter.locator('#slide svg.cloud text[data-word="vertrouwen"]')).to_have_count(1)
        hidden = remote.locator('#moderation .hidden-words li[data-word="onzinwoord"]')
        expect(hidden).to_contain_text("(2)")
        expect(word).to_have_count(0)
        assert [w["word"] for w in kinds_server.results("cloud")["hidden_words"]] == ["onzinwoord"]

        # Show again: back on the projector, where it stood before.
        hidden.locator("button").click()
        expect(projector_word).to_have_attribute("data-count", "2")
        assert (projector_word.get_attribute("x"), projector_word.get_attribute("y")) == place
        expect(remote.locator("#moderation .hidden-words")).to_have_count(0)
        assert console.problems == []
    finally:
        laptop.close()
        phone.close()


def test_the_remote_hides_a_word_without_javascript(
    chromium: Any, kinds_server: Any, helpers: Any
) -> None:
    kinds_server.control("goto", "cloud")
    _answer(kinds_server.url(""), kinds_server.code, ["Zonderscript"])
    context = helpers.new_context(chromium, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(kinds_server.signin(f"/c/{kinds_server.code}"))
        page.wait_for_url(re.compile(rf"/c/{kinds_server.code}"))
        page.locator('#moderation .word-list li[data-word="zonderscript"] button').click()
        page.wait_for_url(re.compile(rf"/c/{kinds_server.code}#moderation$"))
        shown_again = page.locator('#moderation .hidden-words li[data-word="zonderscript"]')
        expect(shown_again).to_have_count(1)
        assert "zonderscript" not in kinds_server.results("cloud")["words"]
        shown_again.locator("button").click()
        expect(page.locator('#moderation .word-list li[data-word="zonderscript"]')).to_have_count(1)
        assert kinds_server.results("cloud")["words"]["zonderscript"] == 1
    finally:
        context.close()
