"""Q&A: questions participants ask, and their upvotes.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("participant_id", Id, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("on_screen", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_questions_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_questions_participant_id_participants",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_questions_session", "questions", ["session_id"])
    op.create_table(
        "question_votes",
        sa.Column("question_id", Id, nullable=False),
        sa.Column("participant_id", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("question_id", "participant_id", name="pk_question_votes"),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name="fk_question_votes_question_id_questions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_question_votes_participant_id_participants",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("question_votes")
    op.drop_index("ix_questions_session", table_name="questions")
    op.drop_table("questions")
