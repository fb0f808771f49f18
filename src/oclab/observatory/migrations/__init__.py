"""Alembic migrations of the observatory's tables (version table ``obs_alembic_version``)."""
