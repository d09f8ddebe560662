"""The editor's form of a slide (formats/slide_form.py): every slide of the seed and every
new slide becomes a form that writes back into the same slide; a form's value cannot add
a line of its own; the deck reader's error names the form field its line came from."""

from __future__ import annotations

import pytest

from denkdag.domain.kinds import KINDS, Setting, kind_of
from denkdag.formats.deck import parse_deck
from denkdag.formats.slide_form import (
    SlideForm,
    field_at,
    form_settings,
    form_text,
    kind_forms,
    slide_form,
)
from denkdag.formats.slide_text import NEW_SLIDES, SlideTextError, read_slide
from denkdag.seed import seed_deck_text


def as_form(shown: dict[str, object]) -> SlideForm:
    options = shown["options"]
    assert isinstance(options, list)
    settings = shown["settings"]
    assert isinstance(settings, dict)
    return SlideForm(
        kind=str(shown["kind"]),
        title=str(shown["title"]),
        text=str(shown["text"]),
        statement=str(shown["statement"]),
        options=tuple((o["label"], o["description"]) for o in options),
        settings=settings,
        notes=str(shown.get("notes", "")),
    )


def refused(form: SlideForm) -> str:
    text, fields = form_text(form)
    with pytest.raises(SlideTextError) as error:
        read_slide(text, "s1")
    return field_at(form, fields, error.value.line)


def test_every_seed_slide_and_new_slide_writes_back_into_itself() -> None:
    slides = [*parse_deck(seed_deck_text()).slides]
    slides += [read_slide(starter, "s1") for starter in NEW_SLIDES.values()]
    for slide in slides:
        text, _fields = form_text(as_form(slide_form(slide)))
        assert read_slide(text, slide.id) == slide, text


def test_options_are_written_in_the_forms_order_with_their_descriptions() -> None:
    form = SlideForm(
        kind="choice",
        title="Welke?",
        text="Kies er een.",
        options=(("Netwerk", "Met de buren\nen verder"), ("Alleen", "")),
        settings={"multiple": "yes"},
    )
    text, fields = form_text(form)
    slide = read_slide(text, "s1")
    assert [(o.label, o.description) for o in slide.options] == list(form.options)
    assert slide.body == "Kies er een." and slide.multiple
    assert fields[0] == "title" and "setting-multiple" in fields and "option-1" in fields


def test_a_value_cannot_add_a_line_or_an_unknown_setting() -> None:
    form = SlideForm(
        kind="info",
        title="Titel\nid: x",
        text="Tekst",
        settings={"layout": "title\nkind: choice", "multiple": "yes", "id": "other"},
    )
    text, _fields = form_text(form)
    assert "\nid:" not in text and "multiple" not in text
    assert refused(form) == "setting-layout"  # 'title kind: choice' is no layout


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (SlideForm(kind="choice", title="  ", options=(("A", ""), ("B", ""))), "title"),
        (SlideForm(kind="choice", title="Vraag", options=(("A", ""), ("A", ""))), "options"),
        (SlideForm(kind="choice", title="Vraag", options=(("A", ""), ("", "uitleg"))), "option-1"),
        (SlideForm(kind="statement", title="Eens?"), "statement"),
        (SlideForm(kind="scale", title="Hoe?", settings={"min": "5", "max": "3"}), "setting-max"),
        (SlideForm(kind="wordcloud", title="Wat?", settings={"words": "9"}), "setting-words"),
        (SlideForm(kind="info", title="Info", settings={"timer": "soon"}), "setting-timer"),
        (SlideForm(kind="info", title="Info", text="Een\n# Tweede"), "text"),
        (SlideForm(kind="nope", title="Iets"), "kind"),
    ],
)
def test_the_readers_error_names_the_field(form: SlideForm, field: str) -> None:
    assert refused(form) == field


def test_every_kind_the_editor_offers_has_a_form_with_its_settings() -> None:
    forms = kind_forms(lambda text: text)
    assert set(forms) == set(NEW_SLIDES)
    for name, shown in forms.items():
        settings = shown["settings"]
        assert isinstance(settings, list)
        names = {setting["name"] for setting in settings}
        assert kind_of(name).settings <= names, name
        assert read_slide(form_text(as_form(shown["starter"]))[0], "s1").kind == name  # type: ignore[arg-type]


def test_a_setting_a_kind_does_not_describe_is_a_line_of_text() -> None:
    kind = KINDS["info"]

    class Described:
        settings = kind.settings | {"colour"}
        form_settings = kind.form_settings

    shown = form_settings(Described())  # type: ignore[arg-type]
    assert shown[-1] == Setting("colour", "colour")


def test_speaker_notes_go_through_the_form_and_an_error_in_them_is_theirs() -> None:
    slide = read_slide("# Welke?\nkind: choice\n\n- **Ja**\n- **Nee**", "s1")
    shown = slide_form(slide)
    form = as_form(shown | {"notes": "Eerst vragen wie al samenwerkt.\n\nDan stemmen."})
    text, _fields = form_text(form)
    assert read_slide(text, "s1").notes == "Eerst vragen wie al samenwerkt.\n\nDan stemmen."
    assert read_slide(text, "s1").options == slide.options
    too_long = as_form(shown | {"notes": "x" * 20_001})
    assert refused(too_long) == "notes"
