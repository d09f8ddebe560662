"""Slide images served: `/media/{code}/{digest}.{ext}` (formats/images.py, storage/images.py).

Images are shown to everyone in the room (projector, phones, the report), so the address
is the permission: the session's join code and the image's 128-bit content digest, which
nobody can guess, and there is no list of a session's images to walk. The bytes never
change under an address (it is their hash), so browsers may keep them for a year; shared
caches may not (`private`), so an image is gone with its deleted session. The type is
the stored one, never sniffed (`nosniff`), and only raster types are ever stored.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from fastapi import APIRouter, Request, Response

from denkdag.app.media import StoredImage
from denkdag.domain.errors import UnknownSession
from denkdag.web.auth import service

router = APIRouter(include_in_schema=False)
_NAME = re.compile(r"^[0-9a-f]{32}\.(?:png|jpg|webp)$")
CACHE_BYTES = 64_000_000
"""Image bytes kept in memory per process: a slide's image is asked for by every phone."""
HEADERS = {
    "Cache-Control": "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


class ImageCache:
    """The most recently served images, up to CACHE_BYTES (they never change)."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[int, str], StoredImage] = OrderedDict()

    def get(self, key: tuple[int, str]) -> StoredImage | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[int, str], image: StoredImage) -> None:
        if len(image.data) > self.limit // 8 or key in self.items:
            return
        self.items[key] = image
        self.size += len(image.data)
        while self.size > self.limit:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped.data)


def _cache(request: Request) -> ImageCache:
    cache: ImageCache | None = getattr(request.app.state, "image_cache", None)
    if cache is None:
        cache = request.app.state.image_cache = ImageCache()
    return cache


def _not_found() -> Response:
    return Response(b"", status_code=404, headers={"Cache-Control": "no-store"})


@router.get("/media/{code}/{name}")
async def slide_image(request: Request, code: str, name: str) -> Response:
    """A slide image of the session, by the name its deck gives it."""
    if not _NAME.match(name):
        return _not_found()
    svc = service(request)
    try:
        session = await svc.sessions.get(code)
    except UnknownSession:
        return _not_found()
    key = (session.id, name)
    cache = _cache(request)
    image = cache.get(key)
    if image is None:
        image = await svc.media.slide_image(session, name)
        if image is None:
            return _not_found()
        cache.put(key, image)
    etag = f'"{name.partition(".")[0]}"'
    headers = {**HEADERS, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(image.data, media_type=image.media_type, headers=headers)
