"""Slide images: checked by their bytes, cleaned by re-encoding, named by their content.

An uploaded file is trusted for nothing. Its name and declared type are ignored: its first
bytes must say PNG, JPEG, WebP or GIF. SVG is refused, because an SVG file is a document
that can carry script. Pillow reads the header only under a pixel limit (decompression
bombs: a few kilobytes that decode to gigabytes), then decodes the pixels, turns them
upright (EXIF orientation) and into sRGB, scales them down to what a projector shows, and
encodes them anew into a fresh image. Nothing of the original file but its pixels
survives: no EXIF (a phone photo's GPS position), no comment, no colour profile, no
trailing bytes of a polyglot file. An animation keeps its first frame.

The cleaned bytes are named by their SHA-256 (the first 128 bits, hex), which is both the
database key and the unguessable part of the image's address.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from denkdag.domain.errors import N_, Message
from denkdag.domain.images import DIGEST_HEX, MEDIA_TYPES, image_name

MAX_IMAGE_BYTES = 2_000_000
"""Largest file accepted (2 MB)."""
MAX_PIXELS = 40_000_000
"""Largest image accepted, in pixels (width × height), checked before decoding."""
MAX_SIDE = 12_000
"""Longest side accepted, in pixels."""
SHOWN_SIDE = 2560
"""Longer images are scaled down to this: sharp on a 1440p projector, light on phones."""
JPEG_QUALITY = 85
WEBP_QUALITY = 85


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_OUTPUT = {
    "PNG": ("PNG", "png"),
    "GIF": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "WEBP": ("WEBP", "webp"),
}


class ImageRefused(ValueError):
    """An image that is not accepted; `status` is 413 (too large) or 422, `message` says
    why in a sentence a facilitator can act on (English; `reason` names it)."""

    def __init__(
        self, reason: str, message: str | Message, status: int = 422, /, **params: Any
    ) -> None:
        self.sentence = Message(message, **params) if isinstance(message, str) else message
        """The sentence to translate (an `N_()` template and its parameters)."""
        self.message = str(self.sentence)
        super().__init__(self.message)
        self.reason = reason
        """One of REASONS."""
        self.status = status


@dataclass(frozen=True)
class CleanImage:
    """An image as it is stored and served: re-encoded bytes, their type and size."""

    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        """The content's name: the first 128 bits of its SHA-256, in hex."""
        return hashlib.sha256(self.data).hexdigest()[:DIGEST_HEX]

    @property
    def name(self) -> str:
        """The file name (`<digest>.<ext>`), as the deck refers to it under `images/`."""
        return image_name(self.digest, self.media_type)


def sniff(data: bytes) -> str | None:
    """The image format the bytes start with (PNG, JPEG, GIF, WEBP), None for anything else."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _looks_like_markup(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<svg" in head


def clean_image(data: bytes) -> CleanImage:
    """Check an uploaded image and re-encode it; ImageRefused says what is wrong."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(
            "too_large",
            N_(
                "The image is larger than %(most)s MB: save it smaller (1920 pixels wide is "
                "plenty for a projector) and try again."
            ),
            413,
            most=MAX_IMAGE_BYTES // 1_000_000,
        )
    if not data:
        raise ImageRefused("empty", N_("The file is empty."))
    kind = sniff(data)
    if kind is None:
        if _looks_like_markup(data):
            raise ImageRefused(
                "markup",
                N_(
                    "SVG and other markup files are refused (they can carry script): use a PNG, "
                    "JPEG, WebP or GIF image."
                ),
            )
        raise ImageRefused(
            "not_image",
            N_("This file is not a PNG, JPEG, WebP or GIF image, whatever its name says."),
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise ImageRefused("pixels", _too_many_pixels(width, height))
                image.seek(0)
                image.load()
                return _encode(image, kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("pixels", _too_many_pixels(0, 0)) from None
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageRefused(
            "damaged",
            N_(
                "The image cannot be read (%(kind)s, damaged or incomplete): export it again from "
                "your image program."
            ),
            kind=kind,
        ) from error


def _too_many_pixels(width: int, height: int) -> Message:
    most = {"side": MAX_SIDE, "million": MAX_PIXELS // 1_000_000}
    if width and height:
        return Message(
            N_(
                "The image has too many pixels (%(width)s × %(height)s): at most %(side)s on "
                "a side and %(million)s million in all. Scale it down and try again."
            ),
            width=width,
            height=height,
            **most,
        )
    return Message(
        N_(
            "The image has too many pixels: at most %(side)s on a side and %(million)s "
            "million in all. Scale it down and try again."
        ),
        **most,
    )


def _encode(image: Image.Image, kind: str) -> CleanImage:
    """The pixels only, upright, sRGB, at most SHOWN_SIDE, in a fresh file of `kind`."""
    upright = ImageOps.exif_transpose(image) or image
    upright = _to_srgb(upright)
    alpha = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode in {"P", "L", "RGB"} and "transparency" in upright.info
    )
    target_format, ext = _OUTPUT[kind]
    if target_format == "JPEG":
        mode = "L" if upright.mode in {"L", "1", "I", "I;16", "F"} else "RGB"
    else:
        mode = "RGBA" if alpha else "RGB"
    converted = upright.convert(mode)
    converted.thumbnail((SHOWN_SIDE, SHOWN_SIDE), Image.Resampling.LANCZOS)
    # A new image from the raw pixels: no info dict, no EXIF, no palette comments.
    fresh = Image.frombytes(converted.mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if target_format == "JPEG":
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif target_format == "WEBP":
        fresh.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        fresh.save(out, "PNG", optimize=False, compress_level=7)
    return CleanImage(out.getvalue(), MEDIA_TYPES[ext], fresh.width, fresh.height)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels in an embedded colour profile (a phone's Display P3) converted to sRGB, since
    the profile itself is not kept; unchanged when there is none or it cannot be read."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image
