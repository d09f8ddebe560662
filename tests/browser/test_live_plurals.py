"""The words after the projector's live counters agree with their numbers in Dutch,
English and French, on load and as the numbers change: "1 deelnemer", "2 deelnemers",
"0 participant" (French counts 0 as one); the audience-pace view's answers and its
"… participants answered every question"; the Q&A spotlight's votes; the remote's
joined counter. The word is the catalogue's (ngettext), swapped by js/announce.js."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.browser import DeckServer, Server, import_deck, new_context, seed_server
from harness.projector import FULL_HD, _call, answer, join

pytestmark = pytest.mark.browser

SURVEY = Path(__file__).parents[1] / "timers" / "survey.md"

LOCALES = {"nl": "nl-BE", "en": "en-GB", "fr": "fr-BE"}
JOINED = {
    "nl": {0: "deelnemers", 1: "deelnemer", 2: "deelnemers"},
    "en": {0: "joined", 1: "joined", 2: "joined"},
    "fr": {0: "participant", 1: "participant", 2: "participants"},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seed_server(tmp_path_factory, "denkdag-plurals") as server:
        yield server


def projector(chromium: Any, server: Server, code: str, language: str) -> Any:
    """A signed-in projector on session `code`, its browser speaking `language`."""
    context = new_context(chromium, viewport=FULL_HD, locale=LOCALES[language])
    page = context.new_page()
    page.goto(DeckServer(server, code).signin(f"/p/{code}"))
    page.wait_for_url(re.compile(rf"/p/{code}$"))
    return page


def joined_word(page: Any) -> Any:
    return page.locator("#joined-count + [data-plural]")


def test_the_joined_counter_agrees_with_its_number_in_every_language(
    chromium: Any, served: Server
) -> None:
    code = import_deck(served, SURVEY)  # a session of its own: nobody joined yet
    pages = {language: projector(chromium, served, code, language) for language in LOCALES}
    remote = pages["nl"].context.new_page()  # the facilitator's remote counts too
    remote.goto(served.base + f"/c/{code}")
    try:
        for count in (0, 1, 2):
            if count:
                join(served.base, code)
            for language, page in pages.items():
                expect(page.locator("#joined-count")).to_have_text(str(count))
                expect(joined_word(page)).to_have_text(JOINED[language][count])
            expect(remote.locator("#joined-line")).to_have_text(f"{count} {JOINED['nl'][count]}")
        # a page loaded with one participant less than two says it right from the server
        pages["nl"].reload()
        expect(joined_word(pages["nl"])).to_have_text("deelnemers")
    finally:
        for page in pages.values():
            page.context.close()


def test_the_pace_view_and_the_question_spotlight_agree_with_their_numbers(
    chromium: Any, served: Server
) -> None:
    code = import_deck(served, SURVEY)
    page = projector(chromium, served, code, "nl")
    try:
        progress = page.locator("#slide.pace-progress")
        expect(progress).to_be_visible()
        finished = progress.locator("[data-count-of=pace-joined]")
        how = progress.locator('.pace-slide[data-slide="how"] .pace-slide-count')
        expect(how).to_have_text("0 antwoorden")
        token = join(served.base, code)
        expect(page.locator("#pace-joined")).to_have_text("1")
        expect(finished).to_have_text("deelnemer beantwoordde elke vraag")
        answer(served.base, code, token, "how", "a")
        expect(how).to_have_text("1 antwoord")
        second = join(served.base, code)
        answer(served.base, code, second, "how", "b")
        expect(how).to_have_text("2 antwoorden")
        expect(finished).to_have_text("deelnemers beantwoordden elke vraag")

        asked = _call(
            served.base,
            "POST",
            f"/api/v1/sessions/{code}/questions",
            {"text": "Wie betaalt de gedeelde catalogus?"},
            token,
        )
        path = f"/api/v1/sessions/{code}/questions/{asked['id']}"
        served.api("PATCH", path, {"status": "approved"})
        served.api("PATCH", path, {"on_screen": True})
        votes = page.locator("#qa-banner .qa-banner-votes")
        expect(votes).to_have_text("0 stemmen")
        _call(served.base, "POST", f"{path}/vote", None, second)
        expect(votes).to_have_text("1 stem")
        _call(served.base, "POST", f"{path}/vote", None, token)
        expect(votes).to_have_text("2 stemmen")
    finally:
        page.context.close()
