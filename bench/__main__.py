"""Denkdag's benchmark suite: `.venv/bin/python -m bench [--quick] [--phones N] [--analysis]`.

Every scenario runs Denkdag and a bare baseline of the same server stack (uvicorn on
asyncio: a raw ASGI endpoint, a raw SQLite insert endpoint, a raw SSE broadcaster; see
bench/baselines.py) in the same run, alternating, and reports the ratio, which holds on a
noisy machine where absolute figures do not. Servers run in their own processes; the load
(wrk, aiohttp) runs here. Prints a table and writes bench/results/bench.json.

    --quick        a short run (about a minute)
    --phones N     only the manual many-phones run: N streams on one Denkdag server
    --analysis     also run the opinion-analysis benchmark (bench/analysis.py)
    --only NAME    only the scenarios whose name starts with NAME (repeatable), e.g.
                   `--only ingest` (ingest, fan-out, burst, join, slide, two, exports, plenary,
                   startup)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import exports, plenary, scenarios, startup
from bench.scenarios import Context, Row

DEFAULT_JSON = Path("bench/results/bench.json")


def raise_open_files() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1_000_000
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def check_limits(phones: int, files: int) -> None:
    """Stop early, saying which setting to raise, when N phones cannot fit on this machine.

    Each stream is an open file in this process (the phone) and one in the server; and
    every stream from 127.0.0.1 to the server's one port takes a local port of its own.
    """
    needed = phones + 1000  # the voters, the database, the server's listening sockets
    if files < needed:
        raise SystemExit(
            f"--phones {phones} needs at least {needed} open files per process, and the hard "
            f"limit here is {files}: raise it (`ulimit -Hn {needed}` as root, or "
            "LimitNOFILE= in a systemd unit, or nofile in /etc/security/limits.conf)."
        )
    ports = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if ports.exists():
        low, high = (int(n) for n in ports.read_text().split())
        if high - low + 1 < needed:
            raise SystemExit(
                f"--phones {phones} needs {needed} local ports to one server port, and "
                f"net.ipv4.ip_local_port_range allows {high - low + 1}: widen it "
                f"(`sysctl -w net.ipv4.ip_local_port_range='1024 65000'`)."
            )


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def table(rows: list[Row]) -> str:
    header = ["scenario", "measure", "Denkdag", "baseline", "ratio", "target", "met"]
    lines = [header]
    for r in rows:
        unit = f" {r['unit']}" if r["unit"] else ""
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        lines.append(
            [
                r["scenario"],
                r["measure"],
                fmt(r["denkdag"]) + unit,
                fmt(r["baseline"]) + (unit if r["baseline"] is not None else ""),
                f"{r['ratio']:.2f}×" if r["ratio"] is not None else "",
                r["target"],
                met,
            ]
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        out.append(" | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(line)))
        if index == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


async def run(args: argparse.Namespace, directory: Path) -> list[Row]:
    quick = args.quick
    ctx = Context(
        directory=directory,
        quick=quick,
        rounds=args.rounds or (1 if quick else 3),
        wrk_seconds=2 if quick else 5,
        postgres_admin=os.environ.get(
            "DENKDAG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        redis_url=os.environ.get("DENKDAG_BENCH_REDIS", "redis://127.0.0.1:6379/0"),
    )
    rows: list[Row] = []
    if args.phones:
        print(f"manual run: {args.phones} phones on one server", flush=True)
        return await scenarios.fanout(ctx, args.phones, rounds=1, with_baseline=False)
    steps = [
        ("vote ingest", lambda: scenarios.ingest(ctx)),
        ("fan-out 1,000", lambda: scenarios.fanout(ctx, 1000, rounds=1 if quick else 2)),
        ("fan-out 5,000", lambda: scenarios.fanout(ctx, 1000 if quick else 5000, rounds=1)),
        ("burst", lambda: scenarios.burst(ctx, 500 if quick else 2000)),
        ("join storm", lambda: scenarios.join_storm(ctx, 500 if quick else 2000)),
        ("slide pages 1,000", lambda: scenarios.slide_pages(ctx, 300 if quick else 1000)),
        ("slide pages 5,000", lambda: scenarios.slide_pages(ctx, 5000)),
        ("two instances", lambda: scenarios.two_instances(ctx, 200 if quick else 1000)),
        ("exports under votes", lambda: exports.exports_under_votes(ctx)),
        ("plenary", lambda: plenary.plenary(ctx, 1000 if quick else 5000)),
        ("startup", lambda: asyncio.to_thread(startup.measure, 3 if quick else 7, directory)),
    ]
    if quick:
        steps = [s for s in steps if s[0] not in {"fan-out 5,000", "slide pages 5,000"}]
    if args.only:
        wanted = [name.lower() for name in args.only]
        steps = [s for s in steps if any(_key(s[0]).startswith(w) for w in wanted)]
        if not steps:
            raise SystemExit(f"--only {' '.join(args.only)} matches no scenario")
    for title, step in steps:
        started = time.monotonic()
        print(f"{title} …", flush=True)
        rows += await step()
        print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    return rows


def _key(title: str) -> str:
    """A scenario's name for --only: "vote ingest" → "ingest", "fan-out 1,000" → "fan-out"."""
    return title.removeprefix("vote ").lower()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--phones", type=int, default=0, help="manual run: N phones")
    parser.add_argument("--analysis", action="store_true", help="also bench/analysis.py")
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="only these scenarios"
    )
    parser.add_argument(
        "--rounds", type=int, default=0, help="alternating rounds per scenario (default 3)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    files = raise_open_files()
    if args.phones:
        check_limits(args.phones, files)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="denkdag-bench-") as tmp:
        rows = asyncio.run(run(args, Path(tmp)))
    elapsed = time.monotonic() - started
    print()
    print(table(rows))
    print(
        f"\n{len(rows)} measures in {elapsed:.0f} s on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), open files ≤ {files}"
    )
    document = {
        "command": "python -m bench"
        + (" --quick" if args.quick else "")
        + (f" --phones {args.phones}" if args.phones else "")
        + "".join(f" --only {name}" for name in args.only)
        + (f" --rounds {args.rounds}" if args.rounds else ""),
        "seconds": elapsed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "rows": rows,
    }
    if args.analysis:
        import subprocess
        import sys

        subprocess.run([sys.executable, "-m", "bench.analysis"], check=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
