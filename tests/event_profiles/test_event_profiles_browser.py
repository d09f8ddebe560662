"""In Chromium: the organiser sets the event's profile question on the event page; a
phone types the event's code on the home page, picks a room on the event's join page,
answers the question once, and enters a second room without being asked again."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from harness.event_profiles import DECK, WORKPLACE

pytestmark = pytest.mark.browser
PASSWORD = "event password 1"


def _cli(server: Any, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "denkdag", *args, "--database", server.database],
        env={**os.environ, "DENKDAG_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _api(server: Any, token: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def site(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-event-profiles") as server:
        _cli(server, "user", "add", "olga", "--role", "organiser")
        server.olga = _cli(server, "token", "create", "olga").strip().split()[-1]
        yield server


def test_a_phone_answers_the_events_question_once_across_rooms(
    helpers: ModuleType, site: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    event = _api(site, site.olga, "POST", "/api/v1/events", {"title": "Denkdag 2026"})["code"]
    rooms = [
        _api(
            site,
            site.olga,
            "POST",
            f"/api/v1/events/{event}/sessions",
            {"deck": DECK.format(title=f"Werksessie {n}"), "room": f"Zaal {n}"},
        )["code"]
        for n in (1, 2)
    ]
    console = helpers.Console()
    organiser_context = helpers.new_context(chromium)
    phone_context = helpers.new_context(chromium, phone=True)
    try:
        # The organiser writes the question on the event's page.
        organiser = console.watch(organiser_context.new_page())
        organiser.goto(f"{site.base}/login?lang=en")
        organiser.fill("#username", "olga")
        organiser.fill("#password", PASSWORD)
        organiser.locator("form[action='/login'] button[type=submit]").click()
        organiser.wait_for_url(re.compile(r"/sessions$"))
        organiser.goto(f"{site.base}/events/{event}")
        organiser.fill("#event-profile1", WORKPLACE)
        organiser.locator("#profile button[type=submit]").click()
        organiser.wait_for_url(re.compile(r"#profile$"))
        expect(organiser.locator("#event-profile1")).to_have_value(WORKPLACE)

        # The phone types the event's code on the home page and lands on its join page.
        phone = console.watch(phone_context.new_page())
        phone.goto(f"{site.base}/?lang=nl")
        phone.fill("#code", f"{event[:3].lower()} {event[3:].lower()}")
        phone.locator(".join-form button[type=submit]").click()
        phone.wait_for_url(re.compile(rf"/ev/{event}$"))

        # First room: it joins, then asks the event's question (not the deck's own), one tap.
        phone.locator(f'a.room-choice[href="/j/{rooms[0]}"]').tap()  # the page joins itself
        expect(phone.locator("#profile h1")).to_be_visible()
        expect(phone.locator("legend")).to_have_text("Ik werk in")
        expect(phone.get_by_text("Eigen vraag")).to_have_count(0)
        phone.locator('label.choice:has(input[value="school"])').tap()
        phone.locator("#profile-form button.primary").tap()
        phone.wait_for_url(re.compile(rf"/j/{rooms[0]}$"))
        phone.locator("#phone").wait_for()

        # Second room, through the event's join page again: not asked again.
        phone.goto(f"{site.base}/ev/{event}")
        phone.locator(f'a.room-choice[href="/j/{rooms[1]}"]').tap()
        phone.wait_for_url(re.compile(rf"/j/{rooms[1]}$"))
        # join.js joins by itself at most once in five seconds; else the phone taps Join.
        phone.locator("#phone, #join-form").first.wait_for()
        if phone.locator("#join-form").count():
            phone.locator("#join-form button[type=submit]").tap()
        phone.locator("#phone").wait_for()
        expect(phone.locator("#profile")).to_have_count(0)

        # The second room has the answer, stored for the phone's participant there.
        cookies = {c["name"]: c["value"] for c in phone_context.cookies()}
        mine = _api(
            site, cookies[f"dd_p_{rooms[1]}"], "GET", f"/api/v1/sessions/{rooms[1]}/profile"
        )
        assert mine["answered"] is True and mine["answers"] == {"p1": "school"}
        assert console.problems == []
    finally:
        phone_context.close()
        organiser_context.close()
