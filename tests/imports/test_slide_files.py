"""PowerPoint and PDF files in: the demo deck built as a .pptx (and printed to PDF by
LibreOffice) imports, with the detected kinds accepted, to the same session as the demo
deck; the browser's review lets the facilitator change a kind before anything is made;
the command line prints what it detected; broken, encrypted and oversized files get a
sentence and import nothing."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from typer.testing import CliRunner

from denkdag.app.editor import Editor
from denkdag.cli import app
from denkdag.domain.model import Deck
from denkdag.formats.deck import DeckError, write_deck
from denkdag.formats.deck_import import (
    MAX_SLIDE_FILE,
    build_bundle,
    proposals,
    read_slide_file,
)
from denkdag.web.auth import CSRF_COOKIE, LOGIN_COOKIE
from harness.services import need_service
from harness.slide_files import (
    NESTED,
    NOTES,
    PICTURE_SLIDE,
    pptx_to_pdf,
    seed_deck,
    seed_pptx,
    soffice,
)

CSRF = "csrf-import-test"


def shape(deck: Deck) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """What makes two sessions the same to the room: kinds, titles, options, statements."""
    return [
        (s.kind, s.title, [(o.label, o.description) for o in s.options], s.statement)
        for s in deck.slides
    ]


def as_proposed(data: bytes, name: str, *, draw: bool = False) -> Any:
    read = read_slide_file(data, name, draw=draw)
    kinds = {s.number: p.kind for s, p in zip(read.slides, proposals(read), strict=True)}
    return read, build_bundle(read, kinds)


@pytest.fixture(scope="module")
def pptx() -> bytes:
    return seed_pptx()


@pytest.fixture(scope="module")
def pdf(pptx: bytes) -> bytes:
    if soffice() is None:
        need_service("LibreOffice (Debian's libreoffice-impress) is not installed")
    return pptx_to_pdf(pptx)


def test_the_pptx_imports_to_the_demo_session(pptx: bytes) -> None:
    _, bundle = as_proposed(pptx, "werksessie.pptx")
    demo = seed_deck()
    assert shape(bundle.deck) == shape(demo)
    assert bundle.deck.info.title == demo.info.title
    slides = bundle.deck.slides
    assert [s.extra.get("layout") for s in slides] == [s.extra.get("layout") for s in demo.slides]
    assert slides[3].notes == NOTES[4] and slides[6].notes == NOTES[7]
    assert f"\n  - {NESTED}\n" in slides[4].body  # the nested bullet, nested
    assert slides[4].body.startswith("► **DOEL :**\n\n- kwalitatieve")
    picture = slides[PICTURE_SLIDE - 1].extra
    assert picture["alt"] == "Kaart van de regio"
    assert picture["image"].removeprefix("images/") in bundle.images
    assert any("notes:" in line for line in write_deck(bundle.deck).split("\n"))


def test_without_libreoffice_the_import_keeps_the_text_and_says_so(
    pptx: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without LibreOffice or poppler
    read, bundle = as_proposed(pptx, "werksessie.pptx", draw=True)
    assert not read.rendered
    assert [str(n) for n in read.notices] == [
        "LibreOffice is not installed: the slides keep their text and pictures, not their design."
    ]
    assert shape(bundle.deck) == shape(seed_deck())
    assert list(bundle.images) == [bundle.deck.slides[PICTURE_SLIDE - 1].extra["image"][7:]]


def test_the_pdf_made_from_it_imports_to_the_demo_session(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF")
    read, bundle = as_proposed(pdf, "werksessie.pdf", draw=True)
    assert shape(bundle.deck) == shape(seed_deck())
    assert read.rendered and len(bundle.images) == len(bundle.deck.slides)
    assert f"\n  - {NESTED}\n" in bundle.deck.slides[4].body


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "sentence"),
    [
        ("kapot.pptx", b"not a zip at all", "not a readable PowerPoint"),
        ("leeg.pptx", _zip(hello=b"world"), "not a readable PowerPoint"),
        ("geheim.pptx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
        ("kapot.pdf", b"%PDF-1.7 garbage", "not a readable PDF"),
        ("geheim.pdf", _encrypted_pdf(), "password-protected"),
        ("groot.pdf", b"\0" * (MAX_SLIDE_FILE + 1), "larger than 30 MB"),
        ("bom.pptx", b"", "unpacks to more than"),
        ("parts.pptx", b"", "unpacks to more than"),
    ],
)
def test_broken_encrypted_and_oversized_files_get_a_sentence(
    name: str, data: bytes, sentence: str
) -> None:
    if name == "bom.pptx":  # a small zip whose directory says it unpacks to 301 MB
        small = _zip(**{"ppt/media/zeros.bin": b"\0" * 1000})
        entry = small.index(b"PK\x01\x02")
        data = small[: entry + 24] + struct.pack("<I", 301_000_000) + small[entry + 28 :]
    if name == "parts.pptx":
        data = _zip(**{f"ppt/slides/s{n}.xml": b"" for n in range(5001)})
    with pytest.raises(DeckError) as refused:
        read_slide_file(data, name, draw=False)
    assert sentence in refused.value.message and refused.value.source == name


def test_a_truncated_pptx_is_refused(pptx: bytes) -> None:
    with pytest.raises(DeckError, match="not a readable PowerPoint"):
        read_slide_file(pptx[: len(pptx) // 2], "half.pptx", draw=False)


# the browser's review -------------------------------------------------------------------


async def _signed_in(running: Any) -> Any:
    user = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(user))
    running.client.cookies.set(CSRF_COOKIE, CSRF)
    return user


@pytest.mark.anyio
async def test_the_review_shows_the_detection_and_makes_nothing_until_posted(
    running: Any, pptx: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # text only (the browser test draws)
    user = await _signed_in(running)
    before = len(await running.service.sessions.of_user(user))
    uploaded = await running.client.post(
        "/sessions/import",
        data={"csrf_token": CSRF},
        files={"deck": ("werksessie.pptx", pptx, "application/octet-stream")},
    )
    assert uploaded.status_code == 303, uploaded.text
    review_url = uploaded.headers["location"]
    page = await running.client.get(review_url)
    assert page.status_code == 200
    assert len(await running.service.sessions.of_user(user)) == before  # nothing made yet
    assert "LibreOffice is niet geïnstalleerd: de dia&#39;s behouden hun tekst" in page.text
    proposed = re.findall(r'data-slide="(\d+)" data-proposed="(\w+)"', page.text)
    assert [kind for _, kind in proposed] == [s.kind for s in seed_deck().slides]
    assert "1. Informele kennis- en ervaringsuitwisseling" in page.text
    assert "Transversale samenwerking biedt een meerwaarde" in page.text
    form = {f"kind-{number}": kind for number, kind in proposed} | {"csrf_token": CSRF}
    form["kind-10"] = "info"  # the facilitator keeps the last statement as information
    made = await running.client.post(review_url, data=form)
    assert made.status_code == 303, made.text
    session = await running.service.sessions.get(made.headers["location"].removeprefix("/e/"))
    expected = [s.kind for s in seed_deck().slides]
    expected[9] = "info"
    assert [s.kind for s in session.deck.slides] == expected
    assert session.deck.slides[3].notes == NOTES[4]
    pictured = [s.extra["image"][7:] for s in session.deck.slides if "image" in s.extra]
    assert len(pictured) == 1  # the one picture of the file, stored with the session
    assert set(await Editor(running.service).images_of(session)) == set(pictured)
    again = await running.client.post(review_url, data=form)
    assert again.status_code == 404  # made once; the waiting file is gone


@pytest.mark.anyio
async def test_a_broken_upload_shows_its_sentence_and_imports_nothing(running: Any) -> None:
    user = await _signed_in(running)
    before = len(await running.service.sessions.of_user(user))
    response = await running.client.post(
        "/sessions/import",
        data={"csrf_token": CSRF},
        files={"deck": ("kapot.pptx", b"PK\x03\x04 broken", "application/octet-stream")},
    )
    assert response.status_code == 422
    assert "kapot.pptx:1:" in response.text
    assert len(await running.service.sessions.of_user(user)) == before
    stranger = await running.client.get("/sessions/import/not-a-waiting-import")
    assert stranger.status_code == 404


# the command line -----------------------------------------------------------------------


def test_the_command_line_prints_the_detection_and_takes_it(
    tmp_path: Path, database_url: str, pptx: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "werksessie.pptx"
    path.write_bytes(pptx)
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(path), "--database", database_url])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert lines[3] == (
        "slide 4: choice (a title that asks, over 3 items): Hoe wil je in de toekomst samenwerken?"
    )
    assert lines[6].startswith("slide 7: statement (a sentence under an agree or disagree")
    assert lines[-1].isdigit()
    monkeypatch.setenv("PATH", str(tmp_path))  # without LibreOffice: text only, and said so
    plain = runner.invoke(app, ["import", str(path), "--all-info", "--database", database_url])
    assert plain.exit_code == 0, plain.output
    assert "slide 4: info (kept as information (--all-info))" in plain.output
    assert "LibreOffice is not installed: the slides keep their text" in plain.output
    broken = tmp_path / "kapot.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing")
    refused = runner.invoke(app, ["import", str(broken), "--database", database_url])
    assert (
        refused.exit_code == 2 and "kapot.pdf:1: the file is not a readable PDF" in refused.output
    )
