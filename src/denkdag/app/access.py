"""Who may do what: facilitators' sign-in tokens and passwords, and who facilitates a
session (its owner and the co-facilitators the owner invited; administrators manage
accounts, not sessions)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import cache

from denkdag.app.sessions import SessionCache, unknown_session
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.model import Session, User
from denkdag.security import hash_password, new_token, token_hash, verify_password
from denkdag.storage import SqlStore
from denkdag.storage.accounts import AccountStore

API_TOKEN = "api"
LOGIN_TOKEN = "login"
LINK_TOKEN = "link"
LOGIN_LIFETIME = timedelta(days=14)
LINK_LIFETIME = timedelta(hours=12)


class Access:
    """Sign-in and the facilitator check every facilitator's use case starts with."""

    def __init__(self, store: SqlStore, sessions: SessionCache) -> None:
        self._store = store
        self._sessions = sessions
        self._roles = AccountStore(store)

    async def create_api_token(self, username: str) -> str:
        user = await self._store.ensure_user(username)
        token = new_token()
        await self._store.add_token(user.id, token_hash(token), API_TOKEN)
        return token

    async def set_password(self, username: str, password: str) -> User:
        user = await self._store.ensure_user(username)
        hashed = await asyncio.to_thread(hash_password, password)
        await self._store.set_password_hash(user.id, hashed)
        return user

    async def check_password(self, username: str, password: str) -> User | None:
        user = await self._store.user_by_name(username)
        stored = user.password_hash if user else None
        # Verify even for an unknown user, so timing does not tell which names exist.
        ok = await asyncio.to_thread(verify_password, stored or _dummy_hash(), password)
        return user if (user is not None and ok and stored) else None

    async def create_login(self, user: User) -> str:
        token = new_token()
        expires = datetime.now(UTC) + LOGIN_LIFETIME
        await self._store.add_token(user.id, token_hash(token), LOGIN_TOKEN, expires)
        return token

    async def create_signin_link(self, user: User) -> str:
        token = new_token()
        expires = datetime.now(UTC) + LINK_LIFETIME
        await self._store.add_token(user.id, token_hash(token), LINK_TOKEN, expires)
        return token

    async def user_for_token(self, token: str | None, *kinds: str) -> User | None:
        if not token:
            return None
        return await self._store.user_for_token(token_hash(token), kinds)

    async def logout(self, token: str) -> None:
        await self._store.delete_token(token_hash(token))

    async def facilitated(self, code: str, user: User | None) -> Session:
        """The session, if `user` facilitates it; NotAllowed (403) otherwise."""
        session = await self._sessions.get(code)
        if user is None:
            raise NotAllowed(N_("Sign in as a facilitator of this session."))
        if not await self.may_facilitate(session, user):
            raise NotAllowed(N_("You are not a facilitator of this session."))
        return session

    async def edited(self, code: str, user: User | None) -> Session:
        """The session, if `user` facilitates it, for the editor; another's session is
        refused exactly as an unknown code (UnknownSession, 404), so an account cannot
        learn which codes exist from the editor's answers."""
        if user is None:
            raise NotAllowed(N_("Sign in as a facilitator of this session."))
        session = await self._sessions.get(code)
        if not await self.may_facilitate(session, user):
            raise unknown_session()
        return session

    async def may_facilitate(self, session: Session, user: User | None) -> bool:
        """Its owner and the co-facilitators the owner invited; no one else.

        Not administrators either (privacy first): they manage accounts, not sessions.
        """
        if user is None:
            return False
        if session.owner_id == user.id:
            return True
        return await self._roles.is_cofacilitator(session.id, user.id)


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, made once when first needed."""
    return hash_password("denkdag-timing-equaliser")
