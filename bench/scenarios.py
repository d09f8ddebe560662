"""The benchmark scenarios. Each returns rows: what was measured for Denkdag, for its bare
baseline in the same run (alternating), their ratio, and the target it should meet."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import at_rate, med, percentile, subscribe, summary, wrk
from bench.servers import Process, Room, baseline, denkdag, fresh_sqlite, make_room
from denkdag.web.auth import participant_cookie

Row = dict[str, Any]


@dataclass
class Context:
    directory: Path
    quick: bool
    rounds: int
    wrk_seconds: float
    postgres_admin: str
    redis_url: str

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"


def row(
    scenario: str,
    measure: str,
    value: float,
    base: float | None = None,
    target: str = "",
    met: bool | None = None,
    unit: str = "",
) -> Row:
    ratio = value / base if base else None
    return {
        "scenario": scenario,
        "measure": measure,
        "unit": unit,
        "denkdag": value,
        "baseline": base,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def say(text: str) -> None:
    print(f"  · {text}", flush=True)


def client(limit: int = 0) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


def api(process: Process, room: Room, path: str = "") -> str:
    return f"{process.base}/api/v1/sessions/{room.code}{path}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# vote ingest ---------------------------------------------------------------------------


async def ingest(ctx: Context) -> list[Row]:
    room = await make_room(fresh_sqlite(ctx.directory), 1000)
    tokens = room.write_tokens(ctx.directory / "ingest-tokens.txt")
    servers = {
        "denkdag": denkdag(room, ctx.log("ingest-denkdag")),
        "raw_asgi": baseline("raw_asgi", ctx.log("ingest-raw-asgi")),
        "raw_sqlite": baseline(
            "raw_sqlite", ctx.log("ingest-raw-sqlite"), ctx.directory / "raw.sqlite3"
        ),
    }
    try:
        await servers["denkdag"].ready(f"/api/v1/sessions/{room.code}")
        await servers["raw_asgi"].ready()
        await servers["raw_sqlite"].ready()
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        for _ in range(ctx.rounds):
            for name, process in servers.items():
                used = process.cpu()
                result = await wrk(process.base, tokens, room.code, ctx.wrk_seconds, 64)
                used = process.cpu() - used
                result["cpu_us"] = used / max(1, result["requests"]) * 1e6
                results[name].append(result)
                say(
                    f"ingest {name}: {result['rps']:.0f} req/s, {result['non2xx']} non-2xx, "
                    f"{result['cpu_us']:.0f} µs CPU each"
                )
    finally:
        for process in servers.values():
            process.stop()
    rps = {name: med([r["rps"] for r in runs]) for name, runs in results.items()}
    p99 = {name: med([r["p99_ms"] for r in runs]) for name, runs in results.items()}
    cpu = {name: med([r["cpu_us"] for r in runs]) for name, runs in results.items()}
    errors = sum(r["non2xx"] + r["socket_errors"] for r in results["denkdag"])
    ratio = rps["denkdag"] / rps["raw_asgi"]
    return [
        row(
            "vote ingest (wrk, 64 conn)",
            "votes/s vs bare ASGI",
            rps["denkdag"],
            rps["raw_asgi"],
            "≥ 0.3×",
            ratio >= 0.3,
            "req/s",
        ),
        row(
            "vote ingest (wrk, 64 conn)",
            "votes/s vs raw SQLite insert",
            rps["denkdag"],
            rps["raw_sqlite"],
            "",
            None,
            "req/s",
        ),
        row(
            "vote ingest (wrk, 64 conn)",
            "p99 latency vs bare ASGI",
            p99["denkdag"],
            p99["raw_asgi"],
            "",
            None,
            "ms",
        ),
        row(
            "vote ingest (wrk, 64 conn)",
            "server CPU per request vs bare ASGI",
            cpu["denkdag"],
            cpu["raw_asgi"],
            "",
            None,
            "µs",
        ),
        row(
            "vote ingest (wrk, 64 conn)",
            "CPU per request: first round (cold caches) vs later",
            results["denkdag"][0]["cpu_us"],
            med([r["cpu_us"] for r in results["denkdag"][1:]]) if ctx.rounds > 1 else None,
            "",
            None,
            "µs",
        ),
        row(
            "vote ingest (wrk, 64 conn)", "errors (non-2xx, socket)", errors, None, "0", errors == 0
        ),
    ]


# fan-out -------------------------------------------------------------------------------


async def _fanout_run(
    process: Process,
    room: Room,
    subscribers: int,
    changes: int,
    events_url: str,
    change: Any,
    vote_url: str,
    is_denkdag: bool,
) -> dict[str, Any]:
    rss_before = process.rss()
    async with client() as http:
        headers = [bearer(token) for token in room.tokens[:subscribers]]
        subs, tasks = await subscribe(http, events_url, headers)
        failed = sum(1 for s in subs if s.failed)
        await asyncio.sleep(0.5)
        rss_after = process.rss()
        stop = asyncio.Event()
        voters = room.tokens[subscribers:]

        in_flight: set[asyncio.Task[None]] = set()

        async def vote_loop() -> None:
            index = 0
            while not stop.is_set():
                token = voters[index % len(voters)]
                index += 1
                task = asyncio.create_task(_put(http, vote_url, token, "abc"[index % 3]))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                await asyncio.sleep(1 / 200)
            await asyncio.gather(*in_flight, return_exceptions=True)

        voting = asyncio.create_task(vote_loop())
        sent: list[float] = []
        for index in range(changes):
            sent.append(time.monotonic())
            await change(http, index)
            await asyncio.sleep(0.7)
        stop.set()
        await voting
        await asyncio.sleep(0.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies: list[float] = []
    missing = 0
    for sub in subs:
        states = sub.arrivals.get("state", [])
        if is_denkdag:
            states = states[1:]  # the state every stream starts with
        for index, started in enumerate(sent):
            if index < len(states):
                latencies.append(states[index][1] - started)
            else:
                missing += 1
    first: dict[str, float] = {}
    for sub in subs:
        for event_id, at in sub.arrivals.get("tally", []):
            first[event_id] = min(first.get(event_id, at), at)
    spread = [at - first[i] for sub in subs for i, at in sub.arrivals.get("tally", [])]
    return {
        "state": latencies,
        "tally_spread": spread,
        "tallies_per_phone": len(first),
        "missing": missing,
        "failed": failed,
        "rss_per_1000": (rss_after - rss_before) / subscribers * 1000,
        "rss_mb": rss_after,
    }


async def _put(http: aiohttp.ClientSession, url: str, token: str, value: str) -> None:
    try:
        async with http.put(url, json={"value": value}, headers=bearer(token)) as reply:
            await reply.read()
    except (aiohttp.ClientError, RuntimeError):  # RuntimeError: the run closed its client
        pass


async def fanout(
    ctx: Context, subscribers: int, rounds: int, with_baseline: bool = True
) -> list[Row]:
    room = await make_room(fresh_sqlite(ctx.directory), subscribers + 200)
    server = denkdag(room, ctx.log(f"fanout-{subscribers}-denkdag"))
    raw = baseline("raw_sse", ctx.log(f"fanout-{subscribers}-raw")) if with_baseline else None
    changes = 6 if ctx.quick else 8
    try:
        await server.ready(f"/api/v1/sessions/{room.code}")
        if raw:
            await raw.ready()

        async def goto(_http: aiohttp.ClientSession, index: int) -> None:
            # A connection of its own each time: with thousands of streams the server may
            # be closing a kept-alive one (its keep-alive time-out) just as it is reused,
            # and a slide change must neither fail on that nor be sent twice.
            body = {"action": "goto", "slide": "s7" if index % 2 == 0 else "s4"}
            connector = aiohttp.TCPConnector(force_close=True)
            async with (
                aiohttp.ClientSession(connector=connector) as fresh,
                fresh.post(
                    api(server, room, "/control"), json=body, headers=bearer(room.facilitator)
                ) as reply,
            ):
                assert reply.status == 200, await reply.text()

        async def publish(http: aiohttp.ClientSession, index: int) -> None:
            assert raw is not None
            for attempt in range(3):  # a loaded machine may close a kept-alive connection
                try:
                    async with http.post(f"{raw.base}/publish", json={"slide": index}) as reply:
                        await reply.read()
                    return
                except aiohttp.ClientError:
                    if attempt == 2:
                        raise

        ours: list[dict[str, Any]] = []
        theirs: list[dict[str, Any]] = []
        for _ in range(rounds):
            ours.append(
                await _fanout_run(
                    server,
                    room,
                    subscribers,
                    changes,
                    api(server, room, "/events"),
                    goto,
                    api(server, room, "/slides/s4/response"),
                    True,
                )
            )
            say(
                f"fan-out {subscribers} denkdag: state p99 "
                f"{percentile(ours[-1]['state'], 99) * 1000:.0f} ms, "
                f"{ours[-1]['rss_per_1000']:.1f} MB/1000, missing {ours[-1]['missing']}"
            )
            if raw:
                theirs.append(
                    await _fanout_run(
                        raw,
                        room,
                        subscribers,
                        changes,
                        f"{raw.base}/events",
                        publish,
                        f"{raw.base}/vote",
                        False,
                    )
                )
                say(
                    f"fan-out {subscribers} raw: state p99 "
                    f"{percentile(theirs[-1]['state'], 99) * 1000:.0f} ms"
                )
    finally:
        server.stop()
        if raw:
            raw.stop()
    ours_state = summary([v for run in ours for v in run["state"]])
    ours_tally = summary([v for run in ours for v in run["tally_spread"]])
    base_state = summary([v for run in theirs for v in run["state"]]) if theirs else None
    base_tally = summary([v for run in theirs for v in run["tally_spread"]]) if theirs else None
    limit = 250 if subscribers <= 1000 else 1000
    name = f"fan-out, {subscribers} phones, 200 votes/s"
    memory = ours[0]["rss_per_1000"]  # from a cold server; later rounds reuse its heap
    missing = sum(run["missing"] + run["failed"] for run in ours)
    tallies = med([run["tallies_per_phone"] / (changes * 0.7 + 0.5) for run in ours])
    return [
        row(
            name,
            "slide change → phone p50",
            ours_state["p50_ms"],
            base_state["p50_ms"] if base_state else None,
            "",
            None,
            "ms",
        ),
        row(
            name,
            "slide change → phone p99",
            ours_state["p99_ms"],
            base_state["p99_ms"] if base_state else None,
            f"≤ {limit} ms",
            ours_state["p99_ms"] <= limit,
            "ms",
        ),
        row(
            name,
            "tally fan-out spread p99",
            ours_tally["p99_ms"],
            base_tally["p99_ms"] if base_tally else None,
            "",
            None,
            "ms",
        ),
        row(name, "tally updates per phone per s", tallies, None, "a few", tallies <= 5, "/s"),
        row(name, "server memory per 1,000 phones", memory, None, "≤ 50 MB", memory <= 50, "MB"),
        row(name, "phones missing an event", missing, None, "0", missing == 0),
    ]


# burst -----------------------------------------------------------------------------------


async def burst(ctx: Context, participants: int) -> list[Row]:
    room = await make_room(fresh_sqlite(ctx.directory), participants)
    server = denkdag(room, ctx.log("burst-denkdag"))
    raw = baseline("raw_sqlite", ctx.log("burst-raw"), ctx.directory / "burst-raw.sqlite3")
    window = 4.0
    try:
        await server.ready(f"/api/v1/sessions/{room.code}")
        await raw.ready()
        async with client() as http:
            projector_tallies: list[tuple[float, dict[str, Any]]] = []

            async def projector() -> None:
                async with http.get(
                    api(server, room, "/events"), headers=bearer(room.facilitator)
                ) as response:
                    name = ""
                    async for raw_line in response.content:
                        if raw_line.startswith(b"event: "):
                            name = raw_line[7:].strip().decode()
                        elif raw_line.startswith(b"data: ") and name == "tally":
                            projector_tallies.append((time.monotonic(), json.loads(raw_line[6:])))

            watching = asyncio.create_task(projector())
            await asyncio.sleep(0.5)
            model: dict[str, str] = {}
            statuses: Counter[int] = Counter()
            latencies: list[float] = []
            finished: list[float] = []

            async def vote(base_url: str, index: int, record: bool) -> None:
                token = room.tokens[index]
                value = "abc"[hash(token) % 3]
                started = time.monotonic()
                async with http.put(
                    base_url, json={"value": value}, headers=bearer(token)
                ) as reply:
                    await reply.read()
                    status = reply.status
                latencies.append(time.monotonic() - started)
                if record:
                    statuses[status] += 1
                    finished.append(time.monotonic())
                    if status == 200:
                        model[token] = value

            await at_rate(
                participants,
                window,
                lambda i: vote(api(server, room, "/slides/s4/response"), i, True),
            )
            ours = summary(latencies)
            last_ack = max(finished)
            expected = {"a": 0, "b": 0, "c": 0} | Counter(model.values())
            converged = float("nan")
            for _ in range(100):
                hit = [
                    at
                    for at, t in projector_tallies
                    if t.get("slide") == "s4" and t.get("counts") == expected
                ]
                if hit:
                    converged = hit[0] - last_ack
                    break
                await asyncio.sleep(0.05)
            async with http.get(
                api(server, room, "/results"), headers=bearer(room.facilitator)
            ) as reply:
                slides = (await reply.json())["slides"]
            counts = next(s for s in slides if s["id"] == "s4")["counts"]
            watching.cancel()
            latencies.clear()
            await at_rate(participants, window, lambda i: vote(f"{raw.base}/vote", i, False))
            theirs = summary(latencies)
    finally:
        server.stop()
        raw.stop()
    accepted = statuses.get(200, 0)
    name = f"burst: {participants} phones vote once in {window:.0f} s"
    say(f"burst: {accepted} accepted, converged {converged * 1000:.0f} ms after the last vote")
    return [
        row(name, "votes accepted", accepted, None, f"{participants}", accepted == participants),
        row(
            name,
            "exact counts (results = model)",
            float(counts == expected),
            None,
            "yes",
            counts == expected,
        ),
        row(
            name, "vote latency p99 vs raw SQLite", ours["p99_ms"], theirs["p99_ms"], "", None, "ms"
        ),
        row(
            name,
            "projector converged after last vote",
            converged * 1000,
            None,
            "≤ 1000 ms",
            converged <= 1.0,
            "ms",
        ),
    ]


# join storm ------------------------------------------------------------------------------


async def join_storm(ctx: Context, joins: int) -> list[Row]:
    room = await make_room(fresh_sqlite(ctx.directory), 0)
    server = denkdag(room, ctx.log("joins-denkdag"))
    raw = baseline("raw_sqlite", ctx.log("joins-raw"), ctx.directory / "joins-raw.sqlite3")
    window = 5.0
    try:
        await server.ready(f"/api/v1/sessions/{room.code}")
        await raw.ready()
        results: dict[str, tuple[Counter[int], list[float]]] = {}
        async with client() as http:
            for name, url in (
                ("denkdag", api(server, room, "/participants")),
                ("raw", f"{raw.base}/join"),
            ):
                statuses: Counter[int] = Counter()
                latencies: list[float] = []

                async def join(
                    _index: int,
                    url: str = url,
                    statuses: Counter[int] = statuses,
                    latencies: list[float] = latencies,
                ) -> None:
                    started = time.monotonic()
                    async with http.post(url) as reply:
                        await reply.read()
                        statuses[reply.status] += 1
                    latencies.append(time.monotonic() - started)

                await at_rate(joins, window, join)
                results[name] = (statuses, latencies)
            async with http.get(
                api(server, room, "/results"), headers=bearer(room.facilitator)
            ) as reply:
                joined = (await reply.json())["joined"]
    finally:
        server.stop()
        raw.stop()
    ok = results["denkdag"][0].get(201, 0)
    ours, theirs = summary(results["denkdag"][1]), summary(results["raw"][1])
    name = f"join storm: {joins} joins in {window:.0f} s"
    say(f"join storm: {ok} joined (server counts {joined})")
    return [
        row(
            name,
            "joins accepted (and counted)",
            ok,
            None,
            f"{joins}",
            ok == joins and joined == joins,
        ),
        row(
            name, "join latency p50 vs raw SQLite", ours["p50_ms"], theirs["p50_ms"], "", None, "ms"
        ),
        row(
            name, "join latency p99 vs raw SQLite", ours["p99_ms"], theirs["p99_ms"], "", None, "ms"
        ),
    ]


# slide pages: after a slide change every phone fetches its slide -------------------------


ROOM_PART = "?room=yes"
"""What a phone's live layer asks for after a slide change to a slide it has not answered
(static/js/live.js): the room's part of the slide, rendered once for the whole room."""


