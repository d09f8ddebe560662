"""Which kind an imported slide is, guessed from how it reads: a pure function, so the
rules are tested without a file.

- a title that asks (a question mark, or the usual Dutch, French and English opening
  words: "Hoe …", "Wat …", "Welke …", "Quel …", "Comment …", "What …", "Which …") over a
  list of 2–8 items: a **choice** question, each item an option whose bold start is its
  title and whose rest (and nested bullets) its description;
- the same under a title that asks to rank ("Rangschik …", "Classez …", "Rank …",
  "… volgorde", "… priorité"): a **ranking**;
- a quoted sentence (or one lone sentence) under an agree / disagree heading
  ("Akkoord of niet akkoord?", "Êtes-vous d'accord ?", "Do you agree?"): a **statement**;
- anything else: **information**.

The facilitator sees the proposal and its reason slide by slide and may pick another of
`possible_kinds` (or keep the slide as information) before anything is made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from denkdag.domain.errors import N_, Message
from denkdag.formats.imported import ImportedSlide, Paragraph

MIN_ITEMS = 2
MAX_ITEMS = 8
INFO, CHOICE, RANKING, STATEMENT = "info", "choice", "ranking", "statement"
KINDS = (INFO, CHOICE, RANKING, STATEMENT)
"""The kinds an imported slide may become (others are made in the editor afterwards)."""

QUESTION_WORDS = frozenset(
    # nl
    "hoe wat welke welk wie waar wanneer waarom waarmee waarover kies kiest vind vindt "
    "moet moeten zou zouden ben bent is zijn heb hebt kan kunnen wil "
    # fr
    "quel quelle quels quelles comment que quoi qui ou pourquoi quand combien "
    "choisissez etes-vous est-ce faut-il pensez-vous "
    # en
    "how what which who where when why choose do does should would could is are can will".split()
)
AGREE_HEADINGS = (
    "akkoord of niet akkoord",
    "akkoord of niet",
    "eens of oneens",
    "ben je het eens",
    "bent u het eens",
    "ga je akkoord",
    "gaat u akkoord",
    "stelling",
    "d'accord ou pas",
    "etes-vous d'accord",
    "es-tu d'accord",
    "affirmation",
    "agree or disagree",
    "do you agree",
    "statement",
)
RANK_WORDS = (
    "rangschik",
    "rangorde",
    "volgorde",
    "prioriteit",
    "prioriteer",
    "classez",
    "classer",
    "classement",
    "ordre",
    "priorite",
    "rank",
    "order of",
    "prioriti",
)
_QUOTES_OPEN = "\"'“”„«‘’‚‹"
_BOLD_START = re.compile(r"^\*\*(?P<label>.+?)\*\*(?P<rest>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Item:
    """One item of a slide's list: its bold title (or whole first line) and the rest."""

    label: str
    description: str


@dataclass(frozen=True)
class Proposal:
    """The kind proposed for a slide and why, in a sentence the review page shows."""

    kind: str
    reason: Message


def folded(text: str) -> str:
    """Lower case without accents or bold marks, apostrophes made plain: what the rules
    compare."""
    text = text.replace("**", "").replace("’", "'").replace("‘", "'").lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def asks(title: str) -> bool:
    """Whether a title asks something: a question mark, or an opening question word."""
    text = folded(title).strip()
    if text.rstrip(" .:…").endswith("?"):
        return True
    words = re.findall(r"[\w'-]+", text)
    return bool(words) and (words[0] in QUESTION_WORDS or words[0].split("'")[0] == "qu")


def agree_heading(title: str) -> bool:
    text = folded(title)
    return any(phrase in text for phrase in AGREE_HEADINGS)


def ranks(title: str) -> bool:
    text = folded(title)
    return any(word in text for word in RANK_WORDS)


def plain(text: str) -> str:
    """A paragraph's text without bold marks."""
    return text.replace("**", "")


def quoted(text: str) -> bool:
    """Whether a sentence is quoted (“…”, "…", «…», '…'), a full stop after it allowed."""
    stripped = plain(text).strip()
    return (
        len(stripped) > 2
        and stripped[0] in _QUOTES_OPEN
        and any(ch in _QUOTES_OPEN for ch in stripped[1:].rstrip(" .!")[-1:])
    )


