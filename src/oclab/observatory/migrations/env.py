"""Alembic environment of the observatory: runs against the engine that
:func:`oclab.observatory.store.upgrade` passes in, with a version table of its own
(``obs_alembic_version``) so the traces registry's migrations can share the database.

Importing this module outside Alembic (pytest's doctest collection) does nothing.
"""

from __future__ import annotations

from alembic import context

VERSION_TABLE = "obs_alembic_version"


def run() -> None:
    """Run the pending migrations in one transaction."""
    from oclab.observatory.store import ObsBase

    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=ObsBase.metadata,
            version_table=VERSION_TABLE,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if hasattr(context, "config"):  # inside Alembic only
    run()
