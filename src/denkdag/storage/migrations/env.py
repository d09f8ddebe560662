"""Alembic environment: runs on the connection that `denkdag.storage` hands it.

Migrations always run inside the application (`open_store` upgrades to head), so there is
no alembic.ini and no URL here: the caller passes a live connection in
`config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

from denkdag.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
