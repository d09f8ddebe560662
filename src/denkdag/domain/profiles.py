"""Participant profile questions: one or two multiple-choice questions asked once at join.

A deck's front matter holds them (`profile:` lines, see `formats/deck.py`), so they travel
with the deck: an event copies its questions into each session's deck. Answers are used
for one thing only, breaking results down by group (`domain/breakdowns.py`), and the rule
that protects participants lives here too (`disclosed_groups`).

Answering is optional. Every question has, besides the options the deck lists, the answer
"prefer not to say", stored as None (`NOT_SAID`): Denkdag adds it itself, in the
interface's language, and never shows it as a group. A participant who skips the
questions has None for each of them.

What protects anonymity (also in the README):

- A group is shown on its own only with at least `PRIVACY_FLOOR` (5) members.
- Everybody who is not in a shown group (the small groups and those who did not say)
  can be derived as a whole by subtracting the shown groups from the room's total, which
  is shown anyway. That remainder must therefore be nobody or at least five people: if
  it is one to four, the smallest shown group is hidden too, until it is not. This also
  keeps the existing rule of `shown_groups` (a single hidden group is never left alone).
- Exports name participants by pseudonym only, and carry a profile answer only where
  its group is disclosed by the same rule; everyone else is "hidden".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from denkdag.domain.characters import bad_character
from denkdag.domain.errors import N_, InvalidAnswer, Message
from denkdag.domain.tally import PRIVACY_FLOOR, shown_groups

MAX_QUESTIONS = 2
MIN_OPTIONS = 2
MAX_OPTIONS = 12
MAX_QUESTION = 200
MAX_LABEL = 80
MAX_OPTION_ID = 40
SEPARATOR = " / "
NOT_SAID = None
"""The stored answer "prefer not to say" (also: skipped, or an option since removed)."""
HIDDEN = "hidden"
"""What an export writes for a participant whose group is not disclosed."""
_NOT_SAID_LABELS = frozenset(
    {
        "liever niet zeggen",
        "zeg ik liever niet",
        "prefer not to say",
        "i prefer not to say",
        "je préfère ne pas répondre",
        "préfère ne pas répondre",
        "ne souhaite pas répondre",
    }
)
_NOT_SAID_GROUP = ""
"""Those who did not say, as a group for `shown_groups` (no option id is empty)."""
_QUESTION_END = re.compile(r"^(?P<question>.*[:?])\s+(?P<first>\S.*)$")


@dataclass(frozen=True)
class ProfileOption:
    """One answer of a profile question; `id` is derived from the label (stable while the
    label stays, whatever the order)."""

    id: str
    label: str


@dataclass(frozen=True)
class ProfileQuestion:
    """A profile question: `id` p1 or p2 (its place in the front matter), the question as
    written, and its options (without "prefer not to say", which is always there)."""

    id: str
    text: str
    options: tuple[ProfileOption, ...]

    def option(self, option_id: str | None) -> ProfileOption | None:
        return next((o for o in self.options if o.id == option_id), None)


class ProfileSyntaxError(ValueError):
    """A `profile:` line that cannot be read; the deck reader adds the line number.

    Built like a DomainError: an `N_()` template and its parameters (see `Message`)."""

    def __init__(self, message: str | Message, /, **params: Any) -> None:
        self.sentence = Message(message, **params) if isinstance(message, str) else message
        super().__init__(str(self.sentence))


def option_slug(label: str) -> str:
    """`Cultuurcentrum` → `cultuurcentrum`, `OCMW / CPAS` → `ocmw-cpas`; '' when the label
    has no latin letter or digit at all."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_OPTION_ID].rstrip("-")


