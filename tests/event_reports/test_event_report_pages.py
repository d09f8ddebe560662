"""The event report page and who may open it: the event's organiser only.
Another organiser, the facilitator of one of its rooms and an administrator get 403 with
nothing of the event in it; a browser that is not signed in goes to the sign-in page."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import AsyncExitStack
from typing import Any

import pytest

from harness.event_reports import CANARY, EVENT_TITLE, ROOMS, SHARED, TITLES, Made, signed_in

pytestmark = pytest.mark.anyio
ADDRESSES = ("report", "report.pdf", "report.xlsx", "report.csv", "report.json")


async def test_not_signed_in_goes_to_sign_in(running: Any, made: Made) -> None:
    for address in ADDRESSES:
        response = await running.client.get(f"/events/{made.event}/{address}")
        assert response.status_code == 303, address
        assert response.headers["location"] == f"/login?next=/events/{made.event}/{address}"


@pytest.mark.parametrize("name", ["oscar", "fien", "ada"])
async def test_anyone_but_the_organiser_is_refused(running: Any, made: Made, name: str) -> None:
    async with AsyncExitStack() as stack:
        other = await signed_in(running.app, running.service, name, stack)
        for address in ADDRESSES:
            response = await other.get(f"/events/{made.event}/{address}")
            assert response.status_code == 403, (name, address)
            body = response.text
            for secret in (CANARY, "Muntpunt", *ROOMS.values(), *TITLES.values()):
                assert secret not in body, (name, address, secret)
            assert "attachment" not in response.headers.get("content-disposition", "")
        # fien still runs her own room's session report (the event report is not hers)
        if name == "fien":
            assert (await other.get(f"/r/{made.codes['one']}")).status_code == 200


async def test_unknown_event_and_unknown_format(running: Any, made: Made) -> None:
    async with AsyncExitStack() as stack:
        olga = await signed_in(running.app, running.service, "olga", stack)
        assert (await olga.get("/events/ZZZZZZ/report")).status_code == 404
        assert (await olga.get(f"/events/{made.event}/report.docx")).status_code == 404


async def test_the_organiser_sees_branding_rooms_and_the_rooms_side_by_side(
    running: Any, made: Made
) -> None:
    async with AsyncExitStack() as stack:
        olga = await signed_in(running.app, running.service, "olga", stack)
        response = await olga.get(f"/events/{made.event}/report")
        assert response.status_code == 200
        html = response.text
    # branding: title, date, venue, the logo and the colours (a style sheet: the CSP
    # allows no inline style)
    assert f'<h1 class="report-title">{EVENT_TITLE}</h1>' in html
    assert "March 12, 2026" in html
    assert "Muntpunt" in html
    assert re.search(
        rf'<img class="event-report-logo" src="/ev/{made.event}/logo\?v=[0-9a-f]{{16}}"', html
    )
    assert f'href="/ev/{made.event}/brand.css?v=0055aae4003a"' in html
    assert "<style" not in html and "style=" not in html
    # downloads
    for extension in ("pdf", "xlsx", "csv", "json"):
        assert f'href="/events/{made.event}/report.{extension}' in html
    # participation per room, then the total
    for key, joined, answered in (("plenary", 6, 5), ("one", 4, 3), ("two", 3, 3)):
        row = html.split(f'<tr data-code="{made.codes[key]}">')[1].split("</tr>")[0]
        assert ROOMS[key] in row and TITLES[key] in row
        assert f'<td class="num room-joined">{joined}</td>' in row
        assert f'<td class="num room-answered">{answered}</td>' in row
    total = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "All rooms" in total and ">13<" in total and ">11<" in total
    # the rooms side by side, with the overall
    shared = html.split('id="side-by-side"')[1].split("</section>")[0]
    for key in ("plenary", "one", "two"):
        column = shared.split(f'<div class="compare-room" data-code="{made.codes[key]}">')[1]
        column = column.split("</table>")[0]
        respondents, figures = SHARED[key]
        assert f'<span class="respondents">{respondents}</span>' in column
        for stance, (count, pct) in figures.items():
            bar = column.split(f'data-key="{stance}"')[1].split("</tr>")[0]
            assert (
                f'<span class="bar-pct">{pct}%</span> <span class="bar-count">{count}</span>' in bar
            )
    overall = shared.split('<div class="compare-room overall">')[1]
    assert '<span class="respondents">11</span>' in overall
    assert '<span class="bar-pct">55%</span> <span class="bar-count">6</span>' in overall
    # every session's report, in order, with slide anchors that stay unique
    positions = [html.index(f'id="session-{made.codes[key]}"') for key in ("plenary", "one", "two")]
    assert positions == sorted(positions)
    assert f'id="slide-{made.codes["two"]}-s2"' in html
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []
    # the profile breakdown keeps to the privacy rule: no group of one
    assert "school" not in html.split('id="profiles"')[1].split("</section>")[0]


async def test_the_event_page_and_dashboard_link_to_the_report(running: Any, made: Made) -> None:
    async with AsyncExitStack() as stack:
        olga = await signed_in(running.app, running.service, "olga", stack)
        for page in (f"/events/{made.event}", f"/events/{made.event}/live", "/events"):
            html = (await olga.get(page)).text
            assert f'href="/events/{made.event}/report"' in html, page


async def test_the_report_speaks_french(running: Any, made: Made) -> None:
    async with AsyncExitStack() as stack:
        olga = await signed_in(running.app, running.service, "olga", stack)
        html = (await olga.get(f"/events/{made.event}/report?lang=fr")).text
    assert "Rapport de l’événement" in html
    assert "Participation par salle" in html
    assert "12 mars 2026" in html
