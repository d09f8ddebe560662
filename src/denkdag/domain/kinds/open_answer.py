"""Open answers: short texts shown as a wall of cards, newest first, moderated.

Deck syntax: settings `max_length` (characters per answer, 1–2000, default 280) and
`banned` (words the facilitator refuses, separated by commas), then an optional prompt.

    # Wat neem je mee naar huis?
    kind: open
    max_length: 200
    banned: stom, idioot

An answer is one text, stored as typed (trimmed). A facilitator may hide an answer
(participants and the projector never see it again, nor may it come back by being
edited) or highlight it (until its author changes it). Results list every answer with
its moderation for facilitators; everyone else sees the visible ones only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from denkdag.domain.errors import N_
from denkdag.domain.kinds.base import (
    Form,
    KindDefaults,
    Setting,
    SlideContent,
    SlideSource,
    TallySource,
    body_text,
    parse_int,
)
from denkdag.domain.kinds.participant_text import (
    BANNED_SETTING,
    clean_text,
    read_banned,
    refuse_banned,
    write_banned,
)
from denkdag.domain.model import Slide
from denkdag.domain.tally import AnswerRecord, Tally

DEFAULT_LENGTH = 280
LONGEST = 2000
WALL_SIZE = 200
"""Visible answers sent to screens: the newest this many, plus every highlighted one."""
_EPOCH = datetime.min.replace(tzinfo=UTC)


def max_length(slide: Slide) -> int:
    """The most characters one answer on this slide may have."""
    return int(slide.extra.get("max_length", DEFAULT_LENGTH))


def _newest_first(record: AnswerRecord) -> tuple[datetime, int]:
    stamp = record.updated_at or _EPOCH
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp, record.id


class OpenAnswerKind(KindDefaults):
    """A short text per participant, shown as cards a facilitator can hide or highlight."""

    name = "open"
    asks = True
    settings = frozenset({"max_length", "banned"})
    label = N_("Open answer")
    starter = N_("# Your question?\nkind: open\nmax_length: 280\n\nA short explanation.")
    form_settings = (
        Setting(
            "max_length",
            N_("Characters per answer"),
            "number",
            1,
            LONGEST,
            str(DEFAULT_LENGTH),
        ),
        BANNED_SETTING,
    )
    tally_source: TallySource = "records"
    partials = frozenset({"phone", "projector", "remote", "report", "results"})
    moderated = True

    def read_form(self, slide: Slide, form: Form) -> Any:
        """One `text` area."""
        texts = [text for text in form.get("text", ()) if isinstance(text, str)]
        return texts[0] if texts else ""

    def read(self, source: SlideSource) -> SlideContent:
        extra: dict[str, Any] = {
            "max_length": parse_int(source, "max_length", DEFAULT_LENGTH, 1, LONGEST)
        }
        banned = read_banned(source)
        if banned:
            extra["banned"] = list(banned)
        return SlideContent(body=body_text(source.body), extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {}
        if max_length(slide) != DEFAULT_LENGTH:
            settings["max_length"] = str(max_length(slide))
        settings |= write_banned(slide.extra.get("banned", ()))
        return settings, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        text = clean_text(value, max_length=max_length(slide), what=N_("Your answer"))
        refuse_banned(text, slide.extra.get("banned", ()))
        return text

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        """The wall from bare values, numbered in the order given (for exports and tests)."""
        records = (AnswerRecord(id=index, value=value) for index, value in enumerate(answers))
        return self.tally_records(slide, records)

    def tally_records(self, slide: Slide, records: Iterable[AnswerRecord]) -> Tally:
        ordered = sorted(
            (r for r in records if isinstance(r.value, str)), key=_newest_first, reverse=True
        )
        answers = [
            {"id": r.id, "text": r.value, "hidden": r.hidden, "highlighted": r.highlighted}
            for r in ordered
        ]
        visible = [answer for answer in answers if not answer["hidden"]]
        wall = [
            answer
            for index, answer in enumerate(visible)
            if index < WALL_SIZE or answer["highlighted"]
        ]
        return Tally(
            slide_id=slide.id,
            kind=self.name,
            respondents=len(answers),
            extra={"answers": answers},
            public_extra={"answers": wall},
        )


KIND = OpenAnswerKind()