def read_question(value: str, position: int) -> ProfileQuestion:
    """Read `Question: option / option / …` (or `Question? option / …`).

    The question ends at the last ':' or '?' (followed by a space) before the first ' / ',
    so a question may hold a colon; the options are separated by ' / ' (with spaces, so
    `en/of` inside an option is fine). A trailing ':' is not kept in the question.
    """
    parts = [part.strip() for part in value.strip().split(SEPARATOR)]
    head = _QUESTION_END.match(parts[0])
    if head is None or len(parts) < MIN_OPTIONS:
        raise ProfileSyntaxError(
            N_("a profile question is 'question: option / option / …' (options separated by ' / ')")
        )
    text = head["question"].strip()
    text = text[:-1].rstrip() if text.endswith(":") else text
    labels = [head["first"].strip(), *parts[1:]]
    if not text:
        raise ProfileSyntaxError(N_("the profile question has no text before its ':'"))
    if len(text) > MAX_QUESTION:
        raise ProfileSyntaxError(
            N_("a profile question is at most %(most)s characters"), most=MAX_QUESTION
        )
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise ProfileSyntaxError(
            N_("a profile question has %(least)s to %(most)s options, not %(count)s"),
            least=MIN_OPTIONS,
            most=MAX_OPTIONS,
            count=len(labels),
        )
    options: list[ProfileOption] = []
    for index, label in enumerate(labels, start=1):
        if not label:
            raise ProfileSyntaxError(
                N_("option %(index)s of the profile question is empty"), index=index
            )
        if len(label) > MAX_LABEL:
            raise ProfileSyntaxError(
                N_("a profile option is at most %(most)s characters"), most=MAX_LABEL
            )
        if label.casefold().strip(" .…") in _NOT_SAID_LABELS:
            raise ProfileSyntaxError(
                N_(
                    "leave out '%(label)s': Denkdag adds 'prefer not to say' to every profile "
                    "question itself, and never shows it as a group"
                ),
                label=label,
            )
        option_id = option_slug(label) or f"o{index}"
        clash = next((o for o in options if o.id == option_id), None)
        if clash is not None:
            raise ProfileSyntaxError(
                N_("the options '%(other)s' and '%(label)s' are too alike (both '%(option_id)s')"),
                other=clash.label,
                label=label,
                option_id=option_id,
            )
        options.append(ProfileOption(option_id, label))
    return ProfileQuestion(f"p{position}", text, tuple(options))


def write_question(question: ProfileQuestion) -> str:
    """The `profile:` value that `read_question` reads back into this question."""
    head = question.text if question.text.endswith("?") else f"{question.text}:"
    return f"{head} {SEPARATOR.join(o.label for o in question.options)}"


def read_questions(values: Iterable[str]) -> tuple[ProfileQuestion, ...]:
    """Up to `MAX_QUESTIONS` questions, one `profile:` value each (blank ones left out),
    as an event sets them; ProfileSyntaxError names the question that cannot be read."""
    given = [value.strip() for value in values if value and value.strip()]
    if len(given) > MAX_QUESTIONS:
        raise ProfileSyntaxError(
            N_("at most %(most)s profile questions, not %(count)s: keep it short"),
            most=MAX_QUESTIONS,
            count=len(given),
        )
    questions: list[ProfileQuestion] = []
    for position, value in enumerate(given, start=1):
        if bad_character(value, frozenset()) is not None:
            raise ProfileSyntaxError(
                N_("profile question %(position)s holds a line break or a control character"),
                position=position,
            )
        try:
            questions.append(read_question(value, position))
        except ProfileSyntaxError as error:
            raise ProfileSyntaxError(
                N_("profile question %(position)s: %(error)s"),
                position=position,
                error=error.sentence,
            ) from None
    return tuple(questions)


def questions_digest(questions: Iterable[ProfileQuestion]) -> str:
    """A short fingerprint of the questions as asked (text, options and order): answers
    carried from one room to another are only used where the questions are the same."""
    text = "\n".join(f"{q.id}={write_question(q)}" for q in questions)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_answers(
    questions: Iterable[ProfileQuestion], answers: Mapping[str, object]
) -> dict[str, str | None]:
    """A participant's answers in stored form: every question's option id or None.

    A question left out is "prefer not to say"; an unknown question or option is refused
    (InvalidAnswer, a 422 with the reason).
    """
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        known = ", ".join(by_id) or "none"
        raise InvalidAnswer(
            N_("This session has no profile question '%(unknown)s' (its questions: %(known)s)."),
            unknown=unknown[0],
            known=known,
        )
    stored: dict[str, str | None] = {}
    for question_id, question in by_id.items():
        value = answers.get(question_id)
        if value is NOT_SAID:
            stored[question_id] = NOT_SAID
            continue
        if not isinstance(value, str) or question.option(value) is None:
            choices = ", ".join(o.id for o in question.options)
            raise InvalidAnswer(
                N_(
                    "'%(value)s' is not an option of profile question %(question_id)s (use "
                    "%(choices)s, or null for 'prefer not to say')."
                ),
                value=value,
                question_id=question_id,
                choices=choices,
            )
        stored[question_id] = value
    return stored


