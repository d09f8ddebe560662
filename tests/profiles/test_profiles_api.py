"""Profile questions through the API and the phone's pages, on SQLite and PostgreSQL:
answer once (or skip), 422 for a bad option, and results by profile group with every
group under five hidden (also from subtraction)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def put_profile(profiled: Any, token: str, body: object) -> Any:
    return await profiled.client.put(
        f"/api/v1/sessions/{profiled.code}/profile", json=body, headers=bearer(token)
    )


async def test_a_participant_answers_the_profile_question_once(profiled: Any) -> None:
    token = await profiled.join()
    url = f"/api/v1/sessions/{profiled.code}/profile"
    before = (await profiled.client.get(url, headers=bearer(token))).json()
    assert before["answered"] is False and before["answers"] == {}
    question = before["questions"][0]
    assert question["id"] == "p1" and question["text"] == "Ik werk in"
    assert [o["id"] for o in question["options"]][-2:] == ["ocmw", "andere"]
    stored = await put_profile(profiled, token, {"answers": {"p1": "ocmw"}})
    assert stored.status_code == 200, stored.text
    assert stored.json()["answered"] is True and stored.json()["answers"] == {"p1": "ocmw"}
    changed = await put_profile(profiled, token, {"answers": {"p1": None}})
    assert changed.json()["answers"] == {"p1": None}


async def test_skipping_stores_not_said(profiled: Any) -> None:
    token = await profiled.join()
    skipped = await put_profile(profiled, token, {})
    assert skipped.status_code == 200 and skipped.json() == {
        **skipped.json(),
        "answered": True,
        "answers": {"p1": None},
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"answers": {"p1": "kerk"}}, "'kerk' is not an option of profile question p1"),
        ({"answers": {"p7": "school"}}, "no profile question 'p7'"),
        ({"answers": {"p1": 5}}, ""),
        ({"answers": ["school"]}, ""),
        ({"school": True}, ""),
    ],
)
async def test_a_bad_answer_is_refused_with_a_reason(
    profiled: Any, body: object, reason: str
) -> None:
    token = await profiled.join()
    refused = await put_profile(profiled, token, body)
    assert refused.status_code == 422, refused.text
    assert reason in refused.json()["detail"]
    url = f"/api/v1/sessions/{profiled.code}/profile"
    assert (await profiled.client.get(url, headers=bearer(token))).json()["answered"] is False


async def test_only_a_participant_of_the_session_answers(running: Any, profiled: Any) -> None:
    url = f"/api/v1/sessions/{profiled.code}/profile"
    assert (await profiled.client.put(url, json={})).status_code == 403
    other = await profiled.client.post(f"/api/v1/sessions/{running.code}/participants")
    token = other.json()["participant_token"]
    assert (await profiled.client.put(url, json={}, headers=bearer(token))).status_code == 403
    assert (
        await profiled.client.put("/api/v1/sessions/ZZZZZZ/profile", json={})
    ).status_code == 404


async def test_a_session_without_questions_refuses_answers(running: Any) -> None:
    token = await running.join()
    refused = await running.client.put(
        f"/api/v1/sessions/{running.code}/profile", json={}, headers=bearer(token)
    )
    assert refused.status_code == 422
    assert "asks no profile questions" in refused.json()["detail"]


async def vote_room(profiled: Any, room: dict[str | None, list[str]]) -> None:
    """Each entry: participants of that profile option (None: skipped) and their votes."""
    await profiled.control("goto", "stelling")
    for option, votes in room.items():
        for vote in votes:
            token = await profiled.join()
            answers = {} if option is None else {"answers": {"p1": option}}
            assert (await put_profile(profiled, token, answers)).status_code == 200
            assert (await profiled.answer(token, "stelling", vote)).status_code == 200


ROOM: dict[str | None, list[str]] = {
    "bibliotheek": ["agree"] * 5 + ["disagree"] * 2,
    "school": ["agree"] * 2 + ["disagree"] * 3 + ["pass"],
    "ocmw": ["disagree", "disagree"],
    None: ["agree", "agree", "pass"],
}


async def test_results_by_profile_hide_groups_under_five(profiled: Any) -> None:
    await vote_room(profiled, ROOM)
    url = f"/api/v1/sessions/{profiled.code}/results?by=p1"
    document = (await profiled.client.get(url, headers=profiled.facilitator())).json()
    breakdown = document["breakdown"]
    assert breakdown["participants"] == 18
    assert [(g["id"], g["count"]) for g in breakdown["groups"]] == [
        ("bibliotheek", 7),
        ("school", 6),
    ]
    assert breakdown["other"] == 5  # OCMW (2) and the 3 who skipped, together
    statement = breakdown["slides"]["stelling"]
    groups = {g["id"]: g for g in statement["groups"]}
    assert set(groups) == {"bibliotheek", "school"}
    assert groups["bibliotheek"]["counts"] == {"agree": 5, "disagree": 2, "pass": 0}
    assert groups["school"]["percentages"] == {"agree": 33, "disagree": 50, "pass": 17}
    assert statement["other"]["respondents"] == 5
    assert "ocmw" not in repr(statement)
    total = next(s for s in document["slides"] if s["id"] == "stelling")
    derived = {
        key: total["counts"][key] - sum(g["counts"][key] for g in groups.values())
        for key in total["counts"]
    }
    # Subtracting the shown groups from the total gives the mix of OCMW and the skippers
    # (five people), never OCMW's own two votes.
    assert derived == statement["other"]["counts"] == {"agree": 2, "disagree": 2, "pass": 1}
    assert breakdown["slides"]["keuze"]["groups"] == []  # nobody answered the choice yet


async def test_a_lone_small_group_takes_another_with_it(profiled: Any) -> None:
    await vote_room(
        profiled,
        {"bibliotheek": ["agree"] * 8, "school": ["agree"] * 5, "ocmw": ["disagree"] * 2},
    )
    url = f"/api/v1/sessions/{profiled.code}/results?by=p1"
    breakdown = (await profiled.client.get(url, headers=profiled.facilitator())).json()["breakdown"]
    statement = breakdown["slides"]["stelling"]
    assert [g["id"] for g in statement["groups"]] == ["bibliotheek"]
    assert statement["other"]["respondents"] == 7  # school and OCMW: OCMW not derivable


async def test_results_by_need_the_facilitator_and_a_known_question(profiled: Any) -> None:
    url = f"/api/v1/sessions/{profiled.code}/results?by=p1"
    token = await profiled.join()
    assert (await profiled.client.get(url)).status_code == 403
    assert (await profiled.client.get(url, headers=bearer(token))).status_code == 403
    unknown = await profiled.client.get(
        f"/api/v1/sessions/{profiled.code}/results?by=p5", headers=profiled.facilitator()
    )
    assert unknown.status_code == 404 and "no profile question 'p5'" in unknown.json()["detail"]
    plain = await profiled.client.get(
        f"/api/v1/sessions/{profiled.code}/results", headers=profiled.facilitator()
    )
    assert plain.json().get("breakdown") is None


async def test_the_phone_asks_first_and_works_as_a_plain_form(profiled: Any) -> None:
    client = profiled.client
    joined = await client.get(f"/j/{profiled.code}")
    csrf = joined.text.split('name="csrf_token" value="')[1].split('"')[0]
    await client.post(f"/j/{profiled.code}/join", data={"csrf_token": csrf})
    page = await client.get(f"/j/{profiled.code}")
    assert page.status_code == 200 and "Ik werk in" in page.text
    assert 'name="p1" value="ocmw"' in page.text and 'name="skip"' in page.text
    bad = await client.post(f"/j/{profiled.code}/profile", data={"csrf_token": csrf, "p1": "kerk"})
    assert bad.status_code == 422 and "kerk" in bad.text
    done = await client.post(
        f"/j/{profiled.code}/profile", data={"csrf_token": csrf, "p1": "school"}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/j/{profiled.code}"
    after = await client.get(f"/j/{profiled.code}")
    assert 'id="slide-host"' in after.text and 'name="p1"' not in after.text


async def test_skipping_on_the_phone_moves_on(profiled: Any) -> None:
    client = profiled.client
    joined = await client.get(f"/j/{profiled.code}")
    csrf = joined.text.split('name="csrf_token" value="')[1].split('"')[0]
    await client.post(f"/j/{profiled.code}/join", data={"csrf_token": csrf})
    skipped = await client.post(
        f"/j/{profiled.code}/profile", data={"csrf_token": csrf, "p1": "ocmw", "skip": "yes"}
    )
    assert skipped.status_code == 303
    assert 'id="slide-host"' in (await client.get(f"/j/{profiled.code}")).text
    no_csrf = await client.post(f"/j/{profiled.code}/profile", data={"p1": "ocmw"})
    assert no_csrf.status_code == 403
