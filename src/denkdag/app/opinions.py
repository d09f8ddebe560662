"""Live opinion maps: the room's opinion groups, recomputed in the background while it votes.

Votes only mark their session dirty (`touch`). One task per session then recomputes the
map in a worker thread (BLAS pinned to one thread, one analysis at a time per process),
so the event loop keeps serving votes and streams meanwhile. Computations of a session
start at least `interval` seconds apart and never overlap, and a vote that arrives during
one causes exactly one more: the published map reflects the last vote at most `interval`
plus one computation after it. Each session keeps its last map, passed back to the
analysis as `previous`, so groups keep their identity and k does not flicker.

Several instances (Redis): exactly one computes a session's map at a time, the holder of
the session's lease (live/leases.py: SET NX PX with a fencing token, renewed while it
holds it). Every instance hears every `tally` event over the bus, so a vote on any
instance marks the session dirty at the holder; the others only watch the lease (a try
every half TTL while the session is active) and take over when it expires — the holder
died — continuing from the stored map, so group numbers survive a failover. Each map is
stored (storage/opinion_maps.py, fenced by the token) and published as the `opinion`
event; the other instances serve the stored map (read again when an `opinion` event
announces a newer number), so every phone, projector and report sees the same groups.

What is published never shows a group under the privacy floor on its own: such
participants are drawn without a group, and their figures cannot be derived by
subtraction (see `denkdag.domain.tally.shown_groups`). Participants see the map only once
the facilitator reveals an opinions slide; facilitators always receive it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from denkdag.analysis import GROUP_LABELS, Id, OpinionMap, VoteMatrix, compute
from denkdag.analysis.replay import EVERY, Replay, TimedVote, replay
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.opinions import shows_own
from denkdag.domain.kinds.statement import VOTE_ENCODING
from denkdag.domain.model import Session, Slide
from denkdag.domain.numbers import percent
from denkdag.domain.tally import PRIVACY_FLOOR, shown_groups
from denkdag.domain.visibility import phone_sees
from denkdag.live import Broadcaster, Envelope, Leases, LeaseUnavailable, LocalLeases
from denkdag.storage import SqlStore
from denkdag.storage.opinion_maps import OpinionMapStore

log = logging.getLogger(__name__)

INTERVAL = 1.0
"""Seconds between the starts of two computations of one session."""
FIRST_DELAY = 0.05
"""A burst's first votes share its first computation."""
KEPT_SESSIONS = 512
"""Maps kept in memory (least recently computed dropped first); a dropped one is recomputed."""
MIN_VOTERS = 2 * PRIVACY_FLOOR
"""Fewer voters cannot form two groups that may be shown: no map is drawn."""
MIN_STATEMENTS = 2
WAIT_FOR_FIRST = 10.0
"""How long a request for a not yet computed map waits for it."""
WATCH_FOR = 30.0
"""Seconds after a session's last vote during which the instances that do not compute its
map watch its lease, ready to take over; the holder keeps the lease `ttl` longer."""
"""A statement round (domain/kinds/statement_round.py): its visible statements are columns."""
LABELS = GROUP_LABELS
NOT_SHOWN: dict[str, Any] = {"shown": False}
"""What participants receive while the map is not revealed to them."""
NO_POSITION: dict[str, Any] = {
    "included": False,
    "x": None,
    "y": None,
    "group": None,
    "label": None,
}
"""A participant who is not (yet) on the map: too few votes, or no map yet."""

Analyse = Callable[[VoteMatrix, OpinionMap | None], OpinionMap]
RoundColumns = Callable[[Session], Awaitable[tuple[dict[str, str], list[tuple[int, str, int]]]]]
"""A session's statement-round columns (`slide/statement` → text) and votes on them as
(participant, column, 1 / -1 / 0): `LiveRounds.opinion_columns`."""

_ANALYSIS_SLOT = threading.Lock()


def analyse_pinned(votes: VoteMatrix, previous: OpinionMap | None) -> OpinionMap:
    """The analysis one at a time per process, and (as `compute` always runs) on one
    BLAS thread: the server's other cores stay free for the event loop and the workers."""
    with _ANALYSIS_SLOT:
        return compute(votes, previous)


