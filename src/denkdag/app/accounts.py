"""Account use cases: roles, sign-up by invitation, passwords, co-facilitators.

Privacy first: an administrator manages accounts (invites, roles, reset links) but does not
see anyone's sessions by being one; only a session's owner and the co-facilitators the
owner invited reach its data (`Denkdag.facilitated`). Every link handed out here is a
random token of which only the SHA-256 hash is stored, valid once and for a limited time,
so no e-mail is needed: the administrator passes the link on by any channel.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from denkdag.app.access import API_TOKEN, LINK_TOKEN, LOGIN_TOKEN
from denkdag.domain.errors import NotAllowed, NotFound
from denkdag.domain.model import Session, User
from denkdag.security import hash_password, new_token, token_hash, verify_password
from denkdag.storage import SqlStore
from denkdag.storage.accounts import AccountStore, NameTaken

RESET_TOKEN = "reset"
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=24)
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_USERNAME = 80


def N_(message: str) -> str:
    """Marks a message for extraction; the web layer translates it when it shows it."""
    return message


# Role names are shown translated (`_(user.role)` in the templates).
ADMINISTRATOR = N_("administrator")
ORGANISER = N_("organiser")
FACILITATOR = N_("facilitator")
ROLES = (ADMINISTRATOR, ORGANISER, FACILITATOR)


class AccountRefused(Exception):
    """A form that cannot be accepted as filled in; `message` says what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


WEAK_PASSWORD = N_("Choose a password of at least 8 characters.")
PASSWORDS_DIFFER = N_("The two passwords are not the same.")
BAD_USERNAME = N_("Choose a user name of 2 to 80 letters, digits, dots, dashes or underscores.")
NAME_TAKEN = N_("This user name is taken. Choose another one.")
WRONG_PASSWORD = N_("Your current password is not right.")
LINK_USED = N_(
    "This link has expired or has been used already. Ask your administrator for a new one."
)
UNKNOWN_USER = N_("There is no account with this user name.")


