"""The events API, on SQLite and with `--database postgresql`: events, their
sessions, rooms and facilitators, the logo, the dashboard and the side-by-side view; and
the refusals: wrong roles, other organisers, bad colours and files."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from harness.events import PNG, Cast
from harness.images import bomb_png, jpeg_with_gps

pytestmark = pytest.mark.anyio

STATEMENT_DECK = """---
title: {title}
---

# Akkoord of niet akkoord?
kind: statement

> {statement}
"""


def deck(title: str, statement: str = "Samenwerking biedt een meerwaarde.") -> str:
    return STATEMENT_DECK.format(title=title, statement=statement)


async def test_an_organiser_creates_an_event_with_a_plenary_and_working_sessions(
    cast: Cast,
) -> None:
    event = await cast.event(primary_colour="#0A7", secondary_colour="14213D")
    code = event["code"]
    assert event["primary_colour"] == "#00aa77" and event["secondary_colour"] == "#14213d"
    assert event["date"] == "2018-05-17" and event["sessions"] == []
    plenary = await cast.room(code, role="plenary", title="Welkom", room="Grote zaal")
    one = await cast.room(code, deck=deck("Werksessie 1"), room="Zaal 1", facilitator="fien")
    two = await cast.room(code, deck=deck("Werksessie 2"), room="Zaal 2", facilitator="finn")
    assert plenary["role"] == "plenary" and plenary["facilitator"] is None
    assert one["facilitator"] == "fien" and one["code"] != two["code"]

    public = (await cast.client.get(f"/api/v1/events/{code.lower()}")).json()
    assert [s["role"] for s in public["sessions"]] == ["plenary", "working", "working"]
    assert [s["room"] for s in public["sessions"]] == ["Grote zaal", "Zaal 1", "Zaal 2"]
    assert all("facilitator" not in s for s in public["sessions"])  # names stay private

    # The assigned facilitator runs their session through the co-facilitator rows …
    drive = await cast.call(
        "fien", "POST", f"/api/v1/sessions/{one['code']}/control", json={"action": "open"}
    )
    assert drive.status_code == 200, drive.text
    # … and nothing else: not the other room, not the event.
    for method, url in [
        ("GET", f"/api/v1/sessions/{two['code']}/results"),
        ("GET", f"/api/v1/events/{code}/dashboard"),
        ("GET", f"/api/v1/events/{code}/shared"),
        ("GET", f"/api/v1/events/{code}/sessions"),
    ]:
        refused = await cast.call("fien", method, url)
        assert refused.status_code == 403, (url, refused.text)
        assert "Werksessie" not in refused.text and "Zaal" not in refused.text

    listed = await cast.call("olga", "GET", f"/api/v1/events/{code}/sessions")
    assert [s["facilitator"] for s in listed.json()] == [None, "fien", "finn"]
    mine = await cast.call("olga", "GET", "/api/v1/events")
    assert [e["code"] for e in mine.json()] == [code]


async def test_reassigning_moves_the_access_and_taking_out_removes_it(cast: Cast) -> None:
    code = (await cast.event())["code"]
    room = await cast.room(code, title="Werksessie", facilitator="fien")
    url = f"/api/v1/sessions/{room['code']}/results"
    assert (await cast.call("fien", "GET", url)).status_code == 200
    changed = await cast.call(
        "olga",
        "PATCH",
        f"/api/v1/events/{code}/sessions/{room['code']}",
        json={"facilitator": "finn", "room": "  Zaal   3 "},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["room"] == "Zaal 3" and changed.json()["facilitator"] == "finn"
    assert (await cast.call("fien", "GET", url)).status_code == 403
    assert (await cast.call("finn", "GET", url)).status_code == 200
    # The room's name changes without touching the assignment.
    renamed = await cast.call(
        "olga", "PATCH", f"/api/v1/events/{code}/sessions/{room['code']}", json={"room": "B"}
    )
    assert renamed.json()["facilitator"] == "finn"
    gone = await cast.call("olga", "DELETE", f"/api/v1/events/{code}/sessions/{room['code']}")
    assert gone.status_code == 204
    assert (await cast.call("finn", "GET", url)).status_code == 403
    assert (await cast.call("olga", "GET", url)).status_code == 200  # the session stays hers


async def test_an_existing_session_of_ones_own_can_be_added_not_anothers(cast: Cast) -> None:
    code = (await cast.event())["code"]
    seed = cast.running.code  # owned by "facilitator"
    refused = await cast.call(
        "olga", "POST", f"/api/v1/events/{code}/sessions", json={"session": seed}
    )
    assert refused.status_code == 403
    own = await cast.room((await cast.event("oscar"))["code"], "oscar", title="Van Oscar")
    taken = await cast.call(
        "olga", "POST", f"/api/v1/events/{code}/sessions", json={"session": own["code"]}
    )
    assert taken.status_code == 403 and "Van Oscar" not in taken.text

    # Olga's own session, in one event only.
    other = (await cast.event(title="Tweede dag"))["code"]
    made = await cast.room(other, title="Hergebruik")
    again = await cast.call(
        "olga", "POST", f"/api/v1/events/{code}/sessions", json={"session": made["code"]}
    )
    assert again.status_code == 422 and "in an event already" in again.json()["detail"]
    await cast.call("olga", "DELETE", f"/api/v1/events/{other}/sessions/{made['code']}")
    moved = await cast.room(code, session=made["code"], role="plenary", room="Aula")
    assert moved["role"] == "plenary" and moved["title"] == "Hergebruik"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"title": "Dag", "primary_colour": "red"}, "main colour 'red' is not a colour"),
        ({"title": "Dag", "secondary_colour": "#12345"}, "#RRGGBB"),
        ({"title": "   "}, "title"),
        ({"title": "Dag", "date": "17 mei"}, "YYYY-MM-DD"),
        ({"title": "x" * 201}, "longer than 200"),
        ({"title": "Dag", "venue": "a\u0000b"}, "cannot be shown"),
    ],
)
async def test_bad_fields_are_refused_with_a_reason(
    cast: Cast, body: dict[str, str], reason: str
) -> None:
    response = await cast.call("olga", "POST", "/api/v1/events", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


async def test_roles_a_facilitator_creates_no_event_an_administrator_may(cast: Cast) -> None:
    refused = await cast.call("fien", "POST", "/api/v1/events", json={"title": "Mijn dag"})
    assert refused.status_code == 403 and "organisers" in refused.json()["detail"]
    assert (await cast.call("fien", "GET", "/api/v1/events")).status_code == 403
    anonymous = await cast.client.post("/api/v1/events", json={"title": "Dag"})
    assert anonymous.status_code == 403
    assert (await cast.event("ada"))["title"] == "Denkdag 2018"


async def test_another_organiser_and_an_administrator_see_nothing_of_an_event(
    cast: Cast,
) -> None:
    code = (await cast.event(title="Geheime denkdag"))["code"]
    room = await cast.room(code, deck=deck("Werksessie geheim"), room="Zaal X")
    event_paths = [
        ("GET", f"/api/v1/events/{code}/dashboard", None),
        ("GET", f"/api/v1/events/{code}/shared", None),
        ("GET", f"/api/v1/events/{code}/sessions", None),
        ("PATCH", f"/api/v1/events/{code}", {"title": "Overgenomen"}),
        ("DELETE", f"/api/v1/events/{code}", None),
        ("PUT", f"/api/v1/events/{code}/logo", None),
        ("DELETE", f"/api/v1/events/{code}/logo", None),
        ("POST", f"/api/v1/events/{code}/sessions", {"title": "Indringer"}),
        ("PATCH", f"/api/v1/events/{code}/sessions/{room['code']}", {"room": "Weg"}),
        ("DELETE", f"/api/v1/events/{code}/sessions/{room['code']}", None),
        ("PUT", f"/api/v1/events/{code}/sessions/{room['code']}/slides/s1/link", {"label": "x"}),
    ]
    for name in ("oscar", "ada", "fien"):
        for method, url, body in event_paths:
            kw = {"json": body} if body is not None else {"content": PNG}
            response = await cast.call(name, method, url, **kw)
            assert response.status_code == 403, (name, method, url, response.text)
            assert "geheim" not in response.text.lower() and "Zaal X" not in response.text
    after = await cast.call("olga", "GET", f"/api/v1/events/{code}/sessions")
    assert [s["room"] for s in after.json()] == ["Zaal X"]
    # Unknown events are 404 for everybody, with nothing in them either.
    assert (await cast.call("olga", "GET", "/api/v1/events/ZZZZZZ/dashboard")).status_code == 404


async def test_only_one_plenary_and_only_known_facilitators(cast: Cast) -> None:
    code = (await cast.event())["code"]
    await cast.room(code, role="plenary", title="Plenair")
    second = await cast.call(
        "olga", "POST", f"/api/v1/events/{code}/sessions", json={"role": "plenary"}
    )
    assert second.status_code == 422 and "plenary already" in second.json()["detail"]
    unknown = await cast.call(
        "olga", "POST", f"/api/v1/events/{code}/sessions", json={"facilitator": "nobody"}
    )
    assert unknown.status_code == 422 and "nobody" in unknown.json()["detail"]
    broken = await cast.call(
        "olga",
        "POST",
        f"/api/v1/events/{code}/sessions",
        json={"deck": "---\ntitle: X\n---\n# Vraag\nkind: choice\n\n- **Eén**\n"},
    )
    assert broken.status_code == 422 and broken.json()["detail"].startswith("deck:")
    # Nothing was made by the refused requests.
    assert len((await cast.call("olga", "GET", f"/api/v1/events/{code}/sessions")).json()) == 1


async def test_the_logo_is_checked_by_its_bytes_and_served_with_caching(cast: Cast) -> None:
    code = (await cast.event())["code"]
    url = f"/api/v1/events/{code}/logo"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = await cast.call(
        "olga", "PUT", url, content=svg, headers={"content-type": "image/png"}
    )
    assert refused.status_code == 422 and "SVG" in refused.json()["detail"]
    html = await cast.call(
        "olga", "PUT", url, content=b"<html>", headers={"content-type": "image/png"}
    )
    assert html.status_code == 422 and "PNG, JPEG or WebP" in html.json()["detail"]
    big = PNG + b"\x00" * (1024 * 1024)
    too_big = await cast.call("olga", "PUT", url, content=big)
    assert too_big.status_code == 422 and "1 MB" in too_big.json()["detail"]
    huge = await cast.call("olga", "PUT", url, content=big * 2)
    assert huge.status_code == 413

    stored = await cast.call(
        "olga", "PUT", url, content=PNG, headers={"content-type": "text/plain"}
    )
    assert stored.status_code == 200, stored.text
    logo = stored.json()["logo"]
    assert logo.startswith(f"/ev/{code}/logo?v=")
    served = await cast.client.get(logo)
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(served.content)).size == Image.open(io.BytesIO(PNG)).size
    assert served.headers["content-type"] == "image/png"
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    again = await cast.client.get(logo, headers={"if-none-match": served.headers["etag"]})
    assert again.status_code == 304
    unversioned = await cast.client.get(f"/ev/{code}/logo")
    assert "immutable" not in unversioned.headers["cache-control"]

    assert (await cast.call("olga", "DELETE", url)).json()["logo"] is None
    assert (await cast.client.get(logo)).status_code == 404


async def test_logos_go_through_the_slide_images_pipeline(cast: Cast) -> None:
    """A 400-megapixel PNG is refused with a sentence; a photo's EXIF and GPS are dropped."""
    code = (await cast.event())["code"]
    url = f"/api/v1/events/{code}/logo"
    bomb = await cast.call("olga", "PUT", url, content=bomb_png(20_000, 20_000))
    assert bomb.status_code == 422
    assert "pixels" in bomb.json()["detail"]
    assert (await cast.call("olga", "GET", f"/api/v1/events/{code}")).json()["logo"] is None
    stored = await cast.call("olga", "PUT", url, content=jpeg_with_gps())
    assert stored.status_code == 200, stored.text
    served = (await cast.client.get(stored.json()["logo"])).content
    assert served.startswith(b"\xff\xd8\xff") and b"CameraMaker" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert not image.getexif()
        assert "comment" not in image.info


