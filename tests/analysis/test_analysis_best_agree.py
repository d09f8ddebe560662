"""pol.is' best-agree statement per group, checked against red-dwarf's reading of pol.is."""

from __future__ import annotations

from pathlib import Path

import pytest

from denkdag.analysis import VoteMatrix, compute
from denkdag.formats.polis import read_export

POLIS_DATA = Path(__file__).resolve().parent.parent / "data" / "polis"
CONVERSATIONS = [
    "15-per-hour-seattle",
    "brexit-consensus",
    "football-concussions",
    "scoop-hivemind.ubi",
]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_best_agree_is_red_dwarfs_for_the_same_groups(name: str) -> None:
    """red-dwarf (a Python port of pol.is' math) picks the same statement per group."""
    pd = pytest.importorskip("pandas")
    stats = pytest.importorskip("reddwarf.utils.stats")
    votes = read_export(POLIS_DATA / name).votes
    result = compute(votes)
    members = result.included
    matrix = pd.DataFrame(
        votes.dense()[members],
        index=[p for p, inside in zip(votes.participant_ids, members, strict=True) if inside],
        columns=list(votes.statement_ids),
    )
    grouped, _ = stats.calculate_comment_statistics_dataframes(matrix, result.groups[members])
    chosen = stats.select_representative_statements(
        grouped, mod_out_statement_ids=list(votes.excluded)
    )
    theirs = [
        next((s["tid"] for s in chosen[g] if s.get("best-agree")), None) for g in sorted(chosen)
    ]
    ours = [b.statement_id if b is not None else None for b in result.best_agree]
    assert ours == theirs
    assert all(b is not None and b.direction == "agree" for b in result.best_agree)


def test_best_agree_needs_two_groups_and_an_agreeing_vote() -> None:
    everyone_agrees = VoteMatrix.from_votes((p, s, 1) for p in range(20) for s in range(5))
    assert compute(everyone_agrees).best_agree == (None,)
    camps = [
        (p, s, (1 if p < 10 else -1) * (1 if s < 3 else -1)) for p in range(20) for s in range(6)
    ]
    result = compute(VoteMatrix.from_votes(camps))
    assert result.k == 2
    for group, best in enumerate(result.best_agree):
        assert best is not None
        members = [p for p, g in result.group_of().items() if g == group]
        # Every member agreed with it; nobody outside the group did.
        agreed = {p for p, s, v in camps if s == best.statement_id and v == 1}
        assert agreed == set(members)
        assert best.n_success == best.n_trials == len(members)
