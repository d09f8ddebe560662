"""An uploaded image is checked by its bytes and re-encoded (formats/images.py): real PNG,
JPEG, WebP and GIF pass; markup with an image's name, oversized files, bombs and broken
files are refused with a reason; EXIF (a GPS position) never survives."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from denkdag.formats.images import (
    MAX_IMAGE_BYTES,
    SHOWN_SIDE,
    ImageRefused,
    clean_image,
    sniff,
)
from harness.images import GPS_IFD, bomb_png, jpeg_with_gps, noisy_png, png


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_png_is_kept_as_png_and_named_by_its_content() -> None:
    clean = clean_image(png())
    assert clean.media_type == "image/png" and (clean.width, clean.height) == (64, 36)
    assert reopen(clean.data).format == "PNG"
    assert len(clean.digest) == 32 and clean.name == f"{clean.digest}.png"
    assert clean_image(clean.data).name == clean.name  # cleaning a clean PNG changes nothing
    assert clean_image(png(colour=(1, 2, 3))).name != clean.name


def test_a_jpeg_loses_its_exif_gps_and_comment() -> None:
    original = jpeg_with_gps()
    assert reopen(original).getexif().get_ifd(GPS_IFD)  # the test image does carry GPS
    clean = clean_image(original)
    assert clean.media_type == "image/jpeg"
    image = reopen(clean.data)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    for marker in (b"Exif", b"CameraMaker", b"secret comment"):
        assert marker not in clean.data


def test_an_exif_rotation_is_applied_before_the_exif_goes() -> None:
    clean = clean_image(jpeg_with_gps(size=(80, 40), orientation=6))  # 90° clockwise
    assert (clean.width, clean.height) == (40, 80)


def test_webp_and_gif_pass_and_a_gif_is_stored_as_png() -> None:
    webp, gif = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 0, 255, 100)).save(webp, "WEBP")
    Image.new("P", (30, 20), 3).save(gif, "GIF", comment=b"hidden")
    assert clean_image(webp.getvalue()).media_type == "image/webp"
    as_png = clean_image(gif.getvalue())
    assert as_png.media_type == "image/png" and b"hidden" not in as_png.data


def test_large_pictures_are_scaled_to_what_a_projector_shows() -> None:
    out = io.BytesIO()
    Image.new("RGB", (5000, 1000), (9, 9, 9)).save(out, "PNG")
    clean = clean_image(out.getvalue())
    assert (clean.width, clean.height) == (SHOWN_SIDE, 512)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!doctype html><script>alert(document.cookie)</script>", "markup"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "markup"),
        (b"\xef\xbb\xbf  <svg onload=alert(1)>", "markup"),
        (b"%PDF-1.7 not an image at all", "not_image"),
        (b"", "empty"),
        (png()[:40], "damaged"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "damaged"),
    ],
)
def test_what_is_not_a_raster_image_is_refused_whatever_its_name(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert refused.value.reason == reason and refused.value.status == 422
    assert refused.value.message.endswith(".")


def test_an_oversized_file_is_refused_with_413_before_it_is_read() -> None:
    data = noisy_png(830)
    assert len(data) > MAX_IMAGE_BYTES
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert refused.value.status == 413 and "2 MB" in refused.value.message


@pytest.mark.parametrize("size", [(60_000, 60_000), (13_000, 10), (7_000, 7_000)])
def test_a_decompression_bomb_is_refused_from_its_header(size: tuple[int, int]) -> None:
    with pytest.raises(ImageRefused) as refused:
        clean_image(bomb_png(*size))
    assert refused.value.reason == "pixels" and "too many pixels" in refused.value.message


def test_sniffing_reads_bytes_not_names() -> None:
    assert sniff(png()) == "PNG" and sniff(jpeg_with_gps()) == "JPEG"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "WEBP" and sniff(b"GIF89a...") == "GIF"
    assert sniff(b"<svg/>") is None and sniff(b"BM....") is None
