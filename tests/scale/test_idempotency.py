"""Idempotency keys on PUT …/response: a retry is never applied twice, never overwrites a
newer answer, and is answered with what is stored (API tests, SQLite or PostgreSQL).

`running` is tests/conftest.py's Running (not imported: several folders have a conftest).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from denkdag.config import Settings
from denkdag.storage.tables import answer_keys, responses

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Rate limits off: one participant replays one request 50 times at once on purpose."""
    return Settings(database_url=database_url, tally_interval=0.05, rate_limits=False)


async def put(running: Any, token: str, slide: str, value: object, key: str | None):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await running.client.put(
        f"/api/v1/sessions/{running.code}/slides/{slide}/response",
        json={"value": value},
        headers=headers,
    )


async def rows(running: Any) -> int:
    async with running.service.store.reader.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(responses))).scalar_one())


async def test_a_late_retry_does_not_overwrite_a_newer_answer(running: Any) -> None:
    await running.control("goto", "s4")
    token = await running.join()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert (await put(running, token, "s4", "a", first)).json()["value"] == "a"
    assert (await put(running, token, "s4", "b", second)).json()["value"] == "b"
    retry = await put(running, token, "s4", "a", first)
    assert retry.status_code == 200 and retry.json() == {"slide": "s4", "value": "b"}
    assert (await running.results())["s4"]["counts"] == {"a": 0, "b": 1, "c": 0}
    assert await rows(running) == 1


async def test_a_retry_after_close_gets_what_is_stored_and_a_new_key_gets_409(
    running: Any,
) -> None:
    await running.control("goto", "s7")
    token = await running.join()
    key = str(uuid.uuid4())
    assert (await put(running, token, "s7", "agree", key)).status_code == 200
    assert (await running.control("close")).status_code == 200
    retry = await put(running, token, "s7", "agree", key)
    assert retry.status_code == 200 and retry.json()["value"] == "agree"
    fresh = await put(running, token, "s7", "disagree", str(uuid.uuid4()))
    assert fresh.status_code == 409
    unkeyed = await put(running, token, "s7", "disagree", None)
    assert unkeyed.status_code == 409


async def test_one_request_replayed_at_once_is_applied_once(running: Any) -> None:
    await running.control("goto", "s4")
    token, other = await running.join(), await running.join()
    key = str(uuid.uuid4())
    replies = await asyncio.gather(
        *(put(running, token, "s4", "c", key) for _ in range(50)),
        put(running, other, "s4", "a", str(uuid.uuid4())),
    )
    assert {r.status_code for r in replies} == {200}
    assert {r.json()["value"] for r in replies[:50]} == {"c"}
    assert (await running.results())["s4"]["counts"] == {"a": 1, "b": 0, "c": 1}
    async with running.service.store.reader.connect() as conn:
        keys = (await conn.execute(select(func.count()).select_from(answer_keys))).scalar_one()
    assert keys == 2


async def test_keys_belong_to_one_participant_and_one_slide(running: Any) -> None:
    await running.control("goto", "s4")
    one, two = await running.join(), await running.join()
    key = "same-key-for-everyone"
    assert (await put(running, one, "s4", "a", key)).json()["value"] == "a"
    assert (await put(running, two, "s4", "b", key)).json()["value"] == "b"
    await running.control("goto", "s7")
    assert (await put(running, one, "s7", "pass", key)).json()["value"] == "pass"
    assert await rows(running) == 3


@pytest.mark.parametrize("key", ["", "x" * 65, "has space", "tab\there"])
async def test_a_malformed_key_is_refused_with_422(running: Any, key: str) -> None:
    await running.control("goto", "s4")
    token = await running.join()
    reply = await put(running, token, "s4", "a", key)
    assert reply.status_code == 422 and "Idempotency-Key" in reply.json()["detail"]
    assert await rows(running) == 0


async def test_the_header_is_documented_in_openapi(running: Any) -> None:
    spec = (await running.client.get("/api/v1/openapi.json")).json()
    put_op = spec["paths"]["/api/v1/sessions/{code}/slides/{slide_id}/response"]["put"]
    header = next(p for p in put_op["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required", False)
    assert "retry" in header["description"]
