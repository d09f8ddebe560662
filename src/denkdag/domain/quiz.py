"""The quiz's rules: points for a right answer, the standings, teams and nicknames.

Pure, and given every time it needs (a question's start, each answer's time), so the
rules are tested without a clock.

Points (as Kahoot scores): a right answer given `elapsed` seconds after the question
started, with `limit` seconds to answer and `points` at stake, earns

    round(points × (1 − elapsed / (2 × limit)))

so an instant answer earns all the points, one at the last moment half of them, and
every second costs the same. A wrong answer, no answer, or an answer after the deadline
earns nothing (the server refuses a late answer anyway, as on a closed slide: this rule
keeps a late one that slipped through from scoring). Time is the server's: a question
starts when its countdown starts (`Countdown.ends_at − duration`) and an answer counts at
the moment it was last stored; a changed answer counts at its change. Time added to a
running countdown ("+30 s") lengthens `limit`; a countdown paused and resumed starts
later by the pause, and an answer from before the pause counts as instant.

Several right options: see `domain/kinds/quiz.py` (`is_right`).

Standings: most points first; equal points are ordered by total answer time (the sum of
the seconds taken on every answered quiz question, right or wrong: quicker first); still
equal, they share the rank (1, 2, 2, 4) and are listed by nickname. Only participants
with a nickname are on the leaderboard; the others answer anonymously and appear nowhere.

Teams: the players grouped (by the rooms of an event, or a profile question's groups);
a team's score is its players' average, rounded; a group of fewer than five players is
not shown on its own (`shown_groups`, the anonymity rule of every breakdown).

Nicknames: one line, 1 to `MAX_NICKNAME` characters, no control characters, none of the
session's banned words, unique in the session regardless of case and accents (`fold`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from denkdag.domain.errors import N_, DomainError, InvalidAnswer
from denkdag.domain.kinds.participant_text import clean_text, fold, refuse_banned
from denkdag.domain.kinds.quiz import correct_options, is_right, points_of
from denkdag.domain.model import Countdown, Slide
from denkdag.domain.numbers import percent
from denkdag.domain.tally import shown_groups

MAX_NICKNAME = 24
TOP = 10
"""Players the projector's leaderboard shows."""


class NicknameTaken(DomainError):
    """Another participant of the session has this nickname (409)."""


def score(points: int, elapsed: float, limit: float, right: bool) -> int:
    """What one answer earns (see the module's rule)."""
    if not right or limit <= 0 or elapsed > limit:
        return 0
    taken = max(0.0, elapsed)
    return round(points * (1 - taken / (2 * limit)))


def started_at(countdown: Countdown | None) -> float | None:
    """When a quiz question's countdown started (server clock), or None when it never
    ran or is paused."""
    if countdown is None or countdown.ends_at is None:
        return None
    return countdown.ends_at - countdown.duration


@dataclass(frozen=True)
class Timed:
    """One participant's stored answer to a quiz question, with when it was stored."""

    participant_id: int
    value: object
    at: float
    """Seconds since the epoch (server clock)."""


@dataclass(frozen=True)
class Scored:
    """One answer to a quiz question as scored."""

    participant_id: int
    right: bool
    points: int
    elapsed: float


def score_question(
    slide: Slide, countdown: Countdown | None, answers: Iterable[Timed]
) -> list[Scored]:
    """Every answer to one quiz question, scored. A question whose countdown never ran
    (or is paused) has no start: its right answers count as given at the deadline."""
    start = started_at(countdown)
    limit = float(countdown.duration if countdown else slide.extra.get("timer", 0) or 0)
    scored = []
    for answer in answers:
        right = is_right(slide, answer.value)
        elapsed = limit if start is None else max(0.0, answer.at - start)
        scored.append(
            Scored(
                answer.participant_id,
                right,
                score(points_of(slide), elapsed, limit, right),
                elapsed,
            )
        )
    return scored


