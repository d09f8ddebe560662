"""Statement rounds through the JSON API (SQLite, or PostgreSQL with `--database
postgresql`): writing, moderating, voting one statement at a time, good and bad input, the
live `statements` event, the opinion map, the report, the exports and deletion."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from denkdag.domain.kinds.statement_round import seed_id
from denkdag.formats.deck import write_deck
from denkdag.storage.tables import round_statements, round_votes

pytestmark = pytest.mark.anyio

SEEDS = (
    "Libraries should open in the evenings.",
    "Every town deserves its own library.",
    "Digital lending matters more than books.",
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Room:
    """The statement-round session's URLs and calls, for one test."""

    def __init__(self, running: Any) -> None:
        self.running = running
        self.client: httpx.AsyncClient = running.client
        self.code: str = running.code

    def url(self, slide: str = "round", tail: str = "") -> str:
        return f"/api/v1/sessions/{self.code}/slides/{slide}/statements{tail}"

    async def join(self, count: int = 1) -> list[str]:
        return [await self.running.join() for _ in range(count)]

    async def goto(self, slide: str = "round") -> None:
        assert (await self.running.control("goto", slide)).status_code == 200

    async def write(self, token: str, text: Any, slide: str = "round") -> httpx.Response:
        return await self.client.post(self.url(slide), json={"text": text}, headers=bearer(token))

    async def vote(
        self, token: str, statement: str, value: Any, slide: str = "round"
    ) -> httpx.Response:
        return await self.client.put(
            self.url(slide, f"/{statement}/vote"), json={"value": value}, headers=bearer(token)
        )

    async def next(self, token: str, slide: str = "round") -> dict[str, Any]:
        response = await self.client.get(self.url(slide, "/next"), headers=bearer(token))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def moderate(self, statement: str, status: str, slide: str = "round") -> httpx.Response:
        return await self.client.patch(
            self.url(slide, f"/{statement}"),
            json={"status": status},
            headers=self.running.facilitator(),
        )

    async def listing(self, token: str | None = None, slide: str = "round") -> dict[str, Any]:
        headers = bearer(token) if token else self.running.facilitator()
        response = await self.client.get(self.url(slide), headers=headers)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


@pytest.fixture
def room(rounds: Any) -> Room:
    return Room(rounds)


async def test_write_approve_and_vote_one_at_a_time(room: Room) -> None:
    await room.goto()
    alice, bob = await room.join(2)
    written = await room.write(alice, "  Libraries need quiet rooms.  ")
    assert written.status_code == 201, written.text
    statement = written.json()
    assert statement["status"] == "pending" and statement["text"] == "Libraries need quiet rooms."
    assert statement["origin"] == "room" and statement["id"].startswith("r")

    # Pending: the facilitator sees it, participants do not, no phone is offered it.
    facilitator_view = await room.listing()
    assert facilitator_view["pending"] == 1
    assert facilitator_view["statements"][0]["id"] == statement["id"]
    assert facilitator_view["statements"][0]["status"] == "pending"
    assert "participant" not in json.dumps(facilitator_view)
    assert statement["id"] not in {s["id"] for s in (await room.listing(bob))["statements"]}

    seen: list[str] = []
    for _ in range(3):
        offered = (await room.next(bob))["statement"]
        assert offered is not None and offered["id"] not in seen
        seen.append(offered["id"])
        voted = await room.vote(bob, offered["id"], "agree")
        assert voted.status_code == 200, voted.text
    assert set(seen) == {seed_id(text) for text in SEEDS}
    done = await room.next(bob)
    assert done["statement"] is None and done["voted"] == done["total"] == 3

    approved = await room.moderate(statement["id"], "approved")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    now = await room.next(bob)
    assert now["statement"] == {"id": statement["id"], "text": statement["text"], "origin": "room"}
    reply = await room.vote(bob, statement["id"], "disagree")
    body = reply.json()
    assert body["vote"] == "disagree" and body["next"]["statement"] is None
    assert body["next"]["voted"] == 4

    # A vote can be changed: one vote per participant per statement.
    assert (await room.vote(bob, statement["id"], "pass")).status_code == 200
    mine = {s["id"]: s["vote"] for s in (await room.listing(bob))["statements"]}
    assert mine[statement["id"]] == "pass"
    results = await room.running.results()
    entry = next(s for s in results["round"]["statements"] if s["id"] == statement["id"])
    assert (entry["agree"], entry["disagree"], entry["pass"], entry["votes"]) == (0, 0, 1, 1)
    assert results["round"]["respondents"] == 1 and results["round"]["votes"] == 4


