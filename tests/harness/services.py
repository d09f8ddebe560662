"""The rule for a service a test needs (PostgreSQL, Redis, a server binary): skip outside
CI with the reason; in CI (CI=true) a missing service is a failure, so it is never
skipped unnoticed."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


def need_service(reason: str) -> None:
    """Skip the test with `reason`, or fail it in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the service must be there)")
    pytest.skip(reason)
