"""The browser editor's use cases: sessions made, copied and changed slide by slide.

Each slide is edited as its own deck-file text block and read by `formats.deck`, so a slide
typed in the browser is validated exactly as an imported deck is, with the same
`WHERE:LINE: message` errors (lines counted from the slide's heading). The editor's form
(`formats.slide_form`) is saved the same way: written as the slide's text block and read
back, its errors naming the form field their line came from (`FieldError`).

Every change is a new deck version (`storage.revisions`): a save names the version it was
made on, and a save on a stale version is refused with the current deck (two
co-facilitators typing in the same session never overwrite each other silently). Slide ids
never change, since answers are stored under them; a deleted slide's answers stay stored
until the session is deleted, so an undo brings the slide back with its answers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from denkdag.app.denkdag import Denkdag
from denkdag.domain import session_flow, timer
from denkdag.domain.errors import (
    N_,
    DomainError,
    InvalidControl,
    Message,
    SessionBusy,
    UnknownSession,
)
from denkdag.domain.events import Event
from denkdag.domain.images import IMAGE_FOLDER, stored_name
from denkdag.domain.kinds import KINDS
from denkdag.domain.model import PHONE_RESULTS, YES_NO, Deck, LiveState, Session, Slide, User
from denkdag.domain.profiles import ProfileQuestion
from denkdag.domain.views import slide_view
from denkdag.formats.deck import (
    MAX_ALT,
    ImageRefError,
    ImageResolver,
)
from denkdag.formats.images import CleanImage
from denkdag.formats.slide_form import SlideForm, field_at, form_text, slide_form
from denkdag.formats.slide_text import (
    NEW_SLIDES,
    SESSION,
    SlideTextError,
    info_text,
    new_slide_text,
    read_info,
    read_slide,
    slide_text,
)
from denkdag.storage.events import EventStore
from denkdag.storage.images import SlideImageStore
from denkdag.storage.revisions import DeckChange, DeckRevisions, Revision, Saved

RETRIES = 5
MAX_IMAGES = 200
"""Images one session may store (each at most 2 MB): a bound on what one account fills."""
TYPING_BURST = timedelta(seconds=30)
"""Saves of one slide by one person with pauses shorter than this are undone together."""


class StaleDeck(DomainError):
    """The deck changed since the editor loaded it; `current` is the deck as it is now."""

    def __init__(self, current: EditorDeck) -> None:
        super().__init__(
            N_(
                "Someone else changed this session meanwhile. Their version is shown; "
                "copy your text again if you still need it."
            )
        )
        self.current = current


class ImageNotAccepted(DomainError):
    """An image (or its alt text) the editor does not take (web/errors.py: 422)."""


class FieldError(SlideTextError):
    """A form's slide the deck reader refused: the reader's error and the form field
    (`formats.slide_form`) its line came from, so the editor shows it there."""

    def __init__(self, error: SlideTextError, field: str) -> None:
        super().__init__(error.where, error.line, error.reason)
        self.field = field


class NeedsConfirmation(DomainError):
    """A change that loses something (a slide with answers) and was not confirmed."""


@dataclass(frozen=True)
class EditorDeck:
    """A session as the editor shows it: its deck at `version`, and whether undo can act."""

    session: Session
    version: int
    can_undo: bool

    def as_dict(self) -> dict[str, object]:
        deck = self.session.deck
        return {
            "code": self.session.code,
            "version": self.version,
            "can_undo": self.can_undo,
            "info": info_text(deck.info),
            "slides": [self._slide(slide) for slide in deck.slides],
        }

    def _slide(self, slide: Slide) -> dict[str, object]:
        """A slide as the editor's list shows it (the API's heading fields) and edits it
        (its deck text, its image's address and alternative text)."""
        view = slide_view(slide)
        return {
            **{key: view[key] for key in ("id", "kind", "title", "section")},
            "text": slide_text(slide),
            "image": _image_url(self.session.code, slide),
            "alt": str(slide.extra.get("alt", "")),
            "form": slide_form(slide),
        }


def _image_url(code: str, slide: Slide) -> str | None:
    """Where the slide's image is served (web/media.py), None without a stored one."""
    name = stored_name(str(slide.extra.get("image", "")))
    return f"/media/{code}/{name}" if name else None


def _fresh_id(deck: Deck) -> str:
    taken = {slide.id for slide in deck.slides}
    while True:
        candidate = "n" + secrets.token_hex(4)
        if candidate not in taken:
            return candidate


def _fit_state(before: Deck, deck: Deck, state: LiveState) -> LiveState:
    """The live state on the changed deck: deleted slides forgotten, a deleted current slide
    replaced by the one now in its place; always a new version, so every screen redraws."""
    ids = {slide.id for slide in deck.slides}
    kept = replace(
        state,
        open_slides=state.open_slides & ids,
        revealed=state.revealed & ids,
        visited=state.visited & ids,
        timers=timer.keep_slides(state, ids),
    )
    kept = session_flow.settle_pace(deck, kept)  # audience pace: new questions open
    current = state.current_slide
    if current in ids:
        return replace(kept, version=state.version + 1)
    old_ids = [slide.id for slide in before.slides]
    index = old_ids.index(current) if current in old_ids else 0
    if not deck.slides:
        return replace(kept, current_slide=None, version=state.version + 1)
    target = deck.slides[min(index, len(deck.slides) - 1)].id
    return session_flow.apply(deck, replace(kept, current_slide=None), "goto", target)


# the use cases ------------------------------------------------------------------------


class Editor:
    """The editor's use cases over the service: the same access check as every page."""

    def __init__(self, service: Denkdag) -> None:
        self.service = service
        self.revisions = DeckRevisions(service.store)
        self.images = SlideImageStore(service.store)
        self.event_rows = EventStore(service.store)

    async def open(self, code: str, user: User | None) -> EditorDeck:
        session = await self.service.access.edited(code, user)
        return await self._view(session.id)

    async def _view(self, session_id: int) -> EditorDeck:
        session = await self.service.store.session_by_id(session_id)
        if session is None:
            raise UnknownSession(N_("This session no longer exists."))
        revision = await self.revisions.current(session_id)
        version = revision.version if revision else 0
        can_undo = bool(revision and revision.previous is not None)
        return EditorDeck(session, version, can_undo)

    async def create(
        self, user: User, deck: Deck, images: Mapping[str, CleanImage] | None = None
    ) -> Session:
        """A new session of `user` from a deck (imported, new or copied) and the images its
        slides name (a deck zip, formats/deck_zip.py)."""
        session = await self.service.sessions.create(deck, user.id)
        for image in (images or {}).values():
            size = (image.width, image.height)
            await self.images.put(session.id, image.digest, image.media_type, size, image.data)
        return session

    async def images_of(self, session: Session) -> dict[str, bytes]:
        """The bytes of every image the session's slides show, by file name."""
        return await session_images(self.images, session)

    async def duplicate_session(self, code: str, user: User | None) -> Session:
        """A copy of the session's deck under a new code, without answers or participants."""
        session = await self.service.access.edited(code, user)
        assert user is not None
        copy = await self.service.sessions.create(session.deck, user.id)
        await self.images.copy(session.id, copy.id)  # the copy's deck names them
        return copy

    async def add(
        self, code: str, user: User | None, version: int, kind: str, after: str | None
    ) -> tuple[EditorDeck, str]:
        if kind not in KINDS or kind not in NEW_SLIDES:
            raise InvalidControl(N_("Unknown slide kind '%(kind)s'."), kind=kind)
        made: list[str] = []

        def change(deck: Deck) -> Deck:
            slide = read_slide(new_slide_text(kind, deck.info.language), _fresh_id(deck))
            made.append(slide.id)
            return _insert(deck, slide, after)

        view = await self._commit(code, user, version, f"add:{kind}", change)
        return view, made[-1]

    async def edit(
        self, code: str, user: User | None, version: int, slide_id: str, text: str
    ) -> EditorDeck:
        session = await self.service.access.edited(code, user)
        old = session.deck.require_slide(slide_id)
        position = session.deck.slides.index(old) + 1
        stored = await self.images.names(session.id) if "image:" in text else set()
        slide = read_slide(
            text,
            slide_id,
            Message(N_("slide %(position)s"), position=position),
            _stored_only(stored),
        )
        if slide.kind != old.kind and await self.service.store.slide_answers(session.id, slide_id):
            lines = text.splitlines()
            line = next((n for n, t in enumerate(lines, 1) if t.startswith("kind:")), 1)
            raise SlideTextError(
                Message(N_("slide %(position)s"), position=position),
                line,
                N_("this slide has answers, so its kind cannot change; add a new slide instead"),
            )

        def change(deck: Deck) -> Deck:
            deck.require_slide(slide_id)
            return replace(
                deck, slides=tuple(slide if s.id == slide_id else s for s in deck.slides)
            )

        return await self._commit(code, user, version, f"edit:{slide_id}", change)

    async def edit_form(
        self, code: str, user: User | None, version: int, slide_id: str, form: SlideForm
    ) -> EditorDeck:
        """Save the slide as the editor's form holds it: written as its text block and
        saved as typed text is (`edit`), an error naming the form field it is about."""
        text, fields = form_text(form)
        try:
            return await self.edit(code, user, version, slide_id, text)
        except SlideTextError as error:
            raise FieldError(error, field_at(form, fields, error.line)) from None

    async def edit_info(self, code: str, user: User | None, version: int, text: str) -> EditorDeck:
        session = await self.service.access.edited(code, user)  # strangers before the text
        info = read_info(text)
        event = await self._event(session.id)
        if event is not None and event.profile and info.profile != event.profile:
            lines = text.splitlines()
            line = next((n for n, t in enumerate(lines, 1) if t.startswith("profile:")), 1)
            raise SlideTextError(
                SESSION,
                line,
                N_(
                    "the event '%(title)s' sets the profile questions of its sessions: change "
                    "them on the event's page (/events/%(code)s)"
                ),
                title=event.title,
                code=event.code,
            )
        return await self._commit(
            code, user, version, "info", lambda deck: replace(deck, info=info)
        )

    async def set_profile(
        self, code: str, user: User | None, questions: tuple[ProfileQuestion, ...]
    ) -> None:
        """Make `questions` the session's profile questions (an event's, copied into each
        of its sessions' decks): a new deck version like any edit, so screens redraw and
        the editor can show it; nothing when the deck has them already."""
        session = await self.service.access.edited(code, user)
        for _ in range(RETRIES):
            current = await self.service.store.session_by_id(session.id)
            if current is None:
                raise UnknownSession(N_("This session no longer exists."))
            if current.deck.info.profile == questions:
                return
            revision = await self.revisions.current(session.id)
            try:
                await self._commit(
                    code,
                    user,
                    revision.version if revision else 0,
                    "profile",
                    lambda deck: replace(deck, info=replace(deck.info, profile=questions)),
                )
                return
            except StaleDeck:
                continue  # someone saved meanwhile: apply to their version
        raise SessionBusy()

    async def set_room_settings(
        self, code: str, user: User | None, *, phone_results: str, next_closes: str
    ) -> Session:
        """The facilitator's running choices (where results show on phones, whether Next
        closes the question left behind), changed from the remote while the session runs:
        a new deck version like any edit, whoever saved last. InvalidControl for a value
        the deck format would refuse. The access check comes first: someone who may not
        facilitate the session learns nothing of it, not even how its values are checked."""
        session = await self.service.access.facilitated(code, user)
        if phone_results not in PHONE_RESULTS:
            raise InvalidControl(
                N_("phone_results must be one of %(modes)s, not '%(value)s'"),
                modes=", ".join(PHONE_RESULTS),
                value=phone_results,
            )
        if next_closes not in YES_NO:
            raise InvalidControl(
                N_("next_closes must be yes or no, not '%(value)s'"), value=next_closes
            )
        for _ in range(RETRIES):
            revision = await self.revisions.current(session.id)
            try:
                view = await self._commit(
                    code,
                    user,
                    revision.version if revision else 0,
                    "settings",
                    lambda deck: replace(
                        deck,
                        info=replace(
                            deck.info, phone_results=phone_results, next_closes=next_closes
                        ),
                    ),
                )
                return view.session
            except StaleDeck:
                continue  # someone saved meanwhile: apply to their version
        raise SessionBusy()

    async def _event(self, session_id: int) -> Event | None:
        member = await self.event_rows.membership(session_id)
        return await self.event_rows.by_id(member.event_id) if member else None

    async def move(
        self, code: str, user: User | None, version: int, order: list[str]
    ) -> EditorDeck:
        def change(deck: Deck) -> Deck:
            by_id = {slide.id: slide for slide in deck.slides}
            if len(order) != len(by_id) or set(order) != set(by_id):
                raise InvalidControl(N_("The new order must name every slide of the session once."))
            return replace(deck, slides=tuple(by_id[slide_id] for slide_id in order))

        return await self._commit(code, user, version, "move", change)

    async def duplicate(
        self, code: str, user: User | None, version: int, slide_id: str
    ) -> tuple[EditorDeck, str]:
        made: list[str] = []

        def change(deck: Deck) -> Deck:
            copy = replace(deck.require_slide(slide_id), id=_fresh_id(deck))
            made.append(copy.id)
            return _insert(deck, copy, slide_id)

        view = await self._commit(code, user, version, "duplicate", change)
        return view, made[-1]

    async def delete(
        self, code: str, user: User | None, version: int, slide_id: str, confirmed: bool
    ) -> EditorDeck:
        session = await self.service.access.edited(code, user)
        session.deck.require_slide(slide_id)
        if not confirmed and await self.service.store.slide_answers(session.id, slide_id):
            raise NeedsConfirmation(
                N_("This slide has answers. Delete it anyway? (Undo brings it back with them.)")
            )

        def change(deck: Deck) -> Deck:
            deck.require_slide(slide_id)
            if len(deck.slides) == 1:
                raise InvalidControl(N_("A session keeps at least one slide."))
            return replace(deck, slides=tuple(s for s in deck.slides if s.id != slide_id))

        return await self._commit(code, user, version, "delete", change)

    async def set_image(
        self,
        code: str,
        user: User | None,
        version: int,
        slide_id: str,
        image: CleanImage,
        alt: str,
    ) -> EditorDeck:
        """Store a cleaned image for the session and show it on the slide with its alt text
        (one deck change, undone like any other; the stored image stays for the undo)."""
        session = await self.service.access.edited(code, user)
        session.deck.require_slide(slide_id)
        alt = " ".join("".join(ch for ch in alt if ch.isprintable() or ch.isspace()).split())
        if not alt:
            raise ImageNotAccepted(
                N_("Describe the image in a few words (alt text) for people who cannot see it.")
            )
        if len(alt) > MAX_ALT:
            raise ImageNotAccepted(
                N_("The alt text is longer than %(most)s characters."), most=MAX_ALT
            )
        names = await self.images.names(session.id)
        if image.name not in names and len(names) >= MAX_IMAGES:
            raise ImageNotAccepted(
                N_("This session has %(most)s images already: reuse one of them."), most=MAX_IMAGES
            )
        size = (image.width, image.height)
        await self.images.put(session.id, image.digest, image.media_type, size, image.data)
        ref = f"{IMAGE_FOLDER}{image.name}"

        def change(deck: Deck) -> Deck:
            old = deck.require_slide(slide_id)
            new = replace(old, extra={**old.extra, "image": ref, "alt": alt})
            return replace(deck, slides=tuple(new if s.id == slide_id else s for s in deck.slides))

        return await self._commit(code, user, version, f"image:{slide_id}", change)

    async def remove_image(
        self, code: str, user: User | None, version: int, slide_id: str
    ) -> EditorDeck:
        """Take the image off the slide (the stored file stays, so undo brings it back)."""

        def change(deck: Deck) -> Deck:
            old = deck.require_slide(slide_id)
            extra = {k: v for k, v in old.extra.items() if k not in {"image", "alt"}}
            new = replace(old, extra=extra)
            return replace(deck, slides=tuple(new if s.id == slide_id else s for s in deck.slides))

        return await self._commit(code, user, version, f"image:{slide_id}", change)

    async def undo(self, code: str, user: User | None, version: int) -> EditorDeck:
        """Go back to the deck before the last change (again and again, up to the first)."""
        session = await self.service.access.edited(code, user)
        revision = await self.revisions.current(session.id)
        if revision is None or revision.version != version:
            raise StaleDeck(await self._view(session.id))
        target = revision.previous
        restored = None if target is None else await self.revisions.deck_at(session.id, target)
        if target is None or restored is None:
            raise InvalidControl(N_("There is nothing to undo."))
        undone = await self.revisions.revision(session.id, target)
        back_to = undone.previous if undone else None
        return await self._commit(
            code, user, version, "undo", lambda _deck: restored, undo_to=back_to
        )

    async def _commit(
        self,
        code: str,
        user: User | None,
        version: int,
        label: str,
        change: Callable[[Deck], Deck],
        *,
        undo_to: int | None = None,
    ) -> EditorDeck:
        """Apply `change` to the deck at `version`, store it as the next version, tell
        every screen; StaleDeck if the deck is no longer at `version`."""
        session = await self.service.access.edited(code, user)
        for _ in range(RETRIES):
            current = await self.service.store.session_by_id(session.id)
            if current is None:
                raise UnknownSession(N_("This session no longer exists."))
            revision = await self.revisions.current(session.id)
            at = revision.version if revision else 0
            if at != version:
                raise StaleDeck(await self._view(session.id))
            deck = change(current.deck)
            event = await self._event(session.id)
            if event is not None and event.profile and deck.info.profile != event.profile:
                # The event's questions win over the deck's (an undo cannot bring back others).
                deck = replace(deck, info=replace(deck.info, profile=event.profile))
            state = _fit_state(current.deck, deck, current.state)
            if label == "undo":
                back_to = undo_to
            elif _same_burst(revision, label, user):
                assert revision is not None
                back_to = revision.previous
            else:
                back_to = at
            outcome = await self.revisions.save(
                DeckChange(
                    session_id=session.id,
                    expected=version,
                    deck=deck,
                    before=current.deck,
                    state=state,
                    expected_state=current.state.version,
                    previous=back_to,
                    change=label,
                    user_id=user.id if user else None,
                )
            )
            if outcome is Saved.CONFLICT:
                raise StaleDeck(await self._view(session.id))
            if outcome is Saved.SAVED:
                updated = replace(current, deck=deck, state=state)
                await self.service.control.deck_changed(updated)
                return EditorDeck(updated, version + 1, back_to is not None)
        raise SessionBusy()


def _same_burst(revision: Revision | None, label: str, user: User | None) -> bool:
    """Whether this save continues the same person's typing in the same slide."""
    if revision is None or not label.startswith("edit:"):
        return False
    if revision.change != label or user is None or revision.user_id != user.id:
        return False
    stamp = revision.created_at
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return datetime.now(UTC) - stamp < TYPING_BURST


async def session_images(store: SlideImageStore, session: Session) -> dict[str, bytes]:
    """The bytes of every image the session's deck shows, by file name (`<digest>.<ext>`)."""
    names = {
        name
        for slide in session.deck.slides
        if (name := stored_name(str(slide.extra.get("image", "")))) is not None
    }
    found = await store.many(session.id, names)
    return {name: image.data for name, image in found.items()}


def _stored_only(names: set[str]) -> ImageResolver:
    """A resolver that accepts only the session's stored images (`images/<name>`)."""

    def resolve(ref: str) -> str:
        name = ref.removeprefix(IMAGE_FOLDER)
        if not ref.startswith(IMAGE_FOLDER) or name not in names:
            raise ImageRefError(
                N_(
                    "this session has no image '%(ref)s': add one with the image button (the "
                    "editor writes the image line for you)"
                ),
                ref=ref,
            )
        return ref

    return resolve


def _insert(deck: Deck, slide: Slide, after: str | None) -> Deck:
    slides = list(deck.slides)
    index = len(slides)
    if after:
        index = slides.index(deck.require_slide(after)) + 1
    slides.insert(index, slide)
    return replace(deck, slides=tuple(slides))
