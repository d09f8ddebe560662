"""The four answer kinds through the JSON API and the phone's plain forms, against a real
database: good answers stored and tallied, bad ones refused with 422 and a sentence, and
open answers moderated by the facilitator (hidden ones never reach participants)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from denkdag.formats.deck import parse_deck, write_deck

pytestmark = pytest.mark.anyio


async def test_slides_list_their_kind_fields_but_not_banned_words(kinds: Any) -> None:
    data = (await kinds.client.get(f"/api/v1/sessions/{kinds.code}")).json()
    slides = {slide["id"]: slide for slide in data["slides"]}
    scale = slides["scale"]
    assert scale["items"] == [
        {"id": "a", "label": "Ik ken de partners in mijn regio"},
        {"id": "b", "label": "We delen genoeg kennis"},
    ]
    assert (scale["min"], scale["max"]) == (1, 5)
    assert slides["cloud"]["words"] == 3
    assert slides["open"]["max_length"] == 120
    assert [o["id"] for o in slides["ranking"]["options"]] == ["a", "b", "c"]
    assert "banned" not in repr(data) and "heel dom" not in repr(data)


async def test_scale_good_and_bad_answers(kinds: Any) -> None:
    await kinds.control("goto", "scale")
    tokens = [await kinds.join() for _ in range(3)]
    for token, value in zip(tokens, [{"a": 1, "b": 4}, {"a": 5}, {"a": 3, "b": 4}], strict=True):
        response = await kinds.answer(token, "scale", value)
        assert response.status_code == 200, response.text
    bad = await kinds.answer(tokens[0], "scale", {"a": 9})
    assert bad.status_code == 422
    assert bad.json()["detail"] == "9 is off the scale for item 'a': use 1 to 5."
    result = (await kinds.results())["scale"]
    assert result["respondents"] == 3
    assert result["items"][0]["counts"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}
    assert result["items"][0]["mean"] == 3.0
    assert result["items"][1]["mean"] == 4.0


async def test_wordcloud_good_and_bad_answers(kinds: Any) -> None:
    await kinds.control("goto", "cloud")
    one, two = await kinds.join(), await kinds.join()
    assert (await kinds.answer(one, "cloud", ["Vertrouwen", "tijd"])).status_code == 200
    assert (await kinds.answer(two, "cloud", ["vertrouwen!", "Ruimte"])).status_code == 200
    for value, sentence in [
        (["a", "b", "c", "d"], "Give at most 3 words; you gave 4."),
        (["the"], "'the' is too common a word to show in the cloud; choose one that says more."),
        (
            ["Heel  DOM"],
            "Your answer holds a word the facilitator does not allow here; please rephrase it.",
        ),
    ]:
        refused = await kinds.answer(one, "cloud", value)
        assert refused.status_code == 422
        assert refused.json()["detail"] == sentence
    result = (await kinds.results())["cloud"]
    assert result["words"] == {"vertrouwen": 2, "tijd": 1, "ruimte": 1}
    assert result["cloud"][0] == {"word": "vertrouwen", "text": "Vertrouwen", "count": 2}


async def test_ranking_good_and_bad_answers(kinds: Any) -> None:
    await kinds.control("goto", "ranking")
    one, two = await kinds.join(), await kinds.join()
    assert (await kinds.answer(one, "ranking", ["c", "a", "b"])).status_code == 200
    assert (await kinds.answer(two, "ranking", ["c", "b", "a"])).status_code == 200
    refused = await kinds.answer(one, "ranking", ["a", "a", "b"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Option 'a' is ranked twice; give each option one place."
    result = (await kinds.results())["ranking"]
    assert result["average_rank"] == {"a": 2.5, "b": 2.5, "c": 1.0}
    assert result["order"] == ["c", "a", "b"]


async def test_open_answers_moderated_and_hidden_from_participants(kinds: Any) -> None:
    await kinds.control("goto", "open")
    one, two = await kinds.join(), await kinds.join()
    assert (await kinds.answer(one, "open", "Meer samen doen")).status_code == 200
    assert (await kinds.answer(two, "open", "Iets ongepasts")).status_code == 200
    too_long = await kinds.answer(one, "open", "x" * 121)
    assert too_long.status_code == 422
    assert (
        too_long.json()["detail"] == "Your answer is 121 characters long; at most 120 are allowed."
    )
    answers = (await kinds.results())["open"]["answers"]
    assert [a["text"] for a in answers] == ["Iets ongepasts", "Meer samen doen"]
    bad_id = answers[0]["id"]

    url = f"/api/v1/sessions/{kinds.code}/slides/open/answers/{bad_id}"
    as_participant = await kinds.client.post(
        url, json={"hidden": True}, headers={"Authorization": f"Bearer {one}"}
    )
    assert as_participant.status_code == 403
    hidden = await kinds.client.post(url, json={"hidden": True}, headers=kinds.facilitator())
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() == {
        "id": bad_id,
        "text": "Iets ongepasts",
        "hidden": True,
        "highlighted": False,
    }

    # The facilitator still sees it, flagged; participants and the public view never do.
    answers = (await kinds.results())["open"]["answers"]
    assert {a["text"]: a["hidden"] for a in answers} == {
        "Iets ongepasts": True,
        "Meer samen doen": False,
    }
    public = (await kinds.client.get(f"/api/v1/sessions/{kinds.code}")).json()
    assert [a["text"] for a in public["revealed"]["open"]["answers"]] == ["Meer samen doen"]
    kinds.client.cookies.set(f"dd_p_{kinds.code}", one)
    phone = await kinds.client.get(f"/j/{kinds.code}")
    assert "Meer samen doen" in phone.text and "Iets ongepasts" not in phone.text
    projector = await kinds.client.get(f"/p/{kinds.code}/slide", headers=kinds.facilitator())
    assert "Meer samen doen" in projector.text and "Iets ongepasts" not in projector.text

    # Editing a hidden answer does not bring it back; a highlight holds for its text only.
    assert (await kinds.answer(two, "open", "Nu wel netjes")).status_code == 200
    answers = {a["id"]: a for a in (await kinds.results())["open"]["answers"]}
    assert answers[bad_id]["hidden"] is True
    good_id = next(i for i, a in answers.items() if a["text"] == "Meer samen doen")
    url = f"/api/v1/sessions/{kinds.code}/slides/open/answers/{good_id}"
    marked = await kinds.client.post(url, json={"highlighted": True}, headers=kinds.facilitator())
    assert marked.json()["highlighted"] is True
    assert (await kinds.answer(one, "open", "Meer samen doen, vaker")).status_code == 200
    answers = {a["id"]: a for a in (await kinds.results())["open"]["answers"]}
    assert answers[good_id]["highlighted"] is False


@pytest.mark.parametrize(
    ("slide", "answer_id", "body", "status", "sentence"),
    [
        ("open", 999999, {"hidden": True}, 404, "Slide 'open' has no answer 999999."),
        ("open", 1, {}, 422, "Send 'hidden', 'highlighted' or both, each true or false."),
        ("open", 1, {"hidden": "yes please"}, 422, None),
        (
            "open",
            1,
            {"hidden": True, "deleted": True},
            422,
            "The field 'deleted' is not allowed here.",
        ),
        (
            "scale",
            1,
            {"hidden": True},
            409,
            "Answers on a scale slide are not moderated one by one.",
        ),
        ("nope", 1, {"hidden": True}, 404, "This session has no slide 'nope'."),
    ],
)
async def test_moderation_refusals(
    kinds: Any, slide: str, answer_id: int, body: dict[str, Any], status: int, sentence: str | None
) -> None:
    url = f"/api/v1/sessions/{kinds.code}/slides/{slide}/answers/{answer_id}"
    response = await kinds.client.post(url, json=body, headers=kinds.facilitator())
    assert response.status_code == status, response.text
    if sentence is not None:
        assert response.json()["detail"] == sentence


def form_data(fields: Any) -> dict[str, Any]:
    """Form fields for httpx: a repeated name becomes a list."""
    data: dict[str, Any] = {}
    for name, value in fields.items() if isinstance(fields, dict) else fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


async def test_every_kind_answers_as_a_plain_form_post(kinds: Any) -> None:
    """Without JavaScript: the phone's forms, read per kind (web/kind_forms.py)."""
    client = kinds.client
    page = await client.get(f"/j/{kinds.code}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    await client.post(f"/j/{kinds.code}/join", data={"csrf_token": csrf[1]})
    forms: list[tuple[str, Any, Any]] = [
        ("scale", {"item-a": "2", "item-b": "5"}, {"a": 2, "b": 5}),
        ("cloud", [("word", "Ruimte"), ("word", ""), ("word", "Tijd")], ["Ruimte", "Tijd"]),
        ("open", {"text": "Via het formulier"}, "Via het formulier"),
        ("ranking", {"rank-a": "3", "rank-b": "1", "rank-c": "2"}, ["b", "c", "a"]),
    ]
    for slide, fields, expected in forms:
        await kinds.control("goto", slide)
        data = form_data(fields) | {"csrf_token": csrf[1], "slide": slide}
        posted = await client.post(f"/j/{kinds.code}/answer", data=data)
        assert posted.status_code == 303, posted.text
        export = await kinds.service.store.session_answers(
            (await kinds.service.sessions.get(kinds.code)).id
        )
        assert [a.value for a in export if a.slide_id == slide] == [expected]
    await kinds.control("goto", "ranking")
    twice = {"rank-a": "1", "rank-b": "1", "rank-c": "2"}
    refused = await client.post(
        f"/j/{kinds.code}/answer", data=twice | {"csrf_token": csrf[1], "slide": "ranking"}
    )
    assert refused.status_code == 422
    assert "Geef elke optie een andere plaats, van 1 tot 3." in refused.text  # a Dutch page


async def test_every_kind_renders_its_results_on_phone_and_projector(kinds: Any) -> None:
    token = await kinds.join()
    kinds.client.cookies.set(f"dd_p_{kinds.code}", token)
    answers = {
        "scale": {"a": 4},
        "cloud": ["Samen"],
        "open": "Goed plan",
        "ranking": ["b", "a", "c"],
    }
    shown = {
        "scale": '<span class="scale-count">1</span>',
        "cloud": 'data-word="samen" data-count="1"',
        "open": "<bdi>Goed plan</bdi>",
        "ranking": '<span class="rank-average">1,0</span>',  # a Dutch page
    }
    for slide, value in answers.items():
        await kinds.control("goto", slide)
        assert (await kinds.answer(token, slide, value)).status_code == 200
        phone = await kinds.client.get(f"/j/{kinds.code}/slide")
        projector = await kinds.client.get(f"/p/{kinds.code}/slide", headers=kinds.facilitator())
        assert phone.status_code == projector.status_code == 200
        assert shown[slide] in phone.text, slide
        assert shown[slide] in projector.text, slide


def test_deck_with_every_kind_round_trips(every_kind_deck_text: str) -> None:
    deck = parse_deck(every_kind_deck_text)
    assert {slide.kind for slide in deck.slides} == {
        "info",
        "choice",
        "statement",
        "scale",
        "wordcloud",
        "open",
        "ranking",
    }
    written = write_deck(deck)
    assert parse_deck(written) == deck
    assert write_deck(parse_deck(written)) == written


@pytest.mark.parametrize(
    ("slide_id", "answers", "shown"),
    [
        ("scale", [{"a": 2}, {"a": 4}], '<strong class="scale-mean-value">3.0</strong>'),
        ("cloud", [["<b>Samen</b>"], ["samen"]], "<bdi>&lt;b&gt;Samen&lt;/b&gt;</bdi>"),
        ("open", ["<i>nee</i>"], "<bdi>&lt;i&gt;nee&lt;/i&gt;</bdi>"),
        ("ranking", [["b", "a", "c"]], '<span class="rank-average">1.0</span>'),
    ],
)
def test_report_partials_show_the_results_escaped(
    every_kind_deck_text: str, slide_id: str, answers: list[Any], shown: str
) -> None:
    """`kinds/{kind}_report.html`, the partials reports render, from a tally alone."""
    from denkdag.domain.events import Brand
    from denkdag.domain.kinds import kind_of
    from denkdag.formats.report_html import chart_colours
    from denkdag.web.templating import templates

    slide = parse_deck(every_kind_deck_text).slide(slide_id)
    assert slide is not None
    tally = kind_of(slide.kind).tally(slide, answers)
    template = templates.env.get_template(f"kinds/{slide.kind}_report.html")
    colours = chart_colours(Brand())  # the house colours every report draws in
    html = template.render(slide=slide, tally=tally, colours=colours)
    assert shown in html
    assert "<script" not in html
    assert re.search(r'class="kind-results[^>]*\bhidden\b', html) is None  # shown in full
