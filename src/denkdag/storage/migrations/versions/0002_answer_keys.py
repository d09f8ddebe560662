"""Idempotency keys of applied answers, so a client's retry is never applied twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "answer_keys",
        sa.Column("participant_id", Id, nullable=False),
        sa.Column("slide_id", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "participant_id", "slide_id", "idempotency_key", name="pk_answer_keys"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_answer_keys_participant_id_participants",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("answer_keys")
