# ruff: noqa: E501  (SEED_TXT below is the seed deck's text verbatim, long lines included)
"""The deck format: the bundled seed deck, round trips and every error a writer can make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from denkdag.domain import Deck, Option, ResultsMode, SessionInfo, Slide
from denkdag.formats.deck import (
    COMMON_SETTINGS,
    FRONT_MATTER_KEYS,
    DeckError,
    parse_deck,
    read_deck_file,
    write_deck,
)
from denkdag.seed import seed_deck_text

# The text of the original 2018 slide deck (seed/werksessies-denkdag-2018.txt beside the design docs),
# word for word, so this test needs no file outside the package.
SEED_TXT = """



Werksessies

Denkdag 17 mei 2018 - Muntpunt



de Bibliotheek



Theek 5



Vlaanderen
verbeelding werkt

Samenwerken binnen een regiobibliotheek : Het voorbeeld van Theek 5

Theo Peeters
Directeur Theek 5



Samenwerking

Werksessie 1

Werksessie 1 : Samenwerking

Hoe wil je in de toekomst samenwerken?

- 1. Informele kennis- en ervaringsuitwisseling**
Informele samenwerking waarbij kennis-en ervaringsuitwisseling centraal staat en af en toe projectmatig wordt samengewerkt
- 2. Permanente samenwerking**
Permanente samenwerking met vaste partners rond meerdere thema's
- 3. Regiobibliotheek**
Een netwerk van bibliotheken waarbij bepaalde taken of diensten worden gecentraliseerd en opgeschaald

Transversale samenwerking

Ontwerp Decreet Bovenlokale Cultuurwerking

► DOEL :

- kwalitatieve, duurzame, diverse en geïntegreerde bovenlokale cultuurwerking bouwen, stimuleren en optimaliseren
- cultuurparticipatie bevorderen en versterken
- focus op de ontwikkeling en verspreiding van praktijken van culturele organisaties die een antwoord kunnen bieden in de bovenlokale context.



Transversale samenwerking

Ontwerp Decreet Bovenlokale Cultuurwerking

- ▶ **Transversaliteit staat centraal**
 - Culturele sectoren en disciplines, met **bovenlokale meerwaarde** ondersteunen en stimuleren tot **transversaliteit**
 - Sectoren:** kunsten, cultureel erfgoed, circuskunsten, amateurkunsten, sociaal-cultureel werk (volwassenenwerk, jeugdwerk, lokaal cultuurbeleid).

Transversale samenwerking

Akkoord of niet akkoord?

“Transversale samenwerking biedt een meerwaarde voor de bibliotheken”.

Transversale samenwerking

Akkoord of niet akkoord?

“Bibliotheken kunnen beter samenwerken met scholen of met het OCMW, dan met het cultureel centrum.”

Transversale samenwerking

Akkoord of niet akkoord?

\x20
“Bibliotheken moeten prioritair inzetten op samenwerking binnen hun eigen gemeente”.

Transversale samenwerking

Akkoord of niet akkoord?

“Bibliotheken spelen een centrale rol binnen transversale samenwerking in hun regio”.



 **Vlaanderen**
