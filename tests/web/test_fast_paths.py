"""The hot paths answer exactly as the general ones: the vote fast path as the FastAPI
route, with every limit and header; the event stream as before (headers, clean-up); the
tally interval as set."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from denkdag.config import Settings
from denkdag.live.broadcaster import make_envelope
from denkdag.live.coalesce import MAX_STRETCH, stretched
from denkdag.live.hub import IDLE, Envelope, Hub
from denkdag.web import fast_paths
from denkdag.web.ratelimit import Limiter, Rate
from harness.servers import live_session
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

FAST = "application/json"
ROUTE = "application/json; charset=utf-8"  # not the fast path's: FastAPI's route answers


@pytest.fixture
def fast_replies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statuses the fast paths answered with themselves (the routes' replies are not
    counted)."""
    replies: list[int] = []
    original = fast_paths.send_json

    async def counted(send, status, body, retry_after=None):  # type: ignore[no-untyped-def]
        replies.append(status)
        await original(send, status, body, retry_after)

    monkeypatch.setattr(fast_paths, "send_json", counted)
    return replies


async def test_the_vote_fast_path_answers_as_the_route_does(running) -> None:
    await running.control("goto", "s4")
    url = f"/api/v1/sessions/{running.code}/slides/{{slide}}/response"

    async def both(slide: str, body: bytes, auth: str | None, **extra: str) -> None:
        replies = []
        for content_type in (FAST, ROUTE):
            token = await running.join() if auth == "fresh" else auth
            headers = {"Content-Type": content_type, **extra}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            replies.append(
                await running.client.put(url.format(slide=slide), content=body, headers=headers)
            )
        fast, route = replies
        assert (fast.status_code, fast.json()) == (route.status_code, route.json()), body
        if fast.status_code == 200:
            assert fast.content == route.content  # rendered byte for byte alike
        for name in ("content-type", "content-security-policy", "retry-after"):
            assert fast.headers.get(name) == route.headers.get(name)

    await both("s4", b'{"value": "a"}', "fresh")
    await both("s4", b'{"value": "zzz"}', "fresh")
    await both("s4", b'{"value": ["a", "b"]}', "fresh")
    await both("s1", b'{"value": "a"}', "fresh")
    await both("nope", b'{"value": "a"}', "fresh")
    await both("s4", b'{"value": "a"}', None)
    await both("s4", b'{"value": "a"}', "not-a-token")
    await both("s4", b'{"value": "a"}', "fresh", **{"Idempotency-Key": "k-1"})
    await both("s4", b'{"value": "a"}', "fresh", **{"Idempotency-Key": "bad key"})
    await both("s4", b'{"value": "a", "other": 1}', "fresh")
    await both("s4", b'{"value": NaN}', "fresh")
    await both("s4", b"[1]", "fresh")
    await both("s4", b"{", "fresh")
    await both("s4", b'\xef\xbb\xbf{"value": "a"}', "fresh")  # a byte-order mark
    await both("s4", '{"value": "a"}'.encode("utf-16"), "fresh")
    await both("s4", b'{"value": "\xff"}', "fresh")  # not UTF-8


async def test_the_join_fast_path_answers_as_the_route_does(running, fast_replies) -> None:
    url = "/api/v1/sessions/{code}/participants"

    async def both(body: bytes, code: str = running.code) -> None:
        replies = []
        for content_type in (FAST, ROUTE):
            headers = {"Content-Type": content_type} if body else {}
            if not body and content_type == ROUTE:
                headers = {"Content-Type": ROUTE}  # the route's way to an empty join
            replies.append(
                await running.client.post(url.format(code=code), content=body, headers=headers)
            )
        fast, route = replies
        assert fast.status_code == route.status_code, body
        if fast.status_code == 201:
            assert set(fast.json()) == set(route.json()) == {"participant_token"}
            assert fast.json()["participant_token"] != route.json()["participant_token"]
        else:
            assert fast.json() == route.json(), body
        for name in ("content-type", "content-security-policy", "retry-after"):
            assert fast.headers.get(name) == route.headers.get(name)

    await both(b"")
    await both(b"{}")
    await both(b'{"invitation": null}')
    await both(b'{"invitation": "not-needed"}')
    await both(b"", code="ZZZZ9999")
    await both(b'{"invitation": "%s"}' % (b"x" * 65))
    await both(b'{"other": 1}')
    await both(b"[1]")
    await both(b"{")
    await both(b"\xef\xbb\xbf{}")
    assert fast_replies == [201] * 4  # the ordinary joins took the fast path


