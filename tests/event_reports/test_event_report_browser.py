"""In Chromium: the organiser opens the event report from the event's page and
sees the event's branding, both working rooms side by side with the plenary and the
overall, and every room's own report; the page breaks no CSP rule and fits the screen."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from harness.event_reports import EVENT_TITLE, ROOMS, SHARED, TITLES, Made, build_event_database

pytestmark = pytest.mark.browser
PASSWORD = "event report password 1"
DENKDAG = [sys.executable, "-m", "denkdag"]
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def site(helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.seed_server(tmp_path_factory, "denkdag-event-report") as server:
        subprocess.run(
            [*DENKDAG, "user", "add", "olga", "--role", "organiser", "--database", server.database],
            env={**os.environ, "DENKDAG_PASSWORD": PASSWORD},
            capture_output=True,
            timeout=60,
            check=True,
        )
        # The server has not loaded these sessions yet: it reads them as stored.
        server.made = asyncio.run(build_event_database(server.database))
        yield server


def test_the_organiser_opens_the_report_and_sees_the_rooms_side_by_side(
    helpers: ModuleType, site: Any, chromium: Any
) -> None:
    from playwright.sync_api import expect

    made: Made = site.made
    console = helpers.Console()
    context = helpers.new_context(chromium)
    try:
        page = console.watch(context.new_page())
        page.goto(f"{site.base}/login?lang=en")
        page.fill("#username", "olga")
        page.fill("#password", PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/sessions$"))
        page.goto(f"{site.base}/events/{made.event}")
        page.locator("#event-report-link").click()
        page.wait_for_url(re.compile(rf"/events/{made.event}/report$"))

        expect(page.locator(".event-report-head .report-title")).to_have_text(EVENT_TITLE)
        expect(page.locator(".event-report-logo")).to_be_visible()
        logo_width = page.locator(".event-report-logo").evaluate("img => img.naturalWidth")
        assert logo_width == 40  # the event's logo, loaded
        # the event's main colour reaches the page through its brand.css
        accent = page.locator(".event-report-head .report-head").evaluate(
            "el => getComputedStyle(el).borderBottomColor"
        )
        assert accent == "rgb(0, 85, 170)"

        shared = page.locator("#side-by-side .shared-question")
        expect(shared).to_have_count(1)
        columns = {
            key: shared.locator(f'.compare-room[data-code="{made.codes[key]}"]')
            for key in ("plenary", "one", "two")
        }
        columns["overall"] = shared.locator(".compare-room.overall")
        for key, column in columns.items():
            respondents, figures = SHARED[key]
            expect(column.locator(".respondents")).to_have_text(str(respondents))
            for stance, (count, pct) in figures.items():
                bar = column.locator(f'[data-key="{stance}"]')
                expect(bar.locator(".bar-pct")).to_have_text(f"{pct}%")
                expect(bar.locator(".bar-count")).to_have_text(str(count))
        expect(columns["one"].locator("h3")).to_have_text(ROOMS["one"])
        expect(columns["two"].locator("h3")).to_have_text(ROOMS["two"])
        # side by side: the two rooms on one line, room 1 left of room 2
        one = columns["one"].bounding_box()
        two = columns["two"].bounding_box()
        assert one is not None and two is not None
        assert abs(one["y"] - two["y"]) < 2
        assert one["x"] + one["width"] <= two["x"]
        width = columns["overall"].locator('[data-key="agree"] .bar-fill').get_attribute("width")
        assert width == "55"

        # every room's own report follows, in order
        titles = page.locator(".event-room .report-session .report-title")
        expect(titles).to_have_text(list(TITLES.values()))
        row = page.locator(f'.per-room tr[data-code="{made.codes["one"]}"]')
        expect(row.locator(".room-joined")).to_have_text("4")
        expect(row.locator(".room-answered")).to_have_text("3")
        # a room link jumps to that room's report
        page.locator(f'.per-room a[href="#session-{made.codes["two"]}"]').click()
        expect(page.locator(f"#session-{made.codes['two']}")).to_be_in_viewport()
        assert page.evaluate(NO_OVERFLOW)
        assert console.problems == []
    finally:
        context.close()


BROKEN_WORDS = """() => {
  // every word of a table cell whose letters stand on more than one line
  const broken = [];
  for (const cell of document.querySelectorAll('th, td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = rects.map(r => Math.round(r.top));
        if (new Set(tops).size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


def test_on_a_phone_table_cells_keep_whole_words(
    helpers: ModuleType, site: Any, chromium: Any
) -> None:
    made: Made = site.made
    context = helpers.new_context(chromium, phone=True)
    try:
        page = context.new_page()
        page.goto(f"{site.base}/login?lang=nl")
        page.fill("#username", "olga")
        page.fill("#password", PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/sessions$"))
        for path in (
            f"/events/{made.event}/compare",
            f"/events/{made.event}/report",
            f"/r/{made.codes['plenary']}",
        ):
            page.goto(f"{site.base}{path}?lang=nl")
            assert page.locator("th, td").count() > 3, path
            assert page.evaluate(BROKEN_WORDS) == [], path
    finally:
        context.close()