def answer_of(question: ProfileQuestion, answers: Mapping[str, str | None] | None) -> str | None:
    """The participant's option id for `question`; None when not said or since removed."""
    if not answers:
        return NOT_SAID
    value = answers.get(question.id)
    return value if question.option(value) is not None else NOT_SAID


def disclosed_groups(
    sizes: Mapping[str, int], undisclosed: int = 0, floor: int = PRIVACY_FLOOR
) -> set[str]:
    """The groups that may be shown on their own, given their sizes and how many others
    (who did not say) are in the same population.

    Starts from `shown_groups` (the privacy floor), with those who did not say as one more
    group that is never shown, then hides the smallest shown group as long as the
    remainder, everyone not in a shown group, is one to `floor - 1` people: that remainder
    can be derived by subtracting the shown groups from the total.
    """
    present = {name: size for name, size in sizes.items() if size > 0}
    with_not_said = {**present, _NOT_SAID_GROUP: undisclosed} if undisclosed else present
    shown = shown_groups(with_not_said, floor) - {_NOT_SAID_GROUP}

    def remainder() -> int:
        return undisclosed + sum(size for name, size in present.items() if name not in shown)

    while shown and 0 < remainder() < floor:
        shown.discard(min(shown, key=lambda name: (present[name], name)))
    return shown


def group_sizes(
    question: ProfileQuestion,
    profiles: Mapping[int, Mapping[str, str | None]],
    among: Iterable[int],
) -> tuple[dict[str, int], int]:
    """(members per option, how many did not say) among the participants `among`."""
    sizes = dict.fromkeys((o.id for o in question.options), 0)
    not_said = 0
    for participant in among:
        option = answer_of(question, profiles.get(participant))
        if option is None:
            not_said += 1
        else:
            sizes[option] += 1
    return sizes, not_said


def export_labels(
    questions: Iterable[ProfileQuestion],
    profiles: Mapping[int, Mapping[str, str | None]],
    participants: Iterable[int],
    floor: int = PRIVACY_FLOOR,
) -> dict[int, dict[str, str]]:
    """Per participant and question, the option label an export may carry, or HIDDEN.

    Groups are disclosed among everyone who joined (`participants`), by
    `disclosed_groups`: a small group, and whoever did not say, are both HIDDEN, so the
    label never singles anyone out and never tells a small group from a skip. With two
    questions, both labels are carried only when every pair of disclosed labels that
    occurs is shared by at least `floor` participants.
    """
    people = list(participants)
    asked = list(questions)
    labels: dict[int, dict[str, str]] = {pid: {} for pid in people}
    for question in asked:
        sizes, not_said = group_sizes(question, profiles, people)
        shown = disclosed_groups(sizes, not_said)
        for pid in people:
            option = question.option(answer_of(question, profiles.get(pid)))
            labels[pid][question.id] = option.label if option and option.id in shown else HIDDEN
    if len(asked) > 1 and _small_combination(labels, [q.id for q in asked], floor):
        # Two groups of five can meet in one person: then a row's two labels together
        # would single them out. Only the first question's labels stay.
        for pid in people:
            for question in asked[1:]:
                labels[pid][question.id] = HIDDEN
    return labels


def _small_combination(
    labels: Mapping[int, Mapping[str, str]], question_ids: list[str], floor: int
) -> bool:
    """Whether some combination of disclosed labels is shared by fewer than `floor`."""
    combinations: dict[tuple[str, ...], int] = {}
    for own in labels.values():
        combination = tuple(own[qid] for qid in question_ids)
        if HIDDEN not in combination:
            combinations[combination] = combinations.get(combination, 0) + 1
    return any(count < floor for count in combinations.values())
