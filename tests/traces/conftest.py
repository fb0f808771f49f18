"""Fixtures of the trace-registry tests: an empty migrated database on SQLite and on
PostgreSQL (``database`` is parametrised over both), and a world of agencies and principals.

PostgreSQL: ``$OCLAB_TEST_POSTGRES_URL`` if set, else the loopback server that
``.ci/setup.d/20-postgres.sh`` starts. Each test gets a schema of its own (dropped afterwards).
The PostgreSQL variant is skipped, saying why, only when no server answers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tracehelp import BACKENDS, Database, World, build_world, make_database


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id with small memory and time in tests (the production profile has its own test)."""
    from argon2.profiles import CHEAPEST

    from oclab.traces import auth

    auth.use_parameters(CHEAPEST)
    yield
    auth.use_parameters()


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated empty database, once on SQLite and once on PostgreSQL."""
    yield from make_database(request.param, tmp_path)


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database.engine)
