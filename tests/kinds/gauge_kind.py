"""A slide kind that lives outside the package, as a plugin would: a gauge from 0 to 10.

It is registered by tests/kinds/test_kind_plugin.py through the public registry, with its
partials in tests/kinds/gauge/kinds/, to show that a kind's own module and templates are
all a new kind needs. Deck syntax: `kind: gauge`, an optional prompt, and `top: <n>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds import Form, KindDefaults, SlideContent, SlideSource
from denkdag.domain.kinds.base import body_text, last_value, parse_int
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

NAME = "gauge"


class GaugeKind(KindDefaults):
    """Each participant sets a gauge from 0 to `top`; the tally counts each level."""

    name = NAME
    asks = True
    settings = frozenset({"top"})
    label = "Gauge"
    starter = "# How full is your week?\nkind: gauge\ntop: 10"
    breakdown = True
    partials = frozenset({"phone", "projector", "report"})

    def read(self, source: SlideSource) -> SlideContent:
        top = parse_int(source, "top", 10, 1, 100)
        return SlideContent(body=body_text(source.body), extra={"top": top})

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        return {"top": str(slide.extra["top"])}, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        top = int(slide.extra["top"])
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise InvalidAnswer(N_("Set the gauge from 0 to %(top)s."), top=top)
        return value

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        counts = {str(level): 0 for level in range(int(slide.extra["top"]) + 1)}
        respondents = 0
        for answer in answers:
            respondents += 1
            counts[str(answer)] += 1
        return Tally(slide_id=slide.id, kind=self.name, respondents=respondents, counts=counts)

    def read_form(self, slide: Slide, form: Form) -> Any:
        """One number field, `level`; anything but digits is left for `validate` to refuse."""
        raw = (last_value(form, "level") or "").strip()
        return int(raw) if raw.isdigit() else raw

    def view(self, slide: Slide) -> dict[str, Any]:
        return {"top": slide.extra["top"]}


KIND = GaugeKind()