async def slide_pages(ctx: Context, phones: int) -> list[Row]:
    """Every phone of a room fetches its new slide at once (`/j/CODE/slide?room=yes`, as a
    phone does after each slide change), over a venue's few hundred connections; beside
    the same requests to the bare ASGI endpoint. Each round is a slide change (`goto`,
    alternating between two question slides), so no round reuses the last one's page."""
    room = await make_room(fresh_sqlite(ctx.directory), phones)
    servers = {
        "denkdag": denkdag(room, ctx.log(f"pages-{phones}-denkdag")),
        "raw_asgi": baseline("raw_asgi", ctx.log(f"pages-{phones}-raw-asgi")),
    }
    took: dict[str, list[float]] = {name: [] for name in servers}
    each: dict[str, list[float]] = {name: [] for name in servers}
    cpu: dict[str, list[float]] = {name: [] for name in servers}
    fetched: Counter[int] = Counter()
    cookie = participant_cookie(room.code)
    try:
        await servers["denkdag"].ready(f"/api/v1/sessions/{room.code}")
        await servers["raw_asgi"].ready()
        async with client(limit=300) as http:
            for round_ in range(ctx.rounds + 1):  # the first round warms up (not counted)
                body = {"action": "goto", "slide": "s7" if round_ % 2 == 0 else "s4"}
                async with http.post(
                    api(servers["denkdag"], room, "/control"),
                    json=body,
                    headers=bearer(room.facilitator),
                ) as moved:
                    assert moved.status == 200, await moved.text()
                for name, process in servers.items():
                    url = f"{process.base}/j/{room.code}/slide{ROOM_PART}"
                    done: list[float] = []

                    async def fetch(
                        token: str, url: str = url, name: str = name, done: list[float] = done
                    ) -> None:
                        async with http.get(url, headers={"Cookie": f"{cookie}={token}"}) as reply:
                            await reply.read()
                            done.append(time.monotonic())
                            if name == "denkdag":
                                fetched[reply.status] += 1

                    used, started = process.cpu(), time.monotonic()
                    await asyncio.gather(*(fetch(token) for token in room.tokens))
                    if round_:
                        took[name].append(time.monotonic() - started)
                        each[name] += [moment - started for moment in done]
                        cpu[name].append((process.cpu() - used) / phones * 1e6)
                if round_:
                    say(
                        f"slide pages: {phones} phones served in {took['denkdag'][-1]:.2f} s "
                        f"(bare {took['raw_asgi'][-1]:.2f} s), "
                        f"{cpu['denkdag'][-1]:.0f} µs of CPU each"
                    )
    finally:
        for process in servers.values():
            process.stop()
    name = f"slide pages: {phones} phones at once"
    ok = fetched.get(200, 0) == phones * (ctx.rounds + 1)
    p99 = percentile(each["denkdag"], 99)
    p99_limit = 1.0 if phones <= 1000 else 2.0
    spent = med(cpu["denkdag"])
    return [
        row(name, "pages served (200)", fetched.get(200, 0), None, "all", ok),
        row(
            name,
            "new slide on a phone p99 vs bare ASGI",
            p99,
            percentile(each["raw_asgi"], 99),
            f"≤ {p99_limit:g} s",
            p99 <= p99_limit,
            "s",
        ),
        row(
            name,
            "every phone has its slide (s) vs bare ASGI",
            med(took["denkdag"]),
            med(took["raw_asgi"]),
            "",
            None,
            "s",
        ),
        row(
            name,
            "server CPU per phone per slide change vs bare ASGI",
            spent,
            med(cpu["raw_asgi"]),
            "≤ 300 µs",
            spent <= 300,
            "µs",
        ),
    ]


