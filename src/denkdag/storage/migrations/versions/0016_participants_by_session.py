"""An index of participants by session: counting a session's participants and loading
their tokens when a session is first opened no longer scan every session's participants.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_participants_session", "participants", ["session_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_participants_session", table_name="participants")
