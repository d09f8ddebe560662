"""The JSON API against a real database: join, answer, change, refuse, never 500."""

from __future__ import annotations

import pytest

from denkdag.formats.deck import parse_deck
from denkdag.formats.export_json import results_document
from denkdag.storage import open_store
from harness.decks import MULTI_DECK

pytestmark = pytest.mark.anyio


async def test_session_as_participants_see_it(running) -> None:
    response = await running.client.get(f"/api/v1/sessions/{running.code}")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == running.code
    assert data["title"] == "Werksessie 1: Samenwerking"
    assert [s["kind"] for s in data["slides"]][:4] == ["info", "info", "info", "choice"]
    choice = data["slides"][3]
    assert [o["label"] for o in choice["options"]] == [
        "1. Informele kennis- en ervaringsuitwisseling",
        "2. Permanente samenwerking",
        "3. Regiobibliotheek",
    ]
    assert data["current_slide"] == "s1"
    assert data["open_slides"] == []
    assert data["revealed"] == {}


async def test_unknown_code_is_404_with_a_sentence(running) -> None:
    response = await running.client.get("/api/v1/sessions/00000000")
    assert response.status_code == 404
    assert "join code" in response.json()["detail"]
    joined = await running.client.post("/api/v1/sessions/00000000/participants")
    assert joined.status_code == 404


async def test_join_answer_change_and_count(running) -> None:
    token = await running.join()
    assert (await running.control("goto", "s4")).status_code == 200
    first = await running.answer(token, "s4", "a")
    assert first.status_code == 200
    assert first.json() == {"slide": "s4", "value": "a"}
    second = await running.answer(token, "s4", "c")
    assert second.status_code == 200
    results = await running.results()
    assert results["s4"]["respondents"] == 1
    assert results["s4"]["counts"] == {"a": 0, "b": 0, "c": 1}


async def test_many_participants_exact_counts(running) -> None:
    await running.control("goto", "s7")
    tokens = [await running.join() for _ in range(12)]
    stances = ["agree"] * 7 + ["disagree"] * 4 + ["pass"]
    for token, stance in zip(tokens, stances, strict=True):
        assert (await running.answer(token, "s7", stance)).status_code == 200
    results = await running.results()
    assert results["s7"]["respondents"] == 12
    assert results["s7"]["counts"] == {"agree": 7, "disagree": 4, "pass": 1}


async def test_closed_slide_refused_with_409(running) -> None:
    token = await running.join()
    not_yet = await running.answer(token, "s4", "a")
    assert not_yet.status_code == 409
    await running.control("goto", "s4")
    await running.control("close")
    closed = await running.answer(token, "s4", "a")
    assert closed.status_code == 409
    assert closed.json()["detail"] == "Voting on this slide is closed."
    await running.control("open")
    assert (await running.answer(token, "s4", "a")).status_code == 200


async def test_information_slide_refuses_answers(running) -> None:
    token = await running.join()
    response = await running.answer(token, "s1", "a")
    assert response.status_code == 409
    assert "information" in response.json()["detail"]


@pytest.mark.parametrize(
    ("slide", "value"),
    [
        ("s4", "z"),
        ("s4", ["a"]),
        ("s4", 1),
        ("s4", None),
        ("s4", {"a": 1}),
        ("s7", "maybe"),
        ("s7", ["agree"]),
        ("s7", True),
    ],
)
async def test_value_the_slide_does_not_accept_is_422(running, slide, value) -> None:
    token = await running.join()
    await running.control("goto", slide)
    response = await running.answer(token, slide, value)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_unknown_slide_is_404(running) -> None:
    token = await running.join()
    response = await running.answer(token, "nope", "a")
    assert response.status_code == 404


async def test_answer_needs_the_sessions_own_participant_token(running) -> None:
    await running.control("goto", "s4")
    no_token = await running.client.put(
        f"/api/v1/sessions/{running.code}/slides/s4/response", json={"value": "a"}
    )
    assert no_token.status_code == 403
    bogus = await running.answer("not-a-token", "s4", "a")
    assert bogus.status_code == 403
    other = await running.service.sessions.create(
        parse_deck(MULTI_DECK), (await running.service.store.ensure_user("x")).id
    )
    stranger = await running.client.post(f"/api/v1/sessions/{other.code}/participants")
    token = stranger.json()["participant_token"]
    crossed = await running.answer(token, "s4", "a")
    assert crossed.status_code == 403


