"""The four answer kinds in the domain: what each accepts (and the sentence when not),
how each tallies, and the folding rules of participant text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from denkdag.domain import InvalidAnswer, Option, Slide
from denkdag.domain.kinds import RecordKind, kind_of
from denkdag.domain.kinds.participant_text import fold
from denkdag.domain.kinds.stopwords import STOP_WORDS
from denkdag.domain.kinds.wordcloud import normalise, shown_form
from denkdag.domain.tally import AnswerRecord

SCALE = kind_of("scale")
CLOUD = kind_of("wordcloud")
OPEN = kind_of("open")
RANKING = kind_of("ranking")

LIKERT = Slide(
    id="sc",
    kind="scale",
    title="Hoe?",
    extra={
        "items": [{"id": "a", "label": "Partners"}, {"id": "b", "label": "Kennis"}],
        "min": 1,
        "max": 5,
        "labels": ["Oneens", "Eens"],
    },
)
WORDS = Slide(id="wc", kind="wordcloud", title="Eén woord?", extra={"words": 3, "banned": ["stom"]})
TWO_WORDS = Slide(id="w2", kind="wordcloud", title="Twee?", extra={"words": 2})
WALL = Slide(id="op", kind="open", title="Wat?", extra={"max_length": 20, "banned": ["heel dom"]})
RANK = Slide(
    id="rk",
    kind="ranking",
    title="Wat eerst?",
    options=(Option("a", "Delen"), Option("b", "Aankopen"), Option("c", "Programmeren")),
)


def refused(kind: object, slide: Slide, value: object) -> str:
    with pytest.raises(InvalidAnswer) as caught:
        kind.validate(slide, value)  # type: ignore[attr-defined]
    return caught.value.detail


# --- scale ---------------------------------------------------------------------------------


def test_scale_accepts_all_items_or_a_subset() -> None:
    assert SCALE.validate(LIKERT, {"a": 1, "b": 5}) == {"a": 1, "b": 5}
    assert SCALE.validate(LIKERT, {"b": 3}) == {"b": 3}


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ({}, 'Rate at least one item: an object like {"a": 5}.'),
        (3, 'Rate at least one item: an object like {"a": 5}.'),
        ({"a": 6}, "6 is off the scale for item 'a': use 1 to 5."),
        ({"a": 0}, "0 is off the scale for item 'a': use 1 to 5."),
        ({"a": 2.5}, "Rate item 'a' with a whole number from 1 to 5."),
        ({"a": "4"}, "Rate item 'a' with a whole number from 1 to 5."),
        ({"a": True}, "Rate item 'a' with a whole number from 1 to 5."),
        ({"z": 3}, "Unknown item 'z'; this scale has a, b."),
    ],
)
def test_scale_refuses_with_a_sentence(value: object, sentence: str) -> None:
    assert refused(SCALE, LIKERT, value) == sentence


def test_scale_tally_distribution_and_mean_per_item() -> None:
    tally = SCALE.tally(LIKERT, [{"a": 1, "b": 5}, {"a": 2}, {"a": 4, "b": 5}])
    assert tally.respondents == 3
    assert tally.counts == {"a": 3, "b": 2}
    items = tally.extra["items"]
    assert items[0] == {
        "id": "a",
        "label": "Partners",
        "counts": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0},
        "mean": 2.33,
    }
    assert items[1]["counts"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 2}
    assert items[1]["mean"] == 5.0


def test_scale_tally_without_answers_has_no_mean() -> None:
    tally = SCALE.tally(LIKERT, [])
    assert tally.respondents == 0
    assert [item["mean"] for item in tally.extra["items"]] == [None, None]


# --- word cloud ----------------------------------------------------------------------------


def test_folding_ignores_case_accents_and_surrounding_punctuation() -> None:
    assert fold("CAFÉ") == fold("café") == "cafe"
    assert normalise("  «Vertrouwen!» ") == "vertrouwen"
    assert shown_form("  «Vertrouwen!» ") == "Vertrouwen"
    assert normalise("open   source") == "open source"
    assert {"de", "het", "le", "la", "the", "and", "etre"} <= STOP_WORDS


def test_wordcloud_keeps_words_as_typed_once_each() -> None:
    assert CLOUD.validate(WORDS, [" Vertrouwen ", "vertrouwen!", "Tijd"]) == ["Vertrouwen", "Tijd"]
    assert CLOUD.validate(WORDS, "Élan") == ["Élan"]  # one word may come as a string


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ([], "Give one to 3 words: a list of short texts."),
        (None, "Give one to 3 words: a list of short texts."),
        (["a", "b", "c", "d"], "Give at most 3 words; you gave 4."),
        ([""], "A word is empty; type something first."),
        ([3], "A word must be text (a JSON string)."),
        (["x" * 41], "A word is 41 characters long; at most 40 are allowed."),
        (["twee\nregels"], "A word must fit on one line."),
        (["!!!"], "'!!!' has no letters or digits; type a word."),
        (["De"], "'De' is too common a word to show in the cloud; choose one that says more."),
        (
            ["Stom!"],
            "Your answer holds a word the facilitator does not allow here; please rephrase it.",
        ),
        (["a\x00b"], "A word holds a control character (U+0000); remove it and send again."),
    ],
)
def test_wordcloud_refuses_with_a_sentence(value: object, sentence: str) -> None:
    assert refused(CLOUD, WORDS, value) == sentence


def test_wordcloud_respects_the_slides_word_limit() -> None:
    assert refused(CLOUD, TWO_WORDS, ["a1", "b2", "c3"]) == "Give at most 2 words; you gave 3."


def test_wordcloud_counts_folded_words_in_order_of_first_appearance() -> None:
    records = [
        AnswerRecord(id=7, value=["Tijd", "vertrouwen"]),
        AnswerRecord(id=3, value=["Vertrouwen", "Café"]),
        AnswerRecord(id=9, value=["VERTROUWEN", "cafe", "tijd"]),
        AnswerRecord(id=12, value=["Vertrouwen"]),
    ]
    tally = CLOUD.tally_records(WORDS, records)  # type: ignore[attr-defined]
    assert tally.respondents == 4
    assert tally.extra["words"] == {"vertrouwen": 4, "cafe": 2, "tijd": 2}
    assert list(tally.extra["words"]) == ["vertrouwen", "cafe", "tijd"]  # first seen: 3, 3, 7
    shown = {entry["word"]: entry["text"] for entry in tally.extra["cloud"]}
    assert shown == {"vertrouwen": "Vertrouwen", "cafe": "Café", "tijd": "Tijd"}
    assert tally.public_extra is None  # a cloud has nothing only facilitators may see


def test_wordcloud_never_counts_stop_words_banned_words_or_a_repeat() -> None:
    tally = CLOUD.tally(WORDS, [["de", "stom", "Fiets", "fiets"], "not a list"])
    assert tally.extra["words"] == {"fiets": 1}
    assert tally.respondents == 2


# --- open answers --------------------------------------------------------------------------


def test_open_answer_is_trimmed_text_within_the_limit() -> None:
    assert OPEN.validate(WALL, "  Samen  \r\nsterk ") == "Samen  \nsterk"
    assert OPEN.validate(WALL, "x" * 20) == "x" * 20


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("   ", "Your answer is empty; type something first."),
        (["a"], "Your answer must be text (a JSON string)."),
        ("x" * 21, "Your answer is 21 characters long; at most 20 are allowed."),
        ("a\x1bb", "Your answer holds a control character (U+001B); remove it and send again."),
        (
            "\ud800",
            "Your answer holds an invalid character (a lone surrogate); remove it and send again.",
        ),
        (
            "Dat is HEEL dom",
            "Your answer holds a word the facilitator does not allow here; please rephrase it.",
        ),
    ],
)
def test_open_answer_refuses_with_a_sentence(value: object, sentence: str) -> None:
    assert refused(OPEN, WALL, value) == sentence


def test_banned_phrases_match_whole_words_only() -> None:
    assert OPEN.validate(WALL, "heel domein") == "heel domein"


def test_open_tally_is_newest_first_and_hides_hidden_answers_from_the_public() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    records = [
        AnswerRecord(id=1, value="oud", updated_at=start),
        AnswerRecord(id=2, value="verborgen", updated_at=start + timedelta(minutes=2), hidden=True),
        AnswerRecord(
            id=3, value="nieuw", updated_at=start + timedelta(minutes=3), highlighted=True
        ),
        AnswerRecord(id=4, value="midden", updated_at=start + timedelta(minutes=1)),
    ]
    tally = OPEN.tally_records(WALL, records)  # type: ignore[attr-defined]
    assert tally.respondents == 4
    assert [a["id"] for a in tally.extra["answers"]] == [3, 2, 4, 1]
    assert tally.extra["answers"][1] == {
        "id": 2,
        "text": "verborgen",
        "hidden": True,
        "highlighted": False,
    }
    public = tally.as_dict()
    assert [a["text"] for a in public["answers"]] == ["nieuw", "midden", "oud"]
    assert "verborgen" not in repr(tally.as_dict(with_counts=True))
    assert "verborgen" in repr(tally.as_dict(facilitator=True))


def test_kinds_that_tally_records_say_so() -> None:
    assert isinstance(OPEN, RecordKind) and OPEN.moderated
    assert isinstance(CLOUD, RecordKind) and not CLOUD.moderated
    assert not isinstance(SCALE, RecordKind)
    assert not isinstance(RANKING, RecordKind)


# --- ranking -------------------------------------------------------------------------------


def test_ranking_accepts_every_option_once() -> None:
    assert RANKING.validate(RANK, ["b", "a", "c"]) == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("a", "Put every option in your order: a list of option ids such as ['a', 'b', 'c']."),
        (
            [1, 2, 3],
            "Put every option in your order: a list of option ids such as ['a', 'b', 'c'].",
        ),
        (["a", "b"], "Option 'c' has no place; rank every option (a, b, c)."),
        (["a", "b", "b"], "Option 'b' is ranked twice; give each option one place."),
        (["a", "b", "c", "d"], "Unknown option 'd'; this ranking has a, b, c."),
        ([], "Option 'a' has no place; rank every option (a, b, c)."),
    ],
)
def test_ranking_refuses_with_a_sentence(value: object, sentence: str) -> None:
    assert refused(RANKING, RANK, value) == sentence


def test_ranking_tally_average_rank_best_first() -> None:
    tally = RANKING.tally(RANK, [["b", "a", "c"], ["b", "c", "a"], ["a", "b", "c"], ["x"]])
    assert tally.respondents == 3
    assert tally.extra["average_rank"] == {"a": 2.0, "b": 1.33, "c": 2.67}
    assert tally.extra["order"] == ["b", "a", "c"]
    assert tally.counts == {"a": 1, "b": 2, "c": 0}


def test_ranking_tally_without_answers_keeps_the_deck_order() -> None:
    tally = RANKING.tally(RANK, [])
    assert tally.extra == {
        "average_rank": {"a": None, "b": None, "c": None},
        "order": ["a", "b", "c"],
    }
