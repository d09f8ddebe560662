"""Images in deck files: `image:` with its required `alt:`, read and written back; a deck
zip (deck.md + images/) round-trips in the browser's format and through the CLI; a
missing or refused image is an error at its line; zip bombs, traversal and links out of
the folder get nowhere."""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denkdag.cli import app as cli
from denkdag.formats.deck import DeckError, ImageRefError, parse_deck, write_deck
from denkdag.formats.deck_zip import read_deck_path, read_deck_zip, write_deck_zip
from harness.images import jpeg_with_gps, png

runner = CliRunner()
DECK = """---
title: Dag met beelden
---
# Welkom
image: images/zaal.png
alt: De zaal vol mensen

Tekst naast het beeld.

# Eens?
kind: statement
image: fotos/bord.jpg
alt: Het bord met post-its

> Samen is beter.

# Zonder beeld
"""


def test_image_and_alt_are_read_and_written_back() -> None:
    deck = parse_deck(DECK)
    assert deck.slides[0].extra["image"] == "images/zaal.png"
    assert deck.slides[1].extra == {"image": "fotos/bord.jpg", "alt": "Het bord met post-its"}
    assert "image" not in deck.slides[2].extra
    text = write_deck(deck)
    assert "image: images/zaal.png\nalt: De zaal vol mensen\n" in text
    assert parse_deck(text) == deck


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        ("image: images/a.png", 5, "needs alt text"),
        ("image: images/a.png\nalt:", 6, "needs alt text"),
        ("alt: Iets", 5, "'alt' describes the slide's image"),
        ("image: https://example.org/a.png\nalt: x", 5, "not a web address"),
        ("image: /etc/passwd.png\nalt: x", 5, "not a web address"),
        ("image: ../geheim.png\nalt: x", 5, "a file name such as images/photo.jpg"),
        ("image: images/../../x.png\nalt: x", 5, "a file name such as"),
        ("image: images\\\\a.png\nalt: x", 5, "a file name such as"),
        ("image: images/a.svg\nalt: x", 5, "SVG images are refused"),
        ("image: images/a.html\nalt: x", 5, "a .png, .jpg, .webp or .gif file"),
        ("image: images/a.png\nalt: " + "x" * 301, 6, "at most 300 characters"),
    ],
)
def test_a_wrong_image_setting_names_its_line(lines: str, line: int, words: str) -> None:
    with pytest.raises(DeckError) as error:
        parse_deck(f"---\ntitle: T\n---\n# Beeld\n{lines}\n", source="dag.md")
    assert error.value.line == line and words in error.value.message
    assert str(error.value).startswith(f"dag.md:{line}: ")


