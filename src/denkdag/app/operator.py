"""What the operator may do from the command line: whoever holds the database acts
without signing in (as `denkdag export` reads any session), so these use cases check no
role; they exist so the command line goes through the app layer, never the store.
"""

from __future__ import annotations

from denkdag.app.accounts import ROLES
from denkdag.app.denkdag import Denkdag
from denkdag.domain.errors import N_, NotFound
from denkdag.domain.model import User
from denkdag.storage.accounts import AccountStore


async def ensure_user(svc: Denkdag, username: str) -> User:
    """The account named `username`, created (without a password) if it is new."""
    return await svc.store.ensure_user(username)


async def user_named(svc: Denkdag, username: str) -> User | None:
    """The account named `username`, if there is one."""
    return await svc.store.user_by_name(username)


async def set_role(svc: Denkdag, user: User, role: str) -> None:
    """Give the account `role` (one of `ROLES`): the first administrator comes this way."""
    if role not in ROLES:
        raise NotFound(N_("There is no such role."))
    await AccountStore(svc.store).set_role(user.id, role)


__all__ = ["User", "ensure_user", "set_role", "user_named"]