verbeelding werkt"""

SEED_DECK = parse_deck(seed_deck_text(), "werksessie-1-samenwerking.md")
_PUNCTUATION = "►▶*“”\"'.,:;-–—()?!·"


def words(text: str) -> list[str]:
    """Whitespace-separated words with punctuation stripped from their ends."""
    stripped = (token.strip(_PUNCTUATION) for token in text.split())
    return [word for word in stripped if word]


def seed_lines() -> list[str]:
    return [line.strip() for line in SEED_TXT.splitlines() if line.strip()]


# --- the seed deck ----------------------------------------------------------------------


def test_seed_front_matter() -> None:
    assert SEED_DECK.info == SessionInfo(
        title="Werksessie 1: Samenwerking",
        event="Denkdag",
        date="17 mei 2018",
        venue="Muntpunt",
        presenter="Theo Peeters",
        role="Directeur Theek 5",
        language="nl",
        results=ResultsMode.LIVE,
    )


def test_seed_has_its_eleven_slides_in_order() -> None:
    assert [(s.id, s.kind, s.title) for s in SEED_DECK.slides] == [
        ("s1", "info", "Werksessies"),
        ("s2", "info", "Samenwerken binnen een regiobibliotheek : Het voorbeeld van Theek 5"),
        ("s3", "info", "Samenwerking"),
        ("s4", "choice", "Hoe wil je in de toekomst samenwerken?"),
        ("s5", "info", "Ontwerp Decreet Bovenlokale Cultuurwerking"),
        ("s6", "info", "Ontwerp Decreet Bovenlokale Cultuurwerking"),
        ("s7", "statement", "Akkoord of niet akkoord?"),
        ("s8", "statement", "Akkoord of niet akkoord?"),
        ("s9", "statement", "Akkoord of niet akkoord?"),
        ("s10", "statement", "Akkoord of niet akkoord?"),
        ("s11", "info", "Vlaanderen"),
    ]
    layouts = [s.extra.get("layout", "text") for s in SEED_DECK.slides]
    assert layouts == ["title"] * 3 + ["text"] * 7 + ["title"]
    sections = [s.section for s in SEED_DECK.slides]
    assert sections == ["", "", "", "Werksessie 1 : Samenwerking"] + [
        "Transversale samenwerking"
    ] * 6 + [""]


def test_seed_title_slides_carry_the_original_text() -> None:
    first, second, third, *_, last = SEED_DECK.slides
    assert first.body.splitlines()[0] == "Denkdag 17 mei 2018 - Muntpunt"
    assert second.body == "Theo Peeters\nDirecteur Theek 5"
    assert third.body == "Werksessie 1"
    assert last.body == "verbeelding werkt"
    for line in first.body.splitlines() + second.body.splitlines():
        for word in words(line):
            assert word in words(SEED_TXT)


def test_seed_choice_question_has_the_three_described_options() -> None:
    question = SEED_DECK.slide("s4")
    assert question is not None
    assert question.kind == "choice"
    assert question.multiple is False
    assert question.body == ""
    assert question.options == (
        Option(
            id="a",
            label="1. Informele kennis- en ervaringsuitwisseling",
            description="Informele samenwerking waarbij kennis-en ervaringsuitwisseling centraal staat en af en toe projectmatig wordt samengewerkt",
        ),
        Option(
            id="b",
            label="2. Permanente samenwerking",
            description="Permanente samenwerking met vaste partners rond meerdere thema's",
        ),
        Option(
            id="c",
            label="3. Regiobibliotheek",
            description="Een netwerk van bibliotheken waarbij bepaalde taken of diensten worden gecentraliseerd en opgeschaald",
        ),
    )


def test_seed_choice_options_match_the_original_text() -> None:
    lines = seed_lines()
    start = lines.index("Hoe wil je in de toekomst samenwerken?") + 1
    original = [
        (lines[i].removeprefix("- ").removesuffix("**"), lines[i + 1])
        for i in range(start, start + 6, 2)
    ]
    question = SEED_DECK.slide("s4")
    assert question is not None
    assert [(o.label, o.description) for o in question.options] == original


def test_seed_information_slides_keep_bullets_and_emphasis() -> None:
    aims, transversal = SEED_DECK.slides[4], SEED_DECK.slides[5]
    assert aims.body == (
        "► **DOEL :**\n"
        "\n"
        "- kwalitatieve, duurzame, diverse en geïntegreerde bovenlokale cultuurwerking bouwen, stimuleren en optimaliseren\n"
        "- cultuurparticipatie bevorderen en versterken\n"
        "- focus op de ontwikkeling en verspreiding van praktijken van culturele organisaties die een antwoord kunnen bieden in de bovenlokale context."
    )
    assert transversal.body == (
        "▶ **Transversaliteit staat centraal**\n"
        "\n"
        "- Culturele sectoren en disciplines, met **bovenlokale meerwaarde** ondersteunen en stimuleren tot **transversaliteit**\n"
        "- **Sectoren:** kunsten, cultureel erfgoed, circuskunsten, amateurkunsten, sociaal-cultureel werk (volwassenenwerk, jeugdwerk, lokaal cultuurbeleid)."
    )
    original = " ".join(words(SEED_TXT))
    for slide in (aims, transversal):
        for line in slide.body.splitlines():
            assert " ".join(words(line)) in original  # same words, same order


def test_seed_statements_are_quoted_word_for_word() -> None:
    statements = [s.statement for s in SEED_DECK.slides if s.kind == "statement"]
    assert statements == [
        "“Transversale samenwerking biedt een meerwaarde voor de bibliotheken”.",
        "“Bibliotheken kunnen beter samenwerken met scholen of met het OCMW, dan met het cultureel centrum.”",
        "“Bibliotheken moeten prioritair inzetten op samenwerking binnen hun eigen gemeente”.",
        "“Bibliotheken spelen een centrale rol binnen transversale samenwerking in hun regio”.",
    ]
    assert statements == [line for line in seed_lines() if line.startswith("“")]


def test_every_word_of_the_original_deck_is_in_the_bundled_deck() -> None:
    bundled = set(words(seed_deck_text()))
    missing = [word for word in words(SEED_TXT) if word not in bundled]
    assert missing == []


def test_seed_deck_is_bundled_as_utf8_text() -> None:
    text = seed_deck_text()
    assert text.startswith("---\n")
    assert parse_deck(text.encode("utf-8")) == SEED_DECK
    assert parse_deck(b"\xef\xbb\xbf" + text.encode("utf-8")) == SEED_DECK


# --- reading variants -------------------------------------------------------------------


def test_crlf_and_bom_are_read_like_plain_newlines() -> None:
    text = seed_deck_text()
    assert parse_deck("\ufeff" + text.replace("\n", "\r\n")) == SEED_DECK


def test_defaults_ids_and_settings() -> None:
    deck = parse_deck(
        "---\n"
        "# a comment\n"
        "Title: 'Quoted'\n"
        "results: hidden\n"
        "---\n"
        "# One\n"
        "\n"
        "kind: text, not a setting\n"
        "# Two\n"
        "id: s1\n"
        "# Three\n"
        "kind: choice\n"
        "multiple: ja\n"
        "\n"
        "Kies:\n"
        "\n"
        "* **Ja** zeker\n"
        "- Nee\n"
        "  want\n"
        "\n"
        "  daarom\n"
    )
    assert deck.info == SessionInfo(title="Quoted", results=ResultsMode.HIDDEN)
    one, two, three = deck.slides
    assert (one.id, one.kind, one.body) == ("s1-1", "info", "kind: text, not a setting")
    assert two.id == "s1"
    assert three.id == "s3"
    assert three.multiple is True
    assert three.body == "Kies:"
    assert three.options == (
        Option("a", "Ja", "zeker"),
        Option("b", "Nee", "want\n\ndaarom"),
    )


# --- round trips ------------------------------------------------------------------------

FULL_DECK = Deck(
    info=SessionInfo(
        title="Atelier 2 : coopération",
        event="Journée de réflexion",
        date="3 juin 2025",
        venue="Flagey",
        presenter="Anne Dubois",
        role="Directrice",
        language="fr",
        results=ResultsMode.HIDDEN,
    ),
    slides=(
        Slide(
            id="welcome",
            kind="info",
            title="Bienvenue",
            body="Journée de réflexion\n\n**Flagey**",
            extra={"layout": "title"},
        ),
        Slide(
            id="s2",
            kind="choice",
            title="Quels thèmes ?",
            section="Partie 1",
            body="Choisissez *tout* ce qui compte.\nAu moins un.",
            options=(
                Option("a", "Lecture", "Clubs de lecture\net ateliers"),
                Option("b", "Numérique"),
                Option("c", "Patrimoine", "Archives locales"),
            ),
            multiple=True,
        ),
        Slide(
            id="q-single",
            kind="choice",
            title="Oui ?",
            options=(Option("a", "Oui"), Option("b", "Non")),
        ),
        Slide(
            id="stmt_1",
            kind="statement",
            title="D'accord ou pas ?",
            section="Partie 2",
            statement="« Les bibliothèques\n\ncoopèrent mieux. »",
        ),
        Slide(id="s5", kind="info", title="Merci", section="Partie 2"),
    ),
)


def test_seed_round_trips() -> None:
    assert parse_deck(write_deck(SEED_DECK)) == SEED_DECK


def test_a_deck_using_every_setting_round_trips() -> None:
    text = write_deck(FULL_DECK)
    for line in (
        "language: fr",
        "results: hidden",
        "layout: title",
        "multiple: yes",
        "id: welcome",
        "id: q-single",
        "section: Partie 1",
        "kind: statement",
    ):
        assert line in text.splitlines()
    assert "id: s2" not in text  # positional ids are not written
    assert parse_deck(text) == FULL_DECK
    assert write_deck(parse_deck(text)) == text


@pytest.mark.parametrize(
    "label", ["x**y", "5** hotel", "Ja*", "*Nee", "**Bold", "a * b", "'quoted'", "- dash"]
)
def test_odd_option_labels_round_trip(label: str) -> None:
    deck = Deck(
        info=SessionInfo(title="T"),
        slides=(
            Slide(
                id="s1",
                kind="choice",
                title="Q",
                options=(Option("a", label, "uitleg"), Option("b", "ander")),
            ),
        ),
    )
    assert parse_deck(write_deck(deck)) == deck


@pytest.mark.parametrize("value", ['"quoted"', "'x", " padded ", "#hash", "a: b"])
def test_odd_front_matter_values_round_trip(value: str) -> None:
    deck = Deck(
        info=SessionInfo(title=value, venue=value),
        slides=(Slide(id="s1", kind="info", title="x"),),
    )
    assert parse_deck(write_deck(deck)) == deck


# --- errors -----------------------------------------------------------------------------

FM = "---\ntitle: T\n---\n"  # three lines of front matter; the first slide is line 4
KEYS = ", ".join(FRONT_MATTER_KEYS)


def settings_and(*own: str) -> str:
    """The settings every slide takes (id, kind, section, timer …) and a kind's `own`."""
    return ", ".join(sorted(COMMON_SETTINGS | set(own)))


