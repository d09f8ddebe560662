"""Event use cases: an organiser's think-day of a plenary and working sessions.

An event owns nothing but its own rows: its sessions stay ordinary sessions, owned by the
organiser, each with its own join code; the facilitator assigned to one gets in through
the existing co-facilitator rows, so `Denkdag.facilitated` stays the only access check
for sessions. Only the event's organiser manages it, watches its dashboard and compares
its rooms; administrators do not see other people's events (privacy first, as for
sessions). The event join page is public, like a session's join page.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from denkdag.app.accounts import ADMINISTRATOR, FACILITATOR, ORGANISER
from denkdag.app.denkdag import Denkdag
from denkdag.domain.errors import N_, NotAllowed, NotFound
from denkdag.domain.events import (
    MAX_LINK,
    MAX_ROOM,
    MAX_TITLE,
    MAX_VENUE,
    PLENARY,
    WORKING,
    Brand,
    Event,
    EventSession,
    InvalidEvent,
    RoomSlide,
    SharedQuestion,
    check_role,
    clean_text,
    overall_column,
    parse_colour,
    parse_date,
    parse_profile,
    room_column,
    shared_questions,
    sniff_logo,
)
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Deck, Session, User
from denkdag.domain.profiles import ProfileQuestion, write_question
from denkdag.domain.tally import Tally
from denkdag.formats.event_report import EventReport, RoomReport
from denkdag.formats.images import ImageRefused, clean_image
from denkdag.storage.events import (
    EventCodeTaken,
    EventStore,
    Logo,
    NewEvent,
    SessionInEvent,
)

EVENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
EVENT_CODE_LENGTH = 6
ORGANISING_ROLES = (ORGANISER, ADMINISTRATOR)
ASSIGNABLE_ROLES = (FACILITATOR, ORGANISER, ADMINISTRATOR)
NOT_ORGANISER = N_("Only the event's organiser manages this event.")


def new_event_code() -> str:
    """Six characters without look-alikes (0/O, 1/I/L): about 30 bits, short to type.

    Always with at least one letter, so an event code never looks like a session's join
    code (digits only, `security.normalise_code`): the home page's one code field tells
    them apart by that alone.
    """
    while True:
        code = "".join(secrets.choice(EVENT_CODE_ALPHABET) for _ in range(EVENT_CODE_LENGTH))
        if not code.isdigit():
            return code


def looks_like_event_code(text: str) -> bool:
    """Whether a typed code is an event's rather than a session's: it holds a letter."""
    return any(ch.isascii() and ch.isalpha() for ch in text)


def normalise_event_code(text: str) -> str:
    """An event code as typed ("k7q-m2x") in its stored form."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[:16]


def require_organiser(user: User | None) -> User:
    """Organisers (and administrators, who may organise too) create events; facilitators
    run the sessions they are given."""
    if user is None:
        raise NotAllowed(N_("Sign in as an organiser to manage events."))
    if user.role not in ORGANISING_ROLES:
        raise NotAllowed(N_("Only organisers create and manage events."))
    return user


@dataclass(frozen=True)
class EventFields:
    """An event's editable fields, as typed (checked by `Events.checked_fields`)."""

    title: str | None = None
    date: str | None = None
    venue: str | None = None
    primary: str | None = None
    secondary: str | None = None
    profile: list[str] | None = None
    """The profile questions, one `question: option / option / …` line each (at most
    two; none clears them); None leaves them as they are."""


@dataclass(frozen=True)
class Room:
    """One session of an event with what the organiser and the join page show of it."""

    member: EventSession
    session: Session
    facilitator: str | None

    @property
    def code(self) -> str:
        return self.session.code

    @property
    def label(self) -> str:
        """The room's name, or the session's title when no room is given."""
        return self.member.room or self.session.title


