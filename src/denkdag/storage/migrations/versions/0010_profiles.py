"""Participant profile answers: one row per participant who answered or skipped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "participant_profiles",
        sa.Column("participant_id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("participant_id", name="pk_participant_profiles"),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_participant_profiles_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_participant_profiles_session_id_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_participant_profiles_session", "participant_profiles", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_participant_profiles_session", table_name="participant_profiles")
    op.drop_table("participant_profiles")
