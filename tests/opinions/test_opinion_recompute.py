"""The background recompute of opinion maps: debounced, never overlapping, never blocking.

These drive `denkdag.app.opinions.Recomputer` with the real analysis and an in-memory vote list
(what the store would return), so they check the orchestration alone, in milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from denkdag.analysis import OpinionMap, VoteMatrix
from denkdag.app.opinions import (
    LiveMap,
    Recomputer,
    RoomVotes,
    analyse_pinned,
    decode_live,
    encode_live,
)
from denkdag.domain.kinds.statement import VOTE_ENCODING
from denkdag.domain.tally import PRIVACY_FLOOR
from harness.opinions import CONSENSUS, STATEMENT_TEXTS, Room, ballot
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio


class Counting:
    """The real (pinned) analysis, counting calls and how many ran at the same time."""

    def __init__(self) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, votes: VoteMatrix, previous: OpinionMap | None) -> OpinionMap:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            return analyse_pinned(votes, previous)
        finally:
            with self._lock:
                self.running -= 1


def camp_votes(camps: dict[str, int]) -> Iterator[tuple[int, str, int]]:
    """(participant, statement, vote) of planted camps, statement ids a..g."""
    ids = dict(zip(sorted(STATEMENT_TEXTS), STATEMENT_TEXTS, strict=True))
    names = {"libraries": "a", "schools": "b", "budget": "c", "volunteers": "d"}
    names |= {"digital": "e", "evenings": "f", CONSENSUS: "g"}
    participant = 0
    for camp, size in camps.items():
        for member in range(size):
            participant += 1
            for statement, stance in ballot(camp, member).items():
                yield participant, ids[names[statement]], VOTE_ENCODING[stance]


async def test_a_burst_of_votes_gives_few_computations_and_the_last_map_has_the_last_vote() -> None:
    room = Room()
    analyse = Counting()
    recomputer = Recomputer(
        room.load, room.publish, interval=0.2, first_delay=0.01, analyse=analyse
    )
    touches = 0
    for participant, statement, value in camp_votes({"north": 8, "south": 8, "west": 8}):
        room.vote(participant, statement, value)
        recomputer.touch(1)
        touches += 1
        await asyncio.sleep(0.002)  # votes arrive over a while (pacing, not a wait)
    # The very last vote: a new participant who agrees with everything.
    for statement in STATEMENT_TEXTS:
        room.vote(999, statement, 1)
    recomputer.touch(1)
    touches += 1
    await wait_until(lambda: not recomputer.busy(1), "the burst is computed")

    assert touches > 150
    assert 1 <= analyse.calls < touches / 10
    assert analyse.most_at_once == 1
    last = room.published[-1]
    assert last.map is not None
    assert 999 in last.map.participant_ids
    assert last.votes.matrix.n_votes == len(room.votes)
    # Maps are numbered in order: a screen can drop one that arrives late.
    assert [live.number for live in room.published] == list(range(1, len(room.published) + 1))
    await recomputer.stop()


class VirtualTime:
    """A clock that moves only when the recomputer sleeps, by exactly what it asked for:
    the spacing of computations is checked on it, not measured."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)  # the votes meanwhile come in


async def test_computations_of_a_session_start_an_interval_apart() -> None:
    room = Room()
    time = VirtualTime()
    starts: list[float] = []

    async def load(session_id: int) -> RoomVotes:
        starts.append(time())  # a computation starts by loading the votes
        return await room.load(session_id)

    interval = 0.25  # a binary fraction: the sums of virtual time are exact
    recomputer = Recomputer(
        load,
        room.publish,
        interval=interval,
        first_delay=0,
        analyse=analyse_pinned,
        clock=time,
        sleep=time.sleep,
    )
    for participant, statement, value in camp_votes({"north": 6, "south": 6}):
        room.vote(participant, statement, value)
        recomputer.touch(1)
        await asyncio.sleep(0.003)  # votes arrive over a while (pacing, not a wait)
    await wait_until(lambda: not recomputer.busy(1), "the burst is computed")
    # A late vote after the task ended still waits for the interval since the last start.
    room.vote(1, "a", -1)
    recomputer.touch(1)
    await wait_until(lambda: not recomputer.busy(1), "the late vote is computed")
    assert len(starts) >= 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= interval, gaps
    await recomputer.stop()


async def test_the_previous_map_is_passed_back_so_groups_keep_their_numbers() -> None:
    room = Room()
    seen: list[OpinionMap | None] = []

    def analyse(votes: VoteMatrix, previous: OpinionMap | None) -> OpinionMap:
        seen.append(previous)
        return analyse_pinned(votes, previous)

    recomputer = Recomputer(room.load, room.publish, interval=0.01, first_delay=0, analyse=analyse)
    for participant, statement, value in camp_votes({"north": 10, "south": 10, "west": 10}):
        room.vote(participant, statement, value)
    recomputer.touch(1)
    first = await recomputer.latest(1)
    room.vote(1, "a", 0)  # one changed vote
    recomputer.touch(1)
    await wait_until(lambda: not recomputer.busy(1), "the changed vote is computed")
    second = recomputer.cached(1)
    assert first is not None and second is not None and first.map is not None
    assert seen == [None, first.map]
    assert second.map is not None and second.map.k == first.map.k
    assert second.map.group_of() == first.map.group_of()
    await recomputer.stop()


