"""How long a long session's PDF report takes: `.venv/bin/python -m bench.report_pdf
[--slides 400] [--people 20]`.

A deck of the every-kind deck's slides repeated to `--slides` slides (tests/kinds/
every_kind.md, each copy's ids made unique), answered by `--people` participants, stored
in a temporary SQLite file. Prints the seconds to build the report, to render its HTML and
to render that HTML to PDF (WeasyPrint), the CPU seconds of that last step (this process's
own: on a busy machine the wall clock counts the other processes' turns too), and the
number of pages. In-process; no server.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from denkdag.app.denkdag import Denkdag
from denkdag.formats.deck import parse_deck
from denkdag.formats.report_html import render_report
from denkdag.live import MemoryBroadcaster
from denkdag.storage import open_store

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "tests" / "kinds" / "every_kind.md"
ANSWERS: dict[str, Any] = {
    "choice": lambda i: ("informeel", "permanent")[i % 2],
    "statement": lambda i: ("agree", "disagree", "pass")[i % 3],
    "scale": lambda i: {"a": 1 + i % 5, "b": 1 + (i * 7) % 5},
    "scale10": lambda i: {"a": i % 11},
    "cloud": lambda i: [f"woord{i % 7}", f"idee{i % 5}"],
    "open": lambda i: f"Antwoord {i}: meer samenwerking met de regio",
    "ranking": lambda i: ["kennis-delen", "samen-aankopen", "gezamenlijke-programmatie"],
}


def long_deck(slides: int) -> str:
    """The every-kind deck's slides, copied with numbered ids up to `slides` slides."""
    head, body = DECK.read_text(encoding="utf-8").split("\n---\n", 1)
    blocks = ["# " + block for block in re.split(r"^# ", body, flags=re.MULTILINE) if block.strip()]
    copies = []
    for index in range(slides):
        block = blocks[index % len(blocks)]
        copy = index // len(blocks)
        copies.append(re.sub(r"^id: (\w+)$", rf"id: \g<1>-c{copy}", block, flags=re.MULTILINE))
    return head + "\n---\n\n" + "\n".join(copies)


async def measure(slides: int, people: int, language: str) -> dict[str, float]:
    from denkdag.formats.export_pdf import report_pdf

    with tempfile.TemporaryDirectory(prefix="denkdag-pdf-") as tmp:
        store = await open_store(f"sqlite:///{tmp}/pdf.sqlite3")
        service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
        try:
            user = await store.ensure_user("bench")
            deck = parse_deck(long_deck(slides))
            session = await service.sessions.create(deck, user.id)
            tokens = [await service.participation.join(session.code) for _ in range(people)]
            for slide in deck.slides:
                make = ANSWERS.get(slide.id.rsplit("-c", 1)[0])
                if make is None:
                    continue
                await service.control.apply(session.code, user, "goto", slide.id)
                for index, token in enumerate(tokens):
                    value = make(index)
                    if slide.kind in {"choice", "ranking"}:
                        ids = [option.id for option in slide.options]
                        value = ids[index % 2] if slide.kind == "choice" else ids
                    await service.participation.respond(session.code, token, slide.id, value)
            session = await service.sessions.get(session.code)
            started = time.perf_counter()
            report = await service.reports.report(session)
            built = time.perf_counter()
            html = render_report(report, language=language)
            rendered = time.perf_counter()
            cpu = time.process_time()
            pdf = report_pdf(html)
            printed = time.perf_counter()
            cpu = time.process_time() - cpu
        finally:
            await service.stop()
            await store.close()
    pages = _pages(pdf)
    return {
        "report": built - started,
        "html": rendered - built,
        "pdf": printed - rendered,
        "pdf_cpu": cpu,
        "pages": pages,
    }


def _pages(pdf: bytes) -> int:
    """The PDF's page count, by poppler's pdfinfo (0 without it: the objects are compressed)."""
    if shutil.which("pdfinfo") is None:
        return 0
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    found = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(found[1]) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report_pdf")
    parser.add_argument("--slides", type=int, default=400, help="slides in the deck")
    parser.add_argument("--people", type=int, default=20, help="participants who answer")
    parser.add_argument("--lang", default="nl", help="the report's language")
    args = parser.parse_args()
    from denkdag.formats.export_pdf import report_pdf

    report_pdf("<p>warm up</p>")  # WeasyPrint's first use loads its fonts
    figures = asyncio.run(measure(args.slides, args.people, args.lang))
    print(
        f"{args.slides} slides, {args.people} participants: report {figures['report']:.1f} s, "
        f"HTML {figures['html']:.1f} s, PDF {figures['pdf']:.1f} s "
        f"(CPU {figures['pdf_cpu']:.1f} s), {figures['pages']:.0f} pages"
    )


if __name__ == "__main__":
    main()