@dataclass(frozen=True)
class RoomVotes:
    """A session's statement votes as the analysis reads them, with each statement's text."""

    matrix: VoteMatrix
    statements: Mapping[str, str]
    """Column → statement text: every statement slide (by its id) and every visible
    statement of a statement round (by `slide/statement`)."""

    @property
    def voters(self) -> int:
        return self.matrix.shape[0]

    @property
    def enough(self) -> bool:
        return self.voters >= MIN_VOTERS and len(self.statements) >= MIN_STATEMENTS


def recompute_room(
    votes: RoomVotes, previous: OpinionMap | None, analyse: Analyse = analyse_pinned
) -> OpinionMap | None:
    """One recompute of a room's map, as the room runs it and as a replay repeats it: the
    analysis from the last map once enough voted, else no map (the last one is kept)."""
    return analyse(votes.matrix, previous) if votes.enough else None


def replay_room(
    history: Iterable[TimedVote], *, every: float = EVERY, excluded: Iterable[Id] = ()
) -> Replay:
    """A conversation's timed votes through the room's own recompute, a batch at a time
    (`denkdag.analysis.replay`): the groups a live room would have shown at the end."""

    def step(matrix: VoteMatrix, previous: OpinionMap | None) -> OpinionMap | None:
        statements = {str(s): "" for s in matrix.statement_ids}
        return recompute_room(RoomVotes(matrix, statements), previous)

    return replay(history, step, every=every, excluded=excluded)


@dataclass(frozen=True)
class LiveMap:
    """One recompute's result: the analysis (None while too few voted) and its input."""

    votes: RoomVotes
    map: OpinionMap | None
    number: int
    """Counts the session's recomputes, so a screen can tell a newer map from an older one."""
    fingerprint: str = ""
    """A digest of the votes it was computed from (`VoteMatrix.fingerprint`)."""

    def shown(self) -> set[int]:
        """Groups that may be shown on their own (at or above the privacy floor)."""
        if self.map is None:
            return set()
        sizes = {str(group): size for group, size in enumerate(self.map.group_sizes)}
        return {int(group) for group in shown_groups(sizes)}

    def _scale(self) -> float:
        assert self.map is not None
        included = self.map.coordinates[self.map.groups >= 0]
        top = float(abs(included).max()) if included.size else 0.0
        return top if top > 1e-12 else 1.0

    def _place(self, x: float, y: float, scale: float) -> tuple[float, float]:
        """Map coordinates to 0..100 both ways, centred, y growing upwards as drawn."""
        return round(50 + 45 * x / scale, 2), round(50 - 45 * y / scale, 2)

    def _statement(self, statement_id: object, **fields: Any) -> dict[str, Any]:
        slide = str(statement_id)
        return {"slide": slide, "statement": self.votes.statements.get(slide, ""), **fields}

    def view(self) -> dict[str, Any]:
        """The map as the projector draws it, with no group under the privacy floor."""
        data: dict[str, Any] = {
            "number": self.number,
            "drawn": self.map is not None,
            "voters": self.votes.voters,
            "statements": len(self.votes.statements),
            "needed": MIN_VOTERS,
            "dots": [],
            "groups": [],
            "other": 0,
            "consensus": [],
            "divisive": [],
        }
        result = self.map
        if result is None:
            return data
        shown = self.shown()
        scale = self._scale()
        dots = []
        for (x, y), group in zip(result.coordinates.tolist(), result.groups.tolist(), strict=True):
            if group < 0:
                continue
            px, py = self._place(x, y, scale)
            dots.append({"x": px, "y": py, "group": group if group in shown else None})
        # Sorted by place, so the order of the dots tells nothing about who joined when.
        data["dots"] = sorted(dots, key=lambda dot: (dot["x"], dot["y"]))
        data["other"] = sum(1 for dot in dots if dot["group"] is None)
        data["groups"] = [
            {
                "group": group,
                "label": LABELS[group],
                "size": result.group_sizes[group],
                "representative": [
                    self._statement(
                        rep.statement_id, direction=rep.direction, share=percent(rep.p_success, 1)
                    )
                    for rep in result.representative[group]
                ],
                "best_agree": self._best_agree(group),
            }
            for group in sorted(shown)
        ]
        data["consensus"] = [
            self._statement(c.statement_id, direction=c.direction, share=percent(c.p_success, 1))
            for c in result.consensus
        ]
        data["divisive"] = [
            self._statement(d.statement_id, spread=percent(d.spread, 1)) for d in result.divisive
        ]
        return data

    def _best_agree(self, group: int) -> dict[str, Any] | None:
        """The statement the group agrees with that best sets it apart (pol.is shows it
        first), or None; maps stored before it existed have none."""
        assert self.map is not None
        best = self.map.best_agree[group] if group < len(self.map.best_agree) else None
        if best is None:
            return None
        return self._statement(
            best.statement_id, direction="agree", share=percent(best.p_success, 1)
        )

    def position(self, participant_id: int) -> dict[str, Any]:
        """One participant's own dot: where it is drawn and their group, if shown."""
        result = self.map
        if result is None or participant_id not in result.participant_ids:
            return dict(NO_POSITION)
        index = result.participant_ids.index(participant_id)
        group = int(result.groups[index])
        if group < 0:
            return dict(NO_POSITION)
        x, y = result.coordinates[index].tolist()
        px, py = self._place(x, y, self._scale())
        shown = group in self.shown()
        return {
            "included": True,
            "x": px,
            "y": py,
            "group": group if shown else None,
            "label": LABELS[group] if shown else None,
        }


