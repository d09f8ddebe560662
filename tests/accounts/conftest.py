"""Fixtures for accounts and roles: the running app of tests/conftest.py with an
administrator (ada), the seed session's owner ("facilitator", A) and a second facilitator
(bert, B), each able to sign in in a browser of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from functools import cache
from typing import Any

import pytest

from denkdag.security import hash_password
from denkdag.storage.accounts import AccountStore
from harness.accounts import PASSWORDS, People


@cache
def _hashed(password: str) -> str:
    """argon2id is slow on purpose: hash each fixture password once per test process."""
    return hash_password(password)


@pytest.fixture
async def people(running: Any) -> AsyncIterator[People]:
    """ada (administrator), facilitator (A, owns the seed session) and bert (B)."""
    service = running.service
    rows = AccountStore(service.store)
    for name, password in PASSWORDS.items():
        user = await service.store.ensure_user(name)
        await service.store.set_password_hash(user.id, _hashed(password))
    ada = await service.store.user_by_name("ada")
    await rows.set_role(ada.id, "administrator")
    async with AsyncExitStack() as stack:
        yield People(running, stack)
