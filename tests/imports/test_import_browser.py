"""A session from a PowerPoint in Chromium: the facilitator uploads the .pptx, reviews the
detected kinds slide by slide, keeps one statement as information, creates the session,
and opens the speaker notes window beside it."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.slide_files import NOTES, seed_deck, seed_pptx, soffice

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-import") as running:
        yield running


def session_slides(server: Any, code: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server.base}/api/v1/sessions/{code}") as response:
        slides: list[dict[str, Any]] = json.loads(response.read())["slides"]
        return slides


def test_build_a_session_from_a_pptx_through_the_review(
    helpers: ModuleType, chromium: Any, server: Any, tmp_path: Path
) -> None:
    deck_file = tmp_path / "werksessie.pptx"
    deck_file.write_bytes(seed_pptx())
    context = helpers.new_context(chromium)
    console = helpers.Console()
    page = console.watch(context.new_page())
    try:
        page.goto(server.presenter_url.split("?", 1)[0] + "?next=/sessions")
        page.set_input_files("#deck-file", str(deck_file))
        page.locator("#deck-file").locator("xpath=ancestor::form").locator("button").click(
            no_wait_after=True
        )
        page.wait_for_url(re.compile(r"/sessions/import/[\w-]+$"), timeout=120_000)
        rows = page.locator(".import-slide")
        expect(rows).to_have_count(len(seed_deck().slides))
        choice = rows.nth(3)
        expect(choice).to_have_attribute("data-proposed", "choice")
        expect(choice.locator(".import-options li")).to_have_count(3)
        expect(choice.locator(".import-options li").first).to_contain_text(
            "1. Informele kennis- en ervaringsuitwisseling"
        )
        expect(choice.locator("input[value=choice]")).to_be_checked()
        last = rows.nth(9)
        expect(last.locator("input[value=statement]")).to_be_checked()
        last.locator("label", has_text=re.compile("Informati")).click()
        page.locator(".import-actions button").click()
        page.wait_for_url(re.compile(r"/e/\d+$"))
        code = page.url.rsplit("/", 1)[-1]
        slides = session_slides(server, code)
        kinds = [slide["kind"] for slide in slides]
        expected = [slide.kind for slide in seed_deck().slides]
        expected[9] = "info"
        assert kinds == expected
        if soffice() is not None:  # drawn by LibreOffice: every slide shows as designed
            images = [slide["extra"]["image"] for slide in slides]
            assert len(set(images)) == len(slides)
            shown = urllib.request.urlopen(f"{server.base}/media/{code}/{images[3][7:]}")
            assert shown.headers["content-type"] == "image/png"

        page.goto(f"{server.base}/c/{code}")
        page.locator(".remote-buttons [data-action=next]").click()  # s1 → s2 …
        notes_window = context.new_page()
        console.watch(notes_window)
        notes_window.goto(f"{server.base}/c/{code}/notes")
        for _ in range(2):
            notes_window.locator(".notes-buttons [data-action=next]").click()
        expect(notes_window.locator(".notes-position")).to_contain_text("4")
        expect(notes_window.locator(".notes-own .notes-text")).to_have_text(NOTES[4])
        expect(notes_window.locator(".notes-next .slide-title")).to_have_text(
            "Ontwerp Decreet Bovenlokale Cultuurwerking"
        )
        page.reload()
        expect(page.locator(".speaker-notes .notes-text")).to_have_text(NOTES[4])
        assert console.problems == []
    finally:
        context.close()
