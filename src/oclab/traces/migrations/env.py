"""Alembic environment: runs against the engine that :mod:`oclab.traces.db` passes in."""

from __future__ import annotations

from alembic import context

from oclab.traces.schema import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
