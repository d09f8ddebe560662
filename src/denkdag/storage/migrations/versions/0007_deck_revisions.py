"""Deck revisions: every change made in the browser editor, for undo and conflicts.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "deck_revisions",
        sa.Column("session_id", Id, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deck", sa.Text, nullable=False),
        sa.Column("previous", sa.Integer, nullable=True),
        sa.Column("change", sa.String(80), nullable=False),
        sa.Column("user_id", Id, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "version", name="pk_deck_revisions"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_deck_revisions_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_deck_revisions_user_id_users",
            ondelete="SET NULL",
        ),
    )


def downgrade() -> None:
    op.drop_table("deck_revisions")
