"""Small real images for the image tests, made with Pillow (no files in the repository)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def png(size: tuple[int, int] = (64, 36), colour: tuple[int, ...] = (20, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (80, 40), orientation: int = 1) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "CameraMaker"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (50.0, 51.0, 12.5)
    gps[3] = "E"
    gps[4] = (4.0, 21.0, 3.5)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment", quality=90)
    return out.getvalue()


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny PNG whose header claims an enormous image (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def noisy_png(side: int) -> bytes:
    """A PNG that does not compress (random pixels), to reach a size in bytes."""
    import os

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
