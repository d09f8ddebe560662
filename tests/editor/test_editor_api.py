"""The editor's JSON requests (`/e/{code}/…`): add, edit, reorder, duplicate, delete and
undo slides; a stale version is a 409 with the other person's deck; a broken slide a 422
naming its line; a stranger a 403; and every change reaches the live state."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from denkdag.domain.model import SessionInfo
from denkdag.formats.deck import parse_deck
from denkdag.formats.slide_text import (
    NEW_SLIDES,
    SlideTextError,
    info_text,
    read_info,
    read_slide,
    slide_text,
)
from denkdag.seed import seed_deck_text
from denkdag.storage.tables import deck_revisions
from denkdag.web.auth import CSRF_COOKIE, LOGIN_COOKIE
from denkdag.web.ratelimit import LOOKUP_BURST

pytestmark = pytest.mark.anyio


async def deck(running: Any) -> dict[str, Any]:
    response = await running.client.get(f"/e/{running.code}/deck", headers=running.facilitator())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def call(running: Any, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    return await running.client.request(
        method, f"/e/{running.code}{path}", json=body, headers=running.facilitator()
    )


def ids(body: dict[str, Any]) -> list[str]:
    return [slide["id"] for slide in body["slides"]]


async def test_the_deck_starts_at_version_0_with_every_slide_as_its_text(running: Any) -> None:
    body = await deck(running)
    seed = parse_deck(seed_deck_text())
    assert body["version"] == 0 and body["can_undo"] is False
    assert ids(body) == [slide.id for slide in seed.slides]
    for slide, shown in zip(seed.slides, body["slides"], strict=True):
        assert read_slide(shown["text"], slide.id) == slide


@pytest.mark.parametrize("kind", sorted(NEW_SLIDES))
async def test_a_slide_of_every_kind_can_be_added_after_the_selected_one(
    running: Any, kind: str
) -> None:
    response = await call(running, "POST", "/slides", {"version": 0, "kind": kind, "after": "s1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1 and body["can_undo"] is True
    assert ids(body)[1] == body["slide"]
    assert body["slides"][1]["kind"] == kind
    session = await running.service.sessions.get(running.code)
    assert session.deck.slides[1].kind == kind


async def test_editing_a_slide_changes_it_keeps_its_id_and_tells_the_screens(
    running: Any,
) -> None:
    before = await running.service.sessions.get(running.code)
    text = "# Nieuw?\nkind: statement\nsection: Deel 2\n\n> Samen is **beter**."
    response = await call(running, "PUT", "/slides/s7", {"version": 0, "text": text})
    assert response.status_code == 200, response.text
    session = await running.service.sessions.get(running.code)
    slide = session.deck.slide("s7")
    assert slide is not None
    assert (slide.kind, slide.title, slide.section) == ("statement", "Nieuw?", "Deel 2")
    assert slide.statement == "Samen is **beter**."
    assert session.state.version > before.state.version  # screens redraw
    public = await running.client.get(f"/api/v1/sessions/{running.code}")
    assert next(s for s in public.json()["slides"] if s["id"] == "s7")["title"] == "Nieuw?"
    stored = await running.service.store.session_by_code(running.code)
    assert stored is not None and stored.deck == session.deck


async def test_a_broken_slide_is_422_with_its_line_and_nothing_changes(running: Any) -> None:
    text = "# Vraag\nkind: choice\ncolour: red\n\n- **A**\n- **B**"
    response = await call(running, "PUT", "/slides/s2", {"version": 0, "text": text})
    assert response.status_code == 422
    body = response.json()
    assert body["line"] == 3
    assert body["detail"].startswith("slide 2:3: unknown setting 'colour'")
    assert (await deck(running))["version"] == 0
    two = "# Een\n\n# Twee"
    response = await call(running, "PUT", "/slides/s2", {"version": 0, "text": two})
    assert response.status_code == 422 and response.json()["line"] == 3
    with_id = "# Een\nid: other"
    response = await call(running, "PUT", "/slides/s2", {"version": 0, "text": with_id})
    assert response.status_code == 422 and response.json()["line"] == 2


async def test_a_stale_version_is_a_409_with_the_other_persons_text(running: Any) -> None:
    mine = "# Mijn titel\nkind: statement\n\n> Mijn stelling."
    theirs = "# Hun titel\nkind: statement\n\n> Hun stelling."
    first = await call(running, "PUT", "/slides/s7", {"version": 0, "text": theirs})
    assert first.status_code == 200
    second = await call(running, "PUT", "/slides/s7", {"version": 0, "text": mine})
    assert second.status_code == 409
    body = second.json()
    assert body["conflict"] is True and body["version"] == 1
    shown = next(s for s in body["slides"] if s["id"] == "s7")
    assert "Hun stelling." in shown["text"]
    session = await running.service.sessions.get(running.code)
    assert session.deck.slide("s7").statement == "Hun stelling."  # type: ignore[union-attr]


async def test_reorder_keeps_ids_and_answers(running: Any) -> None:
    await running.control("goto", "s7")
    token = await running.join()
    assert (await running.answer(token, "s7", "agree")).status_code == 200
    order = ids(await deck(running))
    order.insert(0, order.pop(order.index("s7")))
    response = await call(running, "PUT", "/order", {"version": 0, "order": order})
    assert response.status_code == 200, response.text
    assert ids(response.json()) == order
    results = await running.results()
    assert results["s7"]["respondents"] == 1
    bad = await call(running, "PUT", "/order", {"version": 1, "order": order[:-1]})
    assert bad.status_code == 409 and "every slide" in bad.json()["detail"]


async def test_duplicate_and_delete_with_confirmation_for_answers(running: Any) -> None:
    response = await call(running, "POST", "/slides/s2/duplicate", {"version": 0})
    assert response.status_code == 201
    body = response.json()
    copy = body["slide"]
    assert ids(body)[ids(body).index("s2") + 1] == copy
    assert body["slides"][ids(body).index(copy)]["text"] == body["slides"][1]["text"]
    deleted = await call(running, "POST", f"/slides/{copy}/delete", {"version": 1})
    assert deleted.status_code == 200 and copy not in ids(deleted.json())

    await running.control("goto", "s7")
    token = await running.join()
    assert (await running.answer(token, "s7", "agree")).status_code == 200
    asked = await call(running, "POST", "/slides/s7/delete", {"version": 2})
    assert asked.status_code == 409 and asked.json()["confirm"] is True
    assert "s7" in ids(await deck(running))
    done = await call(running, "POST", "/slides/s7/delete", {"version": 2, "confirm": True})
    assert done.status_code == 200 and "s7" not in ids(done.json())
    session = await running.service.sessions.get(running.code)
    assert session.state.current_slide in ids(done.json())  # the room moved on

    undone = await call(running, "POST", "/undo", {"version": 3})
    assert undone.status_code == 200 and "s7" in ids(undone.json())
    assert (await running.results())["s7"]["respondents"] == 1  # back with its answers


async def test_undo_goes_back_change_by_change(running: Any) -> None:
    original = await deck(running)
    added = await call(running, "POST", "/slides", {"version": 0, "kind": "info"})
    edited = await call(
        running, "PUT", "/slides/s1", {"version": 1, "text": "# Andere titel\nlayout: title"}
    )
    assert added.status_code == 201 and edited.status_code == 200
    first = await call(running, "POST", "/undo", {"version": 2})
    assert first.status_code == 200
    assert first.json()["slides"][0]["title"] != "Andere titel"
    assert len(first.json()["slides"]) == len(original["slides"]) + 1
    second = await call(running, "POST", "/undo", {"version": 3})
    assert second.status_code == 200
    assert [s["text"] for s in second.json()["slides"]] == [s["text"] for s in original["slides"]]
    assert second.json()["can_undo"] is False
    nothing = await call(running, "POST", "/undo", {"version": 4})
    assert nothing.status_code == 409 and "nothing to undo" in nothing.json()["detail"]


async def test_typing_in_one_slide_is_undone_as_one_change(running: Any) -> None:
    before = (await deck(running))["slides"][1]["text"]
    for version, word in enumerate(["Eén", "Eén twee", "Eén twee drie"]):
        text = f"# {word}\n\nTekst."
        response = await call(running, "PUT", "/slides/s2", {"version": version, "text": text})
        assert response.status_code == 200
    undone = await call(running, "POST", "/undo", {"version": 3})
    assert undone.json()["slides"][1]["text"] == before


async def test_the_kind_of_an_answered_slide_cannot_change(running: Any) -> None:
    await running.control("goto", "s7")
    token = await running.join()
    assert (await running.answer(token, "s7", "agree")).status_code == 200
    text = "# Vraag\nkind: choice\n\n- **A**\n- **B**"
    response = await call(running, "PUT", "/slides/s7", {"version": 0, "text": text})
    assert response.status_code == 422 and response.json()["line"] == 2
    form = {"kind": "choice", "title": "Vraag", "options": [{"label": "A"}, {"label": "B"}]}
    response = await call(running, "PUT", "/slides/s7/form", {"version": 0, **form})
    assert response.status_code == 422 and response.json()["field"] == "kind"


async def test_the_session_settings_are_edited_as_front_matter(running: Any) -> None:
    body = await deck(running)
    assert body["info"].startswith("title: ")
    text = "title: Nieuwe titel\nlanguage: fr"
    response = await call(running, "PUT", "/info", {"version": 0, "text": text})
    assert response.status_code == 200, response.text
    session = await running.service.sessions.get(running.code)
    assert (session.title, session.deck.info.language) == ("Nieuwe titel", "fr")
    bad = await call(running, "PUT", "/info", {"version": 1, "text": "title: x\nlanguage: de"})
    assert bad.status_code == 422 and bad.json()["line"] == 2


async def test_a_stranger_is_answered_as_for_an_unknown_code(running: Any) -> None:
    """Another's session gets exactly the unknown code's 404, so no account can list which
    codes exist; each such answer costs a failed lookup, so guessing runs out."""
    stranger = await running.service.access.create_api_token("stranger")
    headers = {"Authorization": f"Bearer {stranger}"}
    unknown = "00000000" if running.code != "00000000" else "00000001"
    requests = [
        ("GET", "/deck", None),
        ("GET", "/preview/s1", None),
        ("GET", "/deck.md", None),
        ("PUT", "/slides/s1", {"version": 0, "text": "# Weg"}),
        ("POST", "/undo", {"version": 0}),
    ]
    for method, path, body in requests:
        answers = [
            await running.client.request(method, f"/e/{code}{path}", json=body, headers=headers)
            for code in (running.code, unknown)
        ]
        theirs, none = answers
        assert theirs.status_code == none.status_code == 404, (path, theirs.text)
        assert theirs.content == none.content
        assert "Samenwerking" not in theirs.text
    page = await running.client.get(
        f"/e/{running.code}", headers={**headers, "Accept": "text/html"}
    )
    assert page.status_code == 404 and "Samenwerking" not in page.text
    assert (await deck(running))["version"] == 0
    for _ in range(LOOKUP_BURST):
        await running.client.get(f"/e/{running.code}/deck", headers=headers)
    guessed = await running.client.get(f"/e/{running.code}/deck", headers=headers)
    assert guessed.status_code == 429


async def test_a_cookie_signed_change_needs_the_csrf_header(running: Any) -> None:
    user = await running.service.store.ensure_user("facilitator")
    login = await running.service.access.create_login(user)
    running.client.cookies.set(LOGIN_COOKIE, login)
    running.client.cookies.set(CSRF_COOKIE, "csrf-value")
    path = f"/e/{running.code}/slides/s1"
    body = {"version": 0, "text": "# Welkom\nlayout: title"}
    refused = await running.client.put(path, json=body)
    assert refused.status_code == 403
    accepted = await running.client.put(path, json=body, headers={"X-CSRF-Token": "csrf-value"})
    assert accepted.status_code == 200, accepted.text


async def test_the_preview_is_the_projectors_slide(running: Any) -> None:
    response = await running.client.get(
        f"/e/{running.code}/preview/s7", headers=running.facilitator()
    )
    assert response.status_code == 200
    assert 'data-slide="s7"' in response.text and 'class="statement"' in response.text
    missing = await running.client.get(
        f"/e/{running.code}/preview/nope", headers=running.facilitator()
    )
    assert missing.status_code == 404


def test_every_new_slide_reads_back_into_the_same_text() -> None:
    for kind, text in NEW_SLIDES.items():
        slide = read_slide(text, "x")
        assert slide.kind == kind
        assert read_slide(slide_text(slide), "x") == slide


async def test_two_saves_of_the_same_version_at_once_one_wins(running: Any) -> None:
    texts = ["# Eerste\n\nA.", "# Tweede\n\nB."]
    responses = await asyncio.gather(
        *(call(running, "PUT", "/slides/s2", {"version": 0, "text": t}) for t in texts)
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    body = await deck(running)
    winner = next(r for r in responses if r.status_code == 200).json()
    assert body["version"] == 1 and body["slides"][1]["text"] == winner["slides"][1]["text"]


def test_session_settings_read_back_into_the_same_front_matter() -> None:
    info = SessionInfo(title="Dag ---", event="Denkdag: editie 2", venue=" Gent ", language="fr")
    assert read_info(info_text(info)) == info
    with pytest.raises(SlideTextError) as refused:
        read_info("---\ntitle: x")
    assert refused.value.line == 1


async def test_deleting_the_session_deletes_its_deck_versions(running: Any) -> None:
    response = await call(running, "PUT", "/slides/s2", {"version": 0, "text": "# Weg\n\nTekst."})
    assert response.status_code == 200
    count = select(func.count()).select_from(deck_revisions)
    async with running.service.store.reader.connect() as conn:
        assert (await conn.execute(count)).scalar_one() == 2
    await running.service.sessions.delete(await running.service.sessions.get(running.code))
    async with running.service.store.reader.connect() as conn:
        assert (await conn.execute(count)).scalar_one() == 0


async def test_a_form_is_saved_as_the_slides_text_and_an_error_names_its_field(
    running: Any,
) -> None:
    form = {
        "kind": "choice",
        "title": "Welke?",
        "text": "",
        "statement": "",
        "options": [{"label": "Netwerk", "description": "Met de buren"}, {"label": "Alleen"}],
        "settings": {"multiple": "yes"},
    }
    response = await call(running, "PUT", "/slides/s7/form", {"version": 0, **form})
    assert response.status_code == 200, response.text
    shown = next(s for s in response.json()["slides"] if s["id"] == "s7")
    assert shown["form"]["options"][0] == {"label": "Netwerk", "description": "Met de buren"}
    assert shown["text"].startswith("# Welke?\nkind: choice\nmultiple: yes")
    broken = {**form, "options": [{"label": "A"}, {"label": "A"}]}
    response = await call(running, "PUT", "/slides/s7/form", {"version": 1, **broken})
    assert response.status_code == 422 and response.json()["field"] == "options"
    stale = await call(running, "PUT", "/slides/s7/form", {"version": 0, **form})
    assert stale.status_code == 409 and stale.json()["conflict"] is True
