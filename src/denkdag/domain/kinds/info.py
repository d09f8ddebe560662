"""Information slides: a title and text, nothing to answer.

`layout: title` shows the slide as a title slide with the session's event, date, venue and
presenter, as the seed's first slides do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, SlideNotOpen
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    KindDefaults,
    Setting,
    SlideContent,
    SlideSource,
    body_text,
)
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

LAYOUTS = ("text", "title")


class InfoKind(KindDefaults):
    """An information slide: shown, never answered."""

    name = "info"
    asks = False
    settings = frozenset({"layout"})
    label = N_("Information")
    starter = N_("# Title\n\nText of the slide. **Bold**, *italic*, and bullets:\n\n- one point")
    partials = frozenset({"phone", "projector", "report"})
    form_settings = (
        Setting(
            "layout",
            N_("Layout"),
            "choice",
            default="text",
            choices=(("text", N_("Title and text")), ("title", N_("Title slide"))),
        ),
    )

    def read(self, source: SlideSource) -> SlideContent:
        layout = source.settings.get("layout", "text").strip()
        if layout not in LAYOUTS:
            line = source.setting_lines["layout"]
            raise DeckSyntaxError(
                line.number,
                N_("layout must be one of %(layouts)s, not '%(layout)s'"),
                layouts=", ".join(LAYOUTS),
                layout=layout,
            )
        extra = {"layout": layout} if layout != "text" else {}
        return SlideContent(body=body_text(source.body), extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {}
        if slide.extra.get("layout", "text") != "text":
            settings["layout"] = str(slide.extra["layout"])
        return settings, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        raise SlideNotOpen(N_("This slide is information only; there is nothing to answer."))

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        return Tally(slide_id=slide.id, kind=self.name, respondents=0)


KIND = InfoKind()
