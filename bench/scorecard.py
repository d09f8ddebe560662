"""The scorecard: `.venv/bin/python -m bench.scorecard [--database postgresql]`.

Runs the load, fault and bad-input tests at full size (DENKDAG_FULL=1) and prints what
they proved: requests held, faults survived, hostile inputs tried, answers lost (which
must read 0). Each test leaves its numbers as JSON in DENKDAG_SCORECARD_DIR; a suite that
fails counts as not held, whatever its numbers. Writes bench/results/scorecard.json too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUITES: list[tuple[str, list[str]]] = [
    ("room of 300 behind one address", ["tests/security/test_limits.py"]),
    ("PostgreSQL stopped hard mid-load", ["tests/faults/test_postgres_outage.py"]),
    ("Redis killed mid-load, restarted empty", ["tests/faults/test_redis_outage.py"]),
    ("hostile strings on every text input", ["tests/security/test_hostile_inputs.py"]),
    ("schemathesis on every endpoint", ["tests/security/test_schemathesis.py"]),
    ("tallies equal a model (stateful)", ["tests/security/test_stateful.py"]),
    ("CSRF, cookies, CSP over the route table", ["tests/security/test_browser_security.py"]),
    ("invitations and retention", ["tests/security/test_invitations_privacy.py"]),
]


def run_suite(paths: list[str], env: dict[str, str], database: str) -> tuple[bool, float]:
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"]
    command += ["--database", database, *paths]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-2000:])
    return result.returncode == 0, time.monotonic() - started


def read_reports(folder: Path) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="denkdag-scorecard-") as folder:
        env = {**os.environ, "DENKDAG_FULL": "1", "DENKDAG_SCORECARD_DIR": folder}
        outcomes = []
        for name, paths in SUITES:
            passed, seconds = run_suite(paths, env, args.database)
            outcomes.append({"suite": name, "passed": passed, "seconds": round(seconds, 1)})
            print(f"  {'PASS' if passed else 'FAIL'}  {name:<44} {seconds:6.1f} s", flush=True)
        reports = read_reports(Path(folder))
    held = all(outcome["passed"] for outcome in outcomes)
    faults = [reports.get(name, {}) for name in ("postgres_outage", "redis_outage")]
    load = [reports.get(name, {}) for name in ("room_of_300", "postgres_outage", "redis_outage")]
    hostile = reports.get("hostile_inputs", {})
    lost = sum(int(report.get("lost", 0)) for report in load)
    card = {
        "requests held": sum(int(r.get("requests", 0)) for r in load) if held else 0,
        "faults survived": sum(int(r.get("faults", 0)) for r in faults) if held else 0,
        "hostile inputs tried": int(hostile.get("requests", 0)),
        "hostile strings": int(hostile.get("strings", 0)),
        "answers lost": lost,
        "all suites passed": held,
    }
    print()
    for key, value in card.items():
        print(f"  {key:<22} {value}")
    for name, report in reports.items():
        print(f"    {name}: {json.dumps(report)}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    document = {"database": args.database, "card": card, "suites": outcomes, "reports": reports}
    (results / "scorecard.json").write_text(json.dumps(document, indent=2) + "\n")
    return 0 if held and lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
