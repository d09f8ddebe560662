"""A statement round out in pol.is' open-data layout and back in: `denkdag export CODE
--format polis` writes the three files, `denkdag analyse` reads them to the same groups as
the room's live map, red-dwarf (pol.is' math in Python) loads the folder through its own
CSV loader, and the report page offers the same files as a zip to its facilitator only."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import threading
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from denkdag.cli import app as cli
from denkdag.domain.kinds.statement_round import seed_id
from denkdag.formats.polis_export import PolisStatement, polis_files
from harness.opinions import settled

pytestmark = pytest.mark.anyio

SEEDS = (
    "Libraries should open in the evenings.",
    "Every town deserves its own library.",
    "Digital lending matters more than books.",
)

CAMPS = 2
MEMBERS = 9
WRITTEN = (
    "Open on Sundays.",
    '=HYPERLINK("x")',
    "Quiet rooms for study.",
    "A café in every library.",
    "Late fines should go.",
)
HIDDEN = "Shown first, hidden later."
PENDING = "Still waiting for approval."


class Room:
    """The statement-round session (tests/rounds/conftest.py) and the calls this test makes."""

    def __init__(self, running: Any) -> None:
        self.running = running
        self.client = running.client
        self.code: str = running.code

    def _url(self, tail: str = "") -> str:
        return f"/api/v1/sessions/{self.code}/slides/round/statements{tail}"

    async def goto(self) -> None:
        assert (await self.running.control("goto", "round")).status_code == 200

    async def join(self, count: int) -> list[str]:
        return [await self.running.join() for _ in range(count)]

    async def write(self, token: str, text: str) -> Any:
        return await self.client.post(
            self._url(), json={"text": text}, headers={"Authorization": f"Bearer {token}"}
        )

    async def vote(self, token: str, statement: str, value: str) -> Any:
        return await self.client.put(
            self._url(f"/{statement}/vote"),
            json={"value": value},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def moderate(self, statement: str, status: str) -> Any:
        return await self.client.patch(
            self._url(f"/{statement}"),
            json={"status": status},
            headers=self.running.facilitator(),
        )


@pytest.fixture
def room(rounds: Any) -> Room:
    return Room(rounds)


def _stance(camp: int, member: int, position: int) -> str:
    """Camp c agrees with every other statement from c and disagrees with the rest; every
    other member passes on one statement, so a camp is not one point."""
    if member % 2 == 1 and position == member % 8:
        return "pass"
    return "agree" if position % CAMPS == camp else "disagree"


def _partition(groups: Mapping[Any, int]) -> set[frozenset[Any]]:
    found: dict[int, set[Any]] = {}
    for member, group in groups.items():
        found.setdefault(group, set()).add(member)
    return {frozenset(members) for members in found.values()}


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request log on the test's output."""


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    """The folder over HTTP on a free local port: red-dwarf loads a CSV export by URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def _vote_the_room(room: Room) -> tuple[list[str], str, str]:
    """Two camps of nine vote on 3 seeds and 5 statements of the room; a statement is
    hidden after everyone voted on it, another waits for approval. Returns the tokens (in
    join order) and the hidden and pending statements' ids."""
    await room.goto()
    tokens = await room.join(CAMPS * MEMBERS)
    ids = [seed_id(text) for text in SEEDS]
    for token, text in zip(tokens, WRITTEN, strict=False):
        written = (await room.write(token, text)).json()
        assert (await room.moderate(written["id"], "approved")).status_code == 200
        ids.append(written["id"])
    hidden = (await room.write(tokens[6], HIDDEN)).json()["id"]
    assert (await room.moderate(hidden, "approved")).status_code == 200
    for index, token in enumerate(tokens):
        camp, member = index % CAMPS, index // CAMPS
        for position, statement in enumerate(ids):
            response = await room.vote(token, statement, _stance(camp, member, position))
            assert response.status_code == 200, response.text
        assert (await room.vote(token, hidden, "agree")).status_code == 200
    assert (await room.moderate(hidden, "hidden")).status_code == 200
    pending = (await room.write(tokens[7], PENDING)).json()["id"]
    return tokens, hidden, pending


