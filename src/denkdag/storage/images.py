"""The queries of slide images (formats/images.py): stored per session, by content hash.

An image is written once per session (the same bytes uploaded twice are one row) and never
changed; it goes when its session is deleted (foreign key, ON DELETE CASCADE). Images live
in the database, not on a disk, so every instance behind a load balancer serves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, literal, select

from denkdag.domain.images import image_name
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import slide_images


@dataclass(frozen=True)
class StoredImage:
    """A slide image as stored: its file name (`<digest>.<ext>`), type and bytes."""

    name: str
    media_type: str
    width: int
    height: int
    data: bytes


class SlideImageStore:
    """Slide images in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.engine = store.engine
        self.reader = store.reader

    async def put(
        self, session_id: int, digest: str, media_type: str, size: tuple[int, int], data: bytes
    ) -> str:
        """Store an image for the session (once: the same bytes are the same row); its name."""
        row = {
            "session_id": session_id,
            "digest": digest,
            "media_type": media_type,
            "width": size[0],
            "height": size[1],
            "data": data,
            "created_at": now(),
        }
        statement = self.store._insert(slide_images).values(row).on_conflict_do_nothing()
        async with self.engine.begin() as conn:
            await conn.execute(statement)
        return image_name(digest, media_type)

    async def get(self, session_id: int, name: str) -> StoredImage | None:
        """The session's image of this file name, or None (wrong session, digest or type)."""
        digest, _, _ext = name.partition(".")
        query = select(slide_images).where(
            slide_images.c.session_id == session_id, slide_images.c.digest == digest
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or image_name(row.digest, row.media_type) != name:
            return None
        return StoredImage(name, row.media_type, row.width, row.height, bytes(row.data))

    async def many(self, session_id: int, names: Iterable[str]) -> dict[str, StoredImage]:
        """The session's images of these names (the ones found), by name."""
        wanted = {name.partition(".")[0]: name for name in names}
        if not wanted:
            return {}
        query = select(slide_images).where(
            slide_images.c.session_id == session_id, slide_images.c.digest.in_(list(wanted))
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        found = {}
        for row in rows:
            name = image_name(row.digest, row.media_type)
            if wanted.get(row.digest) == name:
                found[name] = StoredImage(
                    name, row.media_type, row.width, row.height, bytes(row.data)
                )
        return found

    async def names(self, session_id: int) -> set[str]:
        """The file names of the session's images."""
        query = select(slide_images.c.digest, slide_images.c.media_type).where(
            slide_images.c.session_id == session_id
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {image_name(row.digest, row.media_type) for row in rows}

    async def count(self, session_id: int) -> int:
        query = select(func.count()).where(slide_images.c.session_id == session_id)
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def copy(self, from_session: int, to_session: int) -> None:
        """Every image of one session, for another (a duplicated session's deck names them)."""
        columns = ["digest", "media_type", "width", "height", "data", "created_at"]
        source = select(
            literal(to_session, slide_images.c.session_id.type).label("session_id"),
            *(slide_images.c[column] for column in columns),
        ).where(slide_images.c.session_id == from_session)
        statement = insert(slide_images).from_select(["session_id", *columns], source)
        async with self.engine.begin() as conn:
            await conn.execute(statement)
