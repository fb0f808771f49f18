"""Engines and schema upgrades: SQLite (embedded default) or PostgreSQL (many users).

``make_engine`` sets what each backend needs to keep concurrent writers correct: on SQLite, WAL
journaling, ``synchronous=FULL``, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for every
writing transaction (so two writers queue on the lock instead of failing when a read upgrades
to a write; read-only sessions begin deferred); on PostgreSQL, the psycopg 3 driver with a
pool sized for a web server's thread pool.
``upgrade`` runs the Alembic migrations in :mod:`oclab.traces.migrations` programmatically.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from oclab.errors import InputError

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///traces.sqlite"


def normalize_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named for PostgreSQL; an InputError if unparsable."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            "--db", "url", "a database URL (sqlite:///FILE or postgresql://...)", url
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError("--db", "url", "a sqlite:/// or postgresql:// URL", url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for ``url``; ``schema`` puts PostgreSQL tables in that schema (tests)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            pool_size=10,
            max_overflow=50,
            connect_args={"timeout": 60, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" event issue BEGIN (the pysqlite driver would not).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "foreign_keys=ON",
                "busy_timeout=60000",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:  # type: ignore[no-untyped-def]
            readonly = connection.get_execution_options().get("readonly", False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(
        url, pool_size=10, max_overflow=50, pool_pre_ping=True, connect_args=connect_args
    )


def sessions(engine: Engine, readonly: bool = False) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit.

    ``readonly`` sessions begin deferred transactions on SQLite (readers never wait for the
    write lock: in WAL mode they read a snapshot); the others take the write lock up front.
    """
    bind = engine.execution_options(readonly=True) if readonly else engine
    return sessionmaker(bind, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """The Alembic configuration of the registry, bound to ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema back to ``revision`` (default: empty)."""
    command.downgrade(alembic_config(engine), revision)
