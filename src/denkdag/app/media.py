"""Slide images as screens fetch them: the stored, re-encoded image of a session's deck."""

from __future__ import annotations

from denkdag.domain.model import Session
from denkdag.storage import SqlStore
from denkdag.storage.images import SlideImageStore, StoredImage

__all__ = ["Media", "StoredImage"]


class Media:
    """Reads a session's slide images (the editor stores them)."""

    def __init__(self, store: SqlStore) -> None:
        self._images = SlideImageStore(store)

    async def slide_image(self, session: Session, name: str) -> StoredImage | None:
        """The image a slide of `session` names, or None when it has none by that name."""
        return await self._images.get(session.id, name)
