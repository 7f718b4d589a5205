"""Alembic migrations of the operational-state schema (run by :func:`newswatch.state.migrate.upgrade`)."""
