"""Statement rounds: statements written by the room, voted on one at a time (as pol.is).

A statement round starts from the facilitator's seed statements (in the deck) and grows
with statements participants write on their phones. Each statement is offered to every
participant on its own, to agree, disagree or pass; the votes feed the opinion map
(`denkdag.app.opinions`) like the votes on statement slides.

Deck syntax: `kind: conversation`, its settings, an optional prompt, and one seed
statement per line starting with `> `:

    # Wat moet de bibliotheek van morgen doen?
    kind: conversation
    moderation: approve-first
    submissions: yes
    max_length: 140
    banned: stom, idioot

    Schrijf zelf een stelling, of stem op die van anderen.

    > De bibliotheek moet 's avonds open zijn.
    > Elke gemeente verdient een eigen bibliotheek.

- `moderation`: `approve-first` (default: a participant's statement waits until a
  facilitator approves it) or `show-at-once` (offered to everyone at once; a facilitator
  may hide it after);
- `submissions`: whether participants may write statements (`yes`, the default, or `no`);
- `max_length`: characters per statement, 10–500 (default 140, as pol.is);
- `banned`: words the facilitator refuses, as on open-answer slides.

A participant's statement is plain text under the rules of `participant_text` (trimmed,
one line, no control characters, none of the banned words, at most `max_length`). Its
author is never shown nor exported: it is kept only so that the statement goes when its
author's data is deleted. A seed statement's id is `d` and a digest of its text, so
votes stay with their statement when the deck is reordered; a room statement's id is
`r` and its number.

Which statement a phone offers next is `next_statement`: never one the participant voted
on, the least voted first (so votes spread over the statements that need them), and among
equally voted ones an order drawn from a digest of a seed and the participant, which is
fixed for a participant (testable) but differs from one participant to the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer, NotFound, SlideNotOpen, UnknownSlide
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    KindDefaults,
    Setting,
    SlideContent,
    SlideSource,
    TallySource,
    parse_flag,
    parse_int,
)
from denkdag.domain.kinds.participant_text import (
    BANNED_SETTING,
    clean_text,
    fold,
    read_banned,
    refuse_banned,
    write_banned,
)
from denkdag.domain.kinds.statement import STANCES, VOTE_ENCODING
from denkdag.domain.model import Deck, LiveState, Slide
from denkdag.domain.numbers import percent
from denkdag.domain.tally import Tally

NAME = "conversation"
APPROVE_FIRST = "approve-first"
SHOW_AT_ONCE = "show-at-once"
MODERATIONS = (APPROVE_FIRST, SHOW_AT_ONCE)
PENDING = "pending"
APPROVED = "approved"
HIDDEN = "hidden"
STATUSES = (PENDING, APPROVED, HIDDEN)
DECK_ORIGIN = "deck"
ROOM_ORIGIN = "room"

DEFAULT_LENGTH = 140
SHORTEST = 10
LONGEST = 500
MAX_SEEDS = 100
SEED_PREFIX = "d"
ROOM_PREFIX = "r"
NEWEST_SHOWN = 5
"""Approved statements the projector lists, newest first."""
TOP_SHOWN = 3
"""Statements in each of the projector's 'most agreed' and 'most divided' lists."""
MIN_VOTES_RANKED = 2
"""A statement is ranked as agreed or divided only once this many took a side on it."""


@dataclass(frozen=True)
class RoundStatement:
    """One statement of a round: from the deck (`deck`) or written by a participant."""

    id: str
    text: str
    origin: str = DECK_ORIGIN
    status: str = APPROVED
    created_at: datetime | None = None
    author: int | None = None
    """The participant who wrote it: used only to tell them it is theirs, never shown."""

    @property
    def visible(self) -> bool:
        """Whether participants, the projector, the report and the analysis see it."""
        return self.status == APPROVED


@dataclass(frozen=True)
class RoundVote:
    """One participant's vote on one statement of a round (agree, disagree or pass)."""

    participant_id: int
    statement_id: str
    value: str
    updated_at: datetime | None = None


# --- the slide's settings ------------------------------------------------------------


def moderation(slide: Slide) -> str:
    return str(slide.extra.get("moderation", APPROVE_FIRST))


def takes_submissions(slide: Slide) -> bool:
    return bool(slide.extra.get("submissions", True))


def max_length(slide: Slide) -> int:
    return int(slide.extra.get("max_length", DEFAULT_LENGTH))


