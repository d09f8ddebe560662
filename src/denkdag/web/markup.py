"""Slide text to HTML for pages: the deck's Markdown subset, escaped first.

The code lives in `denkdag.formats.markup`, below both the web pages and the report
renderer that the CLI uses for PDFs.
"""

from denkdag.formats.markup import inline, render_body

__all__ = ["inline", "render_body"]
