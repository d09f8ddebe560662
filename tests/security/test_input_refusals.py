"""The inputs that once gave a server error, each refused with a sentence.

Numeric ids beyond what the database stores (2**64, 2**63) in a path are an unknown
address (404), by API and by page form; control characters in a session's title or room
are refused (422), by API and by the dashboard's form, which shows the form again with
the sentence; a title starting with a quote is a title like any other.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import pytest

from denkdag.domain.characters import bad_character
from denkdag.formats.deck import parse_deck, write_deck
from denkdag.formats.slide_text import new_deck
from denkdag.storage.accounts import AccountStore
from harness.events import signed_in

pytestmark = pytest.mark.anyio
BEYOND = ["18446744073709551616", "9223372036854775808"]
NOTHING = "There is nothing at this address."
HTML = {"accept": "text/html"}
CONTROLS = ["a\u0000b", "\u007f\u001b[31m", "a\u0085b", "a\u001cb"]


@pytest.fixture
async def ada(running: Any) -> str:
    """ada: an administrator (who may also organise events), with an API token."""
    user = await running.service.store.ensure_user("ada")
    await AccountStore(running.service.store).set_role(user.id, "administrator")
    token: str = await running.service.access.create_api_token("ada")
    return token


async def test_ids_beyond_64_bits_are_an_unknown_address_in_the_api(running: Any) -> None:
    participant = {"Authorization": f"Bearer {await running.join()}"}
    base = f"/api/v1/sessions/{running.code}"
    for number in BEYOND:
        calls = [
            running.client.post(f"{base}/questions/{number}/vote", headers=participant),
            running.client.patch(
                f"{base}/questions/{number}",
                json={"status": "hidden"},
                headers=running.facilitator(),
            ),
            running.client.post(
                f"{base}/slides/s1/answers/{number}",
                json={"hidden": True},
                headers=running.facilitator(),
            ),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 404, response.text
            assert response.json() == {"detail": NOTHING}


async def test_ids_beyond_64_bits_are_an_unknown_address_in_page_forms(
    running: Any, ada: str
) -> None:
    async with AsyncExitStack() as stack:
        admin = await signed_in(running, "ada", stack)
        owner = await signed_in(running, "facilitator", stack)
        assert (await owner.post(f"/j/{running.code}/join")).status_code == 303
        for number in BEYOND:
            sent = [
                (admin, f"/admin/users/{number}/reset", {}),
                (admin, f"/admin/users/{number}/role", {"role": "facilitator"}),
                (owner, f"/sessions/{running.code}/facilitators/{number}/remove", {}),
                (owner, f"/j/{running.code}/questions/{number}/vote", {}),
                (owner, f"/c/{running.code}/answers/{number}", {"flag": "hidden", "on": "yes"}),
            ]
            for browser, url, form in sent:
                page = await browser.post(url, form, headers=HTML)
                assert page.status_code == 404, (url, page.text[:300])
                assert "text/html" in page.headers["content-type"]
                answer = await browser.post(url, form)
                assert (answer.status_code, answer.json()) == (404, {"detail": NOTHING})


async def test_a_number_in_range_that_names_nothing_is_still_a_404(running: Any) -> None:
    response = await running.client.patch(
        f"/api/v1/sessions/{running.code}/questions/{2**63 - 1}",
        json={"status": "hidden"},
        headers=running.facilitator(),
    )
    assert response.status_code == 404


async def test_control_characters_in_a_title_or_room_are_refused(running: Any, ada: str) -> None:
    headers = {"Authorization": f"Bearer {ada}"}
    event = await running.client.post("/api/v1/events", json={"title": "Dag"}, headers=headers)
    assert event.status_code == 201, event.text
    url = f"/api/v1/events/{event.json()['code']}/sessions"
    for text in CONTROLS:
        for field in ["title", "room"]:
            response = await running.client.post(url, json={field: text}, headers=headers)
            assert response.status_code == 422, (field, text, response.text)
            sentence = f"The {field} holds characters that cannot be shown."
            assert response.json() == {"detail": sentence}
    listed = await running.client.get(url, headers=headers)
    assert listed.json() == []  # nothing was made


async def test_a_title_starting_with_a_quote_makes_a_session(running: Any, ada: str) -> None:
    headers = {"Authorization": f"Bearer {ada}"}
    event = await running.client.post("/api/v1/events", json={"title": "Dag"}, headers=headers)
    url = f"/api/v1/events/{event.json()['code']}/sessions"
    for title in ["' OR '", "' OR '1'='1", '"quoted"', "'"]:
        response = await running.client.post(url, json={"title": title}, headers=headers)
        assert response.status_code == 201, (title, response.text)
        session = await running.service.sessions.get(response.json()["code"])
        assert session.deck.info.title == title.strip()
        assert session.deck.slides[0].title == title.strip()


async def test_the_dashboard_form_refuses_control_characters_with_the_form_again(
    running: Any,
) -> None:
    async with AsyncExitStack() as stack:
        owner = await signed_in(running, "facilitator", stack)
        before = await running.service.sessions.of_user(
            await running.service.store.user_by_name("facilitator")
        )
        for title in CONTROLS:
            page = await owner.post(
                "/sessions/new", {"title": title}, headers={"accept": "text/html"}
            )
            assert page.status_code == 422
            assert 'role="alert">The title holds characters that cannot be shown.</p>' in page.text
            assert 'action="/sessions/new"' in page.text  # the form, to try again
        made = await owner.post("/sessions/new", {"title": "' OR '1'='1"})
        assert made.status_code == 303
        code = made.headers["location"].rsplit("/", 1)[-1]
        assert (await running.service.sessions.get(code)).deck.info.title == "' OR '1'='1"
        after = await running.service.sessions.of_user(
            await running.service.store.user_by_name("facilitator")
        )
        assert len(after) == len(before) + 1


def test_a_new_deck_is_what_its_file_reads_as() -> None:
    for title in ["' OR '1'='1", '"quoted"', "# not a heading", "title: x", "---", "  spaced  "]:
        deck = new_deck(title)
        assert deck.info.title == title.strip()
        assert parse_deck(write_deck(deck)) == deck


def test_one_rule_names_the_characters_no_screen_shows() -> None:
    for allowed in ["\t", "\n", "é", "\u200b", "😀", " "]:
        assert bad_character(f"a{allowed}b") is None
    for control in ["\u0000", "\u001b", "\u007f", "\u0085", "\u009f"]:
        found = bad_character(f"a{control}b")
        assert found is not None and f"U+{ord(control):04X}" in str(found)
    assert bad_character("a\ud800b") is not None
    assert bad_character("a\tb", frozenset()) is not None


async def test_the_refusals_speak_the_callers_language(running: Any, ada: str) -> None:
    headers = {"Authorization": f"Bearer {ada}", "Accept-Language": "nl"}
    event = await running.client.post("/api/v1/events", json={"title": "Dag"}, headers=headers)
    url = f"/api/v1/events/{event.json()['code']}/sessions"
    refused = await running.client.post(url, json={"room": "a\u0000b"}, headers=headers)
    assert refused.json() == {
        "detail": "Het veld zaal bevat tekens die niet getoond kunnen worden."
    }
    beyond = await running.client.patch(
        f"/api/v1/sessions/{running.code}/questions/{BEYOND[0]}",
        json={"status": "hidden"},
        headers=running.facilitator() | {"Accept-Language": "nl"},
    )
    assert beyond.json() == {"detail": "Op dit adres staat niets."}
