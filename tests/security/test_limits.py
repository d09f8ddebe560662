"""Abuse limits: joins, code guesses, answers and sign-ins are bounded per address or
participant; each refusal is a 429 with Retry-After and a sentence, counted; a real room of
300 behind one venue address is never refused."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from denkdag.security import CODE_DIGITS
from denkdag.web.ratelimit import (
    LOOKUP_BURST,
    LOOKUP_PER_HOUR,
    Backoff,
    Limiter,
    Rate,
    client_address,
    parse_networks,
)

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def other_client(running, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=running.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["detail"]


def test_guessing_a_code_stays_under_one_percent_in_an_hour_from_50_addresses() -> None:
    """An attacker who tries a code every second for an hour, from each of 50 addresses,
    gets LOOKUP_BURST + LOOKUP_PER_HOUR tries per address; with 100 joinable sessions the
    chance that one of them is a live code stays under 1 %."""
    clock = Clock()
    lookups = Limiter(Rate(LOOKUP_BURST, LOOKUP_PER_HOUR / 3600), clock=clock)
    tried = 0
    for _second in range(3600):
        if lookups.wait("203.0.113.9") == 0:
            lookups.charge("203.0.113.9")  # every guess misses
            tried += 1
        clock.now += 1
    assert tried <= LOOKUP_BURST + LOOKUP_PER_HOUR
    guesses = 50 * tried
    joinable = 100
    chance = 1 - (1 - joinable / 10**CODE_DIGITS) ** guesses
    assert chance <= 0.01, chance
    # The bound of the docstring: up to 250 joinable sessions.
    assert 1 - (1 - 250 / 10**CODE_DIGITS) ** (50 * (LOOKUP_BURST + LOOKUP_PER_HOUR)) <= 0.01


async def test_unknown_codes_run_out_and_then_even_the_right_code_waits(running) -> None:
    for number in range(LOOKUP_BURST):
        missing = await running.client.get(f"/api/v1/sessions/{number:08d}")
        assert missing.status_code == 404
    refused = await running.client.get(f"/api/v1/sessions/{running.code}")
    assert_refused(refused)
    assert_refused(await running.client.get(f"/j/{running.code}"))
    async with other_client(running, "198.51.100.7") as neighbour:
        assert (await neighbour.get(f"/api/v1/sessions/{running.code}")).status_code == 200
    assert running.app.state.limits.refusals.counts["code_guess"] == 2


async def test_joins_are_limited_per_address(running) -> None:
    running.app.state.limits.joins = Limiter(Rate(5, 0.0))
    for _ in range(5):
        await running.join()
    refused = await running.client.post(f"/api/v1/sessions/{running.code}/participants")
    assert_refused(refused)
    async with other_client(running, "198.51.100.8") as elsewhere:
        joined = await elsewhere.post(f"/api/v1/sessions/{running.code}/participants")
        assert joined.status_code == 201
    assert (
        await running.service.results.joined(await running.service.sessions.get(running.code)) == 6
    )


async def test_a_room_of_300_behind_one_address_is_never_refused(running) -> None:
    """300 phones join within moments through one venue address, 30 of them after
    mistyping the code once, and every phone answers twice."""
    await running.control("goto", "s4")
    tokens = []
    for phone in range(300):
        if phone % 10 == 0:
            typo = await running.client.get(f"/api/v1/sessions/{running.code[::-1]}x")
            assert typo.status_code == 404
        tokens.append(await running.join())
    for token in tokens:
        assert (await running.answer(token, "s4", "a")).status_code == 200
        assert (await running.answer(token, "s4", "b")).status_code == 200
    results = await running.results()
    assert results["s4"]["counts"] == {"a": 0, "b": 300, "c": 0}
    assert not running.app.state.limits.refusals.counts
    folder = os.environ.get("DENKDAG_SCORECARD_DIR")
    if folder:
        report = {"requests": 30 + 300 + 600, "refused": 0, "lost": 0}
        Path(folder, "room_of_300.json").write_text(json.dumps(report), encoding="utf-8")


async def test_answers_are_limited_per_participant(running) -> None:
    running.app.state.limits.answers = Limiter(Rate(3, 0.0))
    await running.control("goto", "s4")
    eager, calm = await running.join(), await running.join()
    for value in "abc":
        assert (await running.answer(eager, "s4", value)).status_code == 200
    assert_refused(await running.answer(eager, "s4", "a"))
    assert (await running.answer(calm, "s4", "a")).status_code == 200
    results = await running.results()
    assert results["s4"]["counts"] == {"a": 1, "b": 0, "c": 1}


async def test_sign_in_backs_off_after_ten_failures(running) -> None:
    clock = Clock()
    limits = running.app.state.limits
    limits.login_accounts = Backoff(clock=clock)
    limits.login_addresses = Backoff(clock=clock)
    await running.service.access.set_password("facilitator", "correct horse")
    page = await running.client.get("/login")
    token = CSRF.search(page.text).group(1)

    async def sign_in(password: str, client: httpx.AsyncClient | None = None) -> httpx.Response:
        return await (client or running.client).post(
            "/login",
            data={"username": "facilitator", "password": password, "csrf_token": token},
        )

    for _ in range(10):
        assert (await sign_in("wrong")).status_code == 401
    refused = await sign_in("correct horse")
    assert_refused(refused)
    # The account backs off from any address, too.
    async with other_client(running, "198.51.100.9") as elsewhere:
        elsewhere.cookies.set("dd_csrf", token)
        assert_refused(await sign_in("correct horse", elsewhere))
    clock.now += int(refused.headers["retry-after"])
    assert (await sign_in("correct horse")).status_code == 303
    assert limits.refusals.counts["login"] == 2


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    headers = [(b"x-forwarded-for", b"192.0.2.1, 203.0.113.5")]
    direct = {"client": ("198.51.100.1", 1), "headers": headers}
    assert client_address(direct, ()) == "198.51.100.1"
    assert client_address(direct, parse_networks(["10.0.0.0/8"])) == "198.51.100.1"
    proxied = {"client": ("10.0.0.3", 1), "headers": headers}
    # The right-most address that is not our proxy: the client cannot choose it.
    assert client_address(proxied, parse_networks(["10.0.0.0/8"])) == "203.0.113.5"
    chain = parse_networks(["10.0.0.0/8", "203.0.113.0/24"])
    assert client_address(proxied, chain) == "192.0.2.1"
    v6 = {"client": ("2001:db8:1:2:3:4:5:6", 1), "headers": []}
    assert client_address(v6, ()) == "2001:db8:1:2::/64"


async def test_deep_or_long_json_answers_are_refused_with_a_sentence(running) -> None:
    token = await running.join()
    await running.control("goto", "s4")
    for value in (["a"] * 201, [[[[[[["a"]]]]]]], {"k" + str(i): 1 for i in range(300)}):
        response = await running.answer(token, "s4", value)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]


async def test_metrics_count_refusals_for_facilitators_only(running) -> None:
    running.app.state.limits.joins = Limiter(Rate(0, 0.0))
    assert (
        await running.client.post(f"/api/v1/sessions/{running.code}/participants")
    ).status_code == 429
    assert (await running.client.get("/api/v1/metrics")).status_code == 403
    metrics = await running.client.get("/api/v1/metrics", headers=running.facilitator())
    assert metrics.status_code == 200
    assert metrics.json()["refusals"] == {"join": 1}
