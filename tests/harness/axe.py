"""axe-core in the browser tests: the npm package fetched at test time (never vendored),
injected into a page, its violations as readable lines.

`scripts/test` installs it into `.cache/npm` (`npm install --no-save --prefix .cache/npm
axe-core@4`); a test run without it skips outside CI and fails in CI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"

# Every rule axe runs by default (WCAG 2.0–2.2 A/AA and best practices), plus target size.
RUN = """async () => {
  const result = await axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'target-size': { enabled: true } },
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — '
      + (n.failureSummary || '').split('\\n').slice(1, 2).join('')),
  }));
}"""


def axe_or_skip() -> Path:
    """The axe-core script, or skip (fail in CI) with how to get it."""
    if not AXE.exists():
        message = (
            f"axe-core not found at {AXE}; run "
            "`npm install --no-save --prefix .cache/npm axe-core@4` (scripts/test does)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def violations(page: Any, where: str) -> list[str]:
    """axe-core's violations on the page as it is now, one line per failing node."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN)
    return [
        f"{where}: {violation['id']} ({violation['impact']}) {node}"
        for violation in found
        for node in violation["nodes"]
    ]
