"""A slide as a dict, built in one place for storage, the API, the export and the editor."""

from __future__ import annotations

from denkdag.domain.model import Option, Slide
from denkdag.domain.tally import Tally
from denkdag.domain.views import result_view, slide_view
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage.codec import deck_from_dict, deck_to_dict


def _round() -> Slide:
    return Slide(
        id="r1", kind="conversation", title="Ronde", extra={"banned": ["x"], "max_length": 140}
    )


def test_the_public_view_keeps_private_settings_out_and_lifts_a_kinds_own_fields() -> None:
    view = slide_view(_round())
    assert view["extra"] == {"max_length": 140} and view["max_length"] == 140
    assert "banned" not in view and "multiple" not in view and "statement" not in view
    choice = slide_view(Slide(id="q", kind="choice", title="Hoe?", options=(Option("a", "Ja"),)))
    assert choice["multiple"] is False
    assert choice["options"] == [{"id": "a", "label": "Ja", "description": ""}]


def test_the_private_view_is_what_storage_keeps_and_reads_back() -> None:
    private = slide_view(_round(), private=True)
    assert private["extra"] == {"banned": ["x"], "max_length": 140}
    assert "max_length" not in private
    deck = parse_deck(seed_deck_text())
    assert deck_from_dict(deck_to_dict(deck)) == deck


def test_a_result_names_what_was_asked_only_when_the_slide_asks_it() -> None:
    info = result_view(Slide(id="i", kind="info", title="Welkom"), Tally("i", "info", 0, {}))
    assert info == {
        "id": "i",
        "kind": "info",
        "title": "Welkom",
        "section": "",
        "respondents": 0,
        "counts": {},
    }
    statement = Slide(id="s", kind="statement", title="Eens?", statement="Samen")
    entry = result_view(statement, Tally("s", "statement", 1, {"agree": 1}))
    assert entry["statement"] == "Samen" and entry["counts"] == {"agree": 1}