class Events:
    """The event use cases over the service and its store."""

    def __init__(self, service: Denkdag) -> None:
        self.service = service
        self.rows = EventStore(service.store)

    # events ---------------------------------------------------------------------------

    async def create(self, user: User | None, fields: EventFields) -> Event:
        organiser = require_organiser(user)
        values = self.checked_fields(fields, creating=True)
        for _ in range(20):
            try:
                return await self.rows.create(
                    NewEvent(
                        code=new_event_code(),
                        title=values["title"],
                        date=values.get("date"),
                        venue=values.get("venue", ""),
                        organiser_id=organiser.id,
                        primary=values.get("primary_colour", Brand().primary),
                        secondary=values.get("secondary_colour", Brand().secondary),
                        profile=values.get("profile", ""),
                    )
                )
            except EventCodeTaken:
                continue
        raise RuntimeError("could not find a free event code")

    @staticmethod
    def checked_fields(fields: EventFields, *, creating: bool = False) -> dict[str, Any]:
        """The given fields as stored values; InvalidEvent (422) names the first wrong one."""
        values: dict[str, Any] = {}
        if fields.title is not None or creating:
            values["title"] = clean_text(fields.title or "", MAX_TITLE, N_("title"), required=True)
        if fields.date is not None:
            values["date"] = parse_date(fields.date)
        if fields.venue is not None:
            values["venue"] = clean_text(fields.venue, MAX_VENUE, N_("venue"))
        if fields.primary is not None:
            values["primary_colour"] = parse_colour(fields.primary, N_("main colour"))
        if fields.secondary is not None:
            values["secondary_colour"] = parse_colour(fields.secondary, N_("second colour"))
        if fields.profile is not None:
            questions = parse_profile(fields.profile)
            values["profile"] = "\n".join(write_question(q) for q in questions)
        return values

    async def update(self, code: str, user: User | None, fields: EventFields) -> Event:
        event = await self.owned(code, user)
        values = self.checked_fields(fields)
        if values:
            await self.rows.update(event.id, **values)
        fresh = await self._reload(event)
        if "profile" in values and fresh.profile != event.profile:
            assert user is not None
            await self._copy_profile(fresh, user, before=event.profile)
        return fresh

    # profile questions ----------------------------------------------------------------

    async def _copy_profile(
        self, event: Event, user: User, before: tuple[ProfileQuestion, ...]
    ) -> None:
        """Copy the event's profile questions into every session's deck (each a new deck
        version). Clearing them takes the old ones out of the sessions that still ask
        exactly those; a session with other questions of its own keeps them."""
        for room in await self.rooms(event):
            current = room.session.deck.info.profile
            if event.profile:
                await self._set_profile(room.session, user, event.profile)
            elif before and current == before:
                await self._set_profile(room.session, user, ())

    async def _set_profile(
        self, session: Session, user: User, questions: tuple[ProfileQuestion, ...]
    ) -> None:
        from denkdag.app.editor import Editor  # editing imports the service, like this module

        await Editor(self.service).set_profile(session.code, user, questions)

    async def delete(self, code: str, user: User | None) -> None:
        """The event goes with its rooms and links; its sessions stay with the organiser
        and the facilitators assigned through the event lose their access."""
        event = await self.owned(code, user)
        for member in await self.sessions_of_event(event.id):
            await self.rows.remove_session(event.id, member.session_id, member.facilitator_id)
        await self.rows.delete(event.id)

    async def owned(self, code: str, user: User | None) -> Event:
        """The event, if `user` is its organiser; NotAllowed (403) otherwise, also for an
        administrator (they manage accounts, not other people's events)."""
        event = await self.public(code)
        if user is None or event.organiser_id != user.id:
            raise NotAllowed(NOT_ORGANISER)
        return event

    async def public(self, code: str) -> Event:
        """The event with this code, as anyone may open its join page; NotFound if none."""
        wanted = normalise_event_code(code)
        event = await self.rows.by_code(wanted) if wanted else None
        if event is None:
            raise NotFound(N_("No event has this code. Check the code and try again."))
        return event

    async def of_organiser(self, user: User | None) -> list[Event]:
        organiser = require_organiser(user)
        return await self.rows.of_organiser(organiser.id)

    async def _reload(self, event: Event) -> Event:
        fresh = await self.rows.by_id(event.id)
        if fresh is None:
            raise NotFound(N_("This event no longer exists."))
        return fresh

    # logo -----------------------------------------------------------------------------

    async def set_logo(self, code: str, user: User | None, data: bytes) -> Event:
        """Store the logo after reading its type from its bytes, through the slide images'
        pipeline (formats/images.py: pixel limits, re-encoded, metadata such as EXIF and GPS
        dropped), in a thread; InvalidEvent with the reason otherwise."""
        event = await self.owned(code, user)
        sniff_logo(data)  # PNG, JPEG or WebP up to 1 MB, never SVG
        try:
            clean = await asyncio.to_thread(clean_image, data)
        except ImageRefused as refused:
            raise InvalidEvent(refused.sentence) from None
        digest = hashlib.sha256(clean.data).hexdigest()
        await self.rows.set_logo(event.id, Logo(clean.media_type, clean.data, digest))
        return await self._reload(event)

    async def remove_logo(self, code: str, user: User | None) -> Event:
        event = await self.owned(code, user)
        await self.rows.set_logo(event.id, None)
        return await self._reload(event)

    async def logo(self, code: str) -> Logo:
        event = await self.public(code)
        logo = await self.rows.logo(event.id)
        if logo is None:
            raise NotFound(N_("This event has no logo."))
        return logo

    # sessions of an event -------------------------------------------------------------

    async def sessions_of_event(self, event_id: int) -> list[EventSession]:
        """The event's sessions, plenary first: the one way other features (profile
        questions, say) find what belongs to an event."""
        return await self.rows.sessions(event_id)

    async def rooms(self, event: Event) -> list[Room]:
        """The event's sessions with their sessions and facilitator names."""
        members = await self.sessions_of_event(event.id)
        names = await self.rows.usernames(
            {m.facilitator_id for m in members if m.facilitator_id is not None}
        )
        rooms = []
        for member in members:
            stored = await self.service.store.session_by_id(member.session_id)
            if stored is None:
                continue
            # The service's cache holds the live state (kept current across instances).
            session = await self.service.sessions.get(stored.code)
            name = names.get(member.facilitator_id) if member.facilitator_id else None
            rooms.append(Room(member, session, name))
        return rooms

    async def plenary_language(self, event: Event) -> str | None:
        """The language of the plenary's (the first room's) deck: the event report's own."""
        for member in await self.sessions_of_event(event.id):
            session = await self.service.sessions.by_id(member.session_id)
            if session is not None:
                return session.deck.info.language
        return None

    async def event_of_session(self, session: Session) -> Event | None:
        """The event a session belongs to, if any (its branding shows on its pages)."""
        member = await self.rows.membership(session.id)
        return await self.rows.by_id(member.event_id) if member else None

    async def add_session(
        self,
        code: str,
        user: User | None,
        session_code: str,
        role: str = WORKING,
        room: str = "",
        facilitator: str | None = None,
    ) -> Room:
        """Add an existing session of the organiser's own to the event."""
        event = await self.owned(code, user)
        assert user is not None
        session = await self.service.access.facilitated(session_code, user)
        if session.owner_id != user.id:
            raise NotAllowed(N_("Add only sessions you own; ask their owner to copy them to you."))
        return await self._attach(event, session, role, room, facilitator)

    async def create_session(
        self,
        code: str,
        user: User | None,
        deck: Deck,
        role: str = WORKING,
        room: str = "",
        facilitator: str | None = None,
    ) -> Room:
        """A new session of the organiser's (from a deck file, or an empty one) in the event."""
        event = await self.owned(code, user)
        assert user is not None
        checked_role = check_role(role)
        await self._check_plenary(event, checked_role)
        clean_room = clean_text(room, MAX_ROOM, N_("room"))
        assignee = await self._assignee(facilitator)
        if event.profile:  # the event's questions win over the deck's own
            deck = replace(deck, info=replace(deck.info, profile=event.profile))
        session = await self.service.sessions.create(deck, user.id)
        return await self._attach(event, session, checked_role, clean_room, assignee)

    async def _attach(
        self,
        event: Event,
        session: Session,
        role: str,
        room: str,
        facilitator: str | User | None,
    ) -> Room:
        checked_role = check_role(role)
        await self._check_plenary(event, checked_role)
        clean_room = clean_text(room, MAX_ROOM, N_("room"))
        assignee = (
            facilitator if isinstance(facilitator, User) else await self._assignee(facilitator)
        )
        if assignee is not None and assignee.id == session.owner_id:
            assignee = None  # the owner runs it already
        try:
            member = await self.rows.add_session(
                event.id,
                session.id,
                checked_role,
                clean_room,
                assignee.id if assignee else None,
            )
        except SessionInEvent:
            raise InvalidEvent(
                N_("This session is in an event already; remove it there first.")
            ) from None
        if event.profile and session.deck.info.profile != event.profile:
            owner = (
                await self.service.store.user_by_id(session.owner_id) if session.owner_id else None
            )
            if owner is not None:
                await self._set_profile(session, owner, event.profile)
                session = await self.service.sessions.get(session.code)
        return Room(member, session, assignee.username if assignee else None)

    async def change_session(
        self,
        code: str,
        user: User | None,
        session_code: str,
        *,
        room: str | None = None,
        role: str | None = None,
        facilitator: str | None = None,
        change_facilitator: bool = False,
    ) -> Room:
        """Rename the room, make it the plenary or a working session, or (with
        `change_facilitator`) assign another facilitator, or none."""
        event = await self.owned(code, user)
        member, session = await self._member(event, session_code)
        clean_room = clean_text(room, MAX_ROOM, N_("room")) if room is not None else None
        new_role = check_role(role) if role is not None else None
        if new_role == PLENARY and member.role != PLENARY:
            await self._check_plenary(event, PLENARY)
        swap: tuple[int | None, int | None] | None = None
        if change_facilitator:
            assignee = await self._assignee(facilitator)
            new_id = assignee.id if assignee and assignee.id != session.owner_id else None
            swap = (member.facilitator_id, new_id)
        await self.rows.change_session(
            event.id, session.id, room=clean_room, role=new_role, facilitator=swap
        )
        rooms = await self.rooms(event)
        return next(r for r in rooms if r.session.id == session.id)

    async def remove_session(self, code: str, user: User | None, session_code: str) -> None:
        """Take a session out of the event (the session itself stays, with its answers)."""
        event = await self.owned(code, user)
        member, session = await self._member(event, session_code)
        await self.rows.remove_session(event.id, session.id, member.facilitator_id)

    async def assignable(self, user: User | None) -> list[User]:
        """The accounts an organiser may assign to a session (names only)."""
        require_organiser(user)
        return await self.rows.users_with_roles(ASSIGNABLE_ROLES)

    async def _member(self, event: Event, session_code: str) -> tuple[EventSession, Session]:
        try:
            session = await self.service.sessions.get(session_code)
        except NotFound:
            raise NotFound(N_("This event has no session with this join code.")) from None
        for member in await self.sessions_of_event(event.id):
            if member.session_id == session.id:
                return member, session
        raise NotFound(N_("This event has no session with this join code."))

    async def _check_plenary(self, event: Event, role: str) -> None:
        if role != PLENARY:
            return
        if any(m.role == PLENARY for m in await self.sessions_of_event(event.id)):
            raise InvalidEvent(
                N_(
                    "The event has a plenary already: add this one as a working session, or make "
                    "the plenary a working session first."
                )
            )

    async def _assignee(self, username: str | None) -> User | None:
        name = (username or "").strip()
        if not name:
            return None
        found = await self.service.store.user_by_name(name)
        if found is None or found.role not in ASSIGNABLE_ROLES:
            raise InvalidEvent(N_("There is no facilitator account '%(name)s'."), name=name[:80])
        return found

    # live dashboard -------------------------------------------------------------------

    async def dashboard(self, code: str, user: User | None) -> dict[str, Any]:
        """Every session's state now: which slide, open or closed, how many joined and
        how many answered it (the organiser's live dashboard)."""
        event = await self.owned(code, user)
        rooms = []
        for room in await self.rooms(event):
            rooms.append(await self._room_state(room))
        return {"event": event_view(event), "sessions": rooms}

    async def _room_state(self, room: Room) -> dict[str, Any]:
        session = room.session
        state = session.state
        slide = session.deck.slide(state.current_slide or "")
        asks = bool(slide and kind_of(slide.kind).asks)
        answers = None
        if slide is not None and asks:
            answers = (await self.service.results.tally(session, slide)).respondents
        return {
            **room_view(room),
            "joined": await self.service.results.joined(session),
            "slide": (
                {
                    "id": slide.id,
                    "kind": slide.kind,
                    "title": slide.title,
                    "position": session.deck.slides.index(slide) + 1,
                    "count": len(session.deck.slides),
                }
                if slide
                else None
            ),
            "asks": asks,
            "open": bool(slide and slide.id in state.open_slides),
            "revealed": bool(slide and slide.id in state.revealed),
            "answers": answers,
        }

    # the same statement in several rooms ------------------------------------------------

    async def shared(self, code: str, user: User | None) -> dict[str, Any]:
        """Each question asked in two or more of the event's sessions, with each room's
        counts and percentages and the overall (the organiser's side-by-side view)."""
        event = await self.owned(code, user)
        shown = await self._shared_of(event, await self.rooms(event))
        return {"event": event_view(event), "questions": shown}

    async def _shared_of(self, event: Event, rooms: list[Room]) -> list[dict[str, Any]]:
        questions = shared_questions(await self._room_slides(event, rooms))
        by_session = {room.session.id: room for room in rooms}
        return [await self._compare(question, by_session) for question in questions]

    async def _room_slides(self, event: Event, rooms: list[Room]) -> list[RoomSlide]:
        links = await self.rows.links(event.id)
        return [
            RoomSlide(room.session.id, slide, links.get((room.session.id, slide.id), ""))
            for room in rooms
            for slide in room.session.deck.slides
        ]

    async def _compare(
        self, question: SharedQuestion, by_session: dict[int, Room]
    ) -> dict[str, Any]:
        tallies: dict[int, Tally] = {}
        columns = []
        for member in question.members:
            room = by_session[member.session_id]
            tally = await self.service.results.tally(room.session, member.slide)
            tallies[member.session_id] = tally
            column = room_column(question, member, tally)
            columns.append(
                {
                    **room_view(room),
                    "slide": member.slide.id,
                    "respondents": column.respondents,
                    "counts": {row.key: row.count for row in column.rows},
                    "percentages": {row.key: row.percentage for row in column.rows},
                }
            )
        overall = overall_column(question, tallies)
        return {
            "key": question.key,
            "kind": question.kind,
            "text": question.text,
            "linked": question.linked,
            "answers": [{"key": row.key, "label": row.label} for row in overall.rows],
            "rooms": columns,
            "overall": {
                "respondents": overall.respondents,
                "counts": {row.key: row.count for row in overall.rows},
                "percentages": {row.key: row.percentage for row in overall.rows},
            },
        }

    # the event's report ---------------------------------------------------------------------

    async def report_of(self, event: Event) -> EventReport:
        """Every room's session report and the rooms side by side, without an access check
        (the caller checks `owned` first; the command line holds the database). Built in a
        worker process as a page or a file: `app.exports.event_report_page`, `export_event`."""
        rooms = await self.rooms(event)
        reports = []
        for room in rooms:
            report = await self.service.reports.report(room.session)
            reports.append(RoomReport(room.session, room.member.role, room.member.room, report))
        shared = await self._shared_of(event, rooms)
        return EventReport(event, tuple(reports), tuple(shared), datetime.now(UTC))

    async def link_candidates(self, event: Event) -> list[tuple[Room, Any, str]]:
        """Every statement and choice slide of the event's sessions with its link label."""
        rooms = await self.rooms(event)
        links = await self.rows.links(event.id)
        return [
            (room, slide, links.get((room.session.id, slide.id), ""))
            for room in rooms
            for slide in room.session.deck.slides
            if kind_of(slide.kind).shared
        ]

    async def link(
        self, code: str, user: User | None, session_code: str, slide_id: str, label: str
    ) -> None:
        """Link a slide to others with the same label (empty: unlink it)."""
        event = await self.owned(code, user)
        _, session = await self._member(event, session_code)
        slide = session.deck.slide(slide_id)
        if slide is None or not kind_of(slide.kind).shared:
            raise NotFound(N_("This session has no statement or choice slide with this id."))
        clean = clean_text(label, MAX_LINK, N_("link name"))
        await self.rows.set_link(event.id, session.id, slide.id, clean)


def event_view(event: Event) -> dict[str, Any]:
    """An event as the API shows it (to anyone: nothing private is in it)."""
    return {
        "code": event.code,
        "title": event.title,
        "date": event.date.isoformat() if event.date else None,
        "venue": event.venue,
        "primary_colour": event.primary,
        "secondary_colour": event.secondary,
        "logo": logo_url(event),
        "join_path": f"/ev/{event.code}",
        "profile": [write_question(q) for q in event.profile],
    }


def logo_url(event: Event) -> str | None:
    """The logo's address, versioned by its digest so it can be cached for good."""
    if event.logo_digest is None:
        return None
    return f"/ev/{event.code}/logo?v={event.logo_digest[:16]}"


def room_view(room: Room) -> dict[str, Any]:
    return {
        "code": room.session.code,
        "title": room.session.title,
        "role": room.member.role,
        "room": room.member.room,
        "facilitator": room.facilitator,
    }
