"""The report page and its downloads: the facilitator gets them, nobody else does."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from openpyxl import load_workbook

from denkdag.formats.deck import parse_deck
from harness.exports import ANSWERS, DECK, JOINED, Built, answer_all

pytestmark = pytest.mark.anyio
DOWNLOADS = (".pdf", ".xlsx", ".csv", ".json")


@pytest.fixture
async def client(built: Built) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=built.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def bearer(built: Built, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await built.service.access.create_api_token(username)}"}


async def test_report_page_shows_every_slide_figures_and_info(
    built: Built, client: httpx.AsyncClient
) -> None:
    headers = await bearer(built, "facilitator")
    response = await client.get(f"/r/{built.session.code}?lang=en", headers=headers)
    assert response.status_code == 200, response.text
    html = response.text
    assert " style=" not in html and "<script" not in html and "<style" not in html
    for slide in built.session.deck.slides:
        assert f'id="slide-{slide.id}"' in html
    assert "=Verslagtest KANARIE7Q" in html and "Muntpunt" in html and "An Peeters" in html
    assert f'<dd class="figure-joined">{JOINED}</dd>' in html
    # s4: 4 of 6 agree
    s4 = html.split('id="slide-s4"')[1].split("</section>")[0]
    assert 'data-key="agree"' in s4 and "67%" in s4 and '<span class="bar-count">4</span>' in s4
    assert "Not enough votes for an opinion map" in html  # 6 voters: fewer than 10
    assert 'action="/r/' in html and 'name="csrf_token"' in html


async def test_downloads_for_the_facilitator(built: Built, client: httpx.AsyncClient) -> None:
    headers = await bearer(built, "facilitator")
    code = built.session.code
    pdf = await client.get(f"/r/{code}.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == f'attachment; filename="denkdag-{code}.pdf"'
    xlsx = await client.get(f"/r/{code}.xlsx", headers=headers)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "Overzicht" and book.sheetnames[-1] == "Antwoorden"  # nl deck
    document = json.loads((await client.get(f"/r/{code}.json", headers=headers)).content)
    assert document["joined"] == JOINED
    text = (await client.get(f"/r/{code}.csv", headers=headers)).text
    assert text.startswith(
        "session,slide,kind,title,participant,answer,answered_at,hidden,highlighted,answer_label\n"
    )


async def test_another_facilitator_is_refused_everywhere(
    built: Built, client: httpx.AsyncClient
) -> None:
    code = built.session.code
    intruder = await bearer(built, "intruder")
    for suffix in ("", *DOWNLOADS):
        response = await client.get(f"/r/{code}{suffix}", headers=intruder)
        assert response.status_code == 403, suffix
    own = await built.service.sessions.create(
        parse_deck(DECK), (await built.service.store.ensure_user("intruder")).id
    )
    # comparing one's own session with someone else's is refused too
    response = await client.get(f"/r/{own.code}?compare={code}", headers=intruder)
    assert response.status_code == 403
    for suffix in ("", *DOWNLOADS):
        anonymous = await client.get(f"/r/{code}{suffix}")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/login?next=/r/")
    refused = await client.post(f"/r/{code}/delete", data={"confirm": "yes"})
    assert refused.status_code == 403
    assert await built.service.results.joined(built.session) == JOINED


async def test_comparison_with_an_earlier_run(built: Built, client: httpx.AsyncClient) -> None:
    earlier = await built.service.sessions.create(parse_deck(DECK), built.owner.id)
    then = {
        "s2": ["c", "c", "c", "c", "a", "b"],  # a 17 %, b 17 %, c 67 %
        "s4": ["agree"] * 6,  # agree 100 %
        "s5": ANSWERS["s5"],  # unchanged
    }
    await answer_all(built.service, earlier, built.owner, then)
    headers = await bearer(built, "facilitator")
    page = await client.get(
        f"/r/{built.session.code}?compare={earlier.code}&lang=en", headers=headers
    )
    assert page.status_code == 200
    section = page.text.split('id="comparison"')[1]
    assert "-33 pp" in section  # s4 agree: 100 % then, 67 % now
    assert "+33 pp" in section  # s2 a: 17 % then, 50 % now
    assert "+0 pp" in section
    address = f"/r/{built.session.code}.xlsx?compare={earlier.code}&lang=en"
    xlsx = await client.get(address, headers=headers)
    rows = list(load_workbook(io.BytesIO(xlsx.content))["Comparison"].iter_rows(values_only=True))
    changes = {(row[0], row[2]): (row[3], row[4], row[5]) for row in rows[3:]}
    assert changes[(4, "Agree")] == (1, 0.67, -33)  # shares as numbers, shown as 100 % …
    assert changes[(2, "Maandag")] == (0.17, 0.5, 33)
    assert changes[(5, "Disagree")] == (0.6, 0.6, 0)