def split_list(
    paragraphs: tuple[Paragraph, ...],
) -> tuple[list[Paragraph], list[tuple[Paragraph, list[Paragraph]]]]:
    """The paragraphs before the list (a prompt), and the list's top-level items with the
    paragraphs nested under each (deeper bullets, or lines without a bullet after it)."""
    bullets = [p for p in paragraphs if p.bullet]
    if not bullets:
        return list(paragraphs), []
    top = min(p.level for p in bullets)
    prompt: list[Paragraph] = []
    items: list[tuple[Paragraph, list[Paragraph]]] = []
    for paragraph in paragraphs:
        if paragraph.bullet and paragraph.level == top:
            items.append((paragraph, []))
        elif items:
            items[-1][1].append(paragraph)
        else:
            prompt.append(paragraph)
    return prompt, items


def item_of(first: Paragraph, nested: list[Paragraph]) -> Item:
    """An option from a list item: its bold start (else its first line) as the title; the
    rest of the item, its further lines and nested paragraphs as the description."""
    head, _, tail = first.text.partition("\n")
    match = _BOLD_START.match(head)
    if match and match["label"].strip():
        label, rest = match["label"].strip(), match["rest"].strip()
    else:
        label, rest = plain(head).strip(), ""
    lines = [rest] if rest else []
    lines += [plain(line).strip() for line in tail.split("\n") if line.strip()]
    lines += [plain(p.text).replace("\n", " ").strip() for p in nested if p.text.strip()]
    return Item(label=label, description="\n".join(lines))


def items_of(slide: ImportedSlide) -> list[Item]:
    return [item_of(first, nested) for first, nested in split_list(slide.paragraphs)[1]]


def statement_of(slide: ImportedSlide) -> str:
    """The sentence a statement slide puts to the room: its quoted paragraph, or its one
    paragraph ("" when it has neither)."""
    texts = [plain(p.text).replace("\n", " ").strip() for p in slide.paragraphs]
    texts = [text for text in texts if text]
    quotes = [text for text in texts if quoted(text)]
    if len(quotes) == 1:
        return quotes[0]
    return texts[0] if len(texts) == 1 else ""


def _list_fits(items: list[Item]) -> bool:
    labels = [item.label for item in items]
    return MIN_ITEMS <= len(items) <= MAX_ITEMS and len(set(labels)) == len(labels)


def possible_kinds(slide: ImportedSlide) -> tuple[str, ...]:
    """The kinds this slide can become: information always; a choice or ranking with a
    list of 2–26 distinct items; a statement with a sentence to put to the room."""
    kinds = [INFO]
    items = items_of(slide)
    labels = [item.label for item in items]
    if MIN_ITEMS <= len(items) <= 26 and len(set(labels)) == len(labels):
        kinds += [CHOICE, RANKING]
    if statement_of(slide):
        kinds.append(STATEMENT)
    return tuple(kinds)


def propose(slide: ImportedSlide) -> Proposal:
    """The kind this slide most likely is, and why (see the module's rules)."""
    title = slide.title
    if agree_heading(title) and statement_of(slide):
        return Proposal(STATEMENT, Message(N_("a sentence under an agree or disagree heading")))
    items = items_of(slide)
    if _list_fits(items) and ranks(title):
        return Proposal(
            RANKING,
            Message(N_("a title that asks to rank, over %(count)s items"), count=len(items)),
        )
    if _list_fits(items) and asks(title):
        return Proposal(
            CHOICE,
            Message(N_("a title that asks, over %(count)s items"), count=len(items)),
        )
    if items and asks(title) and not _list_fits(items):
        return Proposal(
            INFO,
            Message(
                N_("a question, but with %(count)s items (a choice takes %(low)s to %(high)s)"),
                count=len(items),
                low=MIN_ITEMS,
                high=MAX_ITEMS,
            ),
        )
    return Proposal(INFO, Message(N_("no question found")))