async def test_a_round_exported_for_polis_reads_back_to_the_live_groups(
    room: Room, tmp_path: Path, settings: Any
) -> None:
    svc = room.running.service
    tokens, hidden, pending = await _vote_the_room(room)
    await settled([svc], room.code)
    session = await svc.sessions.get(room.code)
    live = await svc.opinions.current(session)
    assert live is not None and live.map is not None
    assert live.map.k == CAMPS
    # Participants joined in order, so the n-th to join is the export's participant n.
    joined = {pid: n for n, pid in enumerate(sorted(live.map.group_of()), start=1)}
    live_groups = {joined[pid]: group for pid, group in live.map.group_of().items()}
    camps = {n: (n - 1) % CAMPS for n in range(1, len(tokens) + 1)}
    assert _partition(live_groups) == _partition(camps)

    folder = tmp_path / "polis"
    runner = CliRunner()
    exported = await asyncio.to_thread(
        runner.invoke,
        cli,
        ["export", room.code, "--format", "polis", "--output", str(folder), "--database",
         settings.database_url],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "comments.csv",
        "participants-votes.csv",
        "votes.csv",
    ]

    # The files: pol.is' columns, pseudonymous participants, moderation as pol.is marks it.
    comments = _read(folder, "comments.csv")
    assert list(comments[0])[:8] == [
        "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
        "moderated", "comment-body",
    ]  # fmt: skip
    marks = {row["comment-body"]: row["moderated"] for row in comments}
    assert marks[HIDDEN] == "-1" and marks[PENDING] == "0" and marks[SEEDS[0]] == "1"
    assert '\'=HYPERLINK("x")' in marks  # a spreadsheet runs nothing
    assert {row["author-id"] for row in comments} == {"0"}
    assert len(comments) == len(SEEDS) + len(WRITTEN) + 2 + 1 + 2  # + the other rounds' seeds
    votes = _read(folder, "votes.csv")
    assert list(votes[0]) == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert len(votes) == len(tokens) * (len(SEEDS) + len(WRITTEN) + 1)
    assert {row["voter-id"] for row in votes} == {str(n) for n in range(1, len(tokens) + 1)}
    matrix = _read(folder, "participants-votes.csv")
    assert list(matrix[0])[:6] == [
        "participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
    ]  # fmt: skip
    assert {int(r["participant"]): int(r["group-id"]) for r in matrix} == live_groups
    everything = "".join((folder / name).read_text("utf-8") for name in ("comments.csv",
                         "votes.csv", "participants-votes.csv"))  # fmt: skip
    assert not any(token in everything for token in tokens)

    # `denkdag analyse` reads the folder back to the room's groups.
    result_file = tmp_path / "analysed.json"
    analysed = await asyncio.to_thread(
        runner.invoke, cli, ["analyse", str(folder), "--json", str(result_file)]
    )
    assert analysed.exit_code == 0, analysed.output
    assert f"{CAMPS} opinion groups over {len(tokens)} clustered participants" in analysed.output
    result = json.loads(result_file.read_text("utf-8"))
    assert _partition({int(p): g for p, g in result["groups"].items()}) == _partition(live_groups)
    assert HIDDEN not in json.dumps(result)

    # red-dwarf loads the folder with its own CSV loader and finds the same groups.
    loader_module = pytest.importorskip("reddwarf.data_loader")
    polis = pytest.importorskip("reddwarf.implementations.polis")
    with _served(folder) as url:
        loader = await asyncio.to_thread(
            loader_module.Loader, directory_url=url, is_cache_enabled=False
        )
    assert len(loader.votes_data) == len(votes) and len(loader.comments_data) == len(comments)
    moderated_out = [c["statement_id"] for c in loader.comments_data if c["moderated"] == -1]
    assert len(moderated_out) == 1
    with warnings.catch_warnings():  # red-dwarf's own use of pandas, deprecated there
        warnings.simplefilter("ignore")
        clustered = polis.run_pipeline(
            votes=loader.votes_data, mod_out_statement_ids=moderated_out, random_state=0
        )
    theirs = clustered.participants_df["cluster_id"].dropna().astype(int).to_dict()
    assert _partition(theirs) == _partition(live_groups)

    # The report page's download: the same three files, to the facilitator only.
    headers = room.running.facilitator()
    download = await room.client.get(f"/r/{room.code}.polis.zip", headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert f'filename="denkdag-{room.code}.polis.zip"' in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        for name in archive.namelist():
            assert archive.read(name) == (folder / name).read_bytes()
    page = await room.client.get(f"/r/{room.code}", headers=headers)
    assert f'href="/r/{room.code}.polis.zip"' in page.text
    stranger = await room.client.get(
        f"/r/{room.code}.polis.zip", headers={"Authorization": f"Bearer {tokens[0]}"}
    )
    assert stranger.status_code in (303, 401, 403) and b"comment-id" not in stranger.content
    assert hidden and pending


def test_statements_before_any_vote_are_dated_when_the_room_began() -> None:
    """A deck statement has no time of its own: with no vote yet it takes the room's start,
    never 1970's first instant."""
    began = datetime(2026, 5, 17, 9, 30, tzinfo=UTC)
    files = polis_files([PolisStatement("s7", "Samen sterker.")], [], began=began)
    (row,) = csv.DictReader(io.StringIO(files["comments.csv"]))
    assert row["datetime"] == "Sun May 17 09:30:00 UTC 2026"
    assert int(row["timestamp"]) == int(began.timestamp() * 1000)
