"""Moderation of single answers (open answers): hidden, highlighted.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "answer_moderation",
        sa.Column("response_id", Id, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False),
        sa.Column("highlighted", sa.Boolean, nullable=False),
        sa.Column("value_digest", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("response_id", name="pk_answer_moderation"),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name="fk_answer_moderation_response_id_responses",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("answer_moderation")
