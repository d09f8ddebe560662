"""The queries of events: events, their logos, sessions, rooms and slide links.

Kept apart from `store.py` like accounts and revisions: they share its engines, so they
run in the same database, transactions and migrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from denkdag.domain.events import Event, EventSession
from denkdag.domain.model import User
from denkdag.domain.profiles import ProfileQuestion, ProfileSyntaxError, read_questions
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import (
    event_logos,
    event_sessions,
    event_slide_links,
    events,
    session_facilitators,
    users,
)


class EventCodeTaken(Exception):
    """Another event already has this code."""


class SessionInEvent(Exception):
    """The session already belongs to an event (a session is in one event at most)."""


@dataclass(frozen=True)
class Logo:
    content_type: str
    data: bytes
    digest: str


@dataclass(frozen=True)
class NewEvent:
    code: str
    title: str
    date: date | None
    venue: str
    organiser_id: int
    primary: str
    secondary: str
    profile: str = ""


def _questions(text: str | None) -> tuple[ProfileQuestion, ...]:
    """The stored profile lines as questions (stored only after `parse_profile` read them,
    so a line that no longer reads is left out rather than breaking the event)."""
    try:
        return read_questions((text or "").splitlines())
    except ProfileSyntaxError:
        return ()


class EventStore:
    """Events in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.engine = store.engine
        self.reader = store.reader

    # events ---------------------------------------------------------------------------

    def _event_query(self) -> Any:
        return select(events, event_logos.c.digest).outerjoin(
            event_logos, event_logos.c.event_id == events.c.id
        )

    @staticmethod
    def _event(row: Any) -> Event:
        return Event(
            id=row.id,
            code=row.code,
            title=row.title,
            date=row.date,
            venue=row.venue,
            organiser_id=row.organiser_id,
            primary=row.primary_colour,
            secondary=row.secondary_colour,
            logo_digest=row.digest,
            profile=_questions(row.profile),
        )

    async def create(self, new: NewEvent) -> Event:
        try:
            async with self.engine.begin() as conn:
                made = await conn.execute(
                    insert(events)
                    .values(
                        code=new.code,
                        title=new.title,
                        date=new.date,
                        venue=new.venue,
                        organiser_id=new.organiser_id,
                        primary_colour=new.primary,
                        secondary_colour=new.secondary,
                        profile=new.profile,
                        created_at=now(),
                    )
                    .returning(events.c.id)
                )
                event_id = int(made.scalar_one())
        except IntegrityError as error:
            raise EventCodeTaken(new.code) from error
        return Event(
            event_id,
            new.code,
            new.title,
            new.date,
            new.venue,
            new.organiser_id,
            new.primary,
            new.secondary,
            profile=_questions(new.profile),
        )

    async def update(self, event_id: int, **values: Any) -> None:
        """Change title, date, venue, colours (`primary_colour`, `secondary_colour`) or the
        profile questions (`profile`, their lines joined by newlines)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(events).where(events.c.id == event_id).values(**values))

    async def by_code(self, code: str) -> Event | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(self._event_query().where(events.c.code == code))).first()
        return self._event(row) if row else None

    async def by_id(self, event_id: int) -> Event | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(self._event_query().where(events.c.id == event_id))).first()
        return self._event(row) if row else None

    async def of_organiser(self, user_id: int) -> list[Event]:
        query = self._event_query().where(events.c.organiser_id == user_id).order_by(events.c.id)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [self._event(row) for row in rows]

    async def delete(self, event_id: int) -> None:
        """The event goes; its sessions stay (the organiser still owns them)."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(events).where(events.c.id == event_id))

    # logos ----------------------------------------------------------------------------

    async def set_logo(self, event_id: int, logo: Logo | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(event_logos).where(event_logos.c.event_id == event_id))
            if logo is not None:
                await conn.execute(
                    insert(event_logos).values(
                        event_id=event_id,
                        content_type=logo.content_type,
                        data=logo.data,
                        digest=logo.digest,
                        updated_at=now(),
                    )
                )

    async def logo(self, event_id: int) -> Logo | None:
        query = select(event_logos).where(event_logos.c.event_id == event_id)
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return Logo(row.content_type, bytes(row.data), row.digest) if row else None

    # sessions of events ---------------------------------------------------------------

    @staticmethod
    def _member(row: Any) -> EventSession:
        return EventSession(
            event_id=row.event_id,
            session_id=row.session_id,
            role=row.role,
            room=row.room,
            facilitator_id=row.facilitator_id,
            position=row.position,
        )

    async def sessions(self, event_id: int) -> list[EventSession]:
        """The event's sessions: the plenary first, then the working sessions in order."""
        query = (
            select(event_sessions)
            .where(event_sessions.c.event_id == event_id)
            .order_by(event_sessions.c.position, event_sessions.c.session_id)
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        members = [self._member(row) for row in rows]
        return sorted(members, key=lambda m: (m.role != "plenary", m.position, m.session_id))

    async def membership(self, session_id: int) -> EventSession | None:
        query = select(event_sessions).where(event_sessions.c.session_id == session_id)
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return self._member(row) if row else None

    async def add_session(
        self,
        event_id: int,
        session_id: int,
        role: str,
        room: str,
        facilitator_id: int | None,
    ) -> EventSession:
        """Add a session; its assigned facilitator becomes a co-facilitator in the same
        transaction, so access and assignment never disagree."""
        try:
            async with self.engine.begin() as conn:
                last = await conn.execute(
                    select(func.max(event_sessions.c.position)).where(
                        event_sessions.c.event_id == event_id
                    )
                )
                position = int(last.scalar_one() or 0) + 1
                await conn.execute(
                    insert(event_sessions).values(
                        event_id=event_id,
                        session_id=session_id,
                        role=role,
                        room=room,
                        facilitator_id=facilitator_id,
                        position=position,
                        created_at=now(),
                    )
                )
                if facilitator_id is not None:
                    await self._grant(conn, session_id, facilitator_id)
        except IntegrityError as error:
            raise SessionInEvent(str(session_id)) from error
        return EventSession(event_id, session_id, role, room, facilitator_id, position)

    async def change_session(
        self,
        event_id: int,
        session_id: int,
        *,
        room: str | None = None,
        role: str | None = None,
        facilitator: tuple[int | None, int | None] | None = None,
    ) -> None:
        """Rename the room, change the role, or reassign: `facilitator` is (old, new); the
        old assignee's co-facilitator access goes, the new one's comes, in one step."""
        values: dict[str, Any] = {}
        if room is not None:
            values["room"] = room
        if role is not None:
            values["role"] = role
        if facilitator is not None:
            values["facilitator_id"] = facilitator[1]
        async with self.engine.begin() as conn:
            if values:
                await conn.execute(
                    update(event_sessions)
                    .where(
                        event_sessions.c.event_id == event_id,
                        event_sessions.c.session_id == session_id,
                    )
                    .values(**values)
                )
            if facilitator is not None:
                old, new = facilitator
                if old is not None and old != new:
                    await self._revoke(conn, session_id, old)
                if new is not None:
                    await self._grant(conn, session_id, new)

    async def remove_session(
        self, event_id: int, session_id: int, facilitator_id: int | None
    ) -> None:
        """Take the session out of the event (it is not deleted); the assignee's access
        through the event goes with it."""
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(event_sessions).where(
                    event_sessions.c.event_id == event_id,
                    event_sessions.c.session_id == session_id,
                )
            )
            await conn.execute(
                delete(event_slide_links).where(event_slide_links.c.session_id == session_id)
            )
            if facilitator_id is not None:
                await self._revoke(conn, session_id, facilitator_id)

    async def _grant(self, conn: Any, session_id: int, user_id: int) -> None:
        exists = await conn.execute(
            select(session_facilitators.c.user_id).where(
                session_facilitators.c.session_id == session_id,
                session_facilitators.c.user_id == user_id,
            )
        )
        if exists.first() is None:
            await conn.execute(
                insert(session_facilitators).values(
                    session_id=session_id, user_id=user_id, created_at=now()
                )
            )

    async def _revoke(self, conn: Any, session_id: int, user_id: int) -> None:
        await conn.execute(
            delete(session_facilitators).where(
                session_facilitators.c.session_id == session_id,
                session_facilitators.c.user_id == user_id,
            )
        )

    # slide links ----------------------------------------------------------------------

    async def links(self, event_id: int) -> dict[tuple[int, str], str]:
        """Explicit links: (session id, slide id) → label."""
        query = select(event_slide_links).where(event_slide_links.c.event_id == event_id)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(row.session_id, row.slide_id): row.label for row in rows}

    async def set_link(self, event_id: int, session_id: int, slide_id: str, label: str) -> None:
        """Link a slide under `label`; an empty label removes its link."""
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(event_slide_links).where(
                    event_slide_links.c.session_id == session_id,
                    event_slide_links.c.slide_id == slide_id,
                )
            )
            if label:
                await conn.execute(
                    insert(event_slide_links).values(
                        event_id=event_id, session_id=session_id, slide_id=slide_id, label=label
                    )
                )

    # accounts ------------------------------------------------------------------------

    async def users_with_roles(self, roles: tuple[str, ...]) -> list[User]:
        """Accounts an organiser may assign (names and roles only are shown)."""
        query = select(users).where(users.c.role.in_(roles)).order_by(users.c.username)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [User(row.id, row.username, None, row.role) for row in rows]

    async def usernames(self, user_ids: set[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        query = select(users.c.id, users.c.username).where(users.c.id.in_(user_ids))
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.id: row.username for row in rows}
