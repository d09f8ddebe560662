"""Numbers as people see them: one rounding rule for every percentage on every screen.

Percentages are shown on the projector (rounded in the browser by `Math.round`), on phones,
in reports and in spreadsheets. They must agree, so every server-side share goes through
`percent`, which rounds half up exactly as `Math.round` does for non-negative numbers;
Python's own `round()` rounds half to even and would show one vote in eight as 12 %
where the projector shows 13 %.
"""

from __future__ import annotations

import math


def percent(part: float, whole: float) -> int:
    """`part` as a whole percentage of `whole`, rounded half up; 0 when `whole` is 0.

    A probability is `percent(p, 1)`.
    """
    if not whole:
        return 0
    return math.floor(100 * part / whole + 0.5)
