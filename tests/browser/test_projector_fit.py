"""The projector measured in the real page at 1920×1080 as the room answers: nothing of
the slide goes under the join bar or off the screen (lists shrink, then page), room-read
text is at least 28 px, the tallest scale column is the most given rating, the countdown
never covers the title and a break gets a big clock; and a phone with `phone_results:
after-answer` shows results once its participant answered, not before."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.browser import DeckServer, new_context, server_with_deck
from harness.projector import FULL_HD, answer, join, measure
from harness.waiting import wait_until_sync

pytestmark = pytest.mark.browser

DECK = Path(__file__).parents[1] / "data" / "projector" / "every-kind.md"
ANSWERS = [
    "Meer samenwerken met scholen in de buurt",
    "Een gedeelde catalogus voor de hele regio",
    "Collega's uit andere bibliotheken leren kennen",
    "Minder vergaderen, meer doen",
    "Samen aankopen bespaart geld en tijd",
    "De leesclubs over de gemeentegrenzen heen",
    "Een vaste contactpersoon per gemeente",
    "Kennisdeling over digitale vaardigheden voor iedereen die dat wil",
    "Transport van boeken tussen de bibliotheken",
    "Eén lidkaart voor alle bibliotheken",
    "Gezamenlijke opleidingen voor het personeel",
    "Meer tijd voor lezers, minder voor administratie",
    "Elkaars programma's beter kennen",
    "Een regionale erfgoedwerking",
    "Samen subsidies aanvragen",
]
MIXED = [
    "Meer erfgoed",
    "Een gedeelde catalogus zodat lezers overal kunnen lenen en terugbrengen",
    "Transport tussen bibliotheken",
    "Samen opleidingen volgen",
    "Collega's beter kennen",
    "Eén vaste contactpersoon per gemeente die de vragen van iedereen opvolgt",
    "Samen aankopen",
    "Leesclubs",
    "Samen subsidies aanvragen voor projecten",
    "Minder vergaderen",
    "Subsidies",
    "Gedeelde catalogus",
    "Meer tijd voor lezers",
    "Regionale leesclubs",
    "Kennisdeling over digitale vaardigheden voor iedereen die dat wil leren",
    "Een regionale erfgoedwerking met de archieven",
    "Vergaderen",
    "Elkaars programma's",
]
"""Cards of one line and of three in the same rows: the wall's last row reaches its foot."""


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeckServer]:
    with server_with_deck(tmp_path_factory.mktemp("projector"), DECK) as served:
        yield served


@pytest.fixture(scope="module")
def projector(chromium: Any, room: DeckServer) -> Iterator[Any]:
    context = new_context(chromium, viewport=FULL_HD)
    page = context.new_page()
    page.goto(room.signin(f"/p/{room.code}"))
    page.wait_for_url(re.compile(rf"/p/{room.code}$"))
    yield page
    context.close()


@pytest.fixture(scope="module")
def tokens(room: DeckServer) -> list[str]:
    return [join(room.server.base, room.code) for _ in range(15)]


def act(room: DeckServer, page: Any, action: str, slide_id: str | None = None) -> None:
    """A facilitator's action, once the projector shows the slide it leads to."""
    version = room.control(action, slide_id)["version"]
    page.locator(f'#slide[data-version="{version}"]').wait_for()


def show(room: DeckServer, page: Any, slide_id: str) -> None:
    act(room, page, "goto", slide_id)


def answered(page: Any, count: int) -> None:
    expect(page.locator("#answer-count")).to_have_text(str(count))


def fits(page: Any) -> None:
    found = measure(page)
    assert found["outside"] == [], f"under the join bar or off screen: {found['outside']}"
    assert found["clipped"] == [], f"cut at the edge of its box: {found['clipped']}"
    assert found["small"] == [], f"room-read text under 28 px: {found['small']}"


