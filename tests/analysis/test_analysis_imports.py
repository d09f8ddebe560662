"""A server imports the analysis at start; scikit-learn (about a second) must wait."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_analysis_does_not_import_sklearn() -> None:
    code = (
        "import sys, denkdag.analysis\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sklearn', 'scipy'})\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