async def test_multiple_choice(running) -> None:
    user = await running.service.store.ensure_user("facilitator")
    session = await running.service.sessions.create(parse_deck(MULTI_DECK), user.id)
    running.code = session.code
    token = await running.join()
    assert (await running.answer(token, "s1", ["c", "a"])).json()["value"] == ["a", "c"]
    assert (await running.answer(token, "s1", ["a", "a"])).status_code == 422
    assert (await running.answer(token, "s1", [])).status_code == 422
    other = await running.join()
    assert (await running.answer(other, "s1", "b")).json()["value"] == ["b"]
    results = await running.results()
    assert results["s1"]["respondents"] == 2
    assert results["s1"]["counts"] == {"a": 1, "b": 1, "c": 1}


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b'{"value":', {"content-type": "application/json"}, 400),
        (b"not json at all", {"content-type": "application/json"}, 400),
        (b"[1, 2, 3]", {"content-type": "application/json"}, 422),
        (b'"a"', {"content-type": "application/json"}, 422),
        (b"{}", {"content-type": "application/json"}, 422),
        (b'{"value": "a", "extra": 1}', {"content-type": "application/json"}, 422),
        (b"", {"content-type": "application/json"}, 400),
        (b"\xff\xfe\x00", {"content-type": "application/json"}, 400),
        (b'{"value": "' + b"x" * 100_000 + b'"}', {"content-type": "application/json"}, 413),
        (b"[" * 5000 + b"]" * 5000, {"content-type": "application/json"}, 400),
    ],
)
async def test_garbled_bodies_get_a_4xx_with_a_sentence(running, content, headers, status) -> None:
    token = await running.join()
    await running.control("goto", "s4")
    response = await running.client.put(
        f"/api/v1/sessions/{running.code}/slides/s4/response",
        content=content,
        headers={**headers, "Authorization": f"Bearer {token}"},
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.status_code == status, response.text
    assert isinstance(response.json()["detail"], str)


async def test_control_needs_the_sessions_facilitator(running) -> None:
    anonymous = await running.client.post(
        f"/api/v1/sessions/{running.code}/control", json={"action": "next"}
    )
    assert anonymous.status_code == 403
    other = await running.service.access.create_api_token("someone-else")
    refused = await running.client.post(
        f"/api/v1/sessions/{running.code}/control",
        json={"action": "next"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403
    results = await running.client.get(
        f"/api/v1/sessions/{running.code}/results", headers={"Authorization": f"Bearer {other}"}
    )
    assert results.status_code == 403
    state = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert state["current_slide"] == "s1"


async def test_control_actions(running) -> None:
    assert (await running.control("next")).json()["current_slide"] == "s2"
    done = (await running.control("goto", "s7")).json()
    assert done["current_slide"] == "s7" and "s7" in done["open_slides"]
    assert "s7" in done["revealed"]
    assert "s7" not in (await running.control("hide")).json()["revealed"]
    assert "s7" not in (await running.control("close")).json()["open_slides"]
    bad = await running.control("explode")
    assert bad.status_code == 422
    unknown = await running.control("goto", "s99")
    assert unknown.status_code == 404
    await running.control("goto", "s1")
    info = await running.control("open")
    assert info.status_code == 409


async def test_revealed_tallies_in_the_public_view(running) -> None:
    token = await running.join()
    await running.control("goto", "s4")
    await running.answer(token, "s4", "b")
    data = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert data["revealed"]["s4"]["counts"] == {"a": 0, "b": 1, "c": 0}
    await running.control("hide")
    data = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert "s4" not in data["revealed"]


async def test_acknowledged_answer_is_in_the_database(running, database_url) -> None:
    token = await running.join()
    await running.control("goto", "s8")
    assert (await running.answer(token, "s8", "disagree")).status_code == 200
    store = await open_store(database_url)
    try:
        session = await store.session_by_code(running.code)
        assert session is not None
        assert await store.slide_answers(session.id, "s8") == ["disagree"]
    finally:
        await store.close()


async def test_openapi_names_every_endpoint(running) -> None:
    spec = (await running.client.get("/api/v1/openapi.json")).json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/sessions/{code}",
        "/api/v1/sessions/{code}/participants",
        "/api/v1/sessions/{code}/slides/{slide_id}/response",
        "/api/v1/sessions/{code}/results",
        "/api/v1/sessions/{code}/control",
        "/api/v1/sessions/{code}/events",
    } <= paths


async def test_security_headers(running) -> None:
    response = await running.client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_json_replies_get_the_api_policy(running) -> None:
    """A JSON reply is no page: its CSP loads nothing, with the same framing rule."""
    reply = await running.client.get(f"/api/v1/sessions/{running.code}")
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["x-content-type-options"] == "nosniff"
    missing = await running.client.get("/api/v1/sessions/00000000")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == reply.headers["content-security-policy"]


async def test_unknown_api_path_is_json_404(running) -> None:
    response = await running.client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["detail"]


async def test_results_show_each_slide_as_the_json_export_does(running) -> None:
    """The results endpoint and the JSON export build a slide's entry in one place
    (domain/views.result_view): the same fields, options and statement included."""
    token = await running.join()
    await running.control("goto", "s4")
    assert (await running.answer(token, "s4", "b")).status_code == 200
    response = await running.client.get(
        f"/api/v1/sessions/{running.code}/results", headers=running.facilitator()
    )
    assert response.status_code == 200
    shown = response.json()["slides"]
    session = await running.service.sessions.get(running.code)
    tallies = await running.service.results.of_session(session)
    exported = results_document(session, tallies, 1)["slides"]
    plain = [s for s in exported if s["kind"] != "wordcloud"]
    assert [s for s in shown if s["kind"] != "wordcloud"] == plain
    choice = next(s for s in shown if s["id"] == "s4")
    assert [o["id"] for o in choice["options"]] == ["a", "b", "c"]
    assert choice["counts"]["b"] == 1
