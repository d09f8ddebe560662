"""In Chromium: an organiser creates an event with a plenary and two working
sessions, writes a statement slide in the editor, assigns two facilitators; each runs
their room with phones answering (phones come in through the event's join page); the
organiser's dashboard and side-by-side view show both rooms' tallies. The second
facilitator is refused on the first one's session by URL, by API and by event stream."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.browser
DENKDAG = [sys.executable, "-m", "denkdag"]
PASSWORD = "event password 1"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
STATEMENT = "Bibliotheken werken beter samen."


def _cli(server: Any, *args: str) -> str:
    done = subprocess.run(
        [*DENKDAG, *args, "--database", server.database],
        env={**os.environ, "DENKDAG_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def site(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-events") as server:
        for name, role in [("olga", "organiser"), ("fien", "facilitator"), ("finn", "facilitator")]:
            _cli(server, "user", "add", name, "--role", role)
        server.tokens = {
            name: _cli(server, "token", "create", name).strip().split()[-1]
            for name in ("fien", "finn")
        }
        yield server


def _sign_in(helpers: ModuleType, browser: Any, site: Any, name: str, console: Any) -> Any:
    context = helpers.new_context(browser)
    page = console.watch(context.new_page())
    page.goto(f"{site.base}/login?lang=en")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sessions$"))
    return page


def _api(site: Any, token: str, path: str) -> tuple[int, str]:
    request = urllib.request.Request(site.base + path)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "text/event-stream, application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(2000).decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _new_room(page: Any, role: str, room: str, title: str, facilitator: str) -> str:
    """Add a new empty session on the event page; returns its code (the editor opens)."""
    page.select_option("#new-role", role)
    page.fill("#new-room", room)
    page.fill("#new-room-title", title)
    if facilitator:
        page.select_option("#new-facilitator", facilitator)
    page.locator("#new-room-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/e/\d{8}$"))
    page.locator("#editor").wait_for()
    return page.url.rsplit("/", 1)[-1]


def _write_statement(page: Any, statement: str) -> None:
    from playwright.sync_api import expect

    page.select_option("#add-kind", "statement")
    page.click("#add-slide")
    page.click("#view-text")  # the editor opens a slide as a form; the deck text is a view
    expect(page.locator("#slide-text")).to_have_value(re.compile(r"kind: statement"))
    page.fill("#slide-text", f"# Akkoord of niet akkoord?\nkind: statement\n\n> {statement}")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    expect(page.locator("#preview .statement")).to_have_text(statement)


def test_an_event_runs_two_rooms_and_the_organiser_compares_them(
    helpers: ModuleType, site: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    console = helpers.Console()
    contexts: list[Any] = []
    try:
        organiser = _sign_in(helpers, chromium, site, "olga", console)
        contexts.append(organiser.context)
        organiser.goto(f"{site.base}/events")
        organiser.fill("#event-title", "Denkdag 2018")
        organiser.fill("#event-date", "2018-05-17")
        organiser.fill("#event-venue", "Muntpunt")
        organiser.fill("#event-primary", "#0055AA")
        organiser.locator("#new-event button[type=submit]").click()
        organiser.wait_for_url(re.compile(r"/events/[A-Z0-9]{6}$"))
        event = organiser.url.rsplit("/", 1)[-1]
        manage = organiser.url

        _new_room(organiser, "plenary", "Aula", "Plenair", "")
        organiser.goto(manage)
        one = _new_room(organiser, "working", "Zaal 1", "Werksessie 1", "fien")
        _write_statement(organiser, STATEMENT)
        organiser.goto(manage)
        two = _new_room(organiser, "working", "Zaal 2", "Werksessie 2", "finn")
        # The same statement in other words' clothing: case, spacing and quotes differ.
        _write_statement(organiser, "“bibliotheken  werken beter SAMEN”")
        organiser.goto(manage)
        rows = organiser.locator("table.event-rooms tbody tr")
        expect(rows).to_have_count(3)
        expect(organiser.locator(f"#facilitator-{one}")).to_have_value("fien")
        expect(organiser.locator(f"#facilitator-{two}")).to_have_value("finn")
        assert organiser.evaluate(NO_OVERFLOW)

        # Each facilitator runs their own room from the presenter view.
        presenters = {}
        for name, code in (("fien", one), ("finn", two)):
            page = _sign_in(helpers, chromium, site, name, console)
            contexts.append(page.context)
            page.goto(f"{site.base}/p/{code}")
            page.locator("#presenter").wait_for()
            page.keyboard.press("ArrowRight")
            expect(page.locator("#slide-host .statement")).to_be_visible()
            presenters[name] = page

        # Phones come in by the event's one join page and pick their room.
        votes = {"Zaal 1": ["agree", "agree", "disagree"], "Zaal 2": ["agree", "pass"]}
        for room, stances in votes.items():
            for stance in stances:
                context = helpers.new_context(chromium, phone=True)
                contexts.append(context)
                phone = console.watch(context.new_page())
                phone.goto(f"{site.base}/ev/{event}")
                expect(phone.locator(".event-join h1")).to_have_text("Denkdag 2018")
                assert phone.evaluate(NO_OVERFLOW)
                phone.locator("a.room-choice", has_text=room).click()
                phone.locator("#phone").wait_for()
                button = phone.locator(f"button.stance-{stance}")
                button.tap()
                expect(phone.locator(f"button.stance-{stance}")).to_have_class(re.compile("chosen"))
                # The event's branding is on the phone page too.
                expect(phone.locator(".event-brand")).to_contain_text("Denkdag 2018")
        for name, count in (("fien", "3"), ("finn", "2")):
            expect(presenters[name].locator("#answer-count")).to_have_text(count)

        # The organiser's live dashboard and the rooms side by side.
        organiser.goto(f"{site.base}/events/{event}/live")
        card = organiser.locator(f'.room-card[data-code="{one}"]')
        expect(card.locator('[data-field="answers"]')).to_have_text("3")
        expect(card.locator('[data-field="slide"]')).to_have_text("Akkoord of niet akkoord?")
        card_two = organiser.locator(f'.room-card[data-code="{two}"]')
        expect(card_two.locator('[data-field="joined"]')).to_have_text("2")
        organiser.goto(f"{site.base}/events/{event}/compare")
        question = organiser.locator(".shared-question")
        expect(question).to_have_count(1)
        expect(question.locator(".shared-text")).to_have_text(STATEMENT)
        room_one = question.locator(f'.compare-room[data-code="{one}"]')
        room_two = question.locator(f'.compare-room[data-code="{two}"]')
        overall = question.locator(".compare-room.overall")
        expect(room_one.locator('[data-key="agree"] .bar-pct')).to_have_text("67%")
        expect(room_one.locator('[data-key="agree"] .bar-count')).to_have_text("2")
        expect(room_two.locator('[data-key="pass"] .bar-count')).to_have_text("1")
        expect(overall.locator(".respondents")).to_have_text("5")
        expect(overall.locator('[data-key="agree"] .bar-pct')).to_have_text("60%")
        width = overall.locator('[data-key="agree"] .bar-fill').get_attribute("width")
        assert width == "60"
        # A late vote in room 2 reaches the open side-by-side page without a reload.
        late = helpers.new_context(chromium, phone=True)
        contexts.append(late)
        phone = console.watch(late.new_page())
        phone.goto(f"{site.base}/j/{two}")
        phone.locator("button.stance-disagree").tap()
        expect(overall.locator(".respondents")).to_have_text("6")
        expect(room_two.locator('[data-key="disagree"] .bar-count')).to_have_text("1")

        # finn is refused on fien's session: by URL, by API, by event stream.
        probe = presenters["finn"].context.new_page()  # not watched: a 403 logs an error
        for path in (f"/c/{one}", f"/p/{one}", f"/e/{one}", f"/events/{event}/live"):
            refused = probe.goto(f"{site.base}{path}")
            # The editor answers another's session as an unknown code: it names none.
            expected = 404 if path.startswith("/e/") else 403
            assert refused is not None and refused.status == expected, path
            assert "Werksessie 1" not in probe.content() and STATEMENT not in probe.content()
        for path in (f"/api/v1/sessions/{one}/results", f"/api/v1/sessions/{one}/events"):
            by_cookie = probe.request.get(f"{site.base}{path}")
            assert by_cookie.status == 403, path
            assert "event:" not in by_cookie.text() and STATEMENT not in by_cookie.text()
            status, body = _api(site, site.tokens["finn"], path)
            assert status == 403, (path, body)
            assert "data:" not in body and STATEMENT not in body
        assert json.loads(body)["detail"]
        # … while fien's own token reads her room.
        status, body = _api(site, site.tokens["fien"], f"/api/v1/sessions/{one}/results")
        assert status == 200 and json.loads(body)["slides"][1]["counts"]["agree"] == 2
        assert console.problems == [], console.problems
    finally:
        for context in contexts:
            context.close()
