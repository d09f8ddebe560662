"""The `made` fixture: the running app of tests/conftest.py holding the event of
`harness.event_reports` with its known answers."""

from __future__ import annotations

from typing import Any

import pytest

from harness.event_reports import Made, build_event


@pytest.fixture
async def made(running: Any) -> Made:
    return await build_event(running.service)
