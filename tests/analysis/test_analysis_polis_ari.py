"""Denkdag's groups against the groups pol.is itself assigned, on real conversations.

Agreement is the adjusted Rand index over the participants both clustered, with the same
number of groups as pol.is. See docs/analysis.md for why the thresholds differ.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from denkdag.analysis import DEFAULTS, compute
from denkdag.app.opinions import replay_room
from denkdag.formats.polis import read_export, read_history

# (conversation, min_votes, lowest accepted ARI). Measured: 0.884, 0.901, 0.638, 0.217.
# Football's base clusters are the least-inertia of five seeded k-means++ starts; a single
# start scored 0.58 to 0.74 depending on the seed alone, five score 0.64 to 0.68.
# The groups do not depend on the order of participants or statements. What keeps the
# last three near or under 0.9 is measured in test_analysis_polis_ceiling.py: even a rule
# fitted to pol.is' own labels on the final map reaches only 0.90 (brexit), 0.90
# (football) and 0.41 (scoop); seattle's groups are a clean straight cut of the map, and
# ours is a neighbouring cut of almost the same inertia (docs/analysis.md).
CASES = [
    # pol.is clustered exactly the participants with >= 7 votes here.
    ("15-per-hour-seattle", 7, 0.88),
    # These exports cluster people with fewer than 7 votes too (pol.is' "once in, always
    # in": football everyone who came before 2018, brexit early greedy top-ups, scoop all),
    # so we include everyone who voted, like the export did.
    ("brexit-consensus", 1, 0.9),
    ("football-concussions", 1, 0.6),
    # pol.is' four groups here follow *which* statements people voted on, not how they
    # voted; a missingness-neutral projection cannot reproduce that (docs/analysis.md).
    ("scoop-hivemind.ubi", 1, 0.21),
]


@pytest.mark.parametrize(("name", "min_votes", "threshold"), CASES)
def test_groups_match_polis(polis_data: Path, name: str, min_votes: int, threshold: float) -> None:
    export = read_export(polis_data / name)
    k = len(set(export.polis_groups.values()))
    settings = dataclasses.replace(DEFAULTS, min_k=k, max_k=k, min_votes=min_votes)
    result = compute(export.votes, settings=settings)
    ours = result.group_of()
    both = [p for p in export.polis_groups if p in ours]
    assert result.k == k
    assert len(both) >= 0.9 * len(export.polis_groups)
    ari = adjusted_rand_score([export.polis_groups[p] for p in both], [ours[p] for p in both])
    assert ari >= threshold


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus"])
def test_default_settings_choose_polis_k(polis_data: Path, name: str) -> None:
    export = read_export(polis_data / name)
    result = compute(export.votes)
    assert result.k == len(set(export.polis_groups.values()))
    assert all(len(group) >= 1 for group in result.representative)


# (conversation, lowest accepted ARI of the replayed groups, default settings). Measured
# with a recompute every 60 s of votes: 0.884 (one-shot 0.884) and 0.878 (one-shot 0.876).
# docs/analysis.md has the table for all four, with pol.is' k too.
REPLAY_CASES = [("15-per-hour-seattle", 0.88), ("brexit-consensus", 0.87)]


@pytest.mark.parametrize(("name", "threshold"), REPLAY_CASES)
def test_replayed_groups_match_polis(polis_data: Path, name: str, threshold: float) -> None:
    export = read_export(polis_data / name)
    history, rejected = read_history(polis_data / name)
    replayed = replay_room(history, excluded=rejected)
    final = replayed.final
    assert final is not None
    assert final.k == len(set(export.polis_groups.values()))
    ours = final.group_of()
    both = [p for p in export.polis_groups if p in ours]
    assert len(both) >= 0.9 * len(export.polis_groups)
    ari = adjusted_rand_score([export.polis_groups[p] for p in both], [ours[p] for p in both])
    assert ari >= threshold