def every_page(page: Any, selector: str, key: str) -> set[str]:
    """The `key` attribute of every item of the paged list, turning through its pages
    (each page measured as it shows)."""
    pages = page.locator(".page-marker")
    count = int(pages.inner_text().split("/")[1]) if pages.count() else 1
    seen: set[str] = set()
    for _ in range(count):
        fits(page)
        seen |= set(
            page.eval_on_selector_all(f"{selector}:not([hidden])", f"e => e.map(x => x.{key})")
        )
        page.evaluate("() => window.DenkdagProjector.turn()")
    return seen


def test_a_wall_of_fifteen_answers_stays_on_screen_as_it_grows(
    projector: Any, room: DeckServer, tokens: list[str]
) -> None:
    show(room, projector, "open")
    for number, (token, text) in enumerate(zip(tokens, ANSWERS, strict=True), start=1):
        answer(room.server.base, room.code, token, "open", text)
        if number % 5 == 0:
            answered(projector, number)
            expect(projector.locator(".wall-card")).to_have_count(number)
            fits(projector)
    expect(projector.locator(".page-marker")).to_be_visible()  # 15 do not fit on one page
    cards = every_page(projector, ".wall-card", "textContent")
    assert cards == set(ANSWERS)


def test_a_wall_of_short_and_long_answers_shows_whole_cards_only(
    projector: Any, room: DeckServer, tokens: list[str]
) -> None:
    """The wall gives up its height to the page marker and clips what is below: after every
    answer no card is cut at its foot (the type shrinks, then the wall pages)."""
    show(room, projector, "wall")
    room_tokens = tokens + [join(room.server.base, room.code) for _ in MIXED[len(tokens) :]]
    for number, (token, text) in enumerate(zip(room_tokens, MIXED, strict=True), start=1):
        answer(room.server.base, room.code, token, "wall", text)
        answered(projector, number)
        expect(projector.locator(".wall-card")).to_have_count(number)
        fits(projector)
    assert every_page(projector, ".wall-card", "textContent") == set(MIXED)


def test_eight_options_and_a_countdown(projector: Any, room: DeckServer, tokens: list[str]) -> None:
    show(room, projector, "choice")
    fits(projector)  # the eight options before any result
    for number, token in enumerate(tokens[:12], start=1):
        answer(room.server.base, room.code, token, "choice", "abcdefgh"[number % 8])
    answered(projector, 12)
    act(room, projector, "timer-start")
    expect(projector.locator("#countdown")).to_be_visible()
    rows = every_page(projector, "#slide .bar", "dataset.key")
    assert rows == set("abcdefgh")
    title = projector.locator("#slide .slide-title").bounding_box()
    clock = projector.locator("#countdown").bounding_box()
    assert title is not None and clock is not None
    assert clock["y"] >= title["y"] + title["height"], "the countdown covers the title"
    act(room, projector, "timer-stop")


def test_every_slide_kind_fits_with_readable_text(
    projector: Any, room: DeckServer, tokens: list[str]
) -> None:
    base, code = room.server.base, room.code
    for slide_id in ["title", "info", "statement", "cloud", "ranking", "round", "map"]:
        show(room, projector, slide_id)
        if slide_id == "statement":
            for token, stance in zip(tokens[:6], ["agree", "disagree", "pass"] * 2, strict=True):
                answer(base, code, token, "statement", stance)
            answered(projector, 6)
        if slide_id == "ranking":
            for token in tokens[:4]:
                answer(base, code, token, "ranking", ["c", "a", "d", "b"])
            answered(projector, 4)
        fits(projector)


