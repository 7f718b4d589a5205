"""Alembic environment: runs on the connection :func:`newswatch.state.migrate.upgrade` hands over.

There is no ``alembic.ini``: the service migrates its own database on start and ``newswatch db``
drives the same code. The target metadata is the shared state metadata with every table module
imported; APScheduler's ``apscheduler_jobs`` table is the job store's own and left out.
"""

from __future__ import annotations

from alembic import context

from newswatch.state.db import import_table_modules, metadata
from newswatch.state.migrate import include_object

import_table_modules()
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
