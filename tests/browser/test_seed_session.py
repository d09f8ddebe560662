"""The seed session end to end in Chromium: one projector, three phones, live.

The presenter signs in through the link `denkdag demo` prints, moves with the keyboard,
and the phones follow by themselves (server-sent events), answer with one tap and see
the results; the projector's bars follow every answer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHOICE = "s4"
STATEMENT = "s7"
CLOSED = re.compile(
    r"Voting is closed|Voting on this slide is closed|Stemmen is gesloten|gesloten", re.IGNORECASE
)


def press_next_until(presenter: Any, slide_id: str, *, presses: int | None = None) -> int:
    """Press → on the projector, one slide at a time, until `slide_id` is shown."""
    done = 0
    while presenter.locator("#slide").get_attribute("data-slide") != slide_id:
        before = presenter.locator("#slide").get_attribute("data-slide")
        presenter.keyboard.press("ArrowRight")
        done += 1
        presenter.wait_for_function(
            "before => document.querySelector('#slide').dataset.slide !== before", arg=before
        )
        assert done <= 12, f"never reached {slide_id}"
    if presses is not None:
        assert done == presses, f"{slide_id} after {done} presses, expected {presses}"
    return done


def expect_bar(page: Any, key: str, pct: str, count: str) -> None:
    expect(page.locator(f"#slide .bar[data-key={key}] .bar-pct")).to_have_text(pct)
    expect(page.locator(f"#slide .bar[data-key={key}] .bar-count")).to_have_text(count)


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: count for key, count in counts.items() if count}


def choice_button(phone: Any, label: str) -> Any:
    return phone.locator("#slide button.choice", has_text=label)


def test_projector_and_three_phones(browser: Any, server: Any, ui: Any) -> None:
    console = ui.Console()
    projector_context = ui.new_context(browser)
    phone_contexts = [ui.new_context(browser, phone=True) for _ in range(3)]
    try:
        presenter = console.watch(projector_context.new_page())
        presenter.goto(server.presenter_url)
        presenter.wait_for_url(re.compile(rf"/p/{server.code}$"))
        expect(presenter.locator("#join-code")).to_have_text(server.formatted_code)
        expect(presenter.locator("#slide")).to_have_attribute("data-slide", "s1")

        phones = [console.watch(context.new_page()) for context in phone_contexts]
        ui.join_by_code(phones[0], server)
        ui.join_by_code(phones[1], server)
        ui.join_by_link(phones[2], server)
        for phone in phones:
            expect(phone.locator("#slide")).to_have_attribute("data-slide", "s1")
            phone.evaluate("window.notReloaded = true")  # gone if the page ever reloads
        expect(presenter.locator("#joined-count")).to_have_text("3")

        # → three times: s1 → s4, the choice question.
        press_next_until(presenter, CHOICE, presses=3)
        expect(presenter.locator("#slide .slide-title")).to_have_text(
            "Hoe wil je in de toekomst samenwerken?"
        )
        expect(presenter.locator("#answer-count")).to_have_text("0")
        for phone in phones:  # no reload: the phones follow by themselves
            expect(phone.locator("#slide")).to_have_attribute("data-slide", CHOICE)
            expect(phone.locator("#slide .slide-title")).to_have_text(
                "Hoe wil je in de toekomst samenwerken?"
            )

        first = "1. Informele kennis- en ervaringsuitwisseling"
        third = "3. Regiobibliotheek"
        for phone, label in zip(phones, [first, first, third], strict=True):
            choice_button(phone, label).tap()
        for phone, label in zip(phones, [first, first, third], strict=True):
            expect(choice_button(phone, label)).to_have_class(re.compile(r"\bchosen\b"))
            expect(phone.locator("#slide button.choice.chosen")).to_have_count(1)
            expect(phone.locator("#slide .notice.saved")).to_be_visible()

        expect(presenter.locator("#answer-count")).to_have_text("3")
        expect(presenter.locator("#slide .results")).to_be_visible()
        expect_bar(presenter, "a", "67%", "2")
        expect_bar(presenter, "b", "0%", "0")
        expect_bar(presenter, "c", "33%", "1")
        # Results are shown (live mode), so the phones' bars follow too.
        expect_bar(phones[0], "a", "67%", "2")

        # Phone 2 changes its mind: a → c.
        choice_button(phones[1], third).tap()
        expect(choice_button(phones[1], third)).to_have_class(re.compile(r"\bchosen\b"))
        expect(choice_button(phones[1], first)).not_to_have_class(re.compile(r"\bchosen\b"))
        expect_bar(presenter, "a", "33%", "1")
        expect_bar(presenter, "c", "67%", "2")
        expect(presenter.locator("#answer-count")).to_have_text("3")
        expect_bar(phones[2], "c", "67%", "2")
        assert nonzero(server.results(CHOICE)["counts"]) == {"a": 1, "c": 2}

        # On to the first statement; every phone follows and offers the three stances.
        press_next_until(presenter, STATEMENT, presses=3)
        expect(presenter.locator("#slide blockquote.statement")).to_contain_text(
            "Transversale samenwerking biedt een meerwaarde voor de bibliotheken"
        )
        expect(presenter.locator("#answer-count")).to_have_text("0")
        for phone in phones:
            expect(phone.locator("#slide")).to_have_attribute("data-slide", STATEMENT)
            expect(phone.locator("#slide blockquote.statement")).to_contain_text(
                "Transversale samenwerking biedt een meerwaarde voor de bibliotheken"
            )
            for stance in ("agree", "disagree", "pass"):
                expect(phone.locator(f"#slide button.stance-{stance}")).to_be_enabled()
            assert phone.evaluate("window.notReloaded === true"), "a phone reloaded"

        phones[0].locator("#slide button.stance-agree").tap()
        expect(phones[0].locator("#slide button.stance-agree")).to_have_class(
            re.compile(r"\bchosen\b")
        )
        expect(presenter.locator("#answer-count")).to_have_text("1")
        expect_bar(presenter, "agree", "100%", "1")
        expect(phones[1].locator("#slide .results")).to_be_visible()

        # L closes voting; a phone that taps now is told voting is closed.
        presenter.keyboard.press("l")
        expect(presenter.locator("#slide .voting-state.closed")).to_be_visible()
        phones[1].locator("#slide button.stance-disagree").dispatch_event("click")
        for phone in phones:
            expect(phone.locator("#slide .notice.closed, #slide .notice.error").first).to_have_text(
                CLOSED
            )
            expect(phone.locator("#slide button.stance-disagree")).to_be_disabled()
        assert nonzero(server.results(STATEMENT)["counts"]) == {"agree": 1}

        # R hides the results: the projector's bars go, and so do the phones'.
        presenter.keyboard.press("r")
        expect(presenter.locator("#slide")).to_have_attribute("data-revealed", "no")
        expect(presenter.locator("#slide .results")).to_be_hidden()
        for phone in phones:
            expect(phone.locator("#slide")).to_have_attribute("data-revealed", "no")
            expect(phone.locator("#slide .results")).to_have_count(0)

        # The tap after closing may reach the server before the phone redraws: a 409, expected.
        unexpected = [p for p in console.problems if not re.search(r"/response: .* 409", p)]
        assert unexpected == [], unexpected
    finally:
        projector_context.close()
        for context in phone_contexts:
            context.close()


def test_phone_without_javascript(browser: Any, server: Any, ui: Any) -> None:
    """Joining and answering work as plain form posts, with scripts off."""
    server.control("goto", CHOICE)
    server.control("open", CHOICE)
    before = server.results(CHOICE)["counts"].get("b", 0)

    context = ui.new_context(browser, phone=True, java_script_enabled=False)
    try:
        phone = context.new_page()
        phone.goto(server.join_url)
        expect(phone.locator("#join-form button[type=submit]")).to_be_visible()
        phone.locator("#join-form button[type=submit]").click()
        phone.wait_for_url(re.compile(rf"/j/{server.code}$"))
        expect(phone.locator("#slide")).to_have_attribute("data-slide", CHOICE)

        choice_button(phone, "2. Permanente samenwerking").click()
        phone.wait_for_url(re.compile(rf"/j/{server.code}#answered$"))
        expect(choice_button(phone, "2. Permanente samenwerking")).to_have_class(
            re.compile(r"\bchosen\b")
        )
        expect(phone.locator("#slide .notice.saved")).to_be_visible()
    finally:
        context.close()
    assert server.results(CHOICE)["counts"].get("b", 0) == before + 1
