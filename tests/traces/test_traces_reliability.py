"""Reliability on SQLite and PostgreSQL: 50 concurrent clients submitting over loopback HTTP
lose and duplicate nothing; a process killed (SIGKILL) in the middle of writing leaves a
consistent database that accepts new writes.

The server is uvicorn in a background thread on a free 127.0.0.1 port -- real sockets, real
HTTP, the application's real thread pool -- so the test exercises what a deployment would.
Counts and waits are bounded (50 clients x 4 submissions + 1 retry each; every wait has a
timeout), and no assertion is about wall-clock speed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import httpx2 as httpx
import numpy as np
import pytest
import uvicorn
from sqlalchemy import text
from tracehelp import trace

from oclab.traces.generate import generate
from oclab.traces.web import create_app

CLIENTS = 50
PER_CLIENT = 4
BATCH = 50


@pytest.fixture
def server(world):  # type: ignore[no-untyped-def]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(world.registry), log_level="warning", lifespan="off")
    config.limit_concurrency = None
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start within 30 s"
    yield f"http://127.0.0.1:{port}", world
    uv.should_exit = True
    thread.join(timeout=15)
    sock.close()


def test_fifty_concurrent_clients_lose_and_duplicate_nothing(server) -> None:  # type: ignore[no-untyped-def]
    base, world = server
    world.registry.add_user(None, "fgr", "correct horse battery", "foreign", "MXPGR0000")
    tokens = [world.registry.issue_token("fgr", "correct horse battery") for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS, timeout=60)
    answers: list[tuple[str, int, int, bool]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[k]}"}
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                barrier.wait()
                uids = [f"c{k}-{j}" for j in range(PER_CLIENT)] + [f"c{k}-0"]  # one retry
                for uid in uids:
                    reply = http.post(
                        "/api/v1/traces", json=trace(uid, serial_number=f"SN{k}X{uid[-1]}")
                    )
                    body = reply.json()
                    with lock:
                        answers.append((uid, reply.status_code, body["id"], body["created"]))
        except Exception as error:  # collected, so a failing client cannot hang the test
            with lock:
                failures.append(f"client {k}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client did not finish within 120 s"
    assert failures == []
    assert len(answers) == CLIENTS * (PER_CLIENT + 1)
    created = [(uid, i) for uid, status, i, new in answers if new]
    assert all(status == 201 for _, status, _, new in answers if new)
    assert len(created) == CLIENTS * PER_CLIENT
    assert len({i for _, i in created}) == len(created)  # no duplicate ids
    first = dict(created)
    retries = [(uid, status, i) for uid, status, i, new in answers if not new]
    assert len(retries) == CLIENTS and all(s == 200 and first[u] == i for u, s, i in retries)
    assert world.registry.count() == (CLIENTS * PER_CLIENT, 0)  # nothing lost, nothing doubled
    with world.registry.reads() as session:
        stored = dict(session.execute(text("SELECT request_uid, id FROM trace_request")).all())
    assert stored == first


CHILD = textwrap.dedent(
    """
    import sys
    import polars as pl
    from oclab.traces import db
    from oclab.traces.policy import RESTRICTED, Principal
    from oclab.traces.store import Registry

    url, schema, source = sys.argv[1], sys.argv[2] or None, sys.argv[3]
    registry = Registry(db.make_engine(url, schema=schema), RESTRICTED)
    table = pl.read_parquet(source)
    who = Principal("loader", "national")
    for k in range(table.height // {batch}):
        batch = table.slice(k * {batch}, {batch})
        registry.bulk_insert("MXPGR0000", batch, batch)  # one transaction per batch
        registry.log(who, "import", f"batch:{{k}}", "allowed")
        print(k, flush=True)
    """
).format(batch=BATCH)


def test_a_process_killed_mid_write_leaves_a_consistent_database(world, database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "writer.py"
    script.write_text(CHILD)
    source = tmp_path / "traces.parquet"
    generate(np.random.default_rng(0), n=BATCH * 400).write_parquet(source)
    child = subprocess.Popen(
        [sys.executable, str(script), database.url, database.schema or "", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        committed = -1
        deadline = time.monotonic() + 90
        while committed < 3 and time.monotonic() < deadline:
            line = child.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            committed = int(line)
        assert committed >= 3, child.stderr.read()  # type: ignore[union-attr]
        time.sleep(0.05)  # land somewhere inside a later batch
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    registry = world.registry
    requests, results = registry.count()
    assert requests >= 4 * BATCH and requests % BATCH == 0  # whole batches only
    assert results == requests
    with registry.reads() as session:
        orphans = session.execute(
            text(
                "SELECT count(*) FROM trace_result r LEFT JOIN trace_request q "
                "ON q.id = r.trace_id WHERE q.id IS NULL"
            )
        ).scalar()
        assert orphans == 0
        if database.backend == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # The database takes new writes after the crash (no stale lock, no half transaction).
    _, created = registry.submit(world.mexico, trace("after-crash"))
    assert created and registry.count()[0] == requests + 1
