"""Storage on SQLite and PostgreSQL: migrations, append-only log, sharing rules on every read,
idempotent submissions and results."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from tracehelp import build_world, result, trace

from oclab.traces import db
from oclab.traces.policy import OPEN
from oclab.traces.schema import AccessLog, Base
from oclab.traces.store import NotFound, Refused


def _log(world, outcome=None, action=None):  # type: ignore[no-untyped-def]
    with world.registry.sessions() as session:
        query = select(AccessLog)
        if outcome:
            query = query.where(AccessLog.outcome == outcome)
        if action:
            query = query.where(AccessLog.action == action)
        return list(session.scalars(query))


def test_migrations_create_exactly_the_models_and_downgrade_cleanly(database) -> None:
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.downgrade(database.engine)
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(database.engine)
    assert "trace_request" in inspect(database.engine).get_table_names()


def test_access_log_refuses_update_delete_and_truncate(world, database) -> None:
    world.registry.log(world.national, "read", "trace:1", "allowed")
    statements = ["UPDATE access_log SET outcome = 'refused'", "DELETE FROM access_log"]
    if database.backend == "postgresql":
        statements.append("TRUNCATE access_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
            c.execute(text(statement))
    entries = _log(world)
    assert [(e.action, e.outcome) for e in entries] == [("read", "allowed")]


def test_restricted_policy_each_agency_reads_only_its_own(world) -> None:
    r = world.registry
    mine, _ = r.submit(world.houston, trace("h1"))
    theirs, _ = r.submit(world.phoenix, trace("p1", recovery_state="TX", recovery_country="US"))
    assert r.get(world.houston, mine)["serial_number"] == "AB12345"
    with pytest.raises(NotFound):
        r.get(world.houston, theirs)  # another agency's trace, even one recovered in Texas
    with pytest.raises(NotFound):
        r.get(world.houston, 999_999)
    assert [row["id"] for row in r.list(world.houston)] == [mine]
    assert {row["id"] for row in r.list(world.national)} == {mine, theirs}
    with pytest.raises(Refused):
        r.list(world.researcher)
    refused = _log(world, "refused")
    assert [(e.username, e.resource) for e in refused] == [
        ("hou", f"trace:{theirs}"),
        ("res", "traces"),
    ]
    assert [e.resource for e in _log(world, "missing")] == ["trace:999999"]


def test_open_policy_lets_police_read_recoveries_in_their_jurisdiction(database) -> None:
    world = build_world(database.engine, OPEN)
    r = world.registry
    in_texas, _ = r.submit(world.phoenix, trace("p1", recovery_state="TX", recovery_country="US"))
    in_arizona, _ = r.submit(world.phoenix, trace("p2", recovery_state="AZ", recovery_country="US"))
    assert r.get(world.houston, in_texas)["id"] == in_texas
    with pytest.raises(NotFound):
        r.get(world.houston, in_arizona)
    # Researchers read de-identified records under the open policy.
    row = r.get(world.researcher, in_texas)
    assert row["possessor_name"] is None and row["manufacturer"] == "Colt"


def test_resubmission_returns_the_first_row_and_roles_that_may_not_submit_are_refused(
    world,
) -> None:
    r = world.registry
    first = r.submit(world.mexico, trace("uid-1"))
    again = r.submit(world.mexico, trace("uid-1", model="Other"))
    other_agency = r.submit(world.houston, trace("uid-1"))
    assert first[1] and not again[1] and again[0] == first[0]
    assert other_agency[0] != first[0]
    for who in (world.researcher, world.public):
        with pytest.raises(Refused):
            r.submit(who, trace("x"))
    assert r.count() == (2, 0)


def test_results_compute_time_to_crime_and_only_the_national_unit_records_them(world) -> None:
    r = world.registry
    trace_id, _ = r.submit(world.mexico, trace("t1"))
    with pytest.raises(Refused):
        r.record_result(world.houston, trace_id, result())
    r.record_result(world.national, trace_id, result())
    row = r.get(world.mexico, trace_id)
    assert row["result"]["time_to_crime_days"] == 731  # 2012-02-01 -> 2014-02-01
    assert row["result"]["purchaser_name"] == "Doe, John"
    r.record_result(world.national, trace_id, result(status="not_completed", purchase_date=""))
    assert r.get(world.national, trace_id)["result"]["time_to_crime_days"] is None
    assert r.count() == (1, 1)


def test_passwords_are_hashed_with_argon2id_rfc_9106_and_tokens_stored_as_digests() -> None:
    from argon2.profiles import RFC_9106_LOW_MEMORY

    from oclab.traces import auth

    auth.use_parameters(RFC_9106_LOW_MEMORY)
    try:
        stored = auth.hash_password("correct horse battery")
    finally:
        from argon2.profiles import CHEAPEST

        auth.use_parameters(CHEAPEST)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert auth.verify_password(stored, "correct horse battery")
    assert not auth.verify_password(stored, "wrong horse battery")
    token, digest = auth.new_token()
    assert len(token) >= 43 and digest == auth.token_digest(token) and token not in digest
