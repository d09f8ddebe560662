"""Word-cloud moderation: a facilitator hides one word of a cloud, in every
spelling, from the projector, the phones, the report and the public results, and shows it
again. The domain's tally, the JSON API (good, bad, forbidden), the remote's plain forms,
the live `tally` event, and the exports marking what was hidden."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

from denkdag.domain import InvalidAnswer, Slide
from denkdag.domain.kinds.wordcloud import KIND as CLOUD
from denkdag.domain.kinds.wordcloud import hidden_key
from denkdag.domain.tally import AnswerRecord

pytestmark = pytest.mark.anyio
WORDS = Slide(id="wc", kind="wordcloud", title="Eén woord?", extra={"words": 3})
RECORDS = [
    AnswerRecord(id=1, value=["Tijd", "Stomme-Zin"]),
    AnswerRecord(id=2, value=["stomme-zin!", "Vertrouwen"]),
    AnswerRecord(id=3, value=["STOMME-ZIN", "tijd"]),
]


# --- the domain ---------------------------------------------------------------------------


def test_a_hidden_word_leaves_the_cloud_but_the_facilitator_keeps_it_listed() -> None:
    tally = CLOUD.tally_records(WORDS, RECORDS, frozenset({"stomme-zin"}))
    assert tally.respondents == 3  # those who gave it still answered
    public = tally.as_dict()
    assert public["words"] == {"tijd": 2, "vertrouwen": 1}
    assert [entry["word"] for entry in public["cloud"]] == ["tijd", "vertrouwen"]
    assert "hidden_words" not in public and "stomme" not in json.dumps(public).casefold()
    facilitator = tally.as_dict(facilitator=True)
    assert facilitator["words"] == public["words"]  # the projector draws the same cloud
    assert facilitator["hidden_words"] == [
        {"word": "stomme-zin", "text": "STOMME-ZIN", "count": 3}  # ties: first code point
    ]


def test_a_hidden_word_nobody_gives_any_more_stays_listed_to_be_shown_again() -> None:
    tally = CLOUD.tally_records(WORDS, RECORDS, frozenset({"weg"}))
    assert tally.extra["hidden_words"] == [{"word": "weg", "text": "weg", "count": 0}]
    assert tally.extra["words"] == {"tijd": 2, "stomme-zin": 3, "vertrouwen": 1}


def test_nothing_hidden_is_the_plain_cloud() -> None:
    assert CLOUD.tally_records(WORDS, RECORDS).as_dict(facilitator=True) == CLOUD.tally_records(
        WORDS, RECORDS, frozenset()
    ).as_dict(facilitator=True)
    assert CLOUD.tally_records(WORDS, RECORDS).public_extra is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [("Stomme-Zin", "stomme-zin"), ("  «Café»  ", "cafe"), ("twee   woorden", "twee woorden")],
)
def test_the_word_to_hide_is_folded_as_the_cloud_counts_it(typed: str, key: str) -> None:
    assert hidden_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("!!!", "Name the word to hide: it has no letters or digits."),
        ("x" * 41, "A word in the cloud has at most 40 characters."),
        (3, "Name the word to hide as text."),
    ],
)
def test_the_word_to_hide_must_be_a_word(typed: object, sentence: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        hidden_key(typed)
    assert refused.value.detail == sentence


# --- the API ------------------------------------------------------------------------------


async def _cloud_with_answers(kinds: Any) -> list[str]:
    await kinds.control("goto", "cloud")
    tokens = [await kinds.join() for _ in range(3)]
    for token, words in zip(
        tokens,
        [["Tijd", "Prutswoord"], ["prutswoord!", "Vertrouwen"], ["PRUTSWOORD"]],
        strict=True,
    ):
        assert (await kinds.answer(token, "cloud", words)).status_code == 200
    return tokens


def _url(kinds: Any, slide: str = "cloud") -> str:
    return f"/api/v1/sessions/{kinds.code}/slides/{slide}/words"


async def test_facilitator_hides_a_word_and_shows_it_again(kinds: Any) -> None:
    tokens = await _cloud_with_answers(kinds)
    await kinds.control("reveal", "cloud")
    hidden = await kinds.client.post(
        _url(kinds), json={"word": "Prutswoord", "hidden": True}, headers=kinds.facilitator()
    )
    assert hidden.status_code == 200, hidden.text
    body = hidden.json()
    assert body["word"] == "prutswoord" and body["hidden"] is True
    assert [entry["word"] for entry in body["cloud"]] == ["tijd", "vertrouwen"]
    assert body["hidden_words"] == [
        {"word": "prutswoord", "text": body["hidden_words"][0]["text"], "count": 3}
    ]

    # The facilitator's results list it as hidden; everyone else never sees it.
    result = (await kinds.results())["cloud"]
    assert result["words"] == {"tijd": 1, "vertrouwen": 1}
    assert [entry["word"] for entry in result["hidden_words"]] == ["prutswoord"]
    public = (await kinds.client.get(f"/api/v1/sessions/{kinds.code}")).text
    assert "rutswoord" not in public.casefold()
    kinds.client.cookies.set(f"dd_p_{kinds.code}", await kinds.join())  # not its own words
    phone = await kinds.client.get(f"/j/{kinds.code}/slide")
    assert 'data-word="tijd"' in phone.text and "rutswoord" not in phone.text.casefold()
    projector = await kinds.client.get(f"/p/{kinds.code}/slide", headers=kinds.facilitator())
    assert 'data-word="tijd"' in projector.text
    assert "rutswoord" not in projector.text.casefold()
    report = await kinds.client.get(f"/r/{kinds.code}", headers=kinds.facilitator())
    assert report.status_code == 200
    assert 'data-word="tijd"' in report.text and "rutswoord" not in report.text.casefold()

    # A participant typing it anew in another spelling does not bring it back.
    assert (await kinds.answer(tokens[2], "cloud", ["prutsWOORD?"])).status_code == 200
    assert "prutswoord" not in (await kinds.results())["cloud"]["words"]

    shown = await kinds.client.post(
        _url(kinds), json={"word": "prutswoord", "hidden": False}, headers=kinds.facilitator()
    )
    assert shown.status_code == 200
    assert shown.json()["hidden_words"] == []
    assert (await kinds.results())["cloud"]["words"]["prutswoord"] == 3
    assert "hidden_words" not in (await kinds.results())["cloud"]


@pytest.mark.parametrize(
    ("slide", "body", "status", "sentence"),
    [
        (
            "open",
            {"word": "tijd", "hidden": True},
            409,
            "Words are hidden on word-cloud slides only, and 'open' is not one.",
        ),
        ("nope", {"word": "tijd", "hidden": True}, 404, "This session has no slide 'nope'."),
        (
            "cloud",
            {"word": "...", "hidden": True},
            422,
            "Name the word to hide: it has no letters or digits.",
        ),
        ("cloud", {"word": "tijd"}, 422, None),
        ("cloud", {"word": "tijd", "hidden": True, "for": "ever"}, 422, None),
        ("cloud", {"word": ["tijd"], "hidden": True}, 422, None),
    ],
)
async def test_bad_word_moderation_is_refused_with_a_sentence(
    kinds: Any, slide: str, body: dict[str, Any], status: int, sentence: str | None
) -> None:
    response = await kinds.client.post(_url(kinds, slide), json=body, headers=kinds.facilitator())
    assert response.status_code == status, response.text
    if sentence is not None:
        assert response.json()["detail"] == sentence


async def test_only_the_sessions_facilitators_hide_words(kinds: Any) -> None:
    tokens = await _cloud_with_answers(kinds)
    body = {"word": "prutswoord", "hidden": True}
    anonymous = await kinds.client.post(_url(kinds), json=body)
    participant = await kinds.client.post(
        _url(kinds), json=body, headers={"Authorization": f"Bearer {tokens[0]}"}
    )
    other = await kinds.service.access.create_api_token("someone-else")
    stranger = await kinds.client.post(
        _url(kinds), json=body, headers={"Authorization": f"Bearer {other}"}
    )
    assert (anonymous.status_code, participant.status_code, stranger.status_code) == (
        403,
        403,
        403,
    )
    assert (await kinds.results())["cloud"]["words"]["prutswoord"] == 3


async def test_hiding_a_word_sends_the_slides_tally_at_once(kinds: Any) -> None:
    await _cloud_with_answers(kinds)
    session = await kinds.service.sessions.get(kinds.code)
    heard: list[tuple[str, Any]] = []
    kinds.service.broadcaster.hub.add_listener(
        lambda _topic, envelope: heard.append((envelope.event, envelope.data))
    )
    await kinds.service.results.hide_word(
        kinds.code,
        await kinds.service.store.ensure_user("facilitator"),
        "cloud",
        "prutswoord",
        hidden=True,
    )
    # No waiting for the coalescer: the tally is published before hide_word returns.
    tallies = [data for event, data in heard if event == "tally" and data["slide"] == "cloud"]
    assert tallies, heard
    assert "prutswoord" not in tallies[-1].get("words", {})
    assert session.id


# --- the remote, without JavaScript --------------------------------------------------------


async def test_the_remote_hides_and_shows_a_word_with_plain_forms(kinds: Any) -> None:
    await _cloud_with_answers(kinds)
    client = kinds.client
    user = await kinds.service.store.ensure_user("facilitator")
    client.cookies.set("dd_login", await kinds.service.access.create_login(user))
    page = await client.get(f"/c/{kinds.code}")
    assert page.status_code == 200
    assert 'action="/c/' + kinds.code + '/words"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf_token": csrf[1], "slide": "cloud", "word": "prutswoord", "on": "yes"}
    posted = await client.post(f"/c/{kinds.code}/words", data=form)
    assert posted.status_code == 303, posted.text
    page = await client.get(f"/c/{kinds.code}")
    hidden_list = page.text.split('class="moderation-list hidden-words"')[1]
    assert 'data-word="prutswoord"' in hidden_list and 'name="on" value="no"' in hidden_list
    form["on"] = "no"
    assert (await client.post(f"/c/{kinds.code}/words", data=form)).status_code == 303
    page = await client.get(f"/c/{kinds.code}")
    assert "hidden-words" not in page.text
    assert (await kinds.results())["cloud"]["words"]["prutswoord"] == 3


# --- the exports --------------------------------------------------------------------------


async def test_exports_mark_hidden_words_and_open_answers(kinds: Any) -> None:
    await _cloud_with_answers(kinds)
    await kinds.control("goto", "open")
    one, two = await kinds.join(), await kinds.join()
    assert (await kinds.answer(one, "open", "Iets ongepasts")).status_code == 200
    assert (await kinds.answer(two, "open", "Meer samen doen")).status_code == 200
    answers = {a["text"]: a["id"] for a in (await kinds.results())["open"]["answers"]}
    moderate = f"/api/v1/sessions/{kinds.code}/slides/open/answers/"
    headers = kinds.facilitator()
    await kinds.client.post(
        moderate + str(answers["Iets ongepasts"]), json={"hidden": True}, headers=headers
    )
    await kinds.client.post(
        moderate + str(answers["Meer samen doen"]), json={"highlighted": True}, headers=headers
    )
    await kinds.client.post(
        _url(kinds), json={"word": "prutswoord", "hidden": True}, headers=headers
    )

    text = (await kinds.client.get(f"/r/{kinds.code}.csv", headers=headers)).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "hidden" in rows[0] and "highlighted" in rows[0]
    by_answer = {r["answer"]: r for r in rows}
    assert (by_answer["Iets ongepasts"]["hidden"], by_answer["Iets ongepasts"]["highlighted"]) == (
        "yes",
        "no",
    )
    assert (
        by_answer["Meer samen doen"]["hidden"],
        by_answer["Meer samen doen"]["highlighted"],
    ) == (
        "no",
        "yes",
    )
    assert by_answer["Tijd;Prutswoord"]["hidden"] == "Prutswoord"
    assert by_answer["prutswoord!;Vertrouwen"]["hidden"] == "prutswoord!"
    assert by_answer["PRUTSWOORD"]["hidden"] == "yes"  # every word of it hidden

    document = json.loads((await kinds.client.get(f"/r/{kinds.code}.json", headers=headers)).text)
    slides = {s["id"]: s for s in document["slides"]}
    assert slides["cloud"]["words"] == {"tijd": 1, "vertrouwen": 1}
    assert [(w["word"], w["hidden"]) for w in slides["cloud"]["hidden_words"]] == [
        ("prutswoord", True)
    ]
    assert all(w["hidden"] is False for w in slides["cloud"]["cloud"])
    assert {a["text"]: (a["hidden"], a["highlighted"]) for a in slides["open"]["answers"]} == {
        "Iets ongepasts": (True, False),
        "Meer samen doen": (False, True),
    }

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            (await kinds.client.get(f"/r/{kinds.code}.xlsx?lang=en", headers=headers)).content
        )
    )
    sheet = book["Answers"]
    header = [cell.value for cell in sheet[1]]
    assert header[-2:] == ["hidden", "highlighted"]
    values = {
        row[header.index("answer")]: row for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert values["Iets ongepasts"][header.index("hidden")] == "yes"
    assert values["Meer samen doen"][header.index("highlighted")] == "yes"
    assert values["Tijd;Prutswoord"][header.index("hidden")] == "Prutswoord"


async def test_hidden_words_go_with_their_session(kinds: Any) -> None:
    from sqlalchemy import func, select

    from denkdag.storage.tables import hidden_words

    await _cloud_with_answers(kinds)
    body = {"word": "prutswoord", "hidden": True}
    assert (
        await kinds.client.post(_url(kinds), json=body, headers=kinds.facilitator())
    ).status_code == 200
    store = kinds.service.store
    count = select(func.count()).select_from(hidden_words)
    async with store.reader.connect() as conn:
        assert (await conn.execute(count)).scalar_one() == 1
    await kinds.service.sessions.delete(await kinds.service.sessions.get(kinds.code))
    async with store.reader.connect() as conn:
        assert (await conn.execute(count)).scalar_one() == 0


async def test_a_word_that_folding_lengthens_is_hidden_and_shown_again(kinds: Any) -> None:
    long_word = "\ufdfa" * 40  # 40 characters; folded, 720 letters
    await kinds.control("goto", "cloud")
    assert (await kinds.answer(await kinds.join(), "cloud", [long_word])).status_code == 200
    for hidden in (True, False):
        body = {"word": long_word, "hidden": hidden}
        response = await kinds.client.post(_url(kinds), json=body, headers=kinds.facilitator())
        assert response.status_code == 200, response.text
        assert bool(response.json()["hidden_words"]) is hidden
    assert len((await kinds.results())["cloud"]["cloud"]) == 1
