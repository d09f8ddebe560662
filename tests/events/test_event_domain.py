"""Events in the domain: colours, logos by their bytes, readable branding, and which
slides of an event's sessions ask the same question."""

from __future__ import annotations

import pytest

from denkdag.domain.events import (
    GRAPHIC_CONTRAST,
    MAX_LOGO_BYTES,
    PAGE,
    TEXT_CONTRAST,
    Brand,
    InvalidEvent,
    RoomSlide,
    clean_text,
    contrast,
    darkened,
    ink_on,
    overall_column,
    parse_colour,
    parse_date,
    room_column,
    shared_questions,
    sniff_logo,
)
from denkdag.domain.matching import normalised
from denkdag.domain.model import Option, Slide
from denkdag.domain.tally import Tally

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("#E4003A", "#e4003a"), ("e4003a", "#e4003a"), ("#abc", "#aabbcc"), (" #FFF ", "#ffffff")],
)
def test_colours_are_stored_as_six_lower_case_digits(typed: str, stored: str) -> None:
    assert parse_colour(typed) == stored


@pytest.mark.parametrize("typed", ["red", "#12345", "#gggggg", "", "#1234567", "rgb(1,2,3)"])
def test_a_colour_that_is_not_hex_is_refused_with_the_way_to_write_it(typed: str) -> None:
    with pytest.raises(InvalidEvent, match="#RRGGBB"):
        parse_colour(typed, "main colour")


def test_logos_are_recognised_by_their_bytes() -> None:
    assert sniff_logo(PNG) == "image/png"
    assert sniff_logo(JPEG) == "image/jpeg"
    assert sniff_logo(WEBP) == "image/webp"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b'<?xml version="1.0"?><svg/>', "SVG"),
        (b"GIF89a" + b"\x00" * 20, "PNG, JPEG or WebP"),
        (b"<html><script>", "PNG, JPEG or WebP"),
        (PNG + b"\x00" * MAX_LOGO_BYTES, "1 MB"),
    ],
)
def test_other_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        sniff_logo(data)


def test_a_logo_of_exactly_one_megabyte_is_accepted() -> None:
    assert sniff_logo(PNG + b"\x00" * (MAX_LOGO_BYTES - len(PNG))) == "image/png"


def test_dates_and_text_fields() -> None:
    assert parse_date("2018-05-17").isoformat() == "2018-05-17"  # type: ignore[union-attr]
    assert parse_date("  ") is None
    with pytest.raises(InvalidEvent, match="YYYY-MM-DD"):
        parse_date("17 mei 2018")
    assert clean_text("  Denkdag \n 2018 ", 200, "title") == "Denkdag 2018"
    with pytest.raises(InvalidEvent, match="title"):
        clean_text("   ", 200, "title", required=True)
    with pytest.raises(InvalidEvent, match="longer than 5"):
        clean_text("x" * 6, 5, "room")
    with pytest.raises(InvalidEvent):
        clean_text("a\x00b", 20, "room")


@pytest.mark.parametrize("colour", ["#ffff00", "#e4003a", "#ffffff", "#9bd3ff", "#000000"])
def test_branding_keeps_text_and_bars_readable_on_the_page(colour: str) -> None:
    variables = Brand(colour, colour).variables()
    for background in ("#ffffff", PAGE):  # cards are white, the page around them grey
        assert contrast(variables["--accent"], background) >= TEXT_CONTRAST
        assert contrast(variables["--bar"], background) >= GRAPHIC_CONTRAST
    # Text on a filled button: the better of black and white, always at least AA.
    assert contrast(variables["--accent"], variables["--accent-ink"]) >= TEXT_CONTRAST
    assert contrast(colour, ink_on(colour)) >= 4.5


def test_a_dark_enough_colour_is_kept_as_it_is() -> None:
    assert darkened("#14213d", TEXT_CONTRAST) == "#14213d"
    assert darkened("#ffff00", TEXT_CONTRAST) != "#ffff00"
    css = Brand("#e4003a", "#14213d").css()
    assert css.startswith(":root {") and "--brand-primary: #e4003a;" in css