# two instances over Redis and PostgreSQL ---------------------------------------------------


async def _admin(dsn: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def two_instances(ctx: Context, subscribers: int) -> list[Row]:
    name_db = f"denkdag_bench_{uuid.uuid4().hex[:10]}"
    try:
        await _admin(ctx.postgres_admin, f'CREATE DATABASE "{name_db}"')
    except (OSError, Exception) as error:
        say(f"two instances skipped: PostgreSQL unreachable ({error})")
        return []
    database = ctx.postgres_admin.rsplit("/", 1)[0] + "/" + name_db
    prefix = f"denkdag-bench-{uuid.uuid4().hex[:8]}:"
    redis_url = f"{ctx.redis_url}?prefix={prefix}"
    servers: list[Process] = []
    raw: Process | None = None
    try:
        room = await make_room(database, 1000 + subscribers)
        tokens = Room(database, room.code, room.facilitator, room.tokens[:1000]).write_tokens(
            ctx.directory / "two-tokens.txt"
        )
        servers = [denkdag(room, ctx.log(f"two-{i}"), redis_url) for i in range(2)]
        raw = baseline("raw_asgi", ctx.log("two-raw"))
        for server in servers:
            await server.ready(f"/api/v1/sessions/{room.code}")
        await raw.ready()
        ours_rps: list[float] = []
        base_rps: list[float] = []
        errors = 0
        for _ in range(ctx.rounds):
            both = await asyncio.gather(
                *(wrk(s.base, tokens, room.code, ctx.wrk_seconds, 32) for s in servers)
            )
            ours_rps.append(sum(r["rps"] for r in both))
            errors += sum(r["non2xx"] + r["socket_errors"] for r in both)
            base_rps.append((await wrk(raw.base, tokens, room.code, ctx.wrk_seconds, 64))["rps"])
            say(f"two instances: {ours_rps[-1]:.0f} votes/s together, bare {base_rps[-1]:.0f}")
        # A slide change made on instance A, timed on phones connected to instance B.
        a, b = servers
        async with client() as http:
            headers = [bearer(t) for t in room.tokens[1000 : 1000 + subscribers]]
            subs, tasks = await subscribe(http, api(b, room, "/events"), headers)
            sent = []
            for index in range(6):
                sent.append(time.monotonic())
                body = {"action": "goto", "slide": "s7" if index % 2 == 0 else "s4"}
                async with http.post(
                    api(a, room, "/control"), json=body, headers=bearer(room.facilitator)
                ) as reply:
                    assert reply.status == 200, await reply.text()
                await asyncio.sleep(0.5)
            await asyncio.sleep(0.5)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        latencies, missing = [], 0
        for sub in subs:
            states = sub.arrivals.get("state", [])[1:]
            for index, started in enumerate(sent):
                if index < len(states):
                    latencies.append(states[index][1] - started)
                else:
                    missing += 1
    finally:
        for server in servers:
            server.stop()
        if raw:
            raw.stop()
        await _forget(ctx.redis_url, prefix)
        await _admin(ctx.postgres_admin, f'DROP DATABASE IF EXISTS "{name_db}" WITH (FORCE)')
    cross = summary(latencies)
    name = "two instances, Redis + PostgreSQL"
    return [
        row(name, "votes/s (both) vs bare ASGI", med(ours_rps), med(base_rps), "", None, "req/s"),
        row(name, "errors (non-2xx, socket)", errors, None, "0", errors == 0),
        row(
            name,
            f"slide change A → {subscribers} phones on B p50",
            cross["p50_ms"],
            None,
            "",
            None,
            "ms",
        ),
        row(
            name,
            f"slide change A → {subscribers} phones on B p99",
            cross["p99_ms"],
            None,
            "≤ 250 ms",
            cross["p99_ms"] <= 250,
            "ms",
        ),
        row(name, "phones missing an event", missing, None, "0", missing == 0),
    ]


async def _forget(redis_url: str, prefix: str) -> None:
    import redis.asyncio as aioredis

    redis = aioredis.Redis.from_url(redis_url)
    try:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
    except Exception:
        pass
    finally:
        await redis.aclose()
