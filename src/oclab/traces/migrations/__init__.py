"""Alembic migrations of the trace registry (run through :func:`oclab.traces.db.upgrade`)."""