def _statement(slide_id: str, text: str) -> Slide:
    return Slide(id=slide_id, kind="statement", title="Akkoord of niet akkoord?", statement=text)


def _choice(slide_id: str, title: str, *labels: str) -> Slide:
    options = tuple(Option(chr(97 + i), label) for i, label in enumerate(labels))
    return Slide(id=slide_id, kind="choice", title=title, options=options)


def test_the_same_statement_is_recognised_across_case_spacing_and_quotes() -> None:
    assert normalised("“Transversale  samenwerking\nbiedt een meerwaarde”.") == normalised(
        "transversale samenwerking biedt een meerwaarde"
    )
    slides = [
        RoomSlide(1, _statement("s4", "“Samenwerking biedt een meerwaarde”.")),
        RoomSlide(2, _statement("x9", "samenwerking  BIEDT een meerwaarde")),
        RoomSlide(3, _statement("s4", "Iets heel anders")),
        RoomSlide(2, Slide(id="i1", kind="info", title="Samenwerking biedt een meerwaarde")),
    ]
    shared = shared_questions(slides)
    assert len(shared) == 1
    assert [m.session_id for m in shared[0].members] == [1, 2]
    assert not shared[0].linked


def test_explicit_links_group_different_texts_and_a_room_counts_once() -> None:
    slides = [
        RoomSlide(1, _statement("a", "Bibliotheken moeten samenwerken"), link="samenwerken"),
        RoomSlide(2, _statement("b", "Samenwerking is nodig"), link="Samenwerken "),
        RoomSlide(2, _statement("c", "Nog een"), link="samenwerken"),
        RoomSlide(3, _choice("d", "Vraag", "Ja", "Nee"), link="samenwerken"),
    ]
    [question] = shared_questions(slides)
    assert question.linked
    assert [(m.session_id, m.slide.id) for m in question.members] == [(1, "a"), (2, "b")]


def test_rooms_and_overall_add_up_stances_and_options_by_their_label() -> None:
    first = RoomSlide(1, _statement("s4", "Samen sterker"))
    second = RoomSlide(2, _statement("s7", "samen sterker"))
    [question] = shared_questions([first, second])
    one = Tally("s4", "statement", 4, {"agree": 3, "disagree": 1, "pass": 0})
    two = Tally("s7", "statement", 6, {"agree": 1, "disagree": 3, "pass": 2})
    column = room_column(question, first, one)
    assert [(r.key, r.count, r.percentage) for r in column.rows] == [
        ("agree", 3, 75),
        ("disagree", 1, 25),
        ("pass", 0, 0),
    ]
    overall = overall_column(question, {1: one, 2: two})
    assert overall.respondents == 10
    assert [(r.count, r.percentage) for r in overall.rows] == [(4, 40), (4, 40), (2, 20)]

    # Choice questions: the same words, whatever the option ids in each room.
    a = RoomSlide(1, _choice("q", "Hoe?", "Informeel", "Permanent"))
    b = RoomSlide(2, _choice("r", "hoe?", "informeel", "permanent"))
    [choice] = shared_questions([a, b])
    overall = overall_column(
        choice,
        {
            1: Tally("q", "choice", 2, {"a": 2, "b": 0}),
            2: Tally("r", "choice", 2, {"a": 1, "b": 1}),
        },
    )
    assert [(r.label, r.count, r.percentage) for r in overall.rows] == [
        ("Informeel", 3, 75),
        ("Permanent", 1, 25),
    ]


def test_nothing_is_shared_with_one_room_or_with_different_options() -> None:
    a = RoomSlide(1, _choice("q", "Hoe?", "Ja", "Nee"))
    b = RoomSlide(2, _choice("q", "Hoe?", "Ja", "Nee", "Misschien"))
    assert shared_questions([a, b]) == []
    assert shared_questions([a]) == []
