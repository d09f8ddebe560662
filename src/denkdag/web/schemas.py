"""Pydantic models of the API boundary (never used in the domain)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

MAX_ROW_ID = 2**63 - 1
"""The largest id a stored row can have: a signed 64-bit integer (BIGINT on PostgreSQL,
INTEGER on SQLite). A larger number overflows the database driver."""

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""The type of every numeric id in a path (a question, an open answer, a user …).

Checked against the range of stored ids before the handler runs, so no query ever sees
2**64 (an overflow in the driver, a 500): such an id names nothing, and a path parameter
that fails its check answers 404 `There is nothing at this address.`, as an unknown id
does (web/errors.py). One type for every route; the route walk of tests/security sends
out-of-range ids to every route and fails on a plain `int` that lets one through."""


class Detail(BaseModel):
    """Every error: a sentence a person can act on."""

    detail: str


class Joined(BaseModel):
    participant_token: str


class JoinRequest(BaseModel):
    """Optional body of a join: the personal invitation code, when the session needs one."""

    model_config = ConfigDict(extra="forbid")
    invitation: str | None = Field(None, max_length=64)


class Answer(BaseModel):
    """An answer: an option id, a list of option ids, or a stance."""

    model_config = ConfigDict(extra="forbid")
    value: JsonValue = Field(
        ..., description="Option id, list of option ids, or agree / disagree / pass."
    )

    @field_validator("value")
    @classmethod
    def _bounded(cls, value: JsonValue) -> JsonValue:
        """No answer of any kind needs deep nesting or long lists: refuse them early."""
        check_json_shape(value)
        return value


MAX_JSON_DEPTH = 6
MAX_JSON_ITEMS = 200


def check_json_shape(value: object, depth: int = 1) -> None:
    """Raise ValueError when `value` nests deeper than MAX_JSON_DEPTH or has a list or
    object of more than MAX_JSON_ITEMS entries."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, list | dict):
        if len(value) > MAX_JSON_ITEMS:
            raise ValueError(f"has more than {MAX_JSON_ITEMS} items")
        for item in value.values() if isinstance(value, dict) else value:
            check_json_shape(item, depth + 1)


class Stored(BaseModel):
    slide: str
    value: JsonValue


class OptionOut(BaseModel):
    id: str
    label: str
    description: str


class SlideOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # a kind's own fields (scale: items …)
    id: str
    kind: str
    title: str
    section: str = ""
    body: str = ""
    options: list[OptionOut] = []
    multiple: bool | None = None
    statement: str | None = None
    extra: dict[str, JsonValue] | None = None


class TallyOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    slide: str
    respondents: int
    counts: dict[str, int] | None = None


class SessionOut(BaseModel):
    code: str
    title: str
    event: str
    date: str
    venue: str
    presenter: str
    role: str
    language: str
    results_mode: str
    slides: list[SlideOut]
    current_slide: str | None
    open_slides: list[str]
    revealed: dict[str, TallyOut]
    version: int
    pace: str = Field("presenter", description="presenter, or audience (a survey).")
    phone_results: str = Field(
        "with-projector",
        description="Where shown results reach phones: with-projector, never or after-answer.",
    )
    next_closes: str = Field("no", description="yes: Next closes the question left behind.")
    timers: list[CountdownOut] = []
    server_time: float = Field(0.0, description="The server's clock (epoch seconds).")


class SlideResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    title: str
    respondents: int
    counts: dict[str, int]


class Results(BaseModel):
    code: str
    title: str
    joined: int
    slides: list[SlideResult]
    breakdown: dict[str, JsonValue] | None = Field(
        None,
        description="With `?by=`: the profile question's `groups` (participants per shown "
        "group), `other`, and `slides` (slide id → `groups` and `other`, each with "
        "`respondents`, `counts` and `percentages`), `opinion_groups` (how each group "
        "spreads over the live opinion map's groups, or null).",
    )


class Control(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal[
        "goto",
        "next",
        "previous",
        "open",
        "close",
        "reveal",
        "hide",
        "open-all",
        "close-all",
        "timer-start",
        "timer-pause",
        "timer-add",
        "timer-stop",
    ] = Field(
        ...,
        description="open-all / close-all: every question (a survey at audience pace). "
        "timer-start (or resume), timer-pause, timer-add (30 s unless `seconds`), "
        "timer-stop: the countdown of `slide`, or of the current slide.",
    )
    slide: str | None = Field(None, max_length=40)
    seconds: int | None = Field(
        None,
        ge=1,
        le=10800,
        description="timer-start: the countdown's length (default: the slide's `timer`); "
        "timer-add: the seconds to add (default 30).",
    )


class CountdownOut(BaseModel):
    """A slide's countdown. `ends_at` (seconds since the epoch, server clock) while it
    runs; `remaining` seconds while paused. Compare `ends_at` with the `server_time` sent
    beside it, not with your own clock. `closes`: voting ends with it (`fired` once the
    server has closed the slide)."""

    slide: str
    running: bool
    ends_at: float | None
    remaining: float
    duration: float
    closes: bool
    fired: bool


class Moderation(BaseModel):
    """A facilitator's moderation of one open answer: either flag, or both."""

    model_config = ConfigDict(extra="forbid")
    hidden: bool | None = Field(None, description="Hide the answer from every screen.")
    highlighted: bool | None = Field(None, description="Mark the answer on the wall.")


