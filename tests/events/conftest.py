"""Fixtures for events: the running app of tests/conftest.py with two organisers
(olga, oscar), two facilitators (fien, finn), an administrator (ada) and the seed session's
owner ("facilitator"), each with an API token."""

from __future__ import annotations

from typing import Any

import pytest

from denkdag.storage.accounts import AccountStore
from harness.events import ROLES, Cast


@pytest.fixture
async def cast(running: Any) -> Cast:
    service = running.service
    rows = AccountStore(service.store)
    tokens = {"facilitator": running.facilitator_token}
    for name, role in ROLES.items():
        user = await service.store.ensure_user(name)
        await rows.set_role(user.id, role)
        tokens[name] = await service.access.create_api_token(name)
    return Cast(running, tokens)
