"""In Chromium: a phone whose browser prefers French, on a Dutch session, sees a refused
word-cloud answer in Dutch (the page's language) and, once it picks French, in French; the
refusal comes from the API's `detail`, shown by phone.js."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EVERY_KIND = Path(__file__).parents[1] / "kinds" / "every_kind.md"


@pytest.fixture(scope="module")
def dutch_server(helpers: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.server_with_deck(
        tmp_path_factory.mktemp("denkdag-refusals"), EVERY_KIND
    ) as server:
        yield server


def test_a_phone_shows_the_refusal_in_the_language_of_its_page(
    chromium: Any, dutch_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    # A German browser: none of Denkdag's languages, so the Dutch session's language.
    context = helpers.new_context(chromium, phone=True, locale="de-DE")
    try:
        phone = console.watch(context.new_page())
        phone.goto(dutch_server.url(f"/j/{dutch_server.code}"))
        phone.locator("#phone").wait_for()
        assert phone.locator("html").get_attribute("lang") == "nl"
        dutch_server.control("goto", "cloud")
        expect(phone.locator("#slide")).to_have_attribute("data-slide", "cloud")
        phone.locator('#slide input[name="word"]').nth(0).fill("de")
        phone.locator("#slide form button[type=submit]").tap()
        notice = phone.locator("#slide .notice.error")
        expect(notice).to_have_text(
            "'de' is een te gewoon woord voor de woordwolk; kies er een dat meer zegt."
        )

        phone.goto(dutch_server.url(f"/j/{dutch_server.code}?lang=fr"))
        assert phone.locator("html").get_attribute("lang") == "fr"
        phone.locator('#slide input[name="word"]').nth(0).fill("the")
        phone.locator("#slide form button[type=submit]").tap()
        expect(phone.locator("#slide .notice.error")).to_have_text(
            "'the' est un mot trop courant pour le nuage ; choisissez-en un qui en dit plus."
        )
        # the refused answers' 422s are the only console lines
        assert [p for p in console.problems if "status of 422" not in p] == []
    finally:
        context.close()
