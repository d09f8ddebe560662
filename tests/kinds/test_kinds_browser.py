"""The four answer kinds in Chromium: phones answer each kind (tapping, typing, tapping a
ranking in order, by keyboard too) and the projector shows each result live; the word
cloud lets words grow without moving them; a hidden open answer leaves every screen; and
hostile strings on the wall, the cloud and the remote never run script or open a dialog."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BLNS = Path(__file__).parents[1] / "data" / "naughty-strings" / "blns.json"
CANARY = """
window.__canary = 0;
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = function () { window.__canary += 1; };
}
"""


def join(page: Any, kinds_server: Any) -> None:
    page.goto(kinds_server.url(f"/j/{kinds_server.code}"))
    page.locator("#phone").wait_for()


def goto(kinds_server: Any, pages: list[Any], slide: str) -> None:
    kinds_server.control("goto", slide)
    for page in pages:
        expect(page.locator("#slide")).to_have_attribute("data-slide", slide)


def cloud_word(page: Any, word: str) -> Any:
    return page.locator(f'#slide svg.cloud text[data-word="{word}"]')


def test_phones_answer_every_kind_and_the_projector_follows(
    chromium: Any, kinds_server: Any, helpers: Any
) -> None:
    console = helpers.Console()
    contexts = [helpers.new_context(chromium)] + [
        helpers.new_context(chromium, phone=True) for _ in range(2)
    ]
    try:
        presenter = console.watch(contexts[0].new_page())
        presenter.goto(kinds_server.signin(f"/p/{kinds_server.code}"))
        presenter.wait_for_url(re.compile(rf"/p/{kinds_server.code}$"))
        phones = [console.watch(context.new_page()) for context in contexts[1:]]
        for phone in phones:
            join(phone, kinds_server)
        everyone = [presenter, *phones]

        # Scale: tap a rating per item, send; the projector's histogram and mean follow.
        goto(kinds_server, everyone, "scale")
        for phone, (a, b) in zip(phones, [(2, 5), (4, 5)], strict=True):
            phone.locator(f'#slide input[name="item-a"][value="{a}"] + span').tap()
            phone.locator(f'#slide input[name="item-b"][value="{b}"] + span').tap()
            phone.locator("#slide form button[type=submit]").tap()
            expect(phone.locator("#slide .notice.saved")).to_be_visible()
        item_a = presenter.locator('#slide .scale-item[data-item="a"]')
        expect(item_a.locator(".scale-mean-value")).to_have_text("3,0")
        expect(item_a.locator('.scale-column[data-value="4"] .scale-count')).to_have_text("1")
        expect(
            presenter.locator('#slide .scale-item[data-item="b"] .scale-mean-value')
        ).to_have_text("5,0")
        expect(
            phones[0].locator('#slide .scale-item[data-item="a"] .scale-mean-value')
        ).to_have_text("3,0")

        # Word cloud: words typed on phones; a word that grows keeps its place.
        goto(kinds_server, everyone, "cloud")
        words = phones[0].locator('#slide input[name="word"]')
        words.nth(0).fill("Vertrouwen")
        words.nth(1).fill("tijd")
        words.nth(1).press("Enter")
        expect(cloud_word(presenter, "vertrouwen")).to_have_attribute("data-count", "1")
        expect(cloud_word(presenter, "tijd")).to_have_text("tijd")
        expect(presenter.locator("#slide svg.cloud")).to_be_visible()
        where = cloud_word(presenter, "vertrouwen")
        before = (
            where.get_attribute("x"),
            where.get_attribute("y"),
            float(where.get_attribute("font-size")),
        )
        tijd_before = (
            cloud_word(presenter, "tijd").get_attribute("x"),
            cloud_word(presenter, "tijd").get_attribute("y"),
        )
        phones[1].locator('#slide input[name="word"]').nth(0).fill("vertrouwen!")
        phones[1].locator('#slide input[name="word"]').nth(1).fill("Ruimte")
        phones[1].locator("#slide form button[type=submit]").tap()
        expect(cloud_word(presenter, "vertrouwen")).to_have_attribute("data-count", "2")
        expect(cloud_word(presenter, "ruimte")).to_have_text("Ruimte")
        after = (where.get_attribute("x"), where.get_attribute("y"))
        assert after == before[:2], "a word moved when it grew"
        assert (
            cloud_word(presenter, "tijd").get_attribute("x"),
            cloud_word(presenter, "tijd").get_attribute("y"),
        ) == tijd_before
        assert float(where.get_attribute("font-size")) > float(
            cloud_word(presenter, "tijd").get_attribute("font-size")
        )
        assert kinds_server.results("cloud")["words"] == {"vertrouwen": 2, "tijd": 1, "ruimte": 1}

        # Open answers: typed with a live counter; the wall shows them; hiding one removes it.
        goto(kinds_server, everyone, "open")
        area = phones[0].locator("#slide textarea")
        area.fill("Meer samen programmeren")
        expect(phones[0].locator("#slide .text-counter")).to_contain_text("23")
        phones[0].locator("#slide form button[type=submit]").tap()
        phones[1].locator("#slide textarea").fill("Iets dat weg moet")
        phones[1].locator("#slide form button[type=submit]").tap()
        wall = presenter.locator("#slide .wall .wall-card")
        expect(wall).to_have_count(2)
        expect(wall.first).to_have_text("Iets dat weg moet")  # newest first
        bad = next(
            a for a in kinds_server.results("open")["answers"] if a["text"] == "Iets dat weg moet"
        )
        kinds_server.api(
            "POST",
            f"/api/v1/sessions/{kinds_server.code}/slides/open/answers/{bad['id']}",
            {"hidden": True},
        )
        expect(wall).to_have_count(1)
        expect(wall.first).to_have_text("Meer samen programmeren")
        expect(phones[0].locator("#slide .wall .wall-card")).to_have_count(1)

        # Ranking: phone 1 taps in order; phone 2 uses the keyboard, undoes and starts again.
        goto(kinds_server, everyone, "ranking")
        taps = phones[0].locator("#slide .rank-tap")
        for option in ("c", "a", "b"):
            phones[0].locator(f'#slide .rank-tap[data-option="{option}"]').tap()
        expect(taps.locator(".rank-badge")).to_have_text(["2", "3", "1"])
        phones[0].locator("#slide form button[type=submit]").tap()
        expect(phones[0].locator("#slide .notice.saved")).to_be_visible()
        keyboard = phones[1]
        keyboard.locator('#slide .rank-tap[data-option="a"]').focus()
        keyboard.keyboard.press("Enter")
        keyboard.locator("#slide .rank-undo").focus()
        keyboard.keyboard.press("Enter")
        expect(keyboard.locator("#slide .rank-tap .rank-badge")).to_have_text(["", "", ""])
        for option in ("c", "b", "a"):
            keyboard.locator(f'#slide .rank-tap[data-option="{option}"]').focus()
            keyboard.keyboard.press("Space")
        keyboard.locator("#slide form button[type=submit]").focus()
        keyboard.keyboard.press("Enter")
        expect(keyboard.locator("#slide .notice.saved")).to_be_visible()
        rows = presenter.locator("#slide .rank-row")
        expect(rows).to_have_count(3)
        expect(presenter.locator("#slide .rank-row").first).to_have_attribute("data-key", "c")
        expect(presenter.locator('#slide .rank-row[data-key="c"] .rank-average')).to_have_text(
            "1,0"
        )
        expect(presenter.locator('#slide .rank-row[data-key="a"] .rank-average')).to_have_text(
            "2,5"
        )
        assert kinds_server.results("ranking")["order"] == ["c", "a", "b"]
        assert console.problems == []
    finally:
        for context in contexts:
            context.close()


def _participant_answer(base: str, code: str, slide: str, value: Any) -> int:
    request = urllib.request.Request(f"{base}/api/v1/sessions/{code}/participants", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.loads(response.read())["participant_token"]
    body = json.dumps({"value": value}).encode()
    put = urllib.request.Request(
        f"{base}/api/v1/sessions/{code}/slides/{slide}/response", data=body, method="PUT"
    )
    put.add_header("Authorization", f"Bearer {token}")
    put.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(put, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_hostile_strings_never_run_in_chromium(
    chromium: Any, kinds_server: Any, helpers: Any
) -> None:
    strings: list[str] = json.loads(BLNS.read_text(encoding="utf-8"))
    risky = [s for s in strings if re.search(r"[<>\"'&]|script|alert|on\w+=|\u202e", s)][:150]
    base, code = kinds_server.server.base, kinds_server.code
    kinds_server.control("goto", "open")
    kept = [s for s in risky if _participant_answer(base, code, "open", s[:120]) == 200]
    kinds_server.control("goto", "cloud")
    words = [s for s in risky if _participant_answer(base, code, "cloud", [s]) == 200]
    assert len(kept) > 100 and len(words) > 20, (len(kept), len(words))

    dialogs: list[str] = []
    context = helpers.new_context(chromium)
    context.add_init_script(CANARY)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(kinds_server.signin(f"/p/{kinds_server.code}"))
        page.wait_for_url(re.compile(rf"/p/{code}$"))
        expect(page.locator("#slide")).to_have_attribute("data-slide", "cloud")
        expect(page.locator("#slide svg.cloud text")).not_to_have_count(0)
        kinds_server.control("goto", "open")
        expect(page.locator("#slide")).to_have_attribute("data-slide", "open")
        expect(page.locator("#slide .wall-card")).not_to_have_count(0)
        texts = page.locator("#slide .wall-card").all_text_contents()
        assert {s[:120].strip() for s in kept[-20:]} <= set(texts)
        remote = context.new_page()
        remote.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        remote.goto(kinds_server.url(f"/c/{code}"))
        expect(remote.locator("#moderation .moderation-item")).not_to_have_count(0)
        phone_context = helpers.new_context(chromium, phone=True)
        phone_context.add_init_script(CANARY)
        phone = phone_context.new_page()
        phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        join(phone, kinds_server)
        expect(phone.locator("#slide .wall-card")).not_to_have_count(0)
        page.wait_for_timeout(300)  # let any injected handler (there must be none) fire
        for each in (page, remote, phone):
            assert each.evaluate("window.__canary") == 0
            assert (
                each.evaluate(
                    "document.querySelectorAll("
                    "'.wall img, .wall script, .cloud img, .moderation-list img').length"
                )
                == 0
            )
        assert dialogs == []
        phone_context.close()
    finally:
        context.close()
