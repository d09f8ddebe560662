"""Shared helpers for the analysis tests: real pol.is data and synthetic rooms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from denkdag.analysis import Id, VoteMatrix

POLIS_DATA = Path(__file__).resolve().parent.parent / "data" / "polis"


def structured_votes(
    seed: int,
    n_participants: int = 60,
    n_statements: int = 12,
    n_groups: int = 3,
    density: float = 0.7,
    noise: float = 0.05,
) -> tuple[list[tuple[Id, Id, int]], dict[Id, int]]:
    """A room with `n_groups` clear opinion camps; returns triples and true camps."""
    rng = np.random.default_rng(seed)
    # Camp g disagrees with camp 0 on a window of half the statements, the windows shifted
    # evenly, so any two camps differ on a fair share of them (three camps: on half each).
    # Independent random flips could leave two "camps" one statement apart.
    opinions = np.tile(rng.choice([-1, 1], size=n_statements), (n_groups, 1))
    order = rng.permutation(n_statements)
    half = n_statements // 2
    for g in range(1, n_groups):
        start = (g - 1) * half // (n_groups - 1)
        flip = order[start : start + half]
        opinions[g, flip] = -opinions[0, flip]
    triples: list[tuple[Id, Id, int]] = []
    truth: dict[Id, int] = {}
    for p in range(n_participants):
        camp = p % n_groups
        truth[f"p{p}"] = camp
        seen = rng.random(n_statements) < density
        seen[rng.integers(n_statements)] = True
        for s in np.flatnonzero(seen):
            vote = int(opinions[camp, s])
            if rng.random() < noise:
                vote = int(rng.choice([-1, 0, 1]))
            triples.append((f"p{p}", f"s{s}", vote))
    return triples, truth


Room = tuple[list[tuple[Id, Id, int]], dict[Id, int]]


@pytest.fixture(scope="session")
def polis_data() -> Path:
    """Folder with the copied pol.is conversations."""
    return POLIS_DATA


@pytest.fixture(scope="session")
def make_room() -> Callable[..., Room]:
    """`structured_votes`, for tests (session scope so hypothesis tests can use it)."""
    return structured_votes


@pytest.fixture
def room() -> VoteMatrix:
    triples, _ = structured_votes(1)
    return VoteMatrix.from_votes(triples)
