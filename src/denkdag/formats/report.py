"""What a session's report shows, as plain values: results, participation, opinion map.

Built once from what the store holds (tallies, answers, join times) so that the HTML page,
the PDF, the spreadsheet and a comparison all show the same figures. Participants appear
only as pseudonyms (p1, p2 … in order of joining); no token, name or address is here.
An event report is a list of these, one per room.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from denkdag.analysis import GROUP_LABELS, OpinionMap, VoteMatrix, compute
from denkdag.domain.events import Event
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.statement import KIND as STATEMENT
from denkdag.domain.kinds.statement import VOTE_ENCODING
from denkdag.domain.kinds.statement_round import RoundData, RoundVote, opinion_columns
from denkdag.domain.model import Session, SessionInfo, Slide, StoredAnswer
from denkdag.domain.numbers import percent
from denkdag.domain.quiz import QuizResults
from denkdag.domain.tally import PRIVACY_FLOOR, Tally, shown_groups
from denkdag.formats.localised import DEFAULT_ZONE
from denkdag.formats.profile_report import ProfileReport

MIN_MAP_PARTICIPANTS = 2 * PRIVACY_FLOOR
"""Fewer voters than this cannot form two groups that may be shown, so no map is drawn."""
MIN_MAP_STATEMENTS = 2
TIMELINE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 240, 720, 1440)
"""Bucket widths (minutes) for the answers-over-time chart; the first giving ≤ 40 bars."""
MAX_TIMELINE_BARS = 40


@dataclass(frozen=True)
class SlideResult:
    """One slide with its position (1-based) and its tally."""

    slide: Slide
    position: int
    tally: Tally

    def percentage(self, key: str) -> int:
        """Whole percentage of respondents who chose `key` (rounded half up)."""
        return percent(self.tally.counts.get(key, 0), self.tally.respondents)


@dataclass(frozen=True)
class Timeline:
    """Answers (and joins) per time bucket, from `start`, each `minutes` wide (UTC)."""

    start: datetime
    minutes: int
    answers: tuple[int, ...]
    joins: tuple[int, ...]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes * len(self.answers))

    @property
    def peak(self) -> int:
        return max((*self.answers, *self.joins, 1))


@dataclass(frozen=True)
class Participation:
    """How many joined, how many answered anything, and when."""

    joined: int
    answered: int
    """Participants with at least one answer."""
    timeline: Timeline | None
    """None when nobody answered or joined."""


@dataclass(frozen=True)
class StatementShare:
    """A statement an opinion group (or the room) agrees or disagrees with, and how much."""

    slide: Slide
    position: int
    direction: str
    """agree or disagree"""
    share: int
    """Whole percentage of those who saw it (voted on it) that voted `direction`."""
    voters: int


@dataclass(frozen=True)
class OpinionGroup:
    number: int
    """1-based among the shown groups (the report's own columns and colours)."""
    size: int
    representative: tuple[StatementShare, ...]
    label: str = ""
    """The group's name as the room saw it on the projector and phones (A, B …)."""
    best_agree: StatementShare | None = None
    """pol.is' best-agree statement: what the group agrees with that best sets it apart."""
    colour: int = 0
    """The room's colour of the group: its index on the map, plus one (0: no group)."""


@dataclass(frozen=True)
class MapPoint:
    """A participant on the map, scaled to 0..100 both ways; group 0 when not shown."""

    x: float
    y: float
    group: int


@dataclass(frozen=True)
class OpinionSummary:
    """The opinion map of a session's statement votes, or why there is none."""

    voters: int
    statements: int
    drawn: bool
    points: tuple[MapPoint, ...] = ()
    groups: tuple[OpinionGroup, ...] = ()
    hidden: int = 0
    """Participants in groups under the privacy floor, drawn without a group."""
    consensus: tuple[StatementShare, ...] = ()
    members: Mapping[int, int] = field(default_factory=dict)
    """Participant id → the group number they are drawn in (0: without a group), for the
    profile breakdown of the map (formats/profile_report.py); never shown as such."""

    def colour_of(self, number: int) -> int:
        """The room's colour (OpinionGroup.colour) of the shown group `number` (0: none)."""
        return next((g.colour for g in self.groups if g.number == number), 0)


@dataclass(frozen=True)
class Report:
    """Everything a session's report shows."""

    code: str
    info: SessionInfo
    slides: tuple[SlideResult, ...]
    participation: Participation
    opinion: OpinionSummary | None
    """None when the session has no statements."""
    answers: tuple[StoredAnswer, ...]
    pseudonyms: Mapping[int, str]
    generated_at: datetime
    round_votes: tuple[tuple[str, RoundVote], ...] = ()
    """(slide id, vote) of every statement round's votes on its visible statements."""
    profiles: ProfileReport | None = None
    """Breakdowns by the deck's profile questions (None when it asks none)."""
    hidden_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Slide id → the word-cloud words its facilitator hid (keys): the tallies already
    leave them out; the spreadsheet's Answers sheet marks the answers holding them."""
    event: Event | None = None
    """The event the session is a room of: its colours and logo brand the report (None: a
    standalone session, branded in the house colours)."""
    zone: str = DEFAULT_ZONE
    """The time zone the report shows moments in (the instance's `time_zone`)."""
    moderated_votes: tuple[tuple[str, RoundVote, str], ...] = ()
    """(slide id, vote, statement) of the votes on statements hidden or waiting for
    approval: left out of the report, kept (marked hidden) in the spreadsheet's Answers."""
    quiz: QuizResults | None = None
    """The quiz's share right per question and final ranking (None without a quiz)."""

    @property
    def title(self) -> str:
        return self.info.title

    def slide_result(self, slide_id: str) -> SlideResult | None:
        return next((r for r in self.slides if r.slide.id == slide_id), None)


def pseudonyms(participant_ids: Iterable[int]) -> dict[int, str]:
    """p1, p2 … in order of joining (participant ids grow as people join)."""
    return {pid: f"p{index}" for index, pid in enumerate(sorted(set(participant_ids)), 1)}


def build_report(
    session: Session,
    tallies: Sequence[Tally],
    answers: Sequence[StoredAnswer],
    join_times: Sequence[datetime],
    now: datetime | None = None,
    rounds: Sequence[RoundData] = (),
    live: tuple[OpinionMap, str] | None = None,
) -> Report:
    """The report of a session: CPU work (the opinion map), so callers run it in a thread.

    `rounds` are the statement rounds' statements and votes: votes on visible statements
    count as participation and feed the opinion map; hidden statements are left out.
    `live` is the last live opinion map and the fingerprint of its votes (opinions.py):
    the report shows the groups the room saw (see `opinion_summary`)."""
    slides = tuple(
        SlideResult(slide, position, tally)
        for position, (slide, tally) in enumerate(zip(session.deck.slides, tallies, strict=True), 1)
    )
    known = {slide.id for slide in session.deck.slides}
    kept = tuple(a for a in answers if a.slide_id in known)
    round_votes = tuple(
        (data.slide_id, vote)
        for data in rounds
        if data.slide_id in known
        for vote in data.visible_votes()
    )
    voters = {a.participant_id for a in kept} | {vote.participant_id for _, vote in round_votes}
    moments = [a.updated_at for a in kept] + [v.updated_at for _, v in round_votes if v.updated_at]
    participation = Participation(
        joined=len(join_times),
        answered=len(voters),
        timeline=timeline(moments, join_times),
    )
    return Report(
        code=session.code,
        info=session.deck.info,
        slides=slides,
        participation=participation,
        opinion=opinion_summary(slides, kept, rounds, live),
        answers=kept,
        pseudonyms=pseudonyms(voters),
        generated_at=now or datetime.now(UTC),
        round_votes=round_votes,
    )


def with_moderation(
    report: Report, rounds: Sequence[RoundData], hidden_words: Mapping[str, frozenset[str]]
) -> Report:
    """`report` with what its facilitator moderated out, for the exports that keep it
    marked: the hidden words, the votes on statements not shown (their voters get
    pseudonyms too, numbered with the others in order of joining)."""
    known = {result.slide.id for result in report.slides}
    moderated: list[tuple[str, RoundVote, str]] = []
    for data in rounds:
        if data.slide_id not in known:
            continue
        unseen = {s.id: s.text for s in data.statements if not s.visible}
        moderated += [
            (data.slide_id, vote, unseen[vote.statement_id])
            for vote in data.votes
            if vote.statement_id in unseen
        ]
    voters = set(report.pseudonyms) | {vote.participant_id for _, vote, _ in moderated}
    return replace(
        report,
        hidden_words=dict(hidden_words),
        moderated_votes=tuple(moderated),
        pseudonyms=pseudonyms(voters),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timeline(answer_times: Sequence[datetime], join_times: Sequence[datetime]) -> Timeline | None:
    """Answers and joins per bucket; bucket width the smallest step giving ≤ 40 bars."""
    moments = [_utc(t) for t in (*answer_times, *join_times)]
    if not moments:
        return None
    first, last = min(moments), max(moments)
    span = (last - first).total_seconds() / 60
    minutes = next(
        (step for step in TIMELINE_STEPS if span / step < MAX_TIMELINE_BARS), TIMELINE_STEPS[-1]
    )
    start = first.replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % minutes if minutes < 60 else start.minute)
    width = timedelta(minutes=minutes)
    bars = int((last - start) / width) + 1

    def count(times: Sequence[datetime]) -> tuple[int, ...]:
        buckets = [0] * bars
        for moment in times:
            buckets[min(int((_utc(moment) - start) / width), bars - 1)] += 1
        return tuple(buckets)

    return Timeline(start, minutes, count(answer_times), count(join_times))


def _share(
    slide_result: SlideResult, direction: str, successes: int, trials: int
) -> StatementShare:
    share = percent(successes, trials)
    return StatementShare(slide_result.slide, slide_result.position, direction, share, trials)


def _best_agree(
    result: OpinionMap, group: int, statements: Mapping[str, SlideResult]
) -> StatementShare | None:
    best = result.best_agree[group] if group < len(result.best_agree) else None
    if best is None or str(best.statement_id) not in statements:
        return None
    return _share(statements[str(best.statement_id)], "agree", best.n_success, best.n_trials)


def opinion_summary(
    slides: Sequence[SlideResult],
    answers: Sequence[StoredAnswer],
    rounds: Sequence[RoundData] = (),
    live: tuple[OpinionMap, str] | None = None,
) -> OpinionSummary | None:
    """The opinion map from statement votes; groups under five are not shown as groups.

    A statement round's visible statements are columns like statement slides, each shown
    as a statement of the round's slide. `live` (the last live map, the fingerprint of its
    votes): taken as it is when computed from these very votes, so the report shows the
    room's groups; otherwise (votes since) recomputed with it as `previous`, which keeps
    its group identities."""
    statements = {
        r.slide.id: r
        for r in slides
        if kind_of(r.slide.kind).feeds_opinions and kind_of(r.slide.kind).rows == "stances"
    }
    votes = [
        (a.participant_id, a.slide_id, VOTE_ENCODING[a.value])
        for a in answers
        if a.slide_id in statements and a.value in VOTE_ENCODING
    ]
    by_id = {r.slide.id: r for r in slides}
    for data in rounds:
        host = by_id.get(data.slide_id)
        if host is None:
            continue
        columns, cells = opinion_columns(data.slide_id, data.statements, data.votes)
        for column, text in columns.items():
            shown = Slide(id=column, kind=STATEMENT.name, title=host.slide.title, statement=text)
            statements[column] = SlideResult(shown, host.position, host.tally)
        votes += cells
    if not statements:
        return None
    voters = len({pid for pid, _, _ in votes})
    if voters < MIN_MAP_PARTICIPANTS or len(statements) < MIN_MAP_STATEMENTS:
        return OpinionSummary(voters=voters, statements=len(statements), drawn=False)
    matrix = VoteMatrix.from_votes(votes)
    if live is not None and live[1] == matrix.fingerprint():
        result = live[0]
    else:
        result = compute(matrix, live[0] if live is not None else None)
    sizes = {str(g): size for g, size in enumerate(result.group_sizes)}
    visible = sorted(int(g) for g in shown_groups(sizes))
    number = {g: index for index, g in enumerate(visible, 1)}
    coordinates = result.coordinates.tolist()
    xs = [x for x, _ in coordinates] or [0.0]
    ys = [y for _, y in coordinates] or [0.0]

    def scale(value: float, low: float, high: float) -> float:
        return 50.0 if high - low < 1e-12 else 5 + 90 * (value - low) / (high - low)

    points = tuple(
        MapPoint(
            round(scale(x, min(xs), max(xs)), 2),
            round(100 - scale(y, min(ys), max(ys)), 2),
            number.get(int(g), 0),
        )
        for (x, y), g in zip(coordinates, result.groups.tolist(), strict=True)
        if g >= 0
    )
    groups = tuple(
        OpinionGroup(
            number[g],
            result.group_sizes[g],
            tuple(
                _share(
                    statements[str(rep.statement_id)], rep.direction, rep.n_success, rep.n_trials
                )
                for rep in result.representative[g]
            ),
            label=GROUP_LABELS[g],
            colour=g + 1,
            best_agree=_best_agree(result, g, statements),
        )
        for g in visible
    )
    consensus = tuple(
        _share(statements[str(c.statement_id)], c.direction, c.n_success, c.n_trials)
        for c in result.consensus
    )
    return OpinionSummary(
        voters=voters,
        statements=len(statements),
        drawn=True,
        points=points,
        groups=groups,
        hidden=sum(1 for p in points if p.group == 0),
        consensus=consensus,
        members={
            int(pid): number.get(int(g), 0)
            for pid, g in zip(result.participant_ids, result.groups.tolist(), strict=True)
            if g >= 0
        },
    )
