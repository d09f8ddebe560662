"""WCAG 2.2 AA in Chromium: axe-core finds no violation of any impact on any page of the
three screens (phone, projector, the facilitator's pages), for every slide kind, in every
language; and a participant answers every kind with the keyboard alone.

One server and one browser for the module: an event whose plenary is a deck with one
slide of every kind (harness.decks.EVERY_KIND_DECK), an organiser and an administrator.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.axe import axe_or_skip, violations
from harness.browser import Server, new_context, running_server
from harness.decks import EVERY_KIND_DECK

pytestmark = pytest.mark.browser

LANGUAGES = ["nl", "fr", "en"]
PASSWORD = "een-lang-wachtwoord"


@dataclass
class Room:
    """The module's server with its event, plenary session and accounts."""

    server: Server
    event: str
    code: str
    token: str
    slides: list[str]

    def url(self, path: str, lang: str) -> str:
        return f"{self.server.base}{path}{'&' if '?' in path else '?'}lang={lang}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def goto(self, slide: str) -> None:
        self.api(
            "POST", f"/api/v1/sessions/{self.code}/control", {"action": "goto", "slide": slide}
        )


SETUP = """
import asyncio, json, sys
from denkdag.app.events import EventFields, Events
from denkdag.app.runtime import open_denkdag
from denkdag.config import Settings
from denkdag.domain.events import PLENARY
from denkdag.formats.deck import parse_deck

async def main(database, deck_file, password):
    async with open_denkdag(Settings(database_url=database)) as service:
        orga = await service.access.set_password("orga", password)
        await service.accounts.grant_role(orga, "organiser")
        orga = await service.accounts.user_named("orga")
        admin = await service.access.set_password("beheer", password)
        await service.accounts.grant_role(admin, "administrator")
        events = Events(service)
        event = await events.create(orga, EventFields(title="Denkdag", date="", venue=""))
        deck = parse_deck(open(deck_file, "rb").read(), source=deck_file)
        made = await events.create_session(event.code, orga, deck, PLENARY)
        token = await service.access.create_api_token("orga")
        print(json.dumps([event.code, made.session.code, token]))

asyncio.run(main(*sys.argv[1:]))
"""


