"""A new session from a slide file (.pptx, .pdf), in two steps: the file is read and its
slides' kinds proposed (`read`); the facilitator reviews them and the session is made
(`accept`). Nothing is created before the review: the read file waits in the database
(storage/pending_imports.py) for its uploader only, so the review may be posted to any
instance. The command line takes the proposals as they are (`create_as_proposed`).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from denkdag.app.denkdag import Denkdag
from denkdag.app.editor import Editor
from denkdag.domain.errors import N_, NotFound
from denkdag.domain.model import Session, User
from denkdag.formats.deck_import import build_bundle, proposals, read_slide_file
from denkdag.formats.detection import Proposal
from denkdag.formats.imported import ImportedDeck, deck_as_dict, deck_from_dict
from denkdag.storage.pending_imports import PendingImports

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What `secrets.token_urlsafe(24)` makes (32 characters), with room to spare."""


@dataclass(frozen=True)
class PendingImport:
    """A read slide file waiting for review: its token, slides and proposed kinds."""

    token: str
    deck: ImportedDeck
    proposals: list[Proposal]


class SlideImports:
    """The slide-file import's use cases over the service."""

    def __init__(self, service: Denkdag) -> None:
        self.service = service
        self.pending = PendingImports(service.store)

    async def read(self, user: User, data: bytes, name: str) -> PendingImport:
        """Read the file (off the event loop: LibreOffice may take seconds) and keep it
        for the user's review; DeckError with a sentence when it cannot be read."""
        deck = await asyncio.to_thread(read_slide_file, data, name)
        token = secrets.token_urlsafe(24)
        packed = zlib.compress(json.dumps(deck_as_dict(deck)).encode("utf-8"), 1)
        await self.pending.put(token, user.id, packed)
        return PendingImport(token, deck, proposals(deck))

    async def review(self, user: User, token: str) -> PendingImport:
        """The user's waiting import; NotFound once made, expired, someone else's, or for a
        token this server cannot have made (asked of no database: PostgreSQL refuses a
        NUL, for one)."""
        packed = await self.pending.get(token, user.id) if _TOKEN.fullmatch(token) else None
        if packed is None:
            raise NotFound(
                N_(
                    "This import is no longer waiting (an import waits an hour for its "
                    "review): upload the file again."
                )
            )
        deck = deck_from_dict(json.loads(zlib.decompress(packed)))
        return PendingImport(token, deck, proposals(deck))

    async def accept(
        self, user: User, token: str, kinds: Mapping[int, str], *, designed: bool = True
    ) -> Session:
        """Make the session with the kinds the facilitator chose, slide number → kind."""
        waiting = await self.review(user, token)
        bundle = build_bundle(waiting.deck, kinds, designed=designed)
        session = await Editor(self.service).create(user, bundle.deck, bundle.images)
        await self.pending.drop(token, user.id)
        return session

    async def create_as_proposed(
        self, user: User, deck: ImportedDeck, *, all_info: bool = False
    ) -> Session:
        """The command line's import: every slide as proposed (or as information)."""
        kinds = (
            {}
            if all_info
            else {
                slide.number: proposal.kind
                for slide, proposal in zip(deck.slides, proposals(deck), strict=True)
            }
        )
        bundle = build_bundle(deck, kinds)
        return await Editor(self.service).create(user, bundle.deck, bundle.images)
