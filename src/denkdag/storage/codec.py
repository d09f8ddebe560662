"""Decks and live states as JSON text, the form they take in the database."""

from __future__ import annotations

import json
from typing import Any

from denkdag.domain import timer
from denkdag.domain.model import Deck, LiveState, Option, ResultsMode, SessionInfo, Slide
from denkdag.domain.profiles import ProfileOption, ProfileQuestion
from denkdag.domain.views import info_view, slide_view


def deck_to_dict(deck: Deck) -> dict[str, Any]:
    info = deck.info
    return {
        "info": {
            **info_view(info),
            "results": info.results.value,
            "questions": info.questions,
            "pace": info.pace,
            "phone_results": info.phone_results,
            "next_closes": info.next_closes,
            "capacity": info.capacity,
            "profile": [
                {
                    "id": q.id,
                    "text": q.text,
                    "options": [{"id": o.id, "label": o.label} for o in q.options],
                }
                for q in info.profile
            ],
        },
        "slides": [slide_view(slide, private=True) for slide in deck.slides],
    }


def deck_from_dict(data: dict[str, Any]) -> Deck:
    info = dict(data["info"])
    info["results"] = ResultsMode(info.get("results", "live"))
    info["profile"] = tuple(
        ProfileQuestion(
            q["id"], q["text"], tuple(ProfileOption(o["id"], o["label"]) for o in q["options"])
        )
        for q in info.get("profile", ())
    )
    slides = tuple(
        Slide(
            id=s["id"],
            kind=s["kind"],
            title=s["title"],
            section=s.get("section", ""),
            body=s.get("body", ""),
            options=tuple(Option(**o) for o in s.get("options", [])),
            multiple=bool(s.get("multiple", False)),
            statement=s.get("statement", ""),
            extra=dict(s.get("extra", {})),
            notes=s.get("notes", ""),
        )
        for s in data["slides"]
    )
    return Deck(info=SessionInfo(**info), slides=slides)


def dump_deck(deck: Deck) -> str:
    return json.dumps(deck_to_dict(deck), ensure_ascii=False)


def load_deck(text: str) -> Deck:
    return deck_from_dict(json.loads(text))


def dump_state(state: LiveState) -> str:
    return json.dumps(
        {
            "current_slide": state.current_slide,
            "open_slides": sorted(state.open_slides),
            "revealed": sorted(state.revealed),
            "visited": sorted(state.visited),
            "timers": [timer.as_dict(countdown) for countdown in state.timers],
        }
    )


def load_state(text: str, version: int) -> LiveState:
    data = json.loads(text)
    return LiveState(
        current_slide=data["current_slide"],
        open_slides=frozenset(data["open_slides"]),
        revealed=frozenset(data["revealed"]),
        visited=frozenset(data["visited"]),
        version=version,
        timers=timer.from_dicts(data.get("timers", ())),
    )