async def test_the_event_loop_keeps_serving_during_a_big_computation() -> None:
    rng = np.random.default_rng(5)
    participants, statements = 3000, 200
    rows = np.repeat(np.arange(participants), statements)
    cols = np.tile(np.arange(statements), participants)
    keep = rng.random(rows.size) < 0.5
    values = rng.integers(-1, 2, rows.size)
    big = VoteMatrix.from_arrays(rows[keep], cols[keep], values[keep])
    texts = {str(s): "" for s in range(statements)}
    published: list[LiveMap] = []

    async def load(session_id: int) -> RoomVotes:
        return RoomVotes(big, texts)

    async def publish(session_id: int, live: LiveMap) -> None:
        published.append(live)

    started = threading.Event()
    loop_served = threading.Event()
    waited: list[bool] = []

    def analyse(votes: VoteMatrix, previous: OpinionMap | None) -> OpinionMap:
        # The analysis goes on only once the event loop served something meanwhile: run
        # on the loop's own thread, it would wait for that in vain.
        started.set()
        waited.append(loop_served.wait(timeout=30))
        return analyse_pinned(votes, previous)

    recomputer = Recomputer(load, publish, interval=0.01, first_delay=0, analyse=analyse)
    recomputer.touch(1)
    await wait_until(started.is_set, "the analysis starts")
    loop_served.set()  # the loop runs this while the analysis is under way
    await wait_until(lambda: not recomputer.busy(1), "the analysis ends")
    assert waited == [True] and len(published) == 1
    assert published[0].map is not None
    await recomputer.stop()


async def test_a_failing_load_is_logged_and_the_next_vote_recomputes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    room = Room()
    failures = [RuntimeError("database away")]

    async def load(session_id: int) -> RoomVotes:
        if failures:
            raise failures.pop()
        return await room.load(session_id)

    recomputer = Recomputer(load, room.publish, interval=0.01, first_delay=0)
    for participant, statement, value in camp_votes({"north": 6, "south": 6}):
        room.vote(participant, statement, value)
    assert await recomputer.latest(1) is None
    assert "database away" in caplog.text
    found = await recomputer.latest(1)
    assert found is not None and found.map is not None
    await recomputer.stop()


async def test_too_few_voters_give_no_map_and_no_computation() -> None:
    room = Room()
    analyse = Counting()
    recomputer = Recomputer(room.load, room.publish, first_delay=0, analyse=analyse)
    for participant, statement, value in camp_votes({"north": PRIVACY_FLOOR, "south": 4}):
        room.vote(participant, statement, value)
    live = await recomputer.latest(1)
    assert live is not None and live.map is None
    view = live.view()
    assert view["drawn"] is False and view["dots"] == [] and view["voters"] == 9
    assert analyse.calls == 0
    await recomputer.stop()


def test_a_camp_of_three_is_never_shown_on_its_own() -> None:
    votes = list(camp_votes({"north": 12, "south": 12, "west": 3}))
    west = {p for p, _, _ in votes if p > 24}
    matrix = VoteMatrix.from_votes(votes)
    live = LiveMap(RoomVotes(matrix, STATEMENT_TEXTS), analyse_pinned(matrix, None), 1)
    view = live.view()
    assert view["groups"], "the two big camps are shown"
    assert all(group["size"] >= PRIVACY_FLOOR for group in view["groups"])
    # Whatever group the camp of three fell in, it is not shown as a group of its own.
    assert live.map is not None
    for group in view["groups"]:
        members = {p for p, g in live.map.group_of().items() if g == group["group"]}
        assert members != west and len(members) >= PRIVACY_FLOOR
    # Nothing is derivable by subtraction: the dots without a group are none or several
    # groups' worth, never exactly one small group.
    hidden_sizes = [size for g, size in enumerate(live.map.group_sizes) if g not in live.shown()]
    assert len(hidden_sizes) != 1
    assert view["other"] == sum(hidden_sizes)
    assert view["other"] + sum(g["size"] for g in view["groups"]) == len(view["dots"])
    for participant in west:
        position = live.position(participant)
        if position["group"] is not None:
            assert position["group"] in {g["group"] for g in view["groups"]}


def test_each_shown_group_has_its_best_agree_statement_in_the_view() -> None:
    """pol.is' best-agree statement travels with the group, and survives storing the map."""
    matrix = VoteMatrix.from_votes(list(camp_votes({"north": 12, "south": 12})))
    live = LiveMap(RoomVotes(matrix, STATEMENT_TEXTS), analyse_pinned(matrix, None), 1)
    assert live.map is not None
    groups = live.view()["groups"]
    assert len(groups) == 2
    for group in groups:
        best = live.map.best_agree[group["group"]]
        assert best is not None
        assert group["best_agree"] == {
            "slide": str(best.statement_id),
            "statement": STATEMENT_TEXTS[str(best.statement_id)],
            "direction": "agree",
            "share": int(100 * best.p_success + 0.5),
        }
    assert decode_live(encode_live(live)).view()["groups"] == groups
