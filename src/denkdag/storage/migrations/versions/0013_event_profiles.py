"""Event profile questions: up to two questions every session of the event asks at join.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("profile", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("profile")
