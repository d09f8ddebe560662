"""The schema, one definition for SQLite and PostgreSQL.

Alembic migrations create it (`migrations/versions`); a test checks that the migrated
database and these tables agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is already 64-bit (rowid)."""

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("role", String(16), nullable=False, server_default="facilitator"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("owner_id", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("title", Text, nullable=False),
    Column("deck", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("state_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Id, primary_key=True),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_participants_session", "session_id", "id"),
)

responses = Table(
    "responses",
    metadata,
    Column("id", Id, primary_key=True),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("slide_id", String(40), nullable=False),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("participant_id", "slide_id", name="uq_responses_participant_slide"),
    Index("ix_responses_session_slide", "session_id", "slide_id"),
)

answer_keys = Table(
    "answer_keys",
    metadata,
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("slide_id", String(40), nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("participant_id", "slide_id", "idempotency_key", name="pk_answer_keys"),
)
"""Idempotency keys of applied answers (PUT …/response with `Idempotency-Key`): a retry
of a key found here is answered with what is stored instead of being written again."""

invitations = Table(
    "invitations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Index("ix_invitations_session", "session_id"),
)
"""Personal invitation codes (one code, one voice). Only hashes are kept; a code
joins once (`used_at`). A session with invitations admits no one without one."""

answer_moderation = Table(
    "answer_moderation",
    metadata,
    Column(
        "response_id",
        Id,
        ForeignKey("responses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("hidden", Boolean, nullable=False),
    Column("highlighted", Boolean, nullable=False),
    Column("value_digest", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""A facilitator's moderation of one answer (open answers): hidden answers stay hidden when
their author edits them; a highlight holds only for the text it was given to
(`value_digest`, the SHA-256 of the stored value then)."""

account_invitations = Table(
    "account_invitations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)
"""Sign-up links an administrator hands out: one account of `role` each, until
`expires_at`; only the token's hash is kept, and `used_at` makes it single-use."""

session_facilitators = Table(
    "session_facilitators",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "user_id", name="pk_session_facilitators"),
    Index("ix_session_facilitators_user", "user_id"),
)
"""Co-facilitators a session's owner invited: they run and read the session like its owner
(`Denkdag.facilitated`). Rows go with their session, so deleting a session stays total."""

questions = Table(
    "questions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("on_screen", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_questions_session", "session_id"),
)
"""Q&A questions (domain/questions.py). The asker is kept only so their question goes
with them when a participant is deleted; it is never shown."""

question_votes = Table(
    "question_votes",
    metadata,
    Column(
        "question_id",
        Id,
        ForeignKey("questions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("question_id", "participant_id", name="pk_question_votes"),
)
"""One upvote per participant per question (the primary key makes a second one a toggle)."""

deck_revisions = Table(
    "deck_revisions",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("deck", Text, nullable=False),
    Column("previous", Integer, nullable=True),
    Column("change", String(80), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "version", name="pk_deck_revisions"),
)
"""The browser editor's deck versions: the primary key makes two saves of the
same version collide (optimistic concurrency); `previous` is the version an undo returns
to. Version 0 is the deck as it was before its first edit."""

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("date", Date, nullable=True),
    Column("venue", Text, nullable=False),
    Column("organiser_id", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("primary_colour", String(7), nullable=False),
    Column("secondary_colour", String(7), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The event's profile questions, one `question: option / option` line each (0-2).
    Column("profile", Text, nullable=False, server_default=""),
    Index("ix_events_organiser", "organiser_id"),
)
"""Events: a plenary and parallel working sessions under one event code, owned
by their organiser, with the event's colours (domain/events.py)."""

event_logos = Table(
    "event_logos",
    metadata,
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("content_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""An event's logo, in the database so every instance serves it; apart from `events` so
that reading an event never loads the image."""

event_sessions = Table(
    "event_sessions",
    metadata,
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("room", Text, nullable=False),
    Column("facilitator_id", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("position", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("event_id", "session_id", name="pk_event_sessions"),
    UniqueConstraint("session_id", name="uq_event_sessions_session_id"),
)
"""The sessions of an event (a session is in one event at most): the plenary or a working
session, its room, and the facilitator the organiser assigned (who gets access as a
co-facilitator, `session_facilitators`)."""

event_slide_links = Table(
    "event_slide_links",
    metadata,
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("slide_id", String(40), nullable=False),
    Column("label", String(80), nullable=False),
    PrimaryKeyConstraint("session_id", "slide_id", name="pk_event_slide_links"),
    Index("ix_event_slide_links_event", "event_id"),
)
"""Explicit links between slides of an event's sessions: slides with the same label are
compared side by side even when their text differs."""

round_statements = Table(
    "round_statements",
    metadata,
    Column("id", Id, primary_key=True),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("slide_id", String(40), nullable=False),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_round_statements_session_slide", "session_id", "slide_id"),
)
"""Statements participants wrote on a statement round (domain/kinds/statement_round.py; the
seed statements are in the deck). The author is kept only so that the statement goes with
them when a participant is deleted, and to tell them it is theirs; it is never shown."""

round_votes = Table(
    "round_votes",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("slide_id", String(40), nullable=False),
    Column("statement_id", String(40), nullable=False),
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("value", String(8), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("participant_id", "slide_id", "statement_id", name="pk_round_votes"),
    Index("ix_round_votes_session_slide", "session_id", "slide_id"),
)
"""Votes on a statement round's statements: one per participant per statement (the primary
key; a new vote replaces the old one). `statement_id` is the statement's id as the API gives
it: `d…` for a seed statement of the deck, `r<number>` for a row of `round_statements`."""

participant_profiles = Table(
    "participant_profiles",
    metadata,
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("answers", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_participant_profiles_session", "session_id"),
)
"""Profile answers (domain/profiles.py), one row per participant who answered or skipped:
`answers` is JSON, question id → option id or null ("prefer not to say"). The row is what
tells the phone not to ask again. It goes with its participant and its session."""

slide_images = Table(
    "slide_images",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(32), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "digest", name="pk_slide_images"),
)
"""Slide images (formats/images.py: checked and re-encoded), per session, keyed by the
SHA-256 of their bytes (128 bits, hex): in the database so every instance serves them,
and gone with their session. The digest is the unguessable part of their address."""

hidden_words = Table(
    "hidden_words",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("slide_id", String(40), nullable=False),
    Column("word", String(1000), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "slide_id", "word", name="pk_hidden_words"),
)
"""Words a facilitator hid from a word cloud, by their counting key (folded:
`domain/kinds/wordcloud.normalise`): the tally leaves them out for every screen, the
report and the public results; the answers that hold them stay. A row per hidden word,
deleted to show it again; gone with its session. A word is at most 40 characters, but
folding may lengthen one (compatibility forms: U+FDFA becomes 18 letters), hence 1000."""

opinion_maps = Table(
    "opinion_maps",
    metadata,
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("fence", BigInteger, nullable=False),
    Column("number", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)
"""The last live opinion map of each session (opinions.py), as JSON: what every instance
serves, what an instance that takes over the computation continues from (`previous`) and
what the report shows. `fence` is the computing instance's lease token (live/leases.py): a
write with a lower one is refused. Gone with its session."""

pending_imports = Table(
    "pending_imports",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""A slide file (.pptx, .pdf) read and waiting for its facilitator's review
(formats/imported.py as compressed JSON, pictures included): in the database so the
review can be posted to any instance; taken when the session is made, gone after an
hour, or with its user."""


quiz_nicknames = Table(
    "quiz_nicknames",
    metadata,
    Column(
        "participant_id",
        Id,
        ForeignKey("participants.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("session_id", Id, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("nickname", String(100), nullable=False),
    Column("nickname_key", String(400), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("session_id", "nickname_key", name="uq_quiz_nicknames_session_key"),
)
"""A participant's quiz nickname (domain/quiz.py), for one session only: unique in the
session by its folded `nickname_key`; gone with its participant and its session, and
with the answers at the retention purge."""