def test_scale_columns_reach_the_most_given_rating(
    projector: Any, room: DeckServer, tokens: list[str]
) -> None:
    show(room, projector, "scale1")
    ratings = [3, 3, 3, 3, 4, 4, 5, 1, 2, 3]
    for token, rating in zip(tokens[: len(ratings)], ratings, strict=True):
        answer(room.server.base, room.code, token, "scale1", {"a": rating})
    answered(projector, len(ratings))
    fits(projector)

    def tallest_column() -> list[Any]:
        heights = projector.eval_on_selector_all(
            ".scale-column",
            "cs => cs.map(c => [c.dataset.value,"
            " c.querySelector('.scale-fill').getBoundingClientRect().height,"
            " c.querySelector('svg').getBoundingClientRect().height])",
        )
        return list(max(heights, key=lambda column: column[1]))

    # the columns grow to their counts in a CSS transition: measured once it has ended
    expect(projector.locator('.scale-column[data-value="3"] .scale-fill')).to_have_attribute(
        "height", "100"
    )
    wait_until_sync(
        lambda: abs(tallest_column()[1] - tallest_column()[2]) <= 1,
        "the most given rating fills its column",
    )
    tallest = tallest_column()
    assert tallest[0] == "3"
    assert tallest[1] == pytest.approx(tallest[2], abs=1), "the most given rating fills its column"
    assert tallest[2] >= 200, f"a histogram the back row can read, not {tallest[2]} px"
    label = projector.locator(".scale-item-label")  # one item: its title once, not twice
    assert (
        projector.evaluate(
            "() => document.querySelectorAll('#slide h1, #slide h2:not(.visually-hidden)').length"
        )
        == 1
    )
    expect(label).to_have_class(re.compile("visually-hidden"))


def test_a_break_gets_a_big_clock(projector: Any, room: DeckServer) -> None:
    show(room, projector, "break")
    act(room, projector, "timer-start")
    clock = projector.locator("#countdown")
    expect(clock).to_be_visible()
    expect(projector.locator(".stage")).to_have_class(re.compile("on-break"))
    fits(projector)
    box = clock.bounding_box()
    title = projector.locator("#slide .slide-title").bounding_box()
    bar = projector.locator("#join-banner").bounding_box()
    assert box is not None and title is not None and bar is not None
    assert box["height"] >= 0.25 * FULL_HD["height"], f"a big clock, not {box}"
    assert title["y"] + title["height"] <= box["y"] and box["y"] + box["height"] <= bar["y"]
    time = projector.locator("#countdown .countdown-time")
    size = time.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 150
    act(room, projector, "timer-stop")


def test_question_spotlight_is_read_from_the_back(
    projector: Any, room: DeckServer, tokens: list[str]
) -> None:
    base, code = room.server.base, room.code
    asked = "Hoe zorgen we dat kleine bibliotheken niet verdwijnen in een grote regio?"
    from harness.projector import _call

    question = _call(base, "POST", f"/api/v1/sessions/{code}/questions", {"text": asked}, tokens[0])
    path = f"/api/v1/sessions/{code}/questions/{question['id']}"
    room.api("PATCH", path, {"status": "approved"})
    for token in tokens[1:6]:
        _call(base, "POST", f"{path}/vote", None, token)
    room.api("PATCH", path, {"on_screen": True})
    banner = projector.locator("#qa-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".qa-banner-text")).to_have_text(asked)
    fits(projector)
    sizes = projector.evaluate(
        "() => ['.qa-banner-text', '.qa-banner-votes strong'].map("
        "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
    )
    assert sizes[0] > sizes[1], f"the question is smaller than its vote count: {sizes}"
    spot = banner.bounding_box()
    assert spot is not None and spot["width"] >= 0.95 * FULL_HD["width"]
    room.api("PATCH", path, {"on_screen": False})
    expect(banner).to_be_hidden()


def test_phone_sees_results_only_after_answering(chromium: Any, room: DeckServer) -> None:
    room.api("PUT", f"/api/v1/sessions/{room.code}/settings", {"phone_results": "after-answer"})
    show_phone = new_context(chromium, phone=True)
    try:
        phone = show_phone.new_page()
        room.control("goto", "statement")
        phone.goto(room.url(f"/j/{room.code}"))
        phone.locator('#phone #slide[data-slide="statement"]').wait_for()
        expect(phone.locator("#slide .results")).to_have_count(0)
        phone.locator("button.choice", has_text="Akkoord").first.click()
        expect(phone.locator("#slide .results")).to_be_visible()
    finally:
        show_phone.close()
        room.api(
            "PUT", f"/api/v1/sessions/{room.code}/settings", {"phone_results": "with-projector"}
        )
