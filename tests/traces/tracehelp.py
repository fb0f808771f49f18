"""Helpers of the trace-registry tests (imported by ``conftest.py`` and the test modules):
the databases (SQLite and PostgreSQL), a world of agencies and principals, valid records."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from sqlalchemy import Engine, text

from oclab.traces import db
from oclab.traces.policy import RESTRICTED, Principal
from oclab.traces.store import Registry

DEFAULT_POSTGRES = "postgresql+psycopg://oclab:oclab_test@127.0.0.1:5432/oclab_traces_test"
POSTGRES_URL = os.environ.get("OCLAB_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
BACKENDS = ("sqlite", "postgresql")
#: SQL, HTML, template, path, spreadsheet-formula and control-character injection strings.
INJECTIONS = (
    "'; DROP TABLE trace_request; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${7*7}",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "1; SELECT pg_sleep(5)",
    "admin'--",
    "\x00",
    "a\nb",
)


@cache
def postgres_unavailable() -> str | None:
    """None when the test server answers, else why not."""
    try:
        import psycopg

        url = db.normalize_url(POSTGRES_URL).replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return (
            f"no PostgreSQL server answers at {POSTGRES_URL} ({type(error).__name__}); "
            "run .ci/setup.d/20-postgres.sh or set OCLAB_TEST_POSTGRES_URL"
        )
    return None


@dataclass
class Database:
    """A migrated, empty database: its backend, URL, schema and engine."""

    backend: str
    url: str
    schema: str | None
    engine: Engine


def make_database(backend: str, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'traces.sqlite'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        yield Database(backend, url, None, engine)
        engine.dispose()
        return
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(POSTGRES_URL, schema=schema)
    try:
        db.upgrade(engine)
        yield Database(backend, POSTGRES_URL, schema, engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class World:
    """A registry with four agencies and a principal of every role."""

    registry: Registry
    national: Principal
    houston: Principal  # police, Texas
    phoenix: Principal  # police, Arizona
    mexico: Principal  # foreign partner (federal attorney general)
    researcher: Principal
    public: Principal


def build_world(engine: Engine, policy=RESTRICTED) -> World:  # type: ignore[no-untyped-def]
    registry = Registry(engine, policy)
    ntc = registry.add_agency("ATFNTC000", "ATF National Tracing Center", "US")
    hou = registry.add_agency("TXHPD0000", "Houston Police Department", "US", "TX")
    phx = registry.add_agency("AZPPD0000", "Phoenix Police Department", "US", "AZ")
    mex = registry.add_agency("MXPGR0000", "Fiscalía General de la República", "MX")
    return World(
        registry=registry,
        national=Principal("ntc", "national", None, ntc),
        houston=Principal("hou", "police", None, hou, "TX"),
        phoenix=Principal("phx", "police", None, phx, "AZ"),
        mexico=Principal("fgr", "foreign", None, mex),
        researcher=Principal("res", "researcher"),
        public=Principal("(anonymous)", "public"),
    )


def trace(uid: str, **changes: object) -> dict[str, object]:
    """A valid trace request (a rifle recovered in Chihuahua), with ``changes``."""
    record: dict[str, object] = {
        "request_uid": uid,
        "request_date": "2014-03-10",
        "priority": "routine",
        "ncic_crime_code": "5212",
        "serial_number": "AB12345",
        "manufacturer": "Colt",
        "firearm_type": "rifle",
        "caliber": ".223",
        "model": "AR-15",
        "country_of_origin": "US",
        "recovery_date": "2014-02-01",
        "recovery_city": "Ciudad Juárez",
        "recovery_state": "CHH",
        "recovery_country": "MX",
        "possessor_name": "Pérez, Juan",
    }
    record.update(changes)
    return record


def result(**changes: object) -> dict[str, object]:
    """A completed trace result (sold in Texas in 2012)."""
    record: dict[str, object] = {
        "status": "completed",
        "dealer_license": "5-74-12345",
        "dealer_name": "Border Guns",
        "dealer_state": "TX",
        "purchaser_name": "Doe, John",
        "purchaser_key": "P1",
        "purchase_date": "2012-02-01",
        "multiple_sale": "no",
    }
    record.update(changes)
    return record
