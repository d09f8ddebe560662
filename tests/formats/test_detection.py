"""Which kind an imported slide is proposed as: the rules, without a file."""

from __future__ import annotations

import pytest

from denkdag.formats.detection import (
    CHOICE,
    INFO,
    RANKING,
    STATEMENT,
    Item,
    asks,
    items_of,
    possible_kinds,
    propose,
)
from denkdag.formats.imported import ImportedSlide, Paragraph


def slide(title: str, *paragraphs: Paragraph) -> ImportedSlide:
    return ImportedSlide(number=1, title=title, paragraphs=paragraphs)


def bullets(*texts: str, level: int = 0) -> list[Paragraph]:
    return [Paragraph(text, level, bullet=True) for text in texts]


@pytest.mark.parametrize(
    "title",
    [
        "Hoe wil je in de toekomst samenwerken?",
        "Welke partner kies je",
        "Wat moet eerst",
        "Quelle collaboration préférez-vous",
        "Comment travailler ensemble",
        "Qu'en pensez-vous",
        "Which option do you prefer",
        "What matters most:",
    ],
)
def test_titles_that_ask(title: str) -> None:
    assert asks(title)
    assert propose(slide(title, *bullets("**Een**", "**Twee**"))).kind == CHOICE


@pytest.mark.parametrize("title", ["Ontwerp Decreet", "Samenwerking", "Agenda", "Whatsapp-groep"])
def test_titles_that_do_not_ask(title: str) -> None:
    assert not asks(title)
    assert propose(slide(title, *bullets("een", "twee", "drie"))).kind == INFO


def test_options_keep_their_bold_title_and_description() -> None:
    found = slide(
        "Hoe wil je samenwerken?",
        Paragraph("**1. Informeel**\nAf en toe samen", 0, True),
        Paragraph("**2. Permanent** met vaste partners", 0, True),
        Paragraph("rond meerdere thema's", 1, True),
        Paragraph("Geen vet", 0, True),
    )
    assert propose(found).kind == CHOICE
    assert items_of(found) == [
        Item("1. Informeel", "Af en toe samen"),
        Item("2. Permanent", "met vaste partners\nrond meerdere thema's"),
        Item("Geen vet", ""),
    ]


def test_a_list_of_two_to_eight_items() -> None:
    title = "Wat kies je?"
    assert propose(slide(title, *bullets("een"))).kind == INFO
    assert propose(slide(title, *bullets(*"abcdefgh"))).kind == CHOICE
    too_many = propose(slide(title, *bullets(*"abcdefghi")))
    assert too_many.kind == INFO and "9 items" in str(too_many.reason)
    assert CHOICE in possible_kinds(slide(title, *bullets(*"abcdefghi")))
    assert propose(slide(title, *bullets("zelfde", "zelfde"))).kind == INFO


@pytest.mark.parametrize(
    ("title", "sentence"),
    [
        ("Akkoord of niet akkoord?", "“Transversale samenwerking biedt een meerwaarde”."),
        ("Êtes-vous d'accord ?", "« Les bibliothèques doivent ouvrir le dimanche. »"),
        ("Do you agree?", '"Libraries should open on Sundays."'),
        ("Stelling", "Bibliotheken moeten samenwerken."),
    ],
)
def test_a_sentence_under_an_agree_heading_is_a_statement(title: str, sentence: str) -> None:
    proposal = propose(slide(title, Paragraph(sentence)))
    assert proposal.kind == STATEMENT
    assert STATEMENT in possible_kinds(slide(title, Paragraph(sentence)))


def test_an_agree_heading_over_several_unquoted_lines_stays_information() -> None:
    assert propose(slide("Akkoord?", Paragraph("een"), Paragraph("twee"))).kind == INFO


@pytest.mark.parametrize(
    "title", ["Rangschik deze prioriteiten", "Classez ces options", "Rank these from best"]
)
def test_rank_these_lists_are_rankings(title: str) -> None:
    numbered = [Paragraph(f"{n}. optie {n}", 0, True, True) for n in (1, 2, 3)]
    assert propose(slide(title, *numbered)).kind == RANKING


def test_information_can_always_be_kept() -> None:
    for found in (slide("x"), slide("Wat?", *bullets("a", "b"))):
        assert possible_kinds(found)[0] == INFO