def encode_live(live: LiveMap) -> str:
    """A map as stored (JSON): what another instance needs to serve it and continue it."""
    data: dict[str, Any] = {
        "number": live.number,
        "fingerprint": live.fingerprint,
        "statements": dict(live.votes.statements),
        "map": live.map.to_dict() if live.map is not None else None,
    }
    if live.map is None:
        data["voters"] = list(live.votes.matrix.participant_ids)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_live(text: str) -> LiveMap:
    """A stored map back (`encode_live`): no votes, only who voted and on what."""
    data = json.loads(text)
    statements: dict[str, str] = data["statements"]
    result = OpinionMap.from_dict(data["map"]) if data["map"] is not None else None
    voters = result.participant_ids if result is not None else tuple(data.get("voters", ()))
    matrix = VoteMatrix.from_votes([], participants=voters, statements=statements)
    return LiveMap(
        RoomVotes(matrix, statements), result, int(data["number"]), str(data["fingerprint"])
    )


Load = Callable[[int], Awaitable[RoomVotes | None]]
Publish = Callable[[int, LiveMap], Awaitable[None]]
Restore = Callable[[int], Awaitable[LiveMap | None]]
"""The session's stored map, if any."""
Persist = Callable[[int, int, LiveMap], Awaitable[bool]]
"""Store (session, fencing token, map); False when a newer holder's map is stored."""


