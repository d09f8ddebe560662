"""The first schema: users, tokens, sessions, participants and responses.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", Id, primary_key=True),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_api_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", Id, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("owner_id", Id, nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("deck", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("state_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_sessions_owner_id_users", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("code", name="uq_sessions_code"),
    )
    op.create_table(
        "participants",
        sa.Column("id", Id, primary_key=True),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_participants_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_participants_token_hash"),
    )
    op.create_table(
        "responses",
        sa.Column("id", Id, primary_key=True),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("slide_id", sa.String(40), nullable=False),
        sa.Column("participant_id", Id, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_responses"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_responses_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_responses_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("participant_id", "slide_id", name="uq_responses_participant_slide"),
    )
    op.create_index("ix_responses_session_slide", "responses", ["session_id", "slide_id"])


def downgrade() -> None:
    op.drop_index("ix_responses_session_slide", table_name="responses")
    for table in ("responses", "participants", "sessions", "api_tokens", "users"):
        op.drop_table(table)
