"""Statement rounds: statements written by the room, and the votes on every statement.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "round_statements",
        sa.Column("id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("slide_id", sa.String(40), nullable=False),
        sa.Column("participant_id", Id, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_round_statements"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_round_statements_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_round_statements_participant_id_participants",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_round_statements_session_slide", "round_statements", ["session_id", "slide_id"]
    )
    op.create_table(
        "round_votes",
        sa.Column("session_id", Id, nullable=False),
        sa.Column("slide_id", sa.String(40), nullable=False),
        sa.Column("statement_id", sa.String(40), nullable=False),
        sa.Column("participant_id", Id, nullable=False),
        sa.Column("value", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "participant_id", "slide_id", "statement_id", name="pk_round_votes"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_round_votes_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_round_votes_participant_id_participants",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_round_votes_session_slide", "round_votes", ["session_id", "slide_id"])


def downgrade() -> None:
    op.drop_index("ix_round_votes_session_slide", table_name="round_votes")
    op.drop_table("round_votes")
    op.drop_index("ix_round_statements_session_slide", table_name="round_statements")
    op.drop_table("round_statements")