class Recomputer:
    """Debounced, non-overlapping background recomputes of each session's opinion map.

    With shared `leases` only the holder of a session's lease computes; see the module.
    `clock` and `sleep` space the computations (the event loop's clock and `asyncio.sleep`
    by default): a test passes virtual ones to check the spacing without timing anything.
    The lease's renewals keep real time: Redis expires it in real time."""

    def __init__(
        self,
        load: Load,
        publish: Publish,
        *,
        interval: float = INTERVAL,
        first_delay: float = FIRST_DELAY,
        analyse: Analyse = analyse_pinned,
        leases: Leases | None = None,
        restore: Restore | None = None,
        persist: Persist | None = None,
        watch_for: float = WATCH_FOR,
        warm_up: Callable[[], None] | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._load = load
        self._publish = publish
        self.interval = interval
        self._first_delay = first_delay
        self._analyse = analyse
        self.leases: Leases = leases if leases is not None else LocalLeases()
        self._restore = restore
        self._persist = persist
        self.watch_for = watch_for
        self._warm_up = warm_up
        self._clock = clock
        self._sleep = sleep
        self._maps: OrderedDict[int, LiveMap] = OrderedDict()
        self._dirty: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last_start: dict[int, float] = {}
        self._attempted: dict[int, asyncio.Event] = {}
        self._tokens: dict[int, int] = {}
        """Sessions whose lease this instance holds, with its fencing token."""
        self._keepers: dict[int, asyncio.Task[None]] = {}
        self._watchers: dict[int, asyncio.Task[None]] = {}
        self._last_touch: dict[int, float] = {}
        self._announced: dict[int, int] = {}
        """The newest map number another instance published, per session."""
        self.computations = 0
        """Analyses run so far (for tests and metrics)."""
        self.takeovers = 0
        """Leases acquired while watching another instance's (for tests and metrics)."""

    def touch(self, session_id: int) -> None:
        """The session's votes changed: recompute soon (once, however many votes)."""
        self._last_touch[session_id] = asyncio.get_running_loop().time()
        self._dirty.add(session_id)
        if session_id not in self._tasks:
            self._tasks[session_id] = asyncio.create_task(
                self._run(session_id), name=f"denkdag-opinions-{session_id}"
            )

    def busy(self, session_id: int) -> bool:
        """Whether a recompute of the session is waiting or running."""
        return session_id in self._tasks or session_id in self._dirty

    def holds(self, session_id: int) -> bool:
        """Whether this instance computes the session's map (holds its lease)."""
        return session_id in self._tokens

    def cached(self, session_id: int) -> LiveMap | None:
        return self._maps.get(session_id)

    def announced(self, session_id: int, number: int) -> None:
        """Another instance (or this one) published map `number` of the session."""
        if number > self._announced.get(session_id, 0):
            self._announced[session_id] = number
        attempted = self._attempted.pop(session_id, None)
        if attempted is not None:
            attempted.set()

    async def latest(self, session_id: int, timeout: float = WAIT_FOR_FIRST) -> LiveMap | None:
        """The last map. An instance that does not compute the session's map serves the
        stored one (read again when an `opinion` event announced a newer number); one that
        computes it, or may, computes it now and waits when it has none (a restart, say)."""
        found = self._maps.get(session_id)
        held = session_id in self._tokens
        if found is not None and (held or found.number >= self._announced.get(session_id, 0)):
            return found
        if self.leases.shared and not held:
            stored = await self._stored(session_id)
            if stored is not None:
                if found is None:
                    self.touch(session_id)  # nobody may be computing it (a restart)
                return stored
        attempted = self._attempted.setdefault(session_id, asyncio.Event())
        self.touch(session_id)
        try:
            await asyncio.wait_for(attempted.wait(), timeout)
        except TimeoutError:
            log.warning("the opinion map of session %s took over %s s", session_id, timeout)
        return self._maps.get(session_id) or await self._stored(session_id)

    async def _stored(self, session_id: int) -> LiveMap | None:
        """The stored map, kept here when it is newer than the cached one."""
        if self._restore is None:
            return None
        try:
            stored = await self._restore(session_id)
        except Exception:
            log.exception("reading the stored opinion map of session %s failed", session_id)
            return None
        found = self._maps.get(session_id)
        if stored is None or (found is not None and found.number >= stored.number):
            return found
        self._keep(session_id, stored)
        return stored

    def forget(self, session_id: int) -> None:
        self._maps.pop(session_id, None)
        self._last_start.pop(session_id, None)
        self._announced.pop(session_id, None)

    async def stop(self) -> None:
        tasks = [*self._tasks.values(), *self._keepers.values(), *self._watchers.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for session_id, token in list(self._tokens.items()):
            # Hand over at once rather than after the TTL.
            await self.leases.release(_lease(session_id), token)
        self._tokens.clear()

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def _run(self, session_id: int) -> None:
        try:
            last = self._last_start.get(session_id)
            wait = self._first_delay
            if last is not None:
                wait = max(wait, self.interval - (self._now() - last))
            await self._sleep(wait)
            while session_id in self._dirty:
                self._dirty.discard(session_id)
                if not await self._hold(session_id):
                    # Another instance computes it (it heard these votes too); we watch
                    # its lease, and a take-over recomputes here.
                    self._dirty.discard(session_id)
                    break
                started = self._now()
                self._last_start[session_id] = started
                await self._recompute(session_id)
                if session_id in self._dirty:
                    await self._sleep(max(0.0, self.interval - (self._now() - started)))
        finally:
            self._tasks.pop(session_id, None)

    # the lease (several instances) ---------------------------------------------------

    async def _hold(self, session_id: int) -> bool:
        """Whether this instance is to compute the session: it holds the lease or gets it
        now. Otherwise another instance does, and this one watches the lease."""
        if session_id in self._tokens:
            return True
        try:
            token = await self.leases.acquire(_lease(session_id))
        except LeaseUnavailable as error:
            log.warning("no lease for session %s (%s); computing here", session_id, error)
            return True
        if token is None:
            if session_id in self._tokens:
                # Our watcher took the lease over while we asked: its touch found this
                # task running, so this task computes.
                return True
            self._watch(session_id)
            return False
        if session_id in self._watchers:  # its holder died, and a vote came first
            self.takeovers += 1
        await self._granted(session_id, token)
        return True

    async def _granted(self, session_id: int, token: int) -> None:
        self._tokens[session_id] = token
        if self._warm_up is not None:
            self._warm_up()
        if self.leases.shared:
            # Continue from the last map any instance stored: stable group numbers.
            await self._stored(session_id)
        if session_id not in self._keepers:
            self._keepers[session_id] = asyncio.create_task(
                self._keep_lease(session_id, token), name=f"denkdag-lease-{session_id}"
            )

    def _watch(self, session_id: int) -> None:
        if session_id not in self._watchers:
            self._watchers[session_id] = asyncio.create_task(
                self._watch_lease(session_id), name=f"denkdag-watch-{session_id}"
            )

    def _idle(self, session_id: int, longer: float = 0.0) -> bool:
        since = asyncio.get_running_loop().time() - self._last_touch.get(session_id, 0.0)
        return since > self.watch_for + longer and not self.busy(session_id)

    async def _keep_lease(self, session_id: int, token: int) -> None:
        """Renew the lease while the session is active; hand it back once it is idle."""
        leases = self.leases
        name = _lease(session_id)
        try:
            if not leases.shared:
                return  # a local lease never expires; the dict entry is all it takes
            while True:
                await asyncio.sleep(leases.ttl / 3)
                if self._idle(session_id, longer=leases.ttl):
                    await leases.release(name, token)
                    self._tokens.pop(session_id, None)
                    return
                try:
                    kept = await leases.renew(name, token)
                except LeaseUnavailable:
                    continue  # keep computing here; we learn who holds it once Redis is back
                if not kept:
                    log.warning("lost the opinion lease of session %s", session_id)
                    self._tokens.pop(session_id, None)
                    self._watch(session_id)
                    return
        finally:
            self._keepers.pop(session_id, None)

    async def _watch_lease(self, session_id: int) -> None:
        """Try to take the lease over while the session is active: its holder may die."""
        leases = self.leases
        try:
            while not self._idle(session_id):
                await asyncio.sleep(leases.ttl / 2 * random.uniform(0.8, 1.0))
                if session_id in self._tokens:
                    return  # taken on a vote meanwhile (`_hold`)
                try:
                    token = await leases.acquire(_lease(session_id))
                except LeaseUnavailable:
                    continue
                if token is not None:
                    self.takeovers += 1
                    log.info("took over the opinion map of session %s", session_id)
                    self._watchers.pop(session_id, None)
                    await self._granted(session_id, token)
                    # The last holder may have died before covering the last votes.
                    self.touch(session_id)
                    return
        finally:
            if self._watchers.get(session_id) is asyncio.current_task():
                self._watchers.pop(session_id, None)

    # computing -------------------------------------------------------------------------

    async def _recompute(self, session_id: int) -> None:
        try:
            votes = await self._load(session_id)
            if votes is None:
                self.forget(session_id)
                return
            before = self._maps.get(session_id)
            if before is None:
                # A restart, or statements changed: continue from the stored map.
                before = await self._stored(session_id)
            previous = before.map if before is not None else None
            result = await asyncio.to_thread(recompute_room, votes, previous, self._analyse)
            if result is not None:
                self.computations += 1
            live = LiveMap(
                votes,
                result,
                before.number + 1 if before is not None else 1,
                votes.matrix.fingerprint(),
            )
            if self._persist is not None:
                token = self._tokens.get(session_id, 0)
                stored = await self._persist(session_id, token, live)
                if not stored and session_id in self._tokens and self.leases.shared:
                    log.warning("a newer opinion map of session %s is stored", session_id)
                    self._tokens.pop(session_id, None)
                    self._maps.pop(session_id, None)
                    return
            self._keep(session_id, live)
            await self._publish(session_id, live)
        except Exception:
            log.exception("recomputing the opinion map of session %s failed", session_id)
        finally:
            attempted = self._attempted.pop(session_id, None)
            if attempted is not None:
                attempted.set()

    def _keep(self, session_id: int, live: LiveMap) -> None:
        self._maps[session_id] = live
        self._maps.move_to_end(session_id)
        while len(self._maps) > KEPT_SESSIONS:
            dropped, _ = self._maps.popitem(last=False)
            self._last_start.pop(dropped, None)


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import scikit-learn (about a second) in the background once this process is to
    compute maps: usually done before the room has enough voters for the first one, which
    would otherwise pay for it and miss the 2 seconds."""
    if not _warming:
        thread = threading.Thread(target=_import_sklearn, name="denkdag-warm-up", daemon=True)
        _warming.append(thread)
        thread.start()


def _import_sklearn() -> None:
    try:
        import sklearn.cluster  # noqa: F401
    except Exception:
        log.exception("importing scikit-learn failed")


def _lease(session_id: int) -> str:
    return f"opinions:{session_id}"


def _votes_on_slide(slide: Slide) -> bool:
    """Whether the slide's own answers are stances that are columns of the map (a
    statement round's votes are on its statements instead)."""
    kind = kind_of(slide.kind)
    return kind.feeds_opinions and kind.rows == "stances"


def statement_slides(session: Session) -> dict[str, str]:
    return {s.id: s.statement for s in session.deck.slides if _votes_on_slide(s)}


def has_statements(session: Session) -> bool:
    """Whether the session has anything to map: statement slides or statement rounds."""
    return any(kind_of(s.kind).feeds_opinions for s in session.deck.slides)


def _concerns_map(session: Session, slide_ids: set[str]) -> bool:
    return any(kind_of(s.kind).feeds_opinions and s.id in slide_ids for s in session.deck.slides)


def opinion_slides(session: Session) -> list[Slide]:
    return [s for s in session.deck.slides if kind_of(s.kind).shows_opinions]


def _phones_see(session: Session, slide: Slide) -> bool:
    """Whether phones may show this opinions slide's map: revealed (in live results mode
    that happens when it is first shown) and `phone_results` allows it (not `never`;
    domain/visibility.py). The map asks nothing, so there is no answer to wait for."""
    return phone_sees(session.deck.info, session.state, slide, answered=False)


def shown_to_room(session: Session) -> bool:
    """Participants see the map once the facilitator revealed an opinions slide and the
    session shows results on phones."""
    return any(_phones_see(session, s) for s in opinion_slides(session))


def own_dot_allowed(session: Session) -> bool:
    """A phone may see its own dot on a revealed opinions slide that allows it."""
    return any(_phones_see(session, s) and shows_own(s) for s in opinion_slides(session))


class LiveOpinions:
    """The service's opinion maps: votes read from the store, `opinion` events published,
    the last map stored for the other instances and the report."""

    def __init__(
        self,
        store: SqlStore,
        broadcaster: Broadcaster,
        session_of: Callable[[int], Awaitable[Session | None]],
        topic_of: Callable[[Session], str],
        interval: float = INTERVAL,
        rounds: RoundColumns | None = None,
        leases: Leases | None = None,
    ) -> None:
        self.store = store
        self.maps = OpinionMapStore(store)
        self._rounds = rounds
        self.broadcaster = broadcaster
        self._session_of = session_of
        self._topic_of = topic_of
        self.recomputer = Recomputer(
            self._load,
            self._publish,
            interval=interval,
            leases=leases,
            restore=self._restore,
            persist=self._persist,
            warm_up=warm_up,
        )
        self._pending: set[asyncio.Task[None]] = set()
        broadcaster.hub.add_listener(self._on_event)

    @property
    def shared(self) -> bool:
        return self.recomputer.leases.shared

    def _on_event(self, topic: str, envelope: Envelope) -> None:
        """Every instance hears every `opinion` and `tally` event (its own too): a newer map
        to serve, or votes that may concern the map (several instances: whichever instance
        took them, the lease holder recomputes)."""
        if envelope.event not in ("opinion", "tally") or not topic.startswith("session:"):
            return
        try:
            session_id = int(topic.removeprefix("session:"))
        except ValueError:
            return
        data = envelope.data if isinstance(envelope.data, dict) else {}
        if envelope.event == "opinion":
            number = data.get("number")
            if isinstance(number, int):
                self.recomputer.announced(session_id, number)
            return
        if self.shared and isinstance(data.get("slide"), str):
            task = asyncio.create_task(self._tallied(session_id, data["slide"]))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _tallied(self, session_id: int, slide_id: str) -> None:
        session = await self._session_of(session_id)
        if session is not None and _concerns_map(session, {slide_id}):
            self.recomputer.touch(session.id)

    def votes_changed(self, session: Session, slide_ids: set[str]) -> None:
        """Called after votes were published as tallies: recompute if statements changed.
        (Several instances: the `tally` events themselves do it, on every instance.)"""
        if not self.shared and _concerns_map(session, slide_ids):
            self.recomputer.touch(session.id)

    def busy(self, session_id: int) -> bool:
        """Whether this instance may still change the map for votes it heard of: a tally
        not yet looked at, or a recompute waiting or running."""
        return bool(self._pending) or self.recomputer.busy(session_id)

    async def caught_up(self, session: Session) -> bool:
        """Whether the last map (this instance's or the stored one) was computed from the
        votes stored now, and nothing here is about to change it."""
        if self.busy(session.id):
            return False
        last = await self.for_report(session)
        votes = await self._load(session.id)
        if last is None or votes is None:
            return last is None and votes is None
        return last.fingerprint == votes.matrix.fingerprint()

    async def for_report(self, session: Session) -> LiveMap | None:
        """The map the room saw last (cached or stored), without computing one."""
        if not has_statements(session):
            return None
        cached = self.recomputer.cached(session.id)
        stored = await self._restore(session.id)
        if cached is None or (stored is not None and stored.number > cached.number):
            return stored
        return cached

    async def current(self, session: Session) -> LiveMap | None:
        """The latest map of the session (computed now if there is none yet)."""
        if not has_statements(session):
            return None
        return await self.recomputer.latest(session.id)

    async def view(self, session: Session, *, facilitator: bool) -> dict[str, Any]:
        """The map for a facilitator, or for participants (only once revealed)."""
        if not facilitator and not shown_to_room(session):
            return dict(NOT_SHOWN)
        live = await self.current(session)
        if live is None:
            empty = LiveMap(
                RoomVotes(VoteMatrix.from_votes([]), statement_slides(session)), None, 0
            )
            return {**empty.view(), "shown": shown_to_room(session)}
        return {**live.view(), "shown": shown_to_room(session)}

    async def position(self, session: Session, participant_id: int) -> dict[str, Any]:
        """A participant's own dot, when the revealed opinions slide allows showing it."""
        if not own_dot_allowed(session):
            return {"shown": False}
        live = await self.current(session)
        if live is None:
            return {"shown": True, "number": 0, **NO_POSITION}
        return {"shown": True, "number": live.number, **live.position(participant_id)}

    def forget(self, session_id: int) -> None:
        self.recomputer.forget(session_id)

    async def stop(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self.recomputer.stop()

    async def _restore(self, session_id: int) -> LiveMap | None:
        stored = await self.maps.get(session_id)
        if stored is None:
            return None
        return await asyncio.to_thread(decode_live, stored.data)

    async def _persist(self, session_id: int, token: int, live: LiveMap) -> bool:
        data = await asyncio.to_thread(encode_live, live)
        return await self.maps.put(session_id, token, live.number, data)

    async def _load(self, session_id: int) -> RoomVotes | None:
        session = await self._session_of(session_id)
        if session is None:
            return None
        if not has_statements(session):
            return None
        statements = statement_slides(session)
        answers = await self.store.session_answers(session_id)
        votes = [
            (a.participant_id, a.slide_id, VOTE_ENCODING[a.value])
            for a in answers
            if a.slide_id in statements and a.value in VOTE_ENCODING
        ]
        if self._rounds is not None:
            columns, cells = await self._rounds(session)
            statements |= columns
            votes += cells
        return RoomVotes(VoteMatrix.from_votes(votes), statements)

    async def _publish(self, session_id: int, live: LiveMap) -> None:
        session = await self._session_of(session_id)
        if session is None:
            return
        shown = shown_to_room(session)
        private = {**live.view(), "shown": shown}
        public = private if shown else dict(NOT_SHOWN)
        await self.broadcaster.publish(self._topic_of(session), "opinion", public, private)
