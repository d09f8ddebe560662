"""Fixtures of the scale tests: a prefix of the test's own on the shared Redis server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from harness.shared_redis import own_prefix


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """redis://127.0.0.1:6379/0 with a key and channel prefix of this test's own."""
    async with own_prefix() as url:
        yield url