@dataclass(frozen=True)
class Standing:
    """A player's place: nickname, points, rank (shared on a full tie), answer time."""

    participant_id: int
    nickname: str
    points: int
    rank: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"nickname": self.nickname, "points": self.points, "rank": self.rank}


def standings(
    questions: Sequence[Sequence[Scored]], nicknames: Mapping[int, str]
) -> list[Standing]:
    """The leaderboard: every participant with a nickname, best first (see the module)."""
    points = {pid: 0 for pid in nicknames}
    seconds = {pid: 0.0 for pid in nicknames}
    for question in questions:
        for answer in question:
            if answer.participant_id in points:
                points[answer.participant_id] += answer.points
                seconds[answer.participant_id] += answer.elapsed
    order = sorted(
        nicknames,
        key=lambda pid: (-points[pid], round(seconds[pid], 3), fold(nicknames[pid]), pid),
    )
    ranked: list[Standing] = []
    for place, pid in enumerate(order, start=1):
        previous = ranked[-1] if ranked else None
        tied = (
            previous is not None
            and previous.points == points[pid]
            and round(previous.seconds, 3) == round(seconds[pid], 3)
        )
        rank = previous.rank if tied and previous else place
        ranked.append(Standing(pid, nicknames[pid], points[pid], rank, seconds[pid]))
    return ranked


@dataclass(frozen=True)
class TeamStanding:
    """A team's place: its name, its players' average points, how many played, rank."""

    team: str
    points: int
    players: int
    rank: int

    def as_dict(self) -> dict[str, object]:
        return {
            "team": self.team,
            "points": self.points,
            "players": self.players,
            "rank": self.rank,
        }


def team_standings(players: Iterable[Standing], team_of: Mapping[int, str]) -> list[TeamStanding]:
    """Teams by their players' average points, best first; a team of fewer than five
    players (or one whose absence would reveal another's) is left out."""
    members: dict[str, list[int]] = {}
    for player in players:
        team = team_of.get(player.participant_id)
        if team:
            members.setdefault(team, []).append(player.points)
    shown = shown_groups({team: len(points) for team, points in members.items()})
    averages = {team: round(sum(members[team]) / len(members[team])) for team in shown}
    order = sorted(averages, key=lambda team: (-averages[team], fold(team)))
    ranked: list[TeamStanding] = []
    for place, team in enumerate(order, start=1):
        previous = ranked[-1] if ranked else None
        rank = previous.rank if previous and previous.points == averages[team] else place
        ranked.append(TeamStanding(team, averages[team], len(members[team]), rank))
    return ranked


@dataclass(frozen=True)
class QuestionSummary:
    """One quiz question in a report: how many answered, how many right, the share."""

    slide_id: str
    title: str
    correct: tuple[str, ...]
    answered: int
    right: int

    @property
    def share(self) -> int:
        """Whole percentage of the answers that were right (half up)."""
        return percent(self.right, self.answered)


def summarise(slide: Slide, scored: Sequence[Scored]) -> QuestionSummary:
    return QuestionSummary(
        slide.id,
        slide.title,
        correct_options(slide),
        len(scored),
        sum(1 for answer in scored if answer.right),
    )


def clean_nickname(value: object, banned: Iterable[str]) -> str:
    """The nickname as stored; InvalidAnswer (422) says what is wrong."""
    text = clean_text(value, max_length=MAX_NICKNAME, what=N_("Your nickname"), lines=False)
    try:
        refuse_banned(text, banned)
    except InvalidAnswer:
        raise InvalidAnswer(
            N_("Your nickname holds a word the facilitator does not allow; choose another.")
        ) from None
    return text


def nickname_key(nickname: str) -> str:
    """What makes two nicknames the same: case, accents and spacing folded."""
    return " ".join(fold(nickname).split())


@dataclass(frozen=True)
class QuizResults:
    """The quiz of a session for its report and exports: each question's share right,
    and the final ranking by nickname (never linked to the answers' pseudonyms)."""

    questions: tuple[QuestionSummary, ...]
    ranking: tuple[Standing, ...]
