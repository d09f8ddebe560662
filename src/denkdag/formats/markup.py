"""Slide text to HTML: the deck's small Markdown subset, always escaped first (pages, reports).

Deck text is shown exactly as written; only `**bold**`, `*italic*`, bullet lists
(`- ` / `* `, nested by indentation) and paragraphs become markup. Everything is escaped
before any tag is added, so no text can inject HTML.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_BULLET = re.compile(r"^(?P<indent>\s*)[-*] (?P<text>.*)$")


def inline(text: str) -> Markup:
    """Escape `text`, then turn **bold** and *italic* into tags."""
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html)


def _close_lists(out: list[str], stack: list[int], depth: int) -> None:
    while len(stack) > depth:
        stack.pop()
        out.append("</li></ul>")


def render_body(text: str) -> Markup:
    """A slide body as HTML: paragraphs (lines kept), nested bullet lists."""
    out: list[str] = []
    paragraph: list[str] = []
    stack: list[int] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(str(inline(line)) for line in paragraph) + "</p>")
            paragraph.clear()

    for raw in text.split("\n"):
        match = _BULLET.match(raw)
        if match:
            flush_paragraph()
            indent = len(match["indent"].expandtabs(4))
            while stack and indent < stack[-1]:
                stack.pop()
                out.append("</li></ul>")
            if not stack or indent > stack[-1]:
                stack.append(indent)
                out.append("<ul><li>")
            else:
                out.append("</li><li>")
            out.append(str(inline(match["text"])))
        elif not raw.strip():
            flush_paragraph()
            _close_lists(out, stack, 0)
        elif stack:
            out.append(" " + str(inline(raw.strip())))
        else:
            paragraph.append(raw.strip())
    flush_paragraph()
    _close_lists(out, stack, 0)
    return Markup("".join(out))
