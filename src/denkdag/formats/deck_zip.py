"""Deck files with their images: a zip holding `deck.md` and `images/…`, out and in.

Out: `deck.md` (`write_deck`) and every image a slide shows, at the name the deck gives
it (`images/<digest>.<ext>`), so the zip imports back into the same deck and images.

In: a zip made by Denkdag or by hand (the deck may sit in one folder, `Dag/deck.md`
beside `Dag/images/`), or, from the command line, a deck file beside its images. Every
image a slide names is checked and cleaned like an upload (formats/images.py) and renamed
to its digest; a missing or refused image is an error at the deck line naming it:
`dag.zip:deck.md:12: image 'images/zaal.jpg' is not in the zip`.

A zip is untrusted: nothing is extracted to disk, a member is only looked up by a name the
deck reader checked (relative, no '..'), and each is read only up to its limit whatever
its header claims, so a zip bomb stops after a few megabytes.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from denkdag.domain.errors import N_, Message
from denkdag.domain.images import IMAGE_FOLDER
from denkdag.domain.model import Deck
from denkdag.formats.deck import MAX_DECK_BYTES, DeckError, ImageRefError, parse_deck, write_deck
from denkdag.formats.images import MAX_IMAGE_BYTES, CleanImage, ImageRefused, clean_image

MAX_ZIP_BYTES = 30_000_000
"""Largest deck zip accepted (upload or file)."""
MAX_ENTRIES = 1000
MAX_IMAGES_READ = 60_000_000
"""Bytes of images read from one zip or folder in all, whatever their number."""
DECK_NAME = "deck.md"
DECK_SUFFIXES = (".md", ".markdown", ".txt")
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DeckBundle:
    """A deck read with its images: every `image:` of the deck names a key of `images`."""

    deck: Deck
    images: Mapping[str, CleanImage]


def write_deck_zip(deck: Deck, images: Mapping[str, bytes]) -> bytes:
    """`deck.md` and the images (`name` → bytes, as the deck's `images/<name>`) as a zip;
    the same deck and images give the same bytes (fixed timestamps, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(DECK_NAME, _EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, write_deck(deck).encode("utf-8"))
        for name in sorted(images):
            member = zipfile.ZipInfo(f"{IMAGE_FOLDER}{name}", _EPOCH)
            member.compress_type = zipfile.ZIP_STORED  # already compressed
            archive.writestr(member, images[name])
    return buffer.getvalue()


class _Cleaner:
    """An image resolver for `parse_deck`: reads a named file, cleans it, renames it."""

    def __init__(self, read: Callable[[str], bytes | None], where: Message) -> None:
        self.read = read
        self.where = where
        self.images: dict[str, CleanImage] = {}
        self.done: dict[str, str] = {}
        self.total = 0

    def __call__(self, ref: str) -> str:
        if ref in self.done:
            return self.done[ref]
        data = self.read(ref)
        if data is None:
            raise ImageRefError(N_("image '%(ref)s' is not %(where)s"), ref=ref, where=self.where)
        self.total += len(data)
        if self.total > MAX_IMAGES_READ:
            raise ImageRefError(
                N_("the images add up to more than %(most)s MB: make them smaller"),
                most=MAX_IMAGES_READ // 1_000_000,
            )
        try:
            image = clean_image(data)
        except ImageRefused as refused:
            raise ImageRefError(
                N_("image '%(ref)s' is refused. %(reason)s"), ref=ref, reason=refused.sentence
            ) from None
        self.images[image.name] = image
        self.done[ref] = f"{IMAGE_FOLDER}{image.name}"
        return self.done[ref]


def _bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most `limit + 1` bytes of a member (the +1 tells the caller it is too large)."""
    with archive.open(info) as member:
        return member.read(limit + 1)


def _deck_member(infos: Mapping[str, zipfile.ZipInfo], source: str) -> str:
    decks = [
        name
        for name in infos
        if name.lower().endswith(DECK_SUFFIXES)
        and not name.startswith("__MACOSX/")
        and not any(part.startswith(".") for part in name.split("/"))
    ]
    if not decks:
        raise DeckError(source, 1, N_("the zip holds no deck file (%(name)s)"), name=DECK_NAME)
    if len(decks) == 1:
        return decks[0]
    named = [name for name in decks if posixpath.basename(name).lower() == DECK_NAME]
    if len(named) == 1:
        return named[0]
    shown = ", ".join(sorted(decks)[:4])
    raise DeckError(
        source, 1, N_("the zip holds several deck files (%(shown)s): keep one"), shown=shown
    )


def read_deck_zip(data: bytes, source: str = "deck.zip") -> DeckBundle:
    """A deck and its images from a zip; DeckError (`ZIP:MEMBER:LINE: …`) if wrong."""
    if len(data) > MAX_ZIP_BYTES:
        raise DeckError(
            source, 1, N_("the zip is larger than %(most)s MB"), most=MAX_ZIP_BYTES // 1_000_000
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DeckError(source, 1, N_("the file is not a readable zip archive")) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise DeckError(
                source,
                1,
                N_("the zip holds more than %(most)s files"),
                most=MAX_ENTRIES,
            )
        infos: dict[str, zipfile.ZipInfo] = {}
        for info in entries:
            if not info.is_dir():
                infos.setdefault(info.filename, info)
        member = _deck_member(infos, source)
        where = f"{source}:{member}"
        folder = posixpath.dirname(member)

        def read(ref: str) -> bytes | None:
            info = infos.get(posixpath.join(folder, ref) if folder else ref)
            if info is None:
                return None
            if info.file_size > MAX_IMAGE_BYTES:
                return b"\0" * (MAX_IMAGE_BYTES + 1)  # refused as too large, unread
            return _bounded(archive, info, MAX_IMAGE_BYTES)

        try:
            text = _bounded(archive, infos[member], MAX_DECK_BYTES)
            cleaner = _Cleaner(read, Message(N_("in the zip")))
            deck = parse_deck(text, source=where, images=cleaner)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            # damaged, encrypted or oddly compressed members
            raise DeckError(where, 1, N_("the zip cannot be read (damaged or encrypted)")) from None
    return DeckBundle(deck, cleaner.images)


def read_deck_path(path: Path) -> DeckBundle:
    """A deck from a file: a zip, or a deck file whose images sit beside it."""
    try:
        if path.suffix.lower() == ".zip":
            if path.stat().st_size > MAX_ZIP_BYTES:
                raise DeckError(
                    str(path),
                    1,
                    N_("the zip is larger than %(most)s MB"),
                    most=MAX_ZIP_BYTES // 1_000_000,
                )
            return read_deck_zip(path.read_bytes(), source=str(path))
        text = path.read_bytes()
    except OSError as error:
        raise DeckError(
            str(path), 1, N_("cannot read the file (%(reason)s)"), reason=error.strerror
        ) from None
    folder = path.parent.resolve()

    def read(ref: str) -> bytes | None:
        target = (folder / ref).resolve()
        if not target.is_relative_to(folder) or not target.is_file():
            return None  # a symbolic link out of the deck's folder counts as missing
        with target.open("rb") as handle:
            return handle.read(MAX_IMAGE_BYTES + 1)

    cleaner = _Cleaner(read, Message(N_("in %(folder)s"), folder=str(path.parent)))
    deck = parse_deck(text, source=str(path), images=cleaner)
    return DeckBundle(deck, cleaner.images)
