"""The presenter's breakdown toggle: the current slide's results per group of one profile
question (`/p/CODE?by=p1`), for the facilitator to show the room.

The figures are the report's (`domain/breakdowns.slide_breakdown`), so the same rule
protects participants: a group is shown on its own only with five or more respondents on
the slide, and everyone else is one row that is nobody or five or more. Shown only once
the slide's results are shown, like the results themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from denkdag.domain.breakdowns import breaks_down
from denkdag.domain.model import Session
from denkdag.web.auth import service


def wanted_question(session: Session, by: str | None) -> str | None:
    """The asked-for profile question's id, if the session asks it."""
    return next((q.id for q in session.deck.info.profile if q.id == by), None)


async def breakdown_context(
    request: Request, session: Session, context: dict[str, Any], by: str | None
) -> dict[str, Any]:
    """`by` (the question shown, or None) and `breakdown` (the current slide's, or None)."""
    question_id = wanted_question(session, by)
    found: dict[str, Any] = {"by": question_id, "breakdown": None}
    slide = context.get("slide")
    if question_id is None or slide is None or not breaks_down(slide):
        return found
    if not context.get("revealed"):
        return found
    question = next(q for q in session.deck.info.profile if q.id == question_id)
    found["breakdown"] = await service(request).profiles.slide_breakdown(session, slide, question)
    return found