def _prepare(server: Server, deck: Path) -> tuple[str, str, str]:
    """The organiser, the administrator, the event and its plenary, in one process."""
    done = subprocess.run(
        [sys.executable, "-c", SETUP, server.database, str(deck), PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    event, code, token = json.loads(done.stdout.strip().splitlines()[-1])
    return event, code, token


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    axe_or_skip()
    tmp = tmp_path_factory.mktemp("a11y")
    deck = tmp / "deck.md"
    deck.write_text(EVERY_KIND_DECK, encoding="utf-8")
    with running_server(tmp) as server:
        event, code, token = _prepare(server, deck)
        made = Room(server, event, code, token, [])
        made.slides = [s["id"] for s in made.api("GET", f"/api/v1/sessions/{code}")["slides"]]
        yield made


def _signed_in(browser: Any, room: Room, user: str, **options: Any) -> Any:
    context = new_context(browser, bypass_csp=True, **options)
    page = context.new_page()
    page.goto(f"{room.server.base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sessions$"))
    return context


def _settle(page: Any) -> None:
    page.wait_for_load_state("load")
    if page.locator("script[src*='live.js']").count():
        page.wait_for_function("() => window.Denkdag !== undefined")


def _check(page: Any, url: str, where: str, found: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{where}: {response}"
    _settle(page)
    found.extend(violations(page, where))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_nothing_on_any_page(browser: Any, room: Room, lang: str) -> None:
    found: list[str] = []
    c = room.code
    phone = new_context(browser, phone=True, bypass_csp=True)
    desk = _signed_in(browser, room, "orga")
    admin = _signed_in(browser, room, "beheer")
    try:
        p = phone.new_page()
        for path in ["/", "/privacy", "/login", f"/ev/{room.event}", "/j/000000000"]:
            _check(p, room.url(path, lang), f"{lang} {path}", found)
        _check(p, room.url(f"/j/{c}", lang), f"{lang} profile", found)
        p.locator("button[name=skip]").click()
        p.locator("#phone").wait_for()
        _check(p, room.url(f"/j/{c}/questions", lang), f"{lang} phone Q&A", found)

        d = desk.new_page()
        for path in [
            "/sessions",
            "/events",
            f"/events/{room.event}",
            f"/events/{room.event}/live",
            f"/events/{room.event}/compare",
            f"/events/{room.event}/poster",
            f"/events/{room.event}/report",
            f"/e/{c}",
            f"/r/{c}",
            f"/c/{c}/questions",
            f"/c/{c}/invitations",
            "/account",
        ]:
            _check(d, room.url(path, lang), f"{lang} {path}", found)
        a = admin.new_page()
        _check(a, room.url("/admin/users", lang), f"{lang} /admin/users", found)

        # The phone and the projector follow the slides live (as in the room); the remote
        # is loaded again for each.
        room.goto(room.slides[0])
        for page, path in ((p, f"/j/{c}"), (d, f"/p/{c}")):
            page.goto(room.url(path, lang))
            _settle(page)
        remote = desk.new_page()
        for slide in room.slides:
            room.goto(slide)
            for page, screen in ((p, "phone"), (d, "presenter")):
                expect(page.locator(f'#slide[data-slide="{slide}"]')).to_be_attached()
                found.extend(violations(page, f"{lang} {screen} {slide}"))
            _check(remote, room.url(f"/c/{c}", lang), f"{lang} remote {slide}", found)
    finally:
        phone.close()
        desk.close()
        admin.close()
    if found:
        pytest.fail("axe-core found:\n" + "\n".join(found), pytrace=False)


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on `selector` (keyboard only: no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focused_heading(page: Any, slide: str) -> None:
    """After a slide change the focus is on the new slide's heading."""
    expect(page.locator(f'#slide[data-slide="{slide}"]')).to_be_attached()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches('#slide .slide-title')"
    )


def _saved(page: Any) -> None:
    expect(page.locator("#slide .notice.saved")).to_be_visible()


def test_keyboard_answers_every_kind(browser: Any, room: Room) -> None:
    """Tab, Space, Enter, the arrow keys and typing alone answer every kind on the phone;
    the arrow keys on the profile question store nothing until Continue."""
    kinds = {s["id"]: s["kind"] for s in room.api("GET", f"/api/v1/sessions/{room.code}")["slides"]}
    room.goto(room.slides[0])
    context = new_context(browser, phone=True)
    try:
        page = context.new_page()
        page.goto(room.url(f"/j/{room.code}", "nl"))
        _tab_to(page, "#profile input[type=radio]")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(page.locator("#profile")).to_be_visible()  # nothing sent on change
        _tab_to(page, "#profile-form button.primary")
        page.keyboard.press("Enter")
        page.locator("#phone").wait_for()

        answered = []
        for slide in room.slides:
            kind = kinds[slide]
            room.goto(slide)
            if slide != room.slides[0]:
                _focused_heading(page, slide)
            if kind in ("choice", "statement"):
                _tab_to(page, "#slide button.choice")
                page.keyboard.press("Enter")
                _saved(page)
            elif kind == "scale":
                for _ in page.locator("#slide fieldset.scale-row").all():
                    _tab_to(page, "#slide .scale-row input[type=radio]:not(:checked)")
                    page.keyboard.press("ArrowRight")  # arrows choose within one row
                _tab_to(page, "#slide button.primary")
                page.keyboard.press("Enter")
                _saved(page)
            elif kind == "wordcloud":
                _tab_to(page, "#slide input.word-input")
                page.keyboard.type("samen")
                page.keyboard.press("Tab")
                page.keyboard.type("delen")
                page.keyboard.press("Enter")
                _saved(page)
            elif kind == "open":
                _tab_to(page, "#slide textarea")
                page.keyboard.type("Meer tijd om te praten")
                expect(page.locator("#slide .text-counter")).to_contain_text("22")
                _tab_to(page, "#slide button.primary")
                page.keyboard.press("Enter")
                _saved(page)
            elif kind == "ranking":
                for _ in range(3):
                    _tab_to(page, "#slide button.rank-tap:not(.placed)")
                    page.keyboard.press("Enter")
                _tab_to(page, "#slide button.primary")
                page.keyboard.press("Enter")
                _saved(page)
            elif kind == "conversation":
                _tab_to(page, "#slide button.round-stance")
                page.keyboard.press("Enter")
                expect(page.locator("#slide .round-progress-text")).to_contain_text("1")
            else:
                continue
            answered.append(slide)
        results = room.api("GET", f"/api/v1/sessions/{room.code}/results")["slides"]
        counted = {r["id"]: r["respondents"] for r in results}
        assert all(counted[slide] >= 1 for slide in answered), counted
        assert len(answered) == 7
    finally:
        context.close()