def check_new_password(password: str, repeated: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise AccountRefused(WEAK_PASSWORD)
    if password != repeated:
        raise AccountRefused(PASSWORDS_DIFFER)


def check_username(username: str) -> str:
    name = username.strip()
    allowed = all(ch.isalnum() or ch in "._-" for ch in name)
    if not (2 <= len(name) <= MAX_USERNAME) or not allowed:
        raise AccountRefused(BAD_USERNAME)
    return name


def _known_role(role: str) -> str:
    if role not in ROLES:
        raise NotFound(N_("There is no such role."))
    return role


def require_administrator(user: User | None) -> User:
    if user is None or user.role != ADMINISTRATOR:
        raise NotAllowed(N_("Only an administrator manages accounts."))
    return user


class Accounts:
    """The account use cases over the store."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.rows = AccountStore(store)

    async def user(self, user_id: int) -> User | None:
        """The account with this id, if it exists."""
        return await self.store.user_by_id(user_id)

    async def users(self, admin: User | None) -> list[User]:
        require_administrator(admin)
        return await self.rows.all_users()

    async def ensure_user(self, username: str) -> User:
        """The account named `username`, created (without a password) if it is new: for
        the command line, whose holder of the database acts without signing in."""
        return await self.store.ensure_user(username)

    async def user_named(self, username: str) -> User | None:
        """The account named `username`, if there is one."""
        return await self.store.user_by_name(username)

    async def grant_role(self, user: User, role: str) -> None:
        """Give `user` the role: the command line's way, which checks no administrator
        (that is how the first administrator comes to be)."""
        await self.rows.set_role(user.id, _known_role(role))

    async def set_role(self, admin: User | None, user_id: int, role: str) -> None:
        """Give an account another role; the last administrator cannot demote themself."""
        me = require_administrator(admin)
        role = _known_role(role)
        if (await self.store.user_by_id(user_id)) is None:
            raise NotFound(N_("There is no such account."))
        if user_id == me.id and role != ADMINISTRATOR:
            if await self.rows.count_role(ADMINISTRATOR) <= 1:
                raise NotAllowed(N_("You are the last administrator; make another one first."))
        await self.rows.set_role(user_id, role)

    async def invite(self, admin: User | None, role: str) -> str:
        """A new sign-up token for one account of `role` (shown once, stored hashed)."""
        me = require_administrator(admin)
        if role not in ROLES:
            raise NotFound(N_("There is no such role."))
        token = new_token()
        expires = datetime.now(UTC) + INVITATION_LIFETIME
        await self.rows.add_invitation(token_hash(token), role, me.id, expires)
        return token

    async def needs_first_administrator(self) -> bool:
        """True until the first administrator exists: the first run, when nobody can
        invite anybody yet."""
        return await self.rows.count_role(ADMINISTRATOR) == 0

    async def first_administrator_link(self) -> str | None:
        """A one-time sign-up token for the first administrator (the command line's
        `user setup-link`, or the setup page opened on the server itself); None once an
        administrator exists, so the path closes behind the first one."""
        if not await self.needs_first_administrator():
            return None
        token = new_token()
        expires = datetime.now(UTC) + INVITATION_LIFETIME
        await self.rows.add_invitation(token_hash(token), ADMINISTRATOR, None, expires)
        return token

    async def invitation_role(self, token: str) -> str | None:
        """The role an unused, unexpired invitation grants; None otherwise."""
        found = await self.rows.open_invitation(token_hash(token))
        return found.role if found else None

    async def sign_up(self, token: str, username: str, password: str, repeated: str) -> User:
        """Create the invited account; the invitation is used up in the same transaction."""
        name = check_username(username)
        check_new_password(password, repeated)
        if await self.rows.open_invitation(token_hash(token)) is None:
            raise AccountRefused(LINK_USED)
        hashed = await asyncio.to_thread(hash_password, password)
        try:
            user = await self.rows.sign_up(token_hash(token), name, hashed)
        except NameTaken:
            raise AccountRefused(NAME_TAKEN) from None
        if user is None:
            raise AccountRefused(LINK_USED)
        return user

    async def change_password(self, user: User, current: str, password: str, repeated: str) -> None:
        """A new password for a signed-in user who knows the current one.

        Every other sign-in of the account ends (their login cookies stop working).
        """
        ok = await asyncio.to_thread(verify_password, user.password_hash, current)
        if not ok:
            raise AccountRefused(WRONG_PASSWORD)
        check_new_password(password, repeated)
        await self._new_password(user, password)

    async def reset_link(self, admin: User | None, user_id: int) -> str:
        """A one-time token that lets the user choose a new password (forgot password)."""
        require_administrator(admin)
        if (await self.store.user_by_id(user_id)) is None:
            raise NotFound(N_("There is no such account."))
        token = new_token()
        expires = datetime.now(UTC) + RESET_LIFETIME
        await self.store.add_token(user_id, token_hash(token), RESET_TOKEN, expires)
        return token

    async def reset_user(self, token: str) -> User | None:
        """Whose reset link this is, without using it up (to show the form)."""
        return await self.store.user_for_token(token_hash(token), (RESET_TOKEN,))

    async def reset_password(self, token: str, password: str, repeated: str) -> User:
        """Use the reset link once: the new password, and every old sign-in ends.

        A reset is also what an administrator does when an account may be in the wrong
        hands, so the account's API tokens end too (a voluntary change keeps them: the
        user knew the old password and may have scripts running with a token).
        """
        check_new_password(password, repeated)
        user = await self.rows.take_token(token_hash(token), RESET_TOKEN)
        if user is None:
            raise AccountRefused(LINK_USED)
        await self._new_password(user, password, also=(API_TOKEN,))
        return user

    async def _new_password(self, user: User, password: str, also: tuple[str, ...] = ()) -> None:
        hashed = await asyncio.to_thread(hash_password, password)
        await self.store.set_password_hash(user.id, hashed)
        await self.rows.delete_tokens(user.id, (LOGIN_TOKEN, LINK_TOKEN, RESET_TOKEN, *also))

    # co-facilitators ------------------------------------------------------------------

    async def add_cofacilitator(self, owner: User | None, session: Session, username: str) -> User:
        """The owner invites another account to run this session with them."""
        self._require_owner(owner, session)
        invited = await self.store.user_by_name(username.strip())
        if invited is None:
            raise AccountRefused(UNKNOWN_USER)
        if invited.id != session.owner_id:
            await self.rows.add_cofacilitator(session.id, invited.id)
        return invited

    async def remove_cofacilitator(
        self, owner: User | None, session: Session, user_id: int
    ) -> None:
        self._require_owner(owner, session)
        await self.rows.remove_cofacilitator(session.id, user_id)

    async def cofacilitators(self, sessions: list[Session]) -> dict[int, list[User]]:
        return await self.rows.cofacilitators([s.id for s in sessions])

    @staticmethod
    def _require_owner(user: User | None, session: Session) -> None:
        if user is None or session.owner_id != user.id:
            raise NotAllowed(N_("Only the session's owner invites co-facilitators."))
