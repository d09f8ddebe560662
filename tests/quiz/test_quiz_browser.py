"""A five-question quiz in Chromium with three phones: nicknames, answers, the reveal
with the right answer marked and each phone's points, the leaderboard between questions
and the podium at the end on the projector. The test waits on what pages show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUIZ = Path(__file__).parent / "quiz.md"
PLAYERS = ("Ann", "Bob", "Cas")
ANSWERS = {  # question → each player's answer (Ann always right, Cas always wrong)
    "q1": ("b", "b", "a"),
    "q2": ("c", "a", "a"),
    "q3": ("a", "c", "b"),
    "q4": ("a", "b", "c"),
    "q5": ("b", "b", "a"),
}


@pytest.fixture(scope="module")
def quiz_server(helpers: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with helpers.server_with_deck(tmp_path_factory.mktemp("denkdag-quiz"), QUIZ) as server:
        yield server


def test_three_phones_play_a_five_question_quiz(
    chromium: Any, quiz_server: Any, helpers: Any
) -> None:
    code = quiz_server.code
    console = helpers.Console()
    projector_context = helpers.new_context(chromium)
    phone_contexts = [helpers.new_context(chromium, phone=True) for _ in PLAYERS]
    try:
        projector = console.watch(projector_context.new_page())
        projector.goto(quiz_server.signin(f"/p/{code}"))
        projector.wait_for_url(re.compile(rf"/p/{code}$"))
        phones = []
        for context in phone_contexts:
            phone = console.watch(context.new_page())
            phone.goto(quiz_server.url(f"/j/{code}"))
            phone.locator("#profile-form label.choice").first.click()  # the one question: Zorg
            phone.locator("#profile-form button.primary").click()  # Continue sends it
            phone.locator("#phone").wait_for()
            phones.append(phone)
        quiz_server.control("goto", "q1")
        for phone, name in zip(phones, PLAYERS, strict=True):
            expect(phone.locator("#slide")).to_have_attribute("data-slide", "q1")
            phone.fill("#quiz-nickname-input", name)
            phone.locator(".quiz-nickname button[type=submit]").click()
            expect(phone.locator(".quiz-me")).to_contain_text(name)

        for question, picks in ANSWERS.items():
            if question == "q3":  # the leaderboard between questions
                quiz_server.control("goto", "board1")
                rows = projector.locator(".leaderboard-row .leaderboard-name")
                expect(rows).to_have_text(["Ann", "Bob", "Cas"])
                expect(phones[0].locator(".quiz-verdict.standing")).to_contain_text("1")
            version = str(quiz_server.control("goto", question)["version"])
            expect(projector.locator("#slide")).to_have_attribute("data-slide", question)
            expect(projector.locator("#countdown")).to_be_visible()
            expect(projector.locator(".quiz-right")).to_have_count(0)  # no hint before
            for phone, pick in zip(phones, picks, strict=True):
                # the phone's fragment of this very state, so the tap is not lost in a reload
                expect(phone.locator("#slide")).to_have_attribute("data-version", version)
                phone.locator(f'#slide button.choice[value="{pick}"]').click()
                expect(phone.locator("#slide .notice.saved")).to_be_visible()
            expect(projector.locator("#answer-count")).to_have_text("3")
            projector.keyboard.press("r")  # the facilitator reveals
            expect(projector.locator(".quiz-results .quiz-right").first).to_be_visible()
            expect(phones[0].locator(".quiz-verdict.right")).to_contain_text(re.compile(r"\+\d+"))
            expect(phones[2].locator(".quiz-verdict.wrong")).to_be_visible()

        quiz_server.control("goto", "podium")
        expect(projector.locator(".podium-name")).to_have_text(["Ann", "Bob", "Cas"])
        phones[0].reload()  # a phone that reconnects keeps its score and place
        expect(phones[0].locator(".quiz-verdict.standing")).to_contain_text("1")
        expect(phones[1].locator(".quiz-verdict.standing")).to_contain_text("2")
        board = quiz_server.api("GET", f"/api/v1/sessions/{code}/leaderboard")
        assert [p["nickname"] for p in board["players"]] == ["Ann", "Bob", "Cas"]
        assert board["players"][2]["points"] == 0
        assert console.problems == []
    finally:
        projector_context.close()
        for context in phone_contexts:
            context.close()
