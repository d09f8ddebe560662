"""Pydantic models of the API boundary (never used in the domain)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class Detail(BaseModel):
    """Every error: a sentence a person can act on."""

    detail: str


class Joined(BaseModel):
    participant_token: str


class Answer(BaseModel):
    """An answer: an option id, a list of option ids, or a stance."""

    model_config = ConfigDict(extra="forbid")
    value: JsonValue = Field(
        ..., description="Option id, list of option ids, or agree / disagree / pass."
    )


class Stored(BaseModel):
    slide: str
    value: JsonValue


class OptionOut(BaseModel):
    id: str
    label: str
    description: str


class SlideOut(BaseModel):
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


class Control(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["goto", "next", "previous", "open", "close", "reveal", "hide"]
    slide: str | None = Field(None, max_length=40)


class ControlDone(BaseModel):
    current_slide: str | None
    open_slides: list[str]
    revealed: list[str]
    version: int
