"""Benchmark: Denkdag's opinion analysis against red-dwarf on the same vote lists.

Run from the repository root::

    .venv/bin/python -m bench.analysis [--json bench/results/analysis.json] [--repeats 3]

Each size is a sparse, structured room: three latent opinion camps, every participant
voting on a random 20-30 % of the statements (a little noise, some passes). Both
implementations get the same vote list, alternate, run a few times each, and BLAS/OpenMP
are pinned to one thread. Times include building the matrix from the vote list.

With `--polis` it instead scores, on each shared pol.is conversation in tests/data/polis,
a one-shot analysis and a replay of votes.csv (`denkdag analyse --replay`) against the
groups pol.is assigned (adjusted Rand index), with free k and with pol.is' k.
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
POLIS = Path(__file__).resolve().parent.parent / "tests" / "data" / "polis"
POLIS_CASES = [  # (conversation, min_votes with pol.is' k: see test_analysis_polis_ari.py)
    ("15-per-hour-seattle", 7),
    ("brexit-consensus", 1),
    ("football-concussions", 1),
    ("scoop-hivemind.ubi", 1),
]


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


def _ari(polis_groups: dict[Any, int], result: Any) -> float:
    """Adjusted Rand index with pol.is' groups over the participants both clustered."""
    from sklearn.metrics import adjusted_rand_score

    ours = result.group_of() if result is not None else {}
    both = [p for p in polis_groups if p in ours]
    theirs = [polis_groups[p] for p in both]
    return float(adjusted_rand_score(theirs, [ours[p] for p in both]))


def polis_agreement(every: float) -> list[dict[str, Any]]:
    """One-shot against replayed groups, each scored against pol.is' own (ARI)."""
    import dataclasses

    from denkdag.analysis import DEFAULTS, OpinionMap, Settings
    from denkdag.analysis.replay import replay
    from denkdag.app.opinions import RoomVotes, recompute_room
    from denkdag.formats.polis import read_export, read_history

    rows: list[dict[str, Any]] = []
    for name, min_votes in POLIS_CASES:
        export = read_export(POLIS / name)
        history, rejected = read_history(POLIS / name)
        k = len(set(export.polis_groups.values()))
        fixed = dataclasses.replace(DEFAULTS, min_k=k, max_k=k, min_votes=min_votes)

        for label, chosen in (("free k", DEFAULTS), (f"k = {k}", fixed)):

            def step(
                matrix: VoteMatrix, previous: OpinionMap | None, chosen: Settings = chosen
            ) -> OpinionMap | None:
                statements = {str(s): "" for s in matrix.statement_ids}
                return recompute_room(
                    RoomVotes(matrix, statements),
                    previous,
                    lambda votes, before: compute(votes, before, chosen),
                )

            start = time.perf_counter()
            replayed = replay(history, step, every=every, excluded=rejected)
            seconds = time.perf_counter() - start
            row = {
                "conversation": name,
                "settings": label,
                "one_shot_ari": _ari(export.polis_groups, compute(export.votes, settings=chosen)),
                "replay_ari": _ari(export.polis_groups, replayed.final),
                "recomputes": len(replayed.steps),
                "replay_s": seconds,
            }
            rows.append(row)
            print(
                f"{name:22s} {label:7s} one-shot {row['one_shot_ari']:6.3f}  "
                f"replay {row['replay_ari']:6.3f}  ({row['recomputes']} recomputes, "
                f"{seconds:.1f} s)",
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--repeats", type=int, default=3, help="runs per implementation and size")
    parser.add_argument(
        "--polis", action="store_true", help="score one-shot and replay against pol.is instead"
    )
    parser.add_argument("--every", type=float, default=60.0, help="--polis: replay cadence (s)")
    args = parser.parse_args(argv)
    if args.polis:
        with threadpool_limits(limits=1):
            rows = polis_agreement(args.every)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"every": args.every, "results": rows}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
        return
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
