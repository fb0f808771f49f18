"""Small hand-written case tables for the observatory tests."""
# ruff: noqa: E501  (fixture CSV rows are kept one record per line, as in a real file)

from __future__ import annotations

from pathlib import Path

import pytest

COURTS = """court_id,state,name,level,source
C1,AAA,Juzgado uno,state,fixture
C2,AAA,Juzgado dos,state,fixture
"""
CASE_HEADER = (
    "case_id,state,court_id,system,report_date,investigation_date,charge_date,"
    "first_hearing_date,verdict_date,outcome,judge_id,prosecutor_id,source\n"
)
# Eight valid cases, all reported in 2020 in state AAA (see test_observatory_indicators.py).
CASES = (
    CASE_HEADER
    + """K1,AAA,C1,accusatorial,2020-01-10,2020-01-11,2020-02-01,2020-02-10,2020-06-01,conviction,J-1,P-1,fixture
K2,AAA,C1,accusatorial,2020-03-01,2020-03-02,2020-04-01,2020-04-10,2020-12-30,acquittal,J-1,P-1,fixture
K3,AAA,C1,inquisitorial,2020-05-01,2020-05-02,2020-06-01,2020-06-10,2021-03-01,conviction,J-2,P-2,fixture
K4,AAA,C2,inquisitorial,2020-07-01,2020-07-02,2020-08-01,,,pending,J-3,P-2,fixture
K5,AAA,,accusatorial,2020-08-01,2020-08-02,,,2020-10-01,dismissal,,P-3,fixture
K6,AAA,,inquisitorial,2020-09-01,,,,,pending,,,fixture
K7,AAA,C2,accusatorial,2020-02-01,2020-02-02,2020-03-01,2020-03-10,2020-09-01,alternative,J-3,P-1,fixture
K8,AAA,C2,accusatorial,2020-04-01,2020-04-02,2020-05-01,2020-05-10,2020-11-01,dismissal,J-3,P-3,fixture
"""
)
CHARGES = """case_id,charge_no,offence,organized_crime,source
K1,1,homicide,false,fixture
K1,2,firearms,false,fixture
K2,1,robbery,false,fixture
K3,1,organized_crime,true,fixture
K4,1,robbery,false,fixture
K7,1,robbery,false,fixture
K8,1,robbery,false,fixture
"""
DEFENDANTS = """case_id,defendant_id,pretrial_detention,counsel,source
K1,D-1,true,public,fixture
K1,D-2,false,private,fixture
K3,D-3,true,public,fixture
K4,D-4,true,public,fixture
K5,D-5,true,none,fixture
"""


def write_tables(folder: Path, cases: str = CASES, **others: str) -> Path:
    """Write the fixture tables into ``folder`` (override any by keyword)."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"courts": COURTS, "cases": cases, "charges": CHARGES, "defendants": DEFENDANTS}
    for name, text in (texts | others).items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fixture_folder(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "tables")


@pytest.fixture
def tables():
    """The fixture texts and the writer, for tests that build broken variants."""
    from types import SimpleNamespace

    return SimpleNamespace(CASE_HEADER=CASE_HEADER, CASES=CASES, write=write_tables)


# -- SQL databases (SQLite and PostgreSQL), as the trace registry's tests -----------------------
DEFAULT_POSTGRES = "postgresql+psycopg://oclab:oclab_test@127.0.0.1:5432/oclab_traces_test"
BACKENDS = ("sqlite", "postgresql")


def _postgres_url() -> str:
    import os

    return os.environ.get("OCLAB_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def _postgres_unavailable() -> str | None:
    try:
        import psycopg

        from oclab.traces import db

        url = db.normalize_url(_postgres_url()).replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return f"no PostgreSQL server answers at {_postgres_url()} ({type(error).__name__})"
    return None


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2id with small memory and time in tests (as the trace registry's tests)."""
    from argon2.profiles import CHEAPEST

    from oclab.traces import auth

    auth.use_parameters(CHEAPEST)
    yield
    auth.use_parameters()


def migrated_engine(backend: str, tmp_path: Path):
    """A migrated empty database (registry tables and ours); PostgreSQL in its own schema."""
    import uuid

    from sqlalchemy import text

    from oclab.observatory.store import upgrade
    from oclab.traces import db

    if backend == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'observatory.sqlite'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"o_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(_postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(_postgres_url(), schema=schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """A migrated empty database, once on SQLite and once on PostgreSQL."""
    yield from migrated_engine(request.param, tmp_path)