async def test_a_fast_vote_is_committed_and_counted(running, fast_replies) -> None:
    await running.control("goto", "s4")
    tokens = [await running.join() for _ in range(3)]
    for token, value in zip(tokens, ("a", "b", "a"), strict=True):
        voted = await running.answer(token, "s4", value)
        assert voted.status_code == 200
        assert voted.content == b'{"slide":"s4","value":"%s"}' % value.encode()  # as the route
    assert (await running.answer(tokens[1], "s4", "a")).status_code == 200
    assert fast_replies == [201] * 3 + [200] * 4  # the fast paths answered, not the routes
    assert (await running.results())["s4"]["counts"]["a"] == 3


async def test_an_ordinary_vote_gets_every_limit_and_header(running) -> None:
    """The vote's path sits inside the middleware, so every vote gets what it applies: the
    security headers (the API policy; HSTS over TLS), the answer budget, the unknown-code
    budget (a vote to an unknown code costs a lookup) and the body limit."""
    await running.control("goto", "s4")
    token = await running.join()
    page = await running.client.get(f"/j/{running.code}")
    stack_json = await running.client.get(f"/api/v1/sessions/{running.code}")
    voted = await running.answer(token, "s4", "b")
    assert voted.status_code == 200
    for name in ("content-security-policy", "x-frame-options", "referrer-policy"):
        assert voted.headers[name] == stack_json.headers[name]  # as every JSON reply
    assert voted.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "script-src 'self'" in page.headers["content-security-policy"]  # pages: their own
    assert voted.headers["x-content-type-options"] == "nosniff"
    transport = httpx.ASGITransport(app=running.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as tls:
        secure = await tls.put(
            f"/api/v1/sessions/{running.code}/slides/s4/response",
            json={"value": "c"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert secure.status_code == 200
    assert secure.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in voted.headers

    limits = running.app.state.limits
    limits.answers = Limiter(Rate(1, 0.0))
    assert (await running.answer(token, "s4", "a")).status_code == 200
    refused = await running.answer(token, "s4", "b")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["detail"].startswith("Too many answers at once.")
    assert refused.headers["content-security-policy"] == voted.headers["content-security-policy"]
    assert limits.refusals.counts["answer"] == 1

    limits.answers = Limiter(Rate(100, 0.0))
    limits.lookups = Limiter(Rate(2, 0.0))
    for _ in range(2):
        unknown = await running.client.put(
            "/api/v1/sessions/00000000/slides/s4/response",
            json={"value": "a"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert unknown.status_code == 404
    guessed = await running.answer(token, "s4", "a")  # the right code, after two misses
    assert guessed.status_code == 429 and limits.refusals.counts["code_guess"] == 1

    limits.lookups = Limiter(Rate(100, 0.0))
    limit = running.app.state.settings.max_body_bytes
    large = b'{"value": "' + b"x" * limit + b'"}'
    too_long = await running.client.put(
        f"/api/v1/sessions/{running.code}/slides/s4/response",
        content=large,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert too_long.status_code == 413
    assert too_long.json() == {"detail": f"The body is larger than {limit} bytes."}
    assert too_long.headers["content-security-policy"] == voted.headers["content-security-policy"]


async def test_a_stream_has_the_security_headers_and_leaves_no_subscriber(
    settings: Settings,
) -> None:
    async with live_session(settings) as live:
        hub = live.service.broadcaster.hub
        url = f"{live.base}/api/v1/sessions/{live.code}/events"
        async with httpx.AsyncClient(timeout=10) as client:
            async with client.stream("GET", url, headers=live.facilitator()) as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                assert "frame-ancestors" in response.headers["content-security-policy"]
                assert response.headers["cache-control"] == "no-cache"
                lines = aiter(response.aiter_lines())
                assert (await anext(lines)).startswith("id: ")
                assert hub.subscriber_count() == 1
        await wait_until(lambda: hub.subscriber_count() == 0)


def test_the_tally_interval_grows_slowly_with_the_audience() -> None:
    assert stretched(0.25, 0) == 0.25
    assert stretched(0.25, 1000) == 0.25
    assert 0.25 < stretched(0.25, 5000) < stretched(0.25, 10_000) <= 0.25 * MAX_STRETCH
    assert stretched(0.25, 10**7) == 0.25 * MAX_STRETCH


async def test_a_subscription_wakes_on_an_event_idles_on_time_out_and_ends_when_dropped() -> None:
    hub = Hub()
    subscription = hub.subscribe("t")
    assert await subscription.next(timeout=0.01) is IDLE
    waiting = asyncio.ensure_future(subscription.next(timeout=10))
    await asyncio.sleep(0)
    envelope = make_envelope(hub, "state", {"a": 1}, {"a": 1})
    hub.deliver("t", envelope)
    assert await waiting is envelope
    waiting = asyncio.ensure_future(subscription.next(timeout=10))
    await asyncio.sleep(0)
    subscription.drop()
    assert await waiting is None


async def test_an_event_for_facilitators_only_reaches_no_participant_stream() -> None:
    hub = Hub()
    phone, projector = hub.subscribe("t"), hub.subscribe("t", facilitator=True)
    hub.deliver("t", make_envelope(hub, "presence", None, {"joined": 3}))
    hub.deliver("t", make_envelope(hub, "tally", {"slide": "s4"}, {"slide": "s4", "n": 1}))
    assert [e.event for e in projector.pending] == ["presence", "tally"]
    assert [e.event for e in phone.pending] == ["tally"]  # never woken for the count
    first = projector.pending[0]
    assert not first.for_participants and first.for_role(False) == b""
    assert b'"joined":3' in first.for_role(True)


async def test_a_phone_resuming_its_stream_skips_the_facilitators_events(running) -> None:
    """A phone reconnecting with Last-Event-ID gets what it missed, but not the joined
    counts that went to the projector meanwhile (the projector gets them)."""
    svc = running.app.state.service
    heard: list[Envelope] = []
    svc.broadcaster.hub.add_listener(lambda _topic, envelope: heard.append(envelope))
    await running.control("goto", "s4")
    await wait_until(lambda: any(e.event == "state" for e in heard))
    since = next(e.id for e in heard if e.event == "state")
    await running.join()
    await wait_until(lambda: any(e.event == "presence" for e in heard))
    session = await svc.sessions.get(running.code)
    phone = await svc.streams.opening(session, since, facilitator=False)
    projector = await svc.streams.opening(session, since, facilitator=True)
    assert not any(b"event: presence" in frame for frame in phone)
    assert any(b"event: presence" in frame for frame in projector)
    assert all(frame for frame in phone)


async def test_a_refused_stream_gets_the_json_sentence_of_the_route(running) -> None:
    unknown = await running.client.get("/api/v1/sessions/99999999/events")
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith("No session has this join code")
    assert "content-security-policy" in unknown.headers
    stranger = await running.client.get(
        f"/api/v1/sessions/{running.code}/events", headers={"Authorization": "Bearer nope"}
    )
    assert stranger.status_code == 403
    assert isinstance(stranger.json()["detail"], str)


async def test_streams_are_opened_in_one_place_even_under_a_root_path(running) -> None:
    """StreamOpener opens every stream (the route only describes it in the schema), also
    when the app is served under a prefix."""
    schema = (await running.client.get("/api/v1/openapi.json")).json()
    assert "get" in schema["paths"]["/api/v1/sessions/{code}/events"]
    transport = httpx.ASGITransport(app=running.app, root_path="/denkdag")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as prefixed:
        unknown = await prefixed.get("/denkdag/api/v1/sessions/99999999/events")
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith("No session has this join code")
