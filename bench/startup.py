"""How fast Denkdag starts: `python -m bench.startup [--rounds N]` (or `python -m bench --only
startup`).

A command line that spends seconds importing the web server, the database layer, numpy
and WeasyPrint before it prints `--help` feels broken, and a `denkdag serve` that takes ten
seconds to answer slows every restart and deploy. Measured here, each against the floor
of the same machine at the same moment (`python -c pass`), so the ratio holds on a busy
machine where the seconds do not:

- `python -c pass`: the interpreter alone;
- a bare Typer app's `--help` and one of its commands' `--help` (plain help, as
  Denkdag's): the floor of the CLI library itself, which no lazy import can go below;
- `denkdag --help` and `denkdag analyse --help`: the command line's start (imports only);
- `denkdag serve`: from the process's start to its first answered request (`GET /`), on a
  new SQLite file (migrations included) and on the same file again (the usual restart).

The measures alternate round by round, and each figure is the median of its rounds.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.scenarios import Row, row

ROOT = Path(__file__).resolve().parent.parent
BARE_TYPER = (
    "import typer\n"
    "app = typer.Typer(add_completion=False, rich_markup_mode=None)\n"
    "@app.command()\n"
    "def one(count: int = 1) -> None: pass\n"
    "@app.command()\n"
    "def two() -> None: pass\n"
    "app()"
)
"""The smallest Typer program with two commands and Denkdag's help settings: the library's
own start. (Typer loads pydantic to read a command's options, so a command's `--help`
costs more than the group's.)"""
SERVE_DEADLINE = 120.0  # seconds: a start slower than this is a failure, not a figure


def _env() -> dict[str, str]:
    """This checkout's code, and no DENKDAG_* setting from the caller's shell (a Redis URL
    there would change what `serve` starts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DENKDAG_")}
    return env | {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=_env(), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    """True once the server answers `GET /` with a status line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.1 ")
    except OSError:
        return False


def _serve(database: Path, log: Path) -> float:
    """Seconds from starting `denkdag serve` to its first answer."""
    port = _free_port()
    command = [sys.executable, "-m", "denkdag", "serve", "--port", str(port)]
    command += ["--database", f"sqlite:///{database}"]
    started = time.perf_counter()
    with log.open("ab") as sink:
        server = subprocess.Popen(
            command, env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink
        )
    try:
        while not _answers(port):
            if server.poll() is not None:
                raise RuntimeError("denkdag serve exited:\n" + log.read_text()[-3000:])
            if time.perf_counter() - started > SERVE_DEADLINE:
                raise RuntimeError("denkdag serve did not answer:\n" + log.read_text()[-3000:])
            time.sleep(0.01)
        return time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(rounds: int, directory: Path) -> list[Row]:
    """The startup rows: each measure once per round, alternating; medians and ratios."""
    python = [sys.executable]
    log = directory / "startup-serve.log"
    reused = directory / "startup-reused.sqlite3"
    measures: dict[str, Callable[[int], float]] = {
        "python -c pass": lambda _: _timed([*python, "-c", "pass"]),
        "bare Typer app --help": lambda _: _timed([*python, "-c", BARE_TYPER, "--help"]),
        "bare Typer app one --help": lambda _: _timed([*python, "-c", BARE_TYPER, "one", "--help"]),
        "denkdag --help": lambda _: _timed([*python, "-m", "denkdag", "--help"]),
        "denkdag analyse --help": lambda _: _timed([*python, "-m", "denkdag", "analyse", "--help"]),
        "serve, new database": lambda n: _serve(directory / f"startup-new-{n}.sqlite3", log),
        "serve, existing database": lambda _: _serve(reused, log),
    }
    _serve(reused, log)  # creates the reused database (and warms the file cache)
    times: dict[str, list[float]] = {name: [] for name in measures}
    for n in range(rounds):
        for name, run in measures.items():
            times[name].append(run(n))
        print(f"  · round {n + 1}/{rounds}", flush=True)
    floor = statistics.median(times["python -c pass"])
    rows = []
    for name, values in times.items():
        value = statistics.median(values)
        base = None if name == "python -c pass" else floor
        rows.append(row("startup", name, value, base, unit="s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="denkdag-startup-") as tmp:
        rows = measure(args.rounds, Path(tmp))
    width = max(len(r["measure"]) for r in rows)
    print(f"\nmedian of {args.rounds} rounds, ratio against `python -c pass`")
    for r in rows:
        ratio = f"{r['ratio']:6.1f}×" if r["ratio"] is not None else ""
        print(f"{r['measure'].ljust(width)}  {r['denkdag']:6.3f} s  {ratio}")


if __name__ == "__main__":
    main()
