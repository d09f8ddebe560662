"""One rule for "the same question", used when comparing runs and when adding up rooms."""

from __future__ import annotations

from datetime import UTC, datetime

from denkdag.domain.events import RoomSlide, shared_questions
from denkdag.domain.matching import normalised, slide_key
from denkdag.domain.model import Option, SessionInfo, Slide
from denkdag.domain.tally import Tally
from denkdag.formats.compare import compare
from denkdag.formats.report import Participation, Report, SlideResult


def _statement(slide_id: str, text: str, title: str = "Eens?") -> Slide:
    return Slide(id=slide_id, kind="statement", title=title, statement=text)


def _choice(
    slide_id: str, *labels: str, title: str = "Hoe?", body: str = "", multiple: bool = False
) -> Slide:
    options = tuple(Option(chr(97 + i), label) for i, label in enumerate(labels))
    return Slide(
        id=slide_id, kind="choice", title=title, body=body, options=options, multiple=multiple
    )


def test_normalisation_ignores_unicode_forms_case_spacing_and_quotes() -> None:
    assert normalised("‚Samen\u00a0 STERKER‘…") == "samen sterker"
    assert normalised("‹ＳＡＭＥＮ sterker›") == "samen sterker"  # full-width letters: NFKC
    assert normalised("`samen sterker´!") == "samen sterker"


def test_a_statement_is_its_statement_or_else_its_title() -> None:
    assert slide_key(_statement("a", "„Samen sterker“.")) == slide_key(
        _statement("b", "samen sterker")
    )
    assert slide_key(_statement("a", "", title="Samen sterker")) == slide_key(
        _statement("b", "Samen sterker", title="Iets anders")
    )
    assert slide_key(Slide(id="i", kind="info", title="Samen sterker")) is None


def test_a_choice_is_its_title_prompt_mode_and_set_of_options() -> None:
    base = slide_key(_choice("q", "Ja", "Nee"))
    assert slide_key(_choice("r", "nee", "JA", title="hoe?")) == base  # order and case
    assert slide_key(_choice("r", "Ja", "Nee", "Misschien")) != base
    assert slide_key(_choice("r", "Ja", "Nee", multiple=True)) != base
    assert slide_key(_choice("r", "Ja", "Nee", body="Voor het team")) != base


def _report(code: str, *results: tuple[Slide, Tally]) -> Report:
    return Report(
        code=code,
        info=SessionInfo(title=code),
        slides=tuple(SlideResult(slide, n, tally) for n, (slide, tally) in enumerate(results, 1)),
        participation=Participation(joined=8, answered=8, timeline=None),
        opinion=None,
        answers=(),
        pseudonyms={},
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_comparing_runs_and_adding_up_rooms_match_the_same_slides() -> None:
    now_statement = _statement("s1", "«Samen sterker»")
    then_statement = _statement("s7", "", title="samen sterker")
    now_choice = _choice("q1", "Ja", "Nee")
    then_choice = _choice("q9", "ja", "nee", "Misschien")
    stances = {"agree": 1, "disagree": 7, "pass": 0}
    current = _report(
        "NOW",
        (now_statement, Tally("s1", "statement", 8, stances)),
        (now_choice, Tally("q1", "choice", 8, {"a": 4, "b": 4})),
    )
    earlier = _report(
        "THEN",
        (then_statement, Tally("s7", "statement", 8, stances)),
        (then_choice, Tally("q9", "choice", 8, {"a": 4, "b": 2, "c": 2})),
    )
    comparison = compare(current, earlier)
    assert [change.current.slide.id for change in comparison.slides] == ["s1"]
    assert comparison.unmatched == 1
    assert comparison.slides[0].rows[0].now == 13

    rooms = [
        RoomSlide(1, now_statement),
        RoomSlide(2, then_statement),
        RoomSlide(1, now_choice),
        RoomSlide(2, then_choice),
    ]
    assert [(q.kind, [m.slide.id for m in q.members]) for q in shared_questions(rooms)] == [
        ("statement", ["s1", "s7"])
    ]
