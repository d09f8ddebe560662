"""The queries of accounts: roles, sign-up invitations, co-facilitators.

Kept apart from `store.py` (sessions and answers) because they change for other reasons;
they share its engines, so they run in the same database and the same migrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from denkdag.domain.model import User
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import account_invitations, api_tokens, session_facilitators, users


class NameTaken(Exception):
    """Another account already has this user name."""


@dataclass(frozen=True)
class Invitation:
    """A sign-up link's stored side: which role it grants, and until when."""

    role: str
    expires_at: datetime


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored in UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AccountStore:
    """Accounts, invitations and co-facilitators in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.engine = store.engine
        self.reader = store.reader

    async def all_users(self) -> list[User]:
        query = select(users).order_by(users.c.username)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [User(row.id, row.username, row.password_hash, row.role) for row in rows]

    async def set_role(self, user_id: int, role: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(role=role))

    async def count_role(self, role: str) -> int:
        query = select(users.c.id).where(users.c.role == role)
        async with self.reader.connect() as conn:
            return len((await conn.execute(query)).all())

    # sign-up invitations --------------------------------------------------------------

    async def add_invitation(
        self, token_hash: str, role: str, created_by: int | None, expires_at: datetime
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(account_invitations).values(
                    token_hash=token_hash,
                    role=role,
                    created_by=created_by,
                    created_at=now(),
                    expires_at=expires_at,
                )
            )

    async def open_invitation(self, token_hash: str) -> Invitation | None:
        """The invitation with this hash if it is unused and not expired."""
        query = select(account_invitations).where(
            account_invitations.c.token_hash == token_hash,
            account_invitations.c.used_at.is_(None),
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or _aware(row.expires_at) < now():
            return None
        return Invitation(row.role, _aware(row.expires_at))

    async def sign_up(self, token_hash: str, username: str, password_hash: str) -> User | None:
        """Use up the invitation and create its account, in one transaction.

        None if the invitation is unknown, used or expired (two tabs racing: the second
        update finds it used and nothing is created); NameTaken if the name exists.
        """
        try:
            async with self.engine.begin() as conn:
                claimed = await conn.execute(
                    update(account_invitations)
                    .where(
                        account_invitations.c.token_hash == token_hash,
                        account_invitations.c.used_at.is_(None),
                        account_invitations.c.expires_at >= now(),
                    )
                    .values(used_at=now())
                    .returning(account_invitations.c.role)
                )
                role = claimed.scalar_one_or_none()
                if role is None:
                    return None
                created = await conn.execute(
                    insert(users)
                    .values(
                        username=username,
                        password_hash=password_hash,
                        role=role,
                        created_at=now(),
                    )
                    .returning(users.c.id)
                )
                user_id = int(created.scalar_one())
        except IntegrityError as error:
            raise NameTaken(username) from error
        return User(user_id, username, password_hash, role)

    # one-time tokens (password reset links) -------------------------------------------

    async def take_token(self, token_hash: str, kind: str) -> User | None:
        """The user of a one-time token, deleting it in the same step (so it works once)."""
        query = (
            select(users, api_tokens.c.expires_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.kind == kind)
        )
        async with self.engine.begin() as conn:
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            gone = await conn.execute(
                delete(api_tokens).where(api_tokens.c.token_hash == token_hash)
            )
            if gone.rowcount != 1:
                return None
        if row.expires_at is not None and _aware(row.expires_at) < now():
            return None
        return User(row.id, row.username, row.password_hash, row.role)

    async def delete_tokens(self, user_id: int, kinds: tuple[str, ...]) -> None:
        """Sign a user out everywhere (after a password change or reset)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(api_tokens).where(
                    api_tokens.c.user_id == user_id, api_tokens.c.kind.in_(kinds)
                )
            )

    # co-facilitators ------------------------------------------------------------------

    async def add_cofacilitator(self, session_id: int, user_id: int) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(session_facilitators).values(
                        session_id=session_id, user_id=user_id, created_at=now()
                    )
                )
        except IntegrityError:
            return  # invited already

    async def remove_cofacilitator(self, session_id: int, user_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(session_facilitators).where(
                    session_facilitators.c.session_id == session_id,
                    session_facilitators.c.user_id == user_id,
                )
            )

    async def is_cofacilitator(self, session_id: int, user_id: int) -> bool:
        query = select(session_facilitators.c.user_id).where(
            session_facilitators.c.session_id == session_id,
            session_facilitators.c.user_id == user_id,
        )
        async with self.reader.connect() as conn:
            return (await conn.execute(query)).first() is not None

    async def cofacilitators(self, session_ids: list[int]) -> dict[int, list[User]]:
        """Each session's co-facilitators, by session id."""
        query = (
            select(session_facilitators.c.session_id, users)
            .join(users, users.c.id == session_facilitators.c.user_id)
            .where(session_facilitators.c.session_id.in_(session_ids))
            .order_by(users.c.username)
        )
        found: dict[int, list[User]] = {session_id: [] for session_id in session_ids}
        async with self.reader.connect() as conn:
            for row in (await conn.execute(query)).all():
                found[row.session_id].append(
                    User(row.id, row.username, row.password_hash, row.role)
                )
        return found
