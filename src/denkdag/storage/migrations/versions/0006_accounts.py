"""Accounts and roles: a role per user, sign-up invitations, co-facilitators.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Existing accounts become facilitators; the CLI makes the first administrator.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("role", sa.String(16), nullable=False, server_default="facilitator")
        )
    op.create_table(
        "account_invitations",
        sa.Column("id", Id, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_account_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_account_invitations_token_hash"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_account_invitations_created_by_users",
            ondelete="SET NULL",
        ),
    )
    op.create_table(
        "session_facilitators",
        sa.Column("session_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_session_facilitators"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_session_facilitators_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_session_facilitators_user_id_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_session_facilitators_user", "session_facilitators", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_session_facilitators_user", table_name="session_facilitators")
    op.drop_table("session_facilitators")
    op.drop_table("account_invitations")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