async def test_show_at_once_and_seed_only_rounds(room: Room) -> None:
    await room.goto("open-round")
    (token,) = await room.join()
    written = await room.write(token, "Let teenagers run the library one day.", "open-round")
    assert written.json()["status"] == "approved"
    listed = {s["id"] for s in (await room.listing(token, "open-round"))["statements"]}
    assert written.json()["id"] in listed
    # Hidden after: no one is offered it, and a vote on it is refused.
    assert (await room.moderate(written.json()["id"], "hidden", "open-round")).status_code == 200
    refused = await room.vote(token, written.json()["id"], "agree", "open-round")
    assert refused.status_code == 404 and "hidden" in refused.json()["detail"]
    await room.goto("seeds-only")
    closed = await room.write(token, "Mine.", "seeds-only")
    assert closed.status_code == 409 and "only the facilitator" in closed.json()["detail"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Your statement is empty; type something first."),
        ("   ", "Your statement is empty; type something first."),
        ("x" * 141, "Your statement is 141 characters long; at most 140 are allowed."),
        ("two\nlines", "Your statement must fit on one line."),
        ("nul \x00 byte", "Your statement holds a control character (U+0000); remove it"),
        ("Such an IDIOT idea", "a word the facilitator does not allow here"),
    ],
)
async def test_bad_statements_get_422_with_a_reason(room: Room, text: str, reason: str) -> None:
    await room.goto()
    (token,) = await room.join()
    response = await room.write(token, text)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]


async def test_bad_requests_are_refused_clearly(room: Room) -> None:
    await room.goto()
    (token,) = await room.join()
    seed = seed_id(SEEDS[0])
    client = room.client
    cases: list[tuple[httpx.Response, int, str]] = [
        (await room.vote(token, seed, "yes"), 422, "'agree', 'disagree' or 'pass'"),
        (await room.vote(token, seed, 1), 422, ""),
        (await room.write(token, 12), 422, ""),
        (
            await client.post(room.url(), json={"text": "a", "x": 1}, headers=bearer(token)),
            422,
            "",
        ),
        (await room.vote(token, "r999999", "agree"), 404, "no such statement"),
        (await room.vote(token, "d0000000000", "agree"), 404, "no such statement"),
        (await room.write(token, "Hi there.", slide="map"), 404, "no statement round 'map'"),
        (await room.write(token, "Hi there.", slide="nope"), 404, "no statement round"),
        (await client.post(room.url(), json={"text": "Hi there."}), 403, "Join the session"),
        (await client.get(room.url(tail="/next")), 403, ""),
        (await room.moderate(seed, "hidden"), 404, "changed in the deck"),
        (await room.moderate("r1", "gone"), 422, ""),
        (
            await client.patch(
                room.url(tail="/r1"), json={"status": "approved"}, headers=bearer(token)
            ),
            403,
            "",
        ),
        (
            await client.put(
                f"/api/v1/sessions/{room.code}/slides/round/response",
                json={"value": "agree"},
                headers=bearer(token),
            ),
            422,
            "one statement at a time",
        ),
    ]
    for response, status, reason in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert reason in response.json()["detail"], response.text


async def test_a_closed_round_answers_409(room: Room) -> None:
    await room.goto()
    (token,) = await room.join()
    written = (await room.write(token, "Open on Sundays.")).json()
    assert (await room.running.control("close", "round")).status_code == 200
    refused_vote = await room.vote(token, seed_id(SEEDS[0]), "agree")
    assert refused_vote.status_code == 409
    assert refused_vote.json()["detail"] == "Voting on this statement round is closed."
    assert (await room.write(token, "Another one.")).status_code == 409
    assert (await room.next(token))["open"] is False
    # Moderation still works on a closed round.
    assert (await room.moderate(written["id"], "approved")).status_code == 200
    assert (await room.running.control("open", "round")).status_code == 200
    assert (await room.vote(token, written["id"], "agree")).status_code == 200


async def test_another_sessions_participant_is_refused(room: Room) -> None:
    await room.goto()
    svc = room.running.service
    owner = await svc.store.ensure_user("facilitator")
    seed_code = next(s.code for s in await svc.store.sessions_of(owner.id) if s.code != room.code)
    joined = await room.client.post(f"/api/v1/sessions/{seed_code}/participants")
    stranger = joined.json()["participant_token"]
    response = await room.write(stranger, "Sneaky.")
    assert response.status_code == 403
    assert "does not belong to this session" in response.json()["detail"]


