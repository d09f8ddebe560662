"""Benchmark: Denkdag's opinion analysis against red-dwarf on the same vote lists.

Run from the repository root::

    .venv/bin/python -m bench.analysis [--json bench/results/analysis.json] [--repeats 3]

Each size is a sparse, structured room: three latent opinion camps, every participant
voting on a random 20-30 % of the statements (a little noise, some passes). Both
implementations get the same vote list, alternate, run a few times each, and BLAS/OpenMP
are pinned to one thread. Times include building the matrix from the vote list.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from denkdag.analysis import VoteMatrix, compute

SIZES = [(1_000, 100), (5_000, 500), (20_000, 1_000)]
DEFAULT_JSON = Path("bench/results/analysis.json")


def make_votes(
    n_participants: int, n_statements: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(participant, statement, vote) columns for a three-camp room."""
    rng = np.random.default_rng(seed)
    opinions = rng.choice([-1, 1], size=(3, n_statements))
    camp = rng.integers(0, 3, n_participants)
    density = rng.uniform(0.2, 0.3, n_participants)
    voted = rng.random((n_participants, n_statements)) < density[:, None]
    rows, cols = np.nonzero(voted)
    votes = opinions[camp[rows], cols]
    noise = rng.random(rows.size)
    votes = np.where(noise < 0.1, 0, votes)  # passes
    votes = np.where((noise >= 0.1) & (noise < 0.2), -votes, votes)  # dissent
    return rows.astype(np.int64), cols.astype(np.int64), votes.astype(np.int64)


def run_denkdag(rows: np.ndarray, cols: np.ndarray, votes: np.ndarray) -> int:
    result = compute(VoteMatrix.from_arrays(rows, cols, votes))
    return result.k


def red_dwarf_runner() -> Callable[[list[dict[str, int]]], int] | None:
    try:
        from reddwarf.implementations.polis import run_pipeline
    except ImportError:
        return None

    def run(vote_dicts: list[dict[str, int]]) -> int:
        result = run_pipeline(votes=vote_dicts, random_state=0)
        return len(set(result.participants_df["cluster_id"].dropna()))

    return run


def timed(fn: Callable[..., int], *args: Any) -> tuple[float, int]:
    start = time.perf_counter()
    k = fn(*args)
    return time.perf_counter() - start, k


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--repeats", type=int, default=3, help="runs per implementation and size")
    args = parser.parse_args(argv)
    red_dwarf = red_dwarf_runner()
    if red_dwarf is None:
        print("red-dwarf is not importable (pip install red-dwarf): timing Denkdag alone.")

    results: list[dict[str, Any]] = []
    with threadpool_limits(limits=1):
        for n, m in SIZES:
            rows, cols, votes = make_votes(n, m)
            vote_dicts = (
                [
                    {
                        "participant_id": int(p),
                        "statement_id": int(s),
                        "vote": int(v),
                        "modified": i,
                    }
                    for i, (p, s, v) in enumerate(zip(rows, cols, votes, strict=True))
                ]
                if red_dwarf is not None
                else []
            )
            ours: list[float] = []
            theirs: list[float] = []
            k_ours = k_theirs = 0
            run_denkdag(rows[:1000], cols[:1000], votes[:1000])  # warm-up imports
            for _ in range(args.repeats):
                seconds, k_ours = timed(run_denkdag, rows, cols, votes)
                ours.append(seconds)
                if red_dwarf is not None:
                    seconds, k_theirs = timed(red_dwarf, vote_dicts)
                    theirs.append(seconds)
            row: dict[str, Any] = {
                "participants": n,
                "statements": m,
                "votes": int(votes.size),
                "denkdag_s": min(ours),
                "denkdag_runs": ours,
                "denkdag_k": k_ours,
            }
            if theirs:
                row |= {
                    "red_dwarf_s": min(theirs),
                    "red_dwarf_runs": theirs,
                    "red_dwarf_k": k_theirs,
                    "ratio": min(ours) / min(theirs),
                }
            results.append(row)
            _print_row(row)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "threads": 1}
    payload = {"meta": meta, "repeats": args.repeats, "results": results}
    args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


def _print_row(row: dict[str, Any]) -> None:
    size = f"{row['participants']:>6,} x {row['statements']:<5,}"
    ours = f"{row['denkdag_s']:8.3f}"
    if "red_dwarf_s" in row:
        theirs = f"{row['red_dwarf_s']:8.3f}"
        ks = f"k {row['denkdag_k']} / {row['red_dwarf_k']}"
        print(f"{size}  denkdag {ours} s  red-dwarf {theirs} s  ratio {row['ratio']:.3f}  ({ks})")
    else:
        print(f"{size}  denkdag {ours} s  (k {row['denkdag_k']})")


if __name__ == "__main__":
    main()
