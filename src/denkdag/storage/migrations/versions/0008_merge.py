"""Join the branches 0002–0007 (written in parallel, each on top of 0001) into one head.

Revision ID: 0008
Revises: 0002, 0003, 0004, 0005, 0006, 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

revision = "0008"
down_revision = ("0002", "0003", "0004", "0005", "0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only gives later revisions one parent."""


def downgrade() -> None:
    """Nothing to undo."""