class ModeratedAnswer(BaseModel):
    id: int
    text: str
    hidden: bool
    highlighted: bool


class WordModeration(BaseModel):
    """A facilitator hides one word of a word cloud, or shows it again."""

    model_config = ConfigDict(extra="forbid")
    word: str = Field(
        ...,
        description="The word as the cloud shows it (or its key, `word` in the results); "
        "case, accents and punctuation around it do not count, so every spelling goes.",
    )
    hidden: bool = Field(..., description="true: leave it out of the cloud; false: show again.")


class CloudWord(BaseModel):
    word: str = Field(..., description="The key the word is counted under.")
    text: str = Field(..., description="The word as most participants typed it.")
    count: int


class ModeratedWord(BaseModel):
    slide: str
    word: str = Field(..., description="The key that is now hidden or shown.")
    hidden: bool
    cloud: list[CloudWord] = Field(..., description="The cloud everyone sees now.")
    hidden_words: list[CloudWord] = Field(..., description="Every word hidden on the slide.")


class RoomSettings(BaseModel):
    """The settings a facilitator changes while the session runs (deck front matter)."""

    model_config = ConfigDict(extra="forbid")
    phone_results: Literal["with-projector", "never", "after-answer"]
    next_closes: Literal["yes", "no"] = "no"


class ControlDone(BaseModel):
    current_slide: str | None
    open_slides: list[str]
    revealed: list[str]
    version: int
    timers: list[CountdownOut] = []
    server_time: float | None = None


class Metrics(BaseModel):
    """Counts since this instance started: refusals by kind, and open live streams."""

    refusals: dict[str, int]
    streams_open: int


class OpinionStatement(BaseModel):
    """A statement that unites the room or sets a group apart, and how it votes on it."""

    slide: str
    statement: str
    direction: Literal["agree", "disagree"]
    share: int = Field(..., description="Percentage voting `direction` (0–100).")


class DivisiveStatement(BaseModel):
    """A statement the groups answer most differently."""

    slide: str
    statement: str
    spread: int = Field(..., description="Highest minus lowest group agree percentage.")


class OpinionDot(BaseModel):
    x: float = Field(..., description="0–100, left to right.")
    y: float = Field(..., description="0–100, top to bottom.")
    group: int | None = Field(..., description="Group number; null when not shown on its own.")


class OpinionGroup(BaseModel):
    group: int
    label: str
    size: int
    representative: list[OpinionStatement]
    best_agree: OpinionStatement | None = Field(
        None,
        description="pol.is' best-agree statement: what the group agrees with that best "
        "sets it apart (shown first); null when none qualifies.",
    )


class OpinionOut(BaseModel):
    """The session's opinion map, as last recomputed from its statement votes. Groups under
    five participants are never shown on their own: their dots have no group."""

    shown: bool = Field(..., description="Whether participants see the map (revealed).")
    number: int = Field(..., description="Counts recomputes; a higher number is newer.")
    drawn: bool = Field(..., description="False while fewer than `needed` participants voted.")
    voters: int
    statements: int
    needed: int
    dots: list[OpinionDot]
    groups: list[OpinionGroup]
    other: int = Field(..., description="Participants drawn without a group (small groups).")
    consensus: list[OpinionStatement]
    divisive: list[DivisiveStatement]


class OpinionPosition(BaseModel):
    """This participant's own dot, when the revealed opinions slide allows showing it."""

    shown: bool
    number: int | None = None
    included: bool | None = None
    x: float | None = None
    y: float | None = None
    group: int | None = None
    label: str | None = None