async def test_branding_reaches_the_phone_and_presenter_pages(cast: Cast) -> None:
    code = (await cast.event(primary_colour="#ffff00"))["code"]
    await cast.call("olga", "PUT", f"/api/v1/events/{code}/logo", content=PNG)
    room = await cast.room(code, title="Werksessie", room="Zaal 1")
    page = await cast.client.get(f"/j/{room['code']}")
    assert f"/ev/{code}/brand.css?v=ffff0014213d" in page.text
    assert f"/ev/{code}/logo?v=" in page.text and "Denkdag 2018" in page.text
    css = await cast.client.get(f"/ev/{code}/brand.css?v=ffff0014213d")
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand-primary: #ffff00;" in css.text
    assert "--accent: #ffff00;" not in css.text  # too pale for text on white: darkened
    # A session outside any event keeps the Denkdag look.
    plain = await cast.client.get(f"/j/{cast.running.code}")
    assert "brand.css" not in plain.text


async def _answer(cast: Cast, code: str, values: list[str]) -> None:
    await cast.call(
        "olga", "POST", f"/api/v1/sessions/{code}/control", json={"action": "goto", "slide": "s1"}
    )
    for value in values:
        joined = await cast.client.post(f"/api/v1/sessions/{code}/participants")
        token = joined.json()["participant_token"]
        answered = await cast.client.put(
            f"/api/v1/sessions/{code}/slides/s1/response",
            json={"value": value},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answered.status_code == 200, answered.text


async def test_dashboard_shows_each_rooms_state_and_side_by_side_adds_up(cast: Cast) -> None:
    code = (await cast.event())["code"]
    one = await cast.room(code, deck=deck("Werksessie 1", "“Samen  sterker”."), room="Zaal 1")
    two = await cast.room(code, deck=deck("Werksessie 2", "samen sterker"), room="Zaal 2")
    three = await cast.room(code, deck=deck("Werksessie 3", "Iets anders"), room="Zaal 3")
    await _answer(cast, one["code"], ["agree", "agree", "disagree"])
    await _answer(cast, two["code"], ["disagree", "pass"])
    await cast.call(
        "olga", "POST", f"/api/v1/sessions/{three['code']}/control", json={"action": "close"}
    )

    board = (await cast.call("olga", "GET", f"/api/v1/events/{code}/dashboard")).json()
    rooms = {s["room"]: s for s in board["sessions"]}
    assert rooms["Zaal 1"]["joined"] == 3 and rooms["Zaal 1"]["answers"] == 3
    assert rooms["Zaal 1"]["slide"]["title"] == "Akkoord of niet akkoord?"
    assert rooms["Zaal 1"]["open"] is True and rooms["Zaal 3"]["open"] is False
    assert rooms["Zaal 2"]["answers"] == 2 and rooms["Zaal 3"]["answers"] == 0

    shared = (await cast.call("olga", "GET", f"/api/v1/events/{code}/shared")).json()
    [question] = shared["questions"]
    assert question["kind"] == "statement" and not question["linked"]
    assert [r["room"] for r in question["rooms"]] == ["Zaal 1", "Zaal 2"]
    assert question["rooms"][0]["counts"] == {"agree": 2, "disagree": 1, "pass": 0}
    assert question["rooms"][0]["percentages"] == {"agree": 67, "disagree": 33, "pass": 0}
    assert question["overall"]["respondents"] == 5
    assert question["overall"]["counts"] == {"agree": 2, "disagree": 2, "pass": 1}
    assert question["overall"]["percentages"] == {"agree": 40, "disagree": 40, "pass": 20}

    # Linking Zaal 3's different text brings it in.
    for room in (one, two, three):
        linked = await cast.call(
            "olga",
            "PUT",
            f"/api/v1/events/{code}/sessions/{room['code']}/slides/s1/link",
            json={"label": "Samen"},
        )
        assert linked.status_code == 200, linked.text
    [question] = (await cast.call("olga", "GET", f"/api/v1/events/{code}/shared")).json()[
        "questions"
    ]
    assert question["linked"] and len(question["rooms"]) == 3
    bad = await cast.call(
        "olga",
        "PUT",
        f"/api/v1/events/{code}/sessions/{one['code']}/slides/nope/link",
        json={"label": "x"},
    )
    assert bad.status_code == 404


async def test_deleting_an_event_keeps_its_sessions_and_ends_assignments(cast: Cast) -> None:
    code = (await cast.event())["code"]
    room = await cast.room(code, title="Blijft", facilitator="fien")
    assert (await cast.call("olga", "DELETE", f"/api/v1/events/{code}")).status_code == 204
    assert (await cast.client.get(f"/api/v1/events/{code}")).status_code == 404
    results = f"/api/v1/sessions/{room['code']}/results"
    assert (await cast.call("olga", "GET", results)).status_code == 200
    assert (await cast.call("fien", "GET", results)).status_code == 403


async def test_the_events_api_is_in_the_openapi_description(cast: Cast) -> None:
    document = (await cast.client.get("/api/v1/openapi.json")).json()
    for path in [
        "/api/v1/events",
        "/api/v1/events/{event_code}",
        "/api/v1/events/{event_code}/logo",
        "/api/v1/events/{event_code}/sessions",
        "/api/v1/events/{event_code}/sessions/{session_code}",
        "/api/v1/events/{event_code}/dashboard",
        "/api/v1/events/{event_code}/shared",
    ]:
        assert path in document["paths"], path
