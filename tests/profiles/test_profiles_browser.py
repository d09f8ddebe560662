"""Profile questions in Chromium: phones answer the profile question once (a tap and
Continue, the skip button, and the plain form without JavaScript), then a statement; the
report breaks the statement down by profile with the small group hidden."""

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

pytestmark = pytest.mark.browser
DECK = Path(__file__).parent / "profile_deck.md"


@pytest.fixture(scope="module")
def profile_server(
    helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, str]]:
    """The browser tests' server plus the profile deck imported into its database."""
    with helpers.server_with_deck(tmp_path_factory.mktemp("denkdag-profiles"), DECK) as found:
        yield found.server, found.code


def call(server: Any, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    """The JSON API as a participant (bearer `token`) or anonymously."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def api_participant(server: Any, code: str, option: str | None, vote: str) -> None:
    token = call(server, "POST", f"/api/v1/sessions/{code}/participants")["participant_token"]
    body = {"answers": {"p1": option}} if option else {}
    call(server, "PUT", f"/api/v1/sessions/{code}/profile", token, body)
    call(server, "PUT", f"/api/v1/sessions/{code}/slides/stelling/response", token, {"value": vote})


def test_phones_answer_the_profile_then_a_statement_and_the_report_breaks_it_down(
    chromium: Any, profile_server: tuple[Any, str], helpers: Any
) -> None:
    server, code = profile_server
    server.api("POST", f"/api/v1/sessions/{code}/control", {"action": "goto", "slide": "stelling"})
    console = helpers.Console()
    tapper = helpers.new_context(chromium, phone=True)
    skipper = helpers.new_context(chromium, phone=True)
    plain = helpers.new_context(chromium, phone=True, java_script_enabled=False)
    presenter = helpers.new_context(chromium)
    try:
        # A tap marks the option; Continue sends it (nothing is sent on change, so the
        # arrow keys never store an option they pass) and the phone goes on to the slide.
        phone = console.watch(tapper.new_page())
        phone.goto(f"{server.base}/j/{code}")
        expect(phone.locator("#profile h1")).to_be_visible()
        expect(phone.locator("legend")).to_have_text("Ik werk in")
        expect(phone.get_by_text("Zeg ik liever niet")).to_be_visible()
        phone.locator('label.choice:has(input[value="bibliotheek"])').tap()
        expect(phone.locator("#profile")).to_be_visible()
        phone.locator("#profile-form button.primary").tap()
        phone.locator("#phone").wait_for()
        phone.locator('#slide button[value="agree"]').tap()
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
        phone.reload()  # asked once: never again
        expect(phone.locator("#phone")).to_be_visible()
        expect(phone.locator("#profile")).to_have_count(0)

        # Skipping: straight on to the slide.
        second = console.watch(skipper.new_page())
        second.goto(f"{server.base}/j/{code}")
        second.locator("#profile-form button[name=skip]").tap()
        second.locator("#phone").wait_for()
        second.locator('#slide button[value="disagree"]').tap()
        expect(second.locator("#slide .notice.saved")).to_be_visible()

        # Without JavaScript: join, pick OCMW, continue, vote; all plain forms.
        third = plain.new_page()
        third.goto(f"{server.base}/j/{code}")
        third.locator("#join-form button[type=submit]").click()
        third.locator('label.choice:has(input[value="ocmw"])').click()
        third.locator("#profile-form button.primary").click()
        third.wait_for_url(re.compile(rf"/j/{code}(#.*)?$"))
        third.locator('#slide button[value="disagree"]').click()
        expect(third.locator("#slide .notice.saved")).to_be_visible()

        # The rest of the room through the API: 5 in the library, OCMW 2, 3 not said.
        for option, vote in [("bibliotheek", "agree")] * 3 + [("bibliotheek", "disagree")]:
            api_participant(server, code, option, vote)
        api_participant(server, code, "ocmw", "agree")
        api_participant(server, code, None, "pass")
        api_participant(server, code, None, "agree")
        by = server.api("GET", f"/api/v1/sessions/{code}/results?by=p1")["breakdown"]
        statement = by["slides"]["stelling"]
        assert [(g["id"], g["respondents"]) for g in statement["groups"]] == [("bibliotheek", 5)]
        assert statement["other"]["respondents"] == 5  # OCMW (2) with the 3 who did not say

        page = console.watch(presenter.new_page())
        page.goto(server.presenter_url.split("?", 1)[0] + f"?next=/r/{code}")
        page.wait_for_url(re.compile(rf"/r/{code}$"))
        page.goto(f"{server.base}/r/{code}?lang=nl")
        table = page.locator('#slide-stelling .breakdown[data-question="p1"] table')
        expect(table.locator("tbody tr")).to_have_count(2)
        library = table.locator("tbody tr").nth(0)
        expect(library.locator("th")).to_have_text("bibliotheek")
        expect(library.locator("td").nth(0)).to_have_text("5")
        expect(library.locator("td").nth(1)).to_contain_text("4 · 80%")
        expect(table.locator("tr.other th")).to_have_text("Andere groepen en niet gezegd")
        expect(page.locator("#slide-stelling")).not_to_contain_text("OCMW")
        expect(page.locator("#profiles")).to_contain_text("Wie deed mee")
        # (the report page, which is not a base.html page, has no favicon link: not ours)
        assert [p for p in console.problems if "favicon.ico" not in p] == []
    finally:
        for context in (tapper, skipper, plain, presenter):
            context.close()
