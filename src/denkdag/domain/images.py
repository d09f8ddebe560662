"""Slide images as the rest of Denkdag names them: a stored image is `<digest>.<ext>`.

The digest is the first 128 bits of the SHA-256 of the cleaned bytes (formats/images.py),
in hex: it keys the image in the database and is the unguessable part of its address. A
deck refers to an image under `images/` (in a zip beside `deck.md`).
"""

from __future__ import annotations

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
"""What a stored image can be, by file extension (a GIF is stored as PNG)."""
EXTENSIONS = {media_type: ext for ext, media_type in MEDIA_TYPES.items()}
IMAGE_FOLDER = "images/"
DIGEST_HEX = 32


def image_name(digest: str, media_type: str) -> str:
    """The file name of a stored image."""
    return f"{digest}.{EXTENSIONS.get(media_type, 'bin')}"


def stored_name(ref: str) -> str | None:
    """The stored image's file name a deck reference (`images/<digest>.<ext>`) names, or
    None when the reference is not of that form (a file of a deck not yet imported)."""
    name = ref.removeprefix(IMAGE_FOLDER)
    digest, dot, ext = name.partition(".")
    if ref == name or not dot or ext not in MEDIA_TYPES or len(digest) != DIGEST_HEX:
        return None
    if any(ch not in "0123456789abcdef" for ch in digest):
        return None
    return name