async def test_statements_event_is_public_counts_and_private_pending(room: Room) -> None:
    svc = room.running.service
    session = await svc.sessions.get(room.code)
    subscription = svc.broadcaster.hub.subscribe(f"session:{session.id}")
    await room.goto()
    (token,) = await room.join()
    await room.write(token, "Books for babies.")
    found = None
    for _ in range(50):
        item = await subscription.next(timeout=2)
        if item is not None and getattr(item, "event", None) == "statements":
            found = item
            break
    assert found is not None
    public = json.loads(found.public.decode().split("data: ", 1)[1])
    private = json.loads(found.private.decode().split("data: ", 1)[1])
    assert public == {"slide": "round", "statements": 3}
    assert private == {"slide": "round", "statements": 3, "pending": 1, "hidden": 0}


async def _vote_camps(room: Room, tokens: list[str], ids: list[str]) -> None:
    """Two camps: the first half agrees with the first half of the statements and
    disagrees with the rest; the second half the other way round."""
    for index, token in enumerate(tokens):
        camp = index < len(tokens) // 2
        for position, statement in enumerate(ids):
            first = position < len(ids) // 2
            value = "agree" if first == camp else "disagree"
            response = await room.vote(token, statement, value)
            assert response.status_code == 200, response.text


async def test_room_statements_feed_the_opinion_map_report_and_exports(room: Room) -> None:
    svc = room.running.service
    await room.goto()
    tokens = await room.join(12)
    texts = ["Open on Sundays.", '=HYPERLINK("x")', "<b>Quiet</b> rooms & cafés"]
    ids = [seed_id(text) for text in SEEDS]
    for token, text in zip(tokens, texts, strict=False):
        written = (await room.write(token, text)).json()
        assert (await room.moderate(written["id"], "approved")).status_code == 200
        ids.append(written["id"])
    hidden = (await room.write(tokens[5], "Secret hidden statement.")).json()
    await room.moderate(hidden["id"], "hidden")
    await _vote_camps(room, tokens, ids)

    session = await svc.sessions.get(room.code)
    svc.opinions.forget(session.id)
    view = await svc.opinions.view(session, facilitator=True)
    assert view["statements"] == 6 + 3 and view["voters"] == 12 and view["drawn"]  # + 2 rounds
    shown = {s["statement"] for g in view["groups"] for s in g["representative"]}
    assert shown & set(texts), view["groups"]
    assert "Secret hidden statement." not in json.dumps(view)

    report = await room.client.get(f"/r/{room.code}", headers=room.running.facilitator())
    assert report.status_code == 200
    assert "&lt;b&gt;Quiet&lt;/b&gt; rooms &amp; cafés" in report.text
    assert "<b>Quiet</b>" not in report.text
    assert "Secret hidden statement." not in report.text
    assert "12 participants cast" in report.text

    exported = await room.client.get(f"/r/{room.code}.csv", headers=room.running.facilitator())
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    votes = [row for row in rows if row["kind"] == "conversation"]
    assert len(votes) == 12 * 6
    assert {row["title"] for row in votes} == {
        *SEEDS,
        "Open on Sundays.",
        '\'=HYPERLINK("x")',
        texts[2],
    }
    assert "Secret hidden statement." not in exported.text
    assert {row["participant"] for row in votes} == {f"p{n}" for n in range(1, 13)}

    document = json.loads(
        (await room.client.get(f"/r/{room.code}.json", headers=room.running.facilitator())).text
    )
    entry = next(s for s in document["slides"] if s["id"] == "round")
    assert [s["text"] for s in entry["statements"]][:3] == list(SEEDS)
    assert entry["hidden"] == 1 and "Secret" not in json.dumps(document)
    assert all(
        set(s) >= {"id", "text", "origin", "agree", "disagree", "pass"} for s in entry["statements"]
    )

    workbook = load_workbook(
        io.BytesIO(
            (
                await room.client.get(f"/r/{room.code}.xlsx", headers=room.running.facilitator())
            ).content
        )
    )
    cells = [
        str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    assert "Open on Sundays." in cells and '\'=HYPERLINK("x")' in cells
    assert not any("Secret" in cell for cell in cells)
    answers = workbook["Answers"]
    # The kind column names the kind as the editor does, in the workbook's language.
    assert (
        sum(1 for row in answers.iter_rows(values_only=True) if row[2] == "Statement round") == 72
    )

    deck = write_deck(session.deck)
    assert all(f"> {text}" in deck for text in SEEDS)
    assert "Open on Sundays." not in deck


async def test_deleting_the_session_deletes_its_statements_and_votes(room: Room) -> None:
    svc = room.running.service
    await room.goto()
    (token,) = await room.join()
    written = (await room.write(token, "Gone with the session.")).json()
    await room.moderate(written["id"], "approved")
    assert (await room.vote(token, written["id"], "agree")).status_code == 200
    session = await svc.sessions.get(room.code)

    async def rows() -> tuple[int, int]:
        async with svc.store.reader.connect() as conn:
            statements = (
                await conn.execute(
                    select(func.count()).where(round_statements.c.session_id == session.id)
                )
            ).scalar_one()
            votes = (
                await conn.execute(
                    select(func.count()).where(round_votes.c.session_id == session.id)
                )
            ).scalar_one()
        return int(statements), int(votes)

    assert await rows() == (1, 1)
    await svc.sessions.delete(session)
    assert await rows() == (0, 0)


async def test_many_phones_vote_at_once_through_the_batched_writer(room: Room) -> None:
    svc = room.running.service
    await room.goto()
    tokens = await room.join(30)
    ids = [seed_id(text) for text in SEEDS]
    batches_before = svc.store.writer.batches
    await asyncio.gather(*(room.vote(t, i, "agree") for t in tokens for i in ids))
    await asyncio.gather(*(room.vote(t, ids[0], "disagree") for t in tokens))
    results = await room.running.results()
    first = next(s for s in results["round"]["statements"] if s["id"] == ids[0])
    assert (first["agree"], first["disagree"], first["votes"]) == (0, 30, 30)
    assert results["round"]["votes"] == 90
    assert svc.store.writer.batches - batches_before < 120  # votes shared transactions


async def test_exports_keep_votes_on_a_hidden_statement_marked_the_report_does_not(
    room: Room,
) -> None:
    """The CSV and the spreadsheet's Answers are the organiser's data, so votes on
    a statement hidden after it was shown stay in, with `hidden` = yes; the report and the
    round's own figures leave them out."""
    await room.goto()
    alice, bob = await room.join(2)
    written = (await room.write(alice, "Shown first, hidden later.")).json()
    assert (await room.moderate(written["id"], "approved")).status_code == 200
    assert (await room.vote(bob, written["id"], "agree")).status_code == 200
    seed = seed_id("Libraries should open in the evenings.")
    assert (await room.vote(alice, seed, "disagree")).status_code == 200
    assert (await room.moderate(written["id"], "hidden")).status_code == 200
    headers = room.running.facilitator()

    exported = await room.client.get(f"/r/{room.code}.csv", headers=headers)
    votes = [r for r in csv.DictReader(io.StringIO(exported.text)) if r["kind"] == "conversation"]
    marks = {(r["slide"], r["answer"]): (r["hidden"], r["highlighted"]) for r in votes}
    assert marks == {
        (f"round/{written['id']}", "agree"): ("yes", "no"),
        (f"round/{seed}", "disagree"): ("no", "no"),
    }
    assert {r["participant"] for r in votes} == {"p1", "p2"}

    book = load_workbook(
        io.BytesIO((await room.client.get(f"/r/{room.code}.xlsx", headers=headers)).content)
    )
    rows = list(book["Answers"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[-2:] == ["hidden", "highlighted"]
    hidden_rows = [r for r in rows[1:] if r[header.index("hidden")] == "yes"]
    assert [(r[header.index("title")], r[header.index("answer")]) for r in hidden_rows] == [
        ("Shown first, hidden later.", "agree")
    ]
    report = await room.client.get(f"/r/{room.code}", headers=headers)
    assert "Shown first, hidden later." not in report.text


async def test_the_moderation_list_puts_waiting_first_and_hidden_last(room: Room) -> None:
    """Approving or hiding the top statement brings the next waiting one to the top, so
    moderating top-down never acts again on the one just hidden."""
    await room.goto()
    (alice,) = await room.join(1)
    ids = [(await room.write(alice, f"Statement number {n}.")).json()["id"] for n in (1, 2, 3)]
    order = [s["id"] for s in (await room.listing())["statements"] if s["origin"] == "room"]
    assert order == ids[::-1]  # newest first
    assert (await room.moderate(ids[2], "hidden")).status_code == 200
    assert (await room.moderate(ids[1], "approved")).status_code == 200
    listed = [s for s in (await room.listing())["statements"] if s["origin"] == "room"]
    assert [(s["id"], s["status"]) for s in listed] == [
        (ids[0], "pending"),
        (ids[1], "approved"),
        (ids[2], "hidden"),
    ]
