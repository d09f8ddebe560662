"""Events: a plenary and parallel working sessions under one event code, with a logo,
colours, rooms, assigned facilitators and explicit links between slides.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", Id, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("date", sa.Date, nullable=True),
        sa.Column("venue", sa.Text, nullable=False),
        sa.Column("organiser_id", Id, nullable=True),
        sa.Column("primary_colour", sa.String(7), nullable=False),
        sa.Column("secondary_colour", sa.String(7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("code", name="uq_events_code"),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["users.id"],
            name="fk_events_organiser_id_users",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_events_organiser", "events", ["organiser_id"])
    op.create_table(
        "event_logos",
        sa.Column("event_id", Id, nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_logos"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_logos_event_id_events",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "event_sessions",
        sa.Column("event_id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("room", sa.Text, nullable=False),
        sa.Column("facilitator_id", Id, nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "session_id", name="pk_event_sessions"),
        sa.UniqueConstraint("session_id", name="uq_event_sessions_session_id"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_sessions_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_event_sessions_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["users.id"],
            name="fk_event_sessions_facilitator_id_users",
            ondelete="SET NULL",
        ),
    )
    op.create_table(
        "event_slide_links",
        sa.Column("event_id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("slide_id", sa.String(40), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "slide_id", name="pk_event_slide_links"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_slide_links_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_event_slide_links_session_id_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_event_slide_links_event", "event_slide_links", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_event_slide_links_event", table_name="event_slide_links")
    op.drop_table("event_slide_links")
    op.drop_table("event_sessions")
    op.drop_table("event_logos")
    op.drop_index("ix_events_organiser", table_name="events")
    op.drop_table("events")