def seed_id(text: str) -> str:
    """A seed statement's id: `d` and 10 hex digits of the SHA-256 of its folded text."""
    digest = hashlib.sha256(" ".join(fold(text).split()).encode("utf-8")).hexdigest()
    return SEED_PREFIX + digest[:10]


def room_id(number: int) -> str:
    return f"{ROOM_PREFIX}{number}"


def room_number(statement_id: str) -> int | None:
    """The database number of a room statement's id (`r12` → 12); None for another id."""
    digits = statement_id.removeprefix(ROOM_PREFIX)
    if statement_id[:1] != ROOM_PREFIX or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits) if len(digits) < 19 else None


def seeds(slide: Slide) -> list[RoundStatement]:
    """The round's statements written in the deck, in deck order."""
    return [RoundStatement(seed_id(text), text) for text in slide.extra.get("seeds", ())]


class ConversationKind(KindDefaults):
    """A statement round: seed statements plus the room's own, voted one at a time."""

    name = NAME
    asks = True
    settings = frozenset({"moderation", "submissions", "max_length", "banned"})
    label = N_("Statement round")
    starter = N_(
        "# What should we do first?\nkind: conversation\nmoderation: approve-first\n\n"
        "Vote on the statements, or write one of your own.\n\n"
        "> A first statement the room votes on.\n> A second statement."
    )
    tally_source: TallySource = "round"
    same_for_every_phone = False
    feeds_opinions = True
    partials = frozenset({"phone", "projector", "remote", "report"})
    form_settings = (
        Setting(
            "moderation",
            N_("The room's statements"),
            "choice",
            default=APPROVE_FIRST,
            choices=(
                (APPROVE_FIRST, N_("approved by a facilitator first")),
                (SHOW_AT_ONCE, N_("shown at once")),
            ),
        ),
        Setting("submissions", N_("Participants may write statements"), "flag", default="yes"),
        Setting(
            "max_length",
            N_("Characters per statement"),
            "number",
            SHORTEST,
            LONGEST,
            str(DEFAULT_LENGTH),
        ),
        BANNED_SETTING,
    )

    def read(self, source: SlideSource) -> SlideContent:
        extra: dict[str, Any] = {}
        raw = source.settings.get("moderation")
        if raw is not None:
            chosen = raw.strip().lower()
            if chosen not in MODERATIONS:
                raise DeckSyntaxError(
                    source.setting_lines["moderation"].number,
                    N_("'moderation' must be %(moderations)s, not '%(value)s'"),
                    moderations=" or ".join(MODERATIONS),
                    value=raw.strip(),
                )
            if chosen != APPROVE_FIRST:
                extra["moderation"] = chosen
        if "submissions" in source.settings and not parse_flag(source, "submissions"):
            extra["submissions"] = False
        length = parse_int(source, "max_length", DEFAULT_LENGTH, SHORTEST, LONGEST)
        if length != DEFAULT_LENGTH:
            extra["max_length"] = length
        banned = read_banned(source)
        if banned:
            extra["banned"] = list(banned)
        prompt: list[str] = []
        found: list[str] = []
        taken: dict[str, int] = {}
        for line in source.body:
            text = line.text.rstrip()
            if not text.startswith(">"):
                prompt.append(text)
                continue
            statement = " ".join(text[1:].split())
            if not statement:
                raise DeckSyntaxError(line.number, N_("a seed statement after '>' is empty"))
            if len(statement) > LONGEST:
                raise DeckSyntaxError(
                    line.number, N_("a seed statement is at most %(most)s characters"), most=LONGEST
                )
            key = seed_id(statement)
            if key in taken:
                raise DeckSyntaxError(
                    line.number,
                    N_("this statement is already given on line %(number)s"),
                    number=taken[key],
                )
            taken[key] = line.number
            found.append(statement)
        if len(found) > MAX_SEEDS:
            raise DeckSyntaxError(
                source.heading.number, N_("at most %(most)s seed statements"), most=MAX_SEEDS
            )
        if not found and not takes_submissions(Slide("", NAME, "", extra=extra)):
            raise DeckSyntaxError(
                source.heading.number,
                N_("a statement round without 'submissions' needs seed statements ('> …' lines)"),
            )
        if found:
            extra["seeds"] = found
        body = "\n".join(prompt).strip("\n")
        return SlideContent(body=body, extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings: dict[str, str] = {}
        if moderation(slide) != APPROVE_FIRST:
            settings["moderation"] = moderation(slide)
        if not takes_submissions(slide):
            settings["submissions"] = "no"
        if max_length(slide) != DEFAULT_LENGTH:
            settings["max_length"] = str(max_length(slide))
        settings |= write_banned(slide.extra.get("banned", ()))
        lines = slide.body.split("\n") if slide.body else []
        written = [f"> {statement.text}" for statement in seeds(slide)]
        if lines and written:
            lines.append("")
        return settings, lines + written

    def validate(self, slide: Slide, value: object) -> Any:
        raise InvalidAnswer(
            N_(
                "A statement round is voted one statement at a time: PUT "
                "…/slides/{slide}/statements/{statement}/vote."
            )
        )

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        """The seed statements without votes (the round's votes are not slide answers)."""
        return round_tally(slide, seeds(slide), [])


KIND = ConversationKind()


# --- rules for what participants send ----------------------------------------------


def round_slide(deck: Deck, slide_id: str) -> Slide:
    """The statement round `slide_id`; UnknownSlide (404) for anything else."""
    slide = deck.slide(slide_id)
    if slide is None or slide.kind != NAME:
        raise UnknownSlide(
            N_("This session has no statement round '%(slide_id)s'."), slide_id=slide_id
        )
    return slide


def check_open(state: LiveState, slide: Slide) -> None:
    if slide.id not in state.open_slides:
        raise SlideNotOpen(N_("Voting on this statement round is closed."))


def accept_statement(deck: Deck, state: LiveState, slide_id: str, text: object) -> tuple[str, str]:
    """(text as stored, first status) of a participant's new statement, or why not."""
    slide = round_slide(deck, slide_id)
    if not takes_submissions(slide):
        raise SlideNotOpen(
            N_("On this statement round only the facilitator's statements are voted.")
        )
    check_open(state, slide)
    cleaned = clean_text(text, max_length=max_length(slide), what=N_("Your statement"), lines=False)
    try:
        refuse_banned(cleaned, slide.extra.get("banned", ()))
    except InvalidAnswer:
        raise InvalidAnswer(
            N_(
                "Your statement holds a word the facilitator does not allow here; please rephrase "
                "it."
            )
        ) from None
    status = APPROVED if moderation(slide) == SHOW_AT_ONCE else PENDING
    return cleaned, status


def accept_vote(
    deck: Deck, state: LiveState, slide_id: str, statement: RoundStatement | None, value: object
) -> str:
    """The vote to store, or why not: the round is open and the statement visible."""
    slide = round_slide(deck, slide_id)
    if value not in STANCES:
        raise InvalidAnswer(N_("Vote on a statement with 'agree', 'disagree' or 'pass'."))
    check_open(state, slide)
    if statement is None or not statement.visible:
        raise NotFound(N_("There is no such statement to vote on (it may have been hidden)."))
    return str(value)


def check_status(status: object) -> str:
    if status not in STATUSES:
        raise InvalidAnswer(
            N_("'status' must be one of %(statuses)s, not '%(status)s'."),
            statuses=", ".join(STATUSES),
            status=status,
        )
    return str(status)


# --- which statement a phone shows next --------------------------------------------


def _shuffle_key(seed: str, participant_id: int, statement_id: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{participant_id}\x1f{statement_id}".encode()).hexdigest()


def queue(
    statements: Iterable[RoundStatement],
    votes_per_statement: Mapping[str, int],
    voted: Iterable[str],
    participant_id: int,
    seed: str,
) -> list[RoundStatement]:
    """The visible statements this participant has not voted on, in the order offered:
    fewest votes first, ties in this participant's own (seeded) order."""
    done = set(voted)
    left = [s for s in statements if s.visible and s.id not in done]
    return sorted(
        left,
        key=lambda s: (
            votes_per_statement.get(s.id, 0),
            _shuffle_key(seed, participant_id, s.id),
        ),
    )


def next_statement(
    statements: Iterable[RoundStatement],
    votes_per_statement: Mapping[str, int],
    voted: Iterable[str],
    participant_id: int,
    seed: str,
) -> RoundStatement | None:
    """The one statement to offer this participant now, or None when none is left."""
    offered = queue(statements, votes_per_statement, voted, participant_id, seed)
    return offered[0] if offered else None


# --- the round's tally --------------------------------------------------------------


def _counts(votes: Iterable[RoundVote]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for vote in votes:
        if vote.value in VOTE_ENCODING:
            counts.setdefault(vote.statement_id, dict.fromkeys(STANCES, 0))[vote.value] += 1
    return counts


def agreement(agree: int, disagree: int, passes: int) -> float:
    """How much the room agrees, with pol.is' pseudocounts: (agree + 1) / (seen + 2)."""
    return (agree + 1) / (agree + disagree + passes + 2)


def division(agree: int, disagree: int, passes: int) -> float:
    """How evenly the room splits, 0–1: 1 when as many agree as disagree and nobody
    passes, lower as one side wins or as more pass."""
    sided = agree + disagree
    if sided == 0:
        return 0.0
    balance = 1 - abs(agree - disagree) / sided
    return balance * sided / (sided + passes)


def _newest_first(statement: RoundStatement) -> tuple[int, int, str]:
    number = room_number(statement.id)
    return (1 if statement.origin == ROOM_ORIGIN else 0, number or 0, statement.id)


def round_tally(
    slide: Slide, statements: Sequence[RoundStatement], votes: Iterable[RoundVote]
) -> Tally:
    """The round's result: each visible statement with its votes, the totals, and the
    statements the room agrees on most and is most divided on.

    Hidden and pending statements (and votes on them) are left out of everything but the
    counts `hidden` and `pending`; their text is for the moderation list only.
    """
    visible = [s for s in statements if s.visible]
    shown = {s.id for s in visible}
    kept = [v for v in votes if v.statement_id in shown and v.value in VOTE_ENCODING]
    counts = _counts(kept)
    empty = dict.fromkeys(STANCES, 0)
    entries: list[dict[str, Any]] = []
    for statement in visible:
        c = counts.get(statement.id, empty)
        seen = sum(c.values())
        entries.append(
            {
                "id": statement.id,
                "text": statement.text,
                "origin": statement.origin,
                **c,
                "votes": seen,
                "agree_share": percent(c["agree"], seen),
                "disagree_share": percent(c["disagree"], seen),
                "pass_share": percent(c["pass"], seen),
            }
        )
    ranked = [e for e in entries if e["agree"] + e["disagree"] >= MIN_VOTES_RANKED]
    agreed = sorted(
        (e for e in ranked if e["agree"] > e["disagree"]),
        key=lambda e: (-agreement(e["agree"], e["disagree"], e["pass"]), e["id"]),
    )
    divided = sorted(
        (e for e in ranked if e["agree"] and e["disagree"]),
        key=lambda e: (-division(e["agree"], e["disagree"], e["pass"]), -e["votes"], e["id"]),
    )
    newest = sorted((s for s in visible if s.origin == ROOM_ORIGIN), key=_newest_first)
    totals = dict.fromkeys(STANCES, 0)
    for vote in kept:
        totals[vote.value] += 1
    return Tally(
        slide_id=slide.id,
        kind=NAME,
        respondents=len({vote.participant_id for vote in kept}),
        counts=totals,
        extra={
            "statements": entries,
            "statement_count": len(entries),
            "votes": len(kept),
            "newest": [s.id for s in reversed(newest[-NEWEST_SHOWN:])],
            "most_agreed": [e["id"] for e in agreed[:TOP_SHOWN]],
            "most_divided": [e["id"] for e in divided[:TOP_SHOWN]],
            "pending": sum(1 for s in statements if s.status == PENDING),
            "hidden": sum(1 for s in statements if s.status == HIDDEN),
        },
    )


def opinion_columns(
    slide_id: str, statements: Iterable[RoundStatement], votes: Iterable[RoundVote]
) -> tuple[dict[str, str], list[tuple[int, str, int]]]:
    """The round's visible statements as opinion-map columns (`slide/statement` → text)
    and its votes on them as (participant, column, agree 1 / disagree -1 / pass 0)."""
    columns = {f"{slide_id}/{s.id}": s.text for s in statements if s.visible}
    cells = [
        (vote.participant_id, f"{slide_id}/{vote.statement_id}", VOTE_ENCODING[vote.value])
        for vote in votes
        if f"{slide_id}/{vote.statement_id}" in columns and vote.value in VOTE_ENCODING
    ]
    return columns, cells


@dataclass(frozen=True)
class RoundData:
    """One round's statements (seed and room, any status) and votes, for reports and
    exports: what is shown of them is decided by the statements' status."""

    slide_id: str
    statements: tuple[RoundStatement, ...]
    votes: tuple[RoundVote, ...]

    @property
    def visible(self) -> tuple[RoundStatement, ...]:
        return tuple(s for s in self.statements if s.visible)

    def visible_votes(self) -> tuple[RoundVote, ...]:
        """Votes on visible statements only (hidden statements are left out everywhere)."""
        shown = {s.id for s in self.visible}
        return tuple(v for v in self.votes if v.statement_id in shown)
