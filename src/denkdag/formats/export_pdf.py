"""The report as PDF, made on the server by WeasyPrint from the report's own HTML.

Participant text is untrusted, so the renderer fetches nothing from anywhere: the only
resources it may load are Denkdag's own static files, read from the installed package, and
the slide images the caller read from the database beforehand (`/media/CODE/NAME`).
Rendering is CPU work of a second or more; callers run it off the event loop.

WeasyPrint builds a box and a style for every element and keeps them all until the last
page is written: hundreds of thousands of live objects for a long report. Python's
cyclic garbage collector, left at its defaults, walks that growing heap again and again
while it is built (a quarter of a 400-slide report's time, and the share grows with the
report); `report_pdf` collects rarely while it renders.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from mimetypes import guess_type
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

HOST = "report.denkdag.invalid"
BASE_URL = f"https://{HOST}/"
"""Root-relative URLs in the report resolve here; `.invalid` never resolves, and the
fetcher below answers for this host from the package without touching the network."""
STATIC = resources.files("denkdag") / "web" / "static"
YOUNG_OBJECTS = 50_000
"""Allocations between two collections of the youngest generation while a PDF renders
(Python's default is 700). Most of WeasyPrint's objects live until the end of the render
or are freed by reference counting; a bigger step leaves fewer, not bigger, walks of the
older generations. Measured: a 400-slide report renders in about 0.8 of the time, at the
same peak memory."""
logging.getLogger("weasyprint").setLevel(logging.ERROR)
"""The screen style sheet uses CSS that WeasyPrint skips (and says so for every PDF)."""


class RefusedResource(ValueError):
    """A resource outside Denkdag's own static files: never fetched."""


def static_file(path: str) -> Traversable:
    """The packaged static file at URL path `/static/…`; RefusedResource otherwise."""
    if not path.startswith("/static/"):
        raise RefusedResource(f"only /static/ files are served to the PDF renderer: {path}")
    parts = [part for part in unquote(path).split("/")[2:] if part]
    if not parts or any(part in {".", ".."} or "\\" in part for part in parts):
        raise RefusedResource(f"not a static file path: {path}")
    found = STATIC.joinpath(*parts)
    if not found.is_file():
        raise RefusedResource(f"no such static file: {path}")
    return found


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `/static/…` from the package and the given slide images (URL path → type
    and bytes); refuses http(s), file, data and the rest."""

    def __init__(self, images: Mapping[str, tuple[str, bytes]] | None = None) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.images = dict(images or {})

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != HOST:
            raise RefusedResource(f"remote or unknown resources are not fetched: {url[:80]}")
        if parts.path.startswith("/media/"):
            if parts.path not in self.images or parts.query:
                raise RefusedResource(f"not an image of this report: {parts.path[:80]}")
            media_type, data = self.images[parts.path]
            return URLFetcherResponse(url, data, {"Content-Type": media_type})
        found = static_file(parts.path)
        mime = guess_type(found.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime})


def report_pdf(html: str, images: Mapping[str, tuple[str, bytes]] | None = None) -> bytes:
    """The PDF of a report's HTML (A4, paginated by the report's print style sheet), with
    the slide images in `images` (URL path `/media/CODE/NAME` → media type and bytes)."""
    fetcher = StaticOnlyFetcher(images)
    with rare_collections():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        pdf: bytes = document.write_pdf()
    return pdf


@contextmanager
def rare_collections() -> Iterator[None]:
    """The garbage collector's youngest generation collected every `YOUNG_OBJECTS`
    allocations inside the block, as before after it (the setting is the process's; the
    PDF is rendered in a worker process that does nothing else meanwhile)."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