# every SessionInfo field, profile and pace included

BROKEN: list[tuple[str, str | bytes, int, str]] = [
    ("empty", "", 1, "a deck starts with front matter: a '---' line, 'title: …', and '---'"),
    (
        "no front matter",
        "# Slide\n",
        1,
        "a deck starts with front matter: a '---' line, 'title: …', and '---'",
    ),
    (
        "unclosed front matter",
        "---\ntitle: T\n# Slide\n",
        1,
        "the front matter has no closing '---' line",
    ),
    (
        "unknown front matter key",
        "---\ntitle: T\nspeaker: Theo\n---\n# S\n",
        3,
        f"unknown front matter key 'speaker' (use {KEYS})",
    ),
    (
        "front matter line without colon",
        "---\ntitle: T\njust text\n---\n# S\n",
        3,
        "front matter lines are 'key: value'",
    ),
    (
        "front matter key twice",
        "---\ntitle: T\nvenue: A\nvenue: B\n---\n# S\n",
        4,
        "'venue' is given twice",
    ),
    (
        "bad language",
        "---\ntitle: T\nlanguage: de\n---\n# S\n",
        3,
        "language must be one of nl, en, fr, not 'de'",
    ),
    (
        "bad results mode",
        "---\ntitle: T\nresults: maybe\n---\n# S\n",
        3,
        "results must be live or hidden, not 'maybe'",
    ),
    ("missing title", "---\nevent: D\n---\n# S\n", 3, "the front matter needs a 'title: …'"),
    ("blank title", '---\ntitle: "  "\n\n---\n# S\n', 4, "the front matter needs a 'title: …'"),
    (
        "text before the first slide",
        FM + "\nIntro\n# S\n",
        5,
        "text before the first slide: start a slide with '# '",
    ),
    (
        "level-2 heading",
        FM + "# S\n\nText\n## Sub\n",
        7,
        "a slide heading is '# ' followed by its title (one '#')",
    ),
    (
        "heading without space",
        FM + "#Slide\n",
        4,
        "a slide heading is '# ' followed by its title (one '#')",
    ),
    ("title too long", FM + "# " + "x" * 301 + "\n", 4, "the title is longer than 300 characters"),
    (
        "unknown kind",
        FM + "# S\nkind: poll\n",
        5,
        "unknown kind 'poll' (use choice, conversation, info, leaderboard, open, opinions, quiz, ranking, scale, statement, wordcloud)",
    ),
    (
        "unknown slide setting",
        FM + "# S\nsection: A\nnote: hallo\n",
        6,
        f"unknown setting 'note' for a info slide (use {settings_and('layout')});"
        " leave a blank line under the heading if this is text",
    ),
    (
        "setting of another kind",
        FM + "# S\nkind: statement\nmultiple: yes\n\n> x\n",
        6,
        f"unknown setting 'multiple' for a statement slide (use {settings_and()});"
        " leave a blank line under the heading if this is text",
    ),
    ("setting twice", FM + "# S\nid: a\nid: b\n", 6, "'id' is given twice for this slide"),
    (
        "bad layout",
        FM + "# S\nlayout: wide\n",
        5,
        "layout must be one of text, title, not 'wide'",
    ),
    (
        "choice with one option",
        FM + "# Q\nkind: choice\n\n- **Ja**\n",
        4,
        "a choice question needs at least two options, each a line starting with '- '",
    ),
    (
        "choice without options",
        FM + "# Q\nkind: choice\n\nWat denk je?\n",
        4,
        "a choice question needs at least two options, each a line starting with '- '",
    ),
    (
        "duplicate option",
        FM + "\n# Q\nkind: choice\n\n- **Ja**\n- Nee\n- Ja\n",
        5,
        "option 'Ja' appears twice",
    ),
    (
        "text after options not indented",
        FM + "# Q\nkind: choice\n\n- **Ja**\n- **Nee**\nUitleg\n",
        9,
        "text after the options must be indented under an option (start an option with '- ')",
    ),
    (
        "option without title",
        FM + "# Q\nkind: choice\n\n- Ja\n-  \n",
        8,
        "an option needs a title after '- '",
    ),
    (
        "option with an empty bold title",
        FM + "# Q\nkind: choice\n\n- Ja\n- **  ** uitleg\n",
        8,
        "an option needs a title after '- '",
    ),
    (
        "too many options",
        FM + "# Q\nkind: choice\n\n" + "".join(f"- o{i}\n" for i in range(27)),
        33,
        "at most 26 options",
    ),
    (
        "multiple: maybe",
        FM + "# Q\nkind: choice\nmultiple: maybe\n\n- a\n- b\n",
        6,
        "'multiple' must be yes or no, not 'maybe'",
    ),
    (
        "empty statement",
        FM + "# S\n\n# Akkoord?\nkind: statement\n\n>\n> \n",
        6,
        "a statement slide needs the statement below its heading (e.g. '> …')",
    ),
    (
        "duplicate slide id",
        FM + "# A\nid: intro\n# B\n\n# C\nid: intro\n",
        9,
        "slide id 'intro' is already used on line 5",
    ),
    (
        "bad slide id",
        FM + "# A\nid: not valid\n",
        5,
        "a slide id is 1–40 letters, digits, '-' or '_'",
    ),
    ("empty slide id", FM + "# A\nid:\n", 5, "a slide id is 1–40 letters, digits, '-' or '_'"),
    (
        "non-UTF-8 byte",
        (FM + "# A\n\ncaf").encode() + b"\xe9\n",
        6,
        "the file is not UTF-8 text",
    ),
    (
        "non-UTF-8 byte after a BOM",
        b"\xef\xbb\xbf---\n\xff\n",
        2,
        "the file is not UTF-8 text",
    ),
    ("control character", FM + "# A\n\nbel\x07l\n", 6, "the line holds a control character"),
    ("NUL character", FM + "# A\x00\n", 4, "the line holds a control character"),
    ("form feed", FM + "# A\n\x0c\n# B\n", 5, "the line holds a control character"),
    ("no slides", FM, 3, "the deck has no slides: start one with '# Title'"),
    ("no slides, blank lines", FM + "\n\n", 5, "the deck has no slides: start one with '# Title'"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_decks_name_the_line_and_the_problem(
    text: str | bytes, line: int, message: str
) -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "broken.md")
    assert (caught.value.source, caught.value.line, caught.value.message) == (
        "broken.md",
        line,
        message,
    )
    assert str(caught.value) == f"broken.md:{line}: {message}"


def test_too_large_a_deck_is_refused() -> None:
    with pytest.raises(DeckError, match=r"larger than 1000000 bytes"):
        parse_deck(b"x" * 1_000_001)
    with pytest.raises(DeckError, match=r"larger than 1000000 characters"):
        parse_deck("x" * 1_000_001)


def test_too_many_slides_are_refused() -> None:
    text = FM + "".join(f"# S{i}\n" for i in range(501))
    with pytest.raises(DeckError) as caught:
        parse_deck(text)
    assert (caught.value.line, caught.value.message) == (504, "at most 500 slides")


def test_deck_error_prints_file_line_message() -> None:
    error = DeckError("sessies/werksessie.md", 12, "unknown kind 'poll'")
    assert str(error) == "sessies/werksessie.md:12: unknown kind 'poll'"
    assert isinstance(error, Exception)


def test_parse_deck_names_the_default_source() -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck("nonsense")
    assert str(caught.value).startswith("<deck>:1: ")


# --- files ------------------------------------------------------------------------------


def test_read_deck_file_reads_a_deck(tmp_path: Path) -> None:
    path = tmp_path / "werksessie.md"
    path.write_bytes(seed_deck_text().encode("utf-8"))
    assert read_deck_file(path) == SEED_DECK


def test_read_deck_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kapot.md"
    path.write_text(FM + "# S\nkind: poll\n", encoding="utf-8")
    with pytest.raises(DeckError) as caught:
        read_deck_file(path)
    assert (
        str(caught.value)
        == f"{path}:5: unknown kind 'poll' (use choice, conversation, info, leaderboard, open, opinions, quiz, ranking, scale, statement, wordcloud)"
    )


def test_read_deck_file_on_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.md"
    with pytest.raises(DeckError) as caught:
        read_deck_file(path)
    assert caught.value.source == str(path)
    assert caught.value.line == 1
    assert re.fullmatch(r"cannot read the file \(.+\)", caught.value.message)
    assert str(caught.value).startswith(f"{path}:1: cannot read the file")
