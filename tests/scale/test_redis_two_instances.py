"""Two instances sharing one database and one Redis: what happens on one reaches the
phones of the other, and a slide closed on one is closed on the other.

Each test uses its own channel prefix (`?prefix=` in the Redis URL), so parallel runs and
other users of the Redis server do not hear each other; its keys are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from harness.servers import reserved_port, served
from harness.services import need_service
from harness.shared_redis import reachable
from harness.sse import events, next_event
from harness.waiting import wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


class Instances:
    def __init__(self, bases: list[str], services: list[Denkdag], code: str, token: str):
        self.a, self.b = bases
        self.services = services
        self.code = code
        self.facilitator = {"Authorization": f"Bearer {token}"}

    def url(self, base: str, path: str) -> str:
        return f"{base}/api/v1/sessions/{self.code}{path}"

    async def control(self, client: httpx.AsyncClient, base: str, action: str, slide: str = ""):
        body = {"action": action} | ({"slide": slide} if slide else {})
        reply = await client.post(self.url(base, "/control"), json=body, headers=self.facilitator)
        assert reply.status_code == 200, reply.text

    async def join(self, client: httpx.AsyncClient, base: str) -> dict[str, str]:
        reply = await client.post(self.url(base, "/participants"))
        assert reply.status_code == 201, reply.text
        return {"Authorization": f"Bearer {reply.json()['participant_token']}"}

    async def vote(
        self, client: httpx.AsyncClient, base: str, phone: dict[str, str], value: str
    ) -> httpx.Response:
        return await client.put(
            self.url(base, "/slides/s4/response"), json={"value": value}, headers=phone
        )


async def start_pair(
    stack: AsyncExitStack, database_url: str, redis_url: str
) -> tuple[list[str], list[Denkdag]]:
    settings = Settings(
        database_url=database_url, redis_url=redis_url, tally_interval=0.05, rate_limits=False
    )
    bases, services = [], []
    for _ in range(2):
        app = create_app(settings)
        bases.append(await stack.enter_async_context(served(app)))
        services.append(app.state.service)
    return bases, services


async def seed_session(service: Denkdag) -> tuple[str, str]:
    user = await service.store.ensure_user("facilitator")
    session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
    return session.code, await service.access.create_api_token("facilitator")


async def test_news_of_one_instance_reaches_the_phones_of_the_other(
    database_url: str, redis_url: str
) -> None:
    async with AsyncExitStack() as stack:
        bases, services = await start_pair(stack, database_url, redis_url)
        code, token = await seed_session(services[0])
        run = Instances(bases, services, code, token)
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        phone = await run.join(client, run.b)
        stream_response = await stack.enter_async_context(
            client.stream("GET", run.url(run.b, "/events"), headers=phone)
        )
        stream = events(stream_response)
        _, _, first = await next_event(stream, "state")
        assert first["current_slide"] == "s1"

        await run.control(client, run.a, "goto", "s4")
        _, _, state = await next_event(stream, "state")
        assert state["current_slide"] == "s4" and "s4" in state["open_slides"]

        voter = await run.join(client, run.a)
        assert (await run.vote(client, run.a, voter, "c")).status_code == 200
        _, _, tally = await next_event(stream, "tally")
        assert tally["slide"] == "s4" and tally["respondents"] == 1

        await run.control(client, run.a, "close")
        _, _, closed = await next_event(stream, "state")
        assert "s4" not in closed["open_slides"]
        cached = await services[1].sessions.get(code)  # B's cache heard of A's close
        assert "s4" not in cached.state.open_slides
        assert cached.state.version == closed["version"]
        refused = await run.vote(client, run.b, phone, "a")
        assert refused.status_code == 409, refused.text


async def test_a_session_deleted_on_one_instance_is_gone_from_the_other(
    database_url: str, redis_url: str
) -> None:
    """B's cache and B's open streams hear of a deletion made on A at once."""
    async with AsyncExitStack() as stack:
        bases, services = await start_pair(stack, database_url, redis_url)
        code, token = await seed_session(services[0])
        run = Instances(bases, services, code, token)
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        phone = await run.join(client, run.b)
        seen = await client.get(f"{run.b}/api/v1/sessions/{code}")
        assert seen.status_code == 200  # B has the session in its cache now
        stream_response = await stack.enter_async_context(
            client.stream("GET", run.url(run.b, "/events"), headers=phone)
        )
        stream = events(stream_response)
        await next_event(stream, "state")

        await services[0].sessions.delete(await services[0].sessions.get(code))
        _, _, gone = await next_event(stream, "deleted")
        assert gone == {"code": code}
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(stream), timeout=10)  # B ended the stream
        after = await client.get(f"{run.b}/api/v1/sessions/{code}")
        assert after.status_code == 404, after.text
        vote = await run.vote(client, run.b, phone, "a")
        assert vote.status_code in {401, 404}, vote.text


def redis_server(port: int, directory: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        need_service("redis-server is not installed")
    assert binary is not None
    return subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    yield reserved_port(), tmp_path


async def wait_until_reachable(url: str) -> None:
    await wait_until(lambda: reachable(url), f"{url} comes up")


async def test_answers_are_taken_while_redis_is_down_and_news_resumes_after(
    database_url: str, own_redis: tuple[int, Path]
) -> None:
    port, directory = own_redis
    url = f"redis://127.0.0.1:{port}/0"
    server = redis_server(port, directory)
    try:
        await wait_until_reachable(url)
        async with AsyncExitStack() as stack:
            bases, services = await start_pair(stack, database_url, url)
            code, token = await seed_session(services[0])
            run = Instances(bases, services, code, token)
            client = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
            await run.control(client, run.a, "goto", "s4")
            phone = await run.join(client, run.b)
            stream_response = await stack.enter_async_context(
                client.stream("GET", run.url(run.b, "/events"), headers=phone)
            )
            stream = events(stream_response)
            await next_event(stream, "state")

            server.kill()
            server.wait()
            voters = [await run.join(client, run.a) for _ in range(5)]
            for voter in voters:  # answers are stored with Redis gone
                assert (await run.vote(client, run.a, voter, "b")).status_code == 200
            await run.control(client, run.b, "hide")  # B's own news still reaches B's phones
            _, _, hidden = await next_event(stream, "state")
            assert hidden["current_slide"] == "s4"
            assert (await services[0].sessions.get(code)).state.version < hidden["version"]

            server = redis_server(port, directory)  # back, and empty
            await wait_until_reachable(url)
            # The resynchronisation after the reconnect brings B's phone the votes made
            # on A meanwhile, and A's cache B's change, without any new vote or action.
            _, _, tally = await next_event(stream, "tally")
            while tally["respondents"] != 5:
                _, _, tally = await next_event(stream, "tally")

            async def a_has_bs_change() -> bool:
                return (await services[0].sessions.get(code)).state.version == hidden["version"]

            await wait_until(a_has_bs_change, "A's cache gets B's change")
            assert all(s.broadcaster.reconnects >= 1 for s in services)  # type: ignore[attr-defined]
            await run.control(client, run.a, "goto", "s7")
            _, _, state = await next_event(stream, "state")
            while state["current_slide"] != "s7":
                _, _, state = await next_event(stream, "state")
    finally:
        server.kill()
        server.wait()