def test_a_resolver_maps_references_and_its_refusal_names_the_line() -> None:
    deck = parse_deck(DECK, images=lambda ref: "images/" + ref.rsplit("/", 1)[1].upper())
    assert deck.slides[1].extra["image"] == "images/BORD.JPG"

    def refuse(ref: str) -> str:
        raise ImageRefError(f"image '{ref}' is not here")

    with pytest.raises(DeckError) as error:
        parse_deck(DECK, source="dag.md", images=refuse)
    assert str(error.value) == "dag.md:5: image 'images/zaal.png' is not here"


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_round_trips_deck_and_images() -> None:
    data = zip_of(
        {
            "Dag/deck.md": DECK.encode(),
            "Dag/images/zaal.png": png(),
            "Dag/fotos/bord.jpg": jpeg_with_gps(),
            "__MACOSX/Dag/._deck.md": b"junk",
        }
    )
    bundle = read_deck_zip(data, "dag.zip")
    first, second = (slide.extra["image"] for slide in bundle.deck.slides[:2])
    assert first.startswith("images/") and first.endswith(".png") and len(first) == 43
    assert second.endswith(".jpg") and set(bundle.images) == {first[7:], second[7:]}
    assert b"Exif" not in bundle.images[second[7:]].data
    exported = write_deck_zip(
        bundle.deck, {name: image.data for name, image in bundle.images.items()}
    )
    again = read_deck_zip(exported, "export.zip")
    assert again.deck.slides[0] == bundle.deck.slides[0]  # PNG: the very same name
    assert again.deck.info == bundle.deck.info
    assert [s.extra.get("alt") for s in again.deck.slides] == [
        s.extra.get("alt") for s in bundle.deck.slides
    ]
    assert write_deck_zip(again.deck, {n: i.data for n, i in again.images.items()}) == (
        write_deck_zip(again.deck, {n: i.data for n, i in again.images.items()})
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"deck.md": DECK.encode(), "images/zaal.png": png()},
            "dag.zip:deck.md:12: image 'fotos/bord.jpg' is not in the zip",
        ),
        (
            {"deck.md": DECK.encode(), "images/zaal.png": b"<svg/>", "fotos/bord.jpg": png()},
            "dag.zip:deck.md:5: image 'images/zaal.png' is refused. SVG and other markup",
        ),
        ({"a.md": b"", "b.md": b""}, "dag.zip:1: the zip holds several deck files"),
        ({"images/zaal.png": png()}, "dag.zip:1: the zip holds no deck file"),
    ],
)
def test_zip_errors_name_the_member_and_line(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(DeckError) as error:
        read_deck_zip(zip_of(files), "dag.zip")
    assert str(error.value).startswith(message)


def test_not_a_zip_and_a_zip_bomb_are_refused_quickly() -> None:
    with pytest.raises(DeckError, match="not a readable zip"):
        read_deck_zip(b"PK\x03\x04 not really", "x.zip")
    bomb = zip_of(
        {
            "deck.md": DECK.replace("fotos/bord.jpg", "images/zaal.png").encode(),
            "images/zaal.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 200_000_000,  # 200 MB of zeros
        }
    )
    assert len(bomb) < 1_000_000
    with pytest.raises(DeckError) as error:
        read_deck_zip(bomb, "bomb.zip")
    assert "is refused. The image is larger than 2 MB" in str(error.value)


def test_a_deck_beside_its_images_and_no_link_out_of_its_folder(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "zaal.png").write_bytes(png())
    (tmp_path / "fotos").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-secret.jpg"
    outside.write_bytes(jpeg_with_gps())
    os.symlink(outside, tmp_path / "fotos" / "bord.jpg")
    deck_file = tmp_path / "deck.md"
    deck_file.write_text(DECK, encoding="utf-8")
    with pytest.raises(DeckError) as error:
        read_deck_path(deck_file)
    assert error.value.line == 12 and "is not in" in error.value.message
    (tmp_path / "fotos" / "bord.jpg").unlink()
    (tmp_path / "fotos" / "bord.jpg").write_bytes(jpeg_with_gps())
    bundle = read_deck_path(deck_file)
    assert len(bundle.images) == 2


def test_the_cli_exports_a_deck_zip_and_imports_it_again(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "dag.zip"
    source.write_bytes(
        zip_of({"deck.md": DECK.encode(), "images/zaal.png": png(), "fotos/bord.jpg": png()})
    )
    imported = runner.invoke(cli, ["import", str(source), "--database", database_url])
    assert imported.exit_code == 0, imported.output
    code = imported.output.strip().splitlines()[-1]
    out = tmp_path / "export.zip"
    exported = runner.invoke(
        cli,
        ["export", code, "--format", "deck-zip", "--output", str(out), "--database", database_url],
    )
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        deck_text = archive.read("deck.md").decode()
    assert names[0] == "deck.md" and len(names) == 2  # the same PNG twice is one image
    again = runner.invoke(cli, ["import", str(out), "--database", database_url])
    assert again.exit_code == 0, again.output
    plain = runner.invoke(cli, ["export", code, "--format", "deck", "--database", database_url])
    assert plain.exit_code == 0 and "--format deck-zip" in plain.output
    assert deck_text in plain.output
    broken = tmp_path / "broken.md"
    broken.write_text(DECK, encoding="utf-8")
    refused = runner.invoke(cli, ["import", str(broken), "--database", database_url])
    assert refused.exit_code == 2
    assert f"{broken}:5: image 'images/zaal.png' is not in {tmp_path}" in refused.output
    assert asyncio.iscoroutinefunction(read_deck_path) is False
