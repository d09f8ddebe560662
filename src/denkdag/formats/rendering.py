"""The slides as designed, as pictures: LibreOffice (Debian's `libreoffice-impress`, run
headless) prints a PowerPoint to PDF, and poppler's `pdftoppm` draws each PDF page as a
PNG, which is then cleaned like any upload (formats/images.py).

Both are optional programs: without them an import keeps the slides' text and pictures
and says that the slides were not drawn. Each run gets its own temporary folder and
LibreOffice profile (two imports at once do not share a lock) and a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from denkdag.formats.images import CleanImage, ImageRefused, clean_image

CONVERT_SECONDS = 180
"""Longest a LibreOffice conversion may take before it is stopped."""
DRAW_SECONDS = 120
SHOWN_WIDTH = 1600
"""Width of a drawn slide, in pixels: sharp on a projector, light on phones."""


def office_program() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_draw() -> bool:
    """Whether PDF pages can be drawn (poppler's pdftoppm is installed)."""
    return shutil.which("pdftoppm") is not None


def office_to_pdf(data: bytes, suffix: str = ".pptx") -> bytes | None:
    """The file as LibreOffice prints it to PDF; None without LibreOffice or when it fails."""
    program = office_program()
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="denkdag-office-") as folder:
        where = Path(folder)
        source = where / f"slides{suffix}"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    program,
                    f"-env:UserInstallation={(where / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(where),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=CONVERT_SECONDS,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        printed = where / "slides.pdf"
        return printed.read_bytes() if printed.is_file() else None


def draw_pages(pdf: bytes) -> list[CleanImage] | None:
    """Every page of a PDF as a cleaned PNG; None when they cannot be drawn."""
    program = shutil.which("pdftoppm")
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="denkdag-pages-") as folder:
        where = Path(folder)
        (where / "slides.pdf").write_bytes(pdf)
        try:
            subprocess.run(
                [program, "-png", "-scale-to", str(SHOWN_WIDTH), "slides.pdf", "page"],
                cwd=where,
                check=True,
                capture_output=True,
                timeout=DRAW_SECONDS,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        pages = sorted(where.glob("page-*.png"), key=lambda path: int(path.stem.split("-")[-1]))
        try:
            return [clean_image(page.read_bytes()) for page in pages]
        except ImageRefused:
            return None
