"""The dashboard and API: no public endpoint shows a small cell (every GET route of the
application is visited, so a new endpoint cannot escape), tokens and roles are the registry's
and are enforced, and the access log records every access to record-level data."""

from __future__ import annotations

import io
import itertools
import json
import re

import polars as pl
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from oclab.observatory.generate import generate
from oclab.observatory.indicators import rate_pairs
from oclab.observatory.io import Dataset, ImportReport
from oclab.observatory.service import RECORD_TABLES, TABLES, Observatory
from oclab.observatory.store import ObservatoryStore
from oclab.observatory.web import create_app
from oclab.traces.policy import RESTRICTED
from oclab.traces.store import Registry

KEY = b"web-test-key-0123456789"
PASSWORD = "correct horse battery"
THRESHOLD = 10
#: Values for every path parameter of the application (a new one must be added here).
PATH_VALUES: dict[str, list[str]] = {
    "lang": ["en", "es"],
    "filename": [f"{t}.{f}" for t in TABLES for f in ("csv", "parquet")],
    "table": list(RECORD_TABLES),
}
#: Values for query parameters that select which table is shown (others keep their default).
QUERY_VALUES: dict[tuple[str, str], list[str]] = {
    ("/api/v1/indicators", "level"): ["national", "state", "court"],
    ("/api/v1/anomalies", "outcome"): ["dismissal", "conviction"],
}
#: GET routes closed to the public (403, logged).
RESTRICTED_ROUTES = {"/api/v1/records/{table}", "/api/v1/audit", "/{lang}/records"}
#: The only routes that accept something other than GET (sign-in).
POST_ROUTES = {"/api/v1/tokens", "/{lang}/login"}
COUNT_NAMES = {"backlog", "n", "observed", "cases"}


def is_count(column: str) -> bool:
    return column.startswith("n_") or column in COUNT_NAMES


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from oclab.observatory.store import upgrade
    from oclab.traces import db

    root = tmp_path_factory.mktemp("web")
    engine = db.make_engine(f"sqlite:///{root / 'web.sqlite'}")
    upgrade(engine)
    tables = generate(3000, 5, courts_per_state=2, anomalous_courts=1)
    data = Dataset(
        **{
            name: frame.with_columns(
                pl.lit("generated").alias("source_file"),
                (pl.int_range(pl.len()) + 2).alias("source_line"),
            )
            for name, frame in tables.items()
        }
    )
    store = ObservatoryStore(engine)
    store.import_dataset(data, ImportReport(), KEY, "generated")
    registry = Registry(engine, RESTRICTED)
    registry.add_agency("MXSESNSP0", "Secretariado Ejecutivo", "MX")
    registry.add_agency("MXCHHPOL0", "Policía Estatal de Chihuahua", "MX", "CHH")
    registry.add_user(None, "admin", PASSWORD, "national", "MXSESNSP0")
    registry.add_user(None, "analyst", PASSWORD, "researcher")
    registry.add_user(None, "officer", PASSWORD, "police", "MXCHHPOL0")
    app = create_app(Observatory(store, registry, threshold=THRESHOLD))
    client = TestClient(app)
    tokens = {}
    for name in ("admin", "analyst", "officer"):
        answer = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
        assert answer.status_code == 200
        tokens[name] = {"Authorization": f"Bearer {answer.json()['token']}"}
    secrets = set(store.frame("cases")["case_id"]) | set(store.frame("defendants")["defendant_id"])
    secrets |= set(store.frame("cases")["judge_id"].drop_nulls())
    yield app, client, tokens, secrets
    engine.dispose()


def flatten(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Every route, descending into included routers and mounts (whatever FastAPI's version
    keeps in ``app.routes``), as (full path, route)."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x
        if included is not None:
            extra = getattr(getattr(route, "include_context", None), "prefix", "")
            yield from flatten(included.routes, prefix + extra)
        elif isinstance(route, Mount):
            yield from flatten(route.routes, prefix + route.path)
        else:
            yield prefix + route.path, route


def urls(app) -> list[tuple[str, str]]:
    """(route path, URL) for every GET route and every value of its parameters."""
    out = []
    for full, route in flatten(app.routes):
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        names = re.findall(r"{(\w+)}", full)
        missing = [n for n in names if n not in PATH_VALUES]
        assert not missing, f"add values for path parameter(s) {missing} of {full}"
        dependant = getattr(route, "dependant", None)
        params = dependant.query_params if dependant is not None else []
        queries = [q.name for q in params if (full, q.name) in QUERY_VALUES]
        for values in itertools.product(*(PATH_VALUES[n] for n in names)):
            path = full
            for name, value in zip(names, values, strict=True):
                path = path.replace(f"{{{name}}}", value)
            for combo in itertools.product(*(QUERY_VALUES[full, q] for q in queries)):
                query = "&".join(f"{q}={v}" for q, v in zip(queries, combo, strict=True))
                out.append((full, f"{path}?{query}" if query else path))
    return out


def small(value) -> bool:  # type: ignore[no-untyped-def]
    return isinstance(value, int | float) and 0 < value < THRESHOLD


def check_rows(rows: list[dict], where: str) -> int:
    """Assert no small count and no rate that reveals one; the number of counts checked."""
    checked = 0
    for row in rows:
        for column, value in row.items():
            if is_count(column):
                assert not small(value), (where, column, value)
                checked += value is not None
        for rate, (num, den) in rate_pairs(list(row)).items():
            if row.get(rate) is not None and num in row and den in row:
                assert row[num] is not None and row[den] is not None, (where, rate)
                assert not small(row[den] - row[num]), (where, rate)
    return checked


def check_json(document, where: str) -> int:  # type: ignore[no-untyped-def]
    if isinstance(document, list):
        if document and all(isinstance(r, dict) for r in document):
            checked = check_rows(document, where)
            return checked + sum(check_json(v, where) for r in document for v in r.values())
        return sum(check_json(v, where) for v in document)
    if isinstance(document, dict):
        return sum(check_json(v, where) for v in document.values())
    return 0


def check_response(answer, where: str) -> int:  # type: ignore[no-untyped-def]
    kind = answer.headers["content-type"]
    if kind.startswith("application/json"):
        return check_json(answer.json(), where)
    if kind.startswith("text/csv"):
        return check_rows(pl.read_csv(io.BytesIO(answer.content)).to_dicts(), where)
    if kind.startswith("application/vnd.apache.parquet"):
        return check_rows(pl.read_parquet(io.BytesIO(answer.content)).to_dicts(), where)
    assert kind.startswith("text/html"), (where, kind)
    cells = re.findall(r'<td data-col="(\w+)"[^>]*>([^<]*)</td>', answer.text)
    counts = [int(v) for c, v in cells if is_count(c) and v.strip().isdigit()]
    assert not [v for v in counts if 0 < v < THRESHOLD], where
    return len(counts)


@pytest.mark.parametrize("caller", ["public", "officer"])
def test_no_small_cell_on_any_public_endpoint(site, caller):
    app, client, tokens, secrets = site
    headers = tokens.get(caller, {})
    seen_restricted, checked = set(), 0
    for route, url in urls(app):
        answer = client.get(url, headers=headers, follow_redirects=False)
        if route in RESTRICTED_ROUTES:
            assert answer.status_code == 403, url
            seen_restricted.add(route)
            continue
        assert answer.status_code in (200, 303), (url, answer.status_code)
        if answer.status_code == 303:
            continue
        checked += check_response(answer, url)
        body = answer.content.decode("utf-8", errors="replace")
        leaked = [s for s in secrets if s in body]
        assert not leaked, (url, leaked[:3])
        assert "generated" not in body  # no provenance file names (record level)
    assert seen_restricted == RESTRICTED_ROUTES
    assert checked > 1000  # the checks looked at real numbers
    other = {p for p, r in flatten(app.routes) if set(getattr(r, "methods", ())) - {"GET", "HEAD"}}
    assert other == POST_ROUTES, "a new non-GET route needs its own privacy test"
    visited = {route for route, _ in urls(app)}
    assert {"/api/v1/indicators", "/api/v1/download/{filename}", "/{lang}/"} <= visited


def test_record_roles_see_what_the_public_does_not(site):
    _, client, tokens, secrets = site
    public = client.get("/api/v1/indicators?level=state").json()
    full = client.get("/api/v1/indicators?level=state", headers=tokens["analyst"]).json()
    assert (public["suppressed"], full["suppressed"]) == (True, False)
    assert public["threshold"] == THRESHOLD
    smalls = [r["n_reported"] for r in full["rows"] if small(r["n_reported"])]
    assert smalls  # the data has small cells: the public test above is not vacuous
    assert len(public["rows"]) == len(full["rows"])  # rows are kept, values hidden
    records = client.get("/api/v1/records/cases?limit=5", headers=tokens["analyst"])
    assert records.status_code == 200
    rows = records.json()
    assert len(rows) == 5 and {r["case_id"] for r in rows} <= secrets
    assert {"source", "source_file", "source_line", "batch_id"} <= set(rows[0])
    assert not any(r["case_id"].startswith("K") for r in rows)  # no raw case numbers


def test_tokens_and_roles_are_enforced(site):
    _, client, tokens, _ = site
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/indicators", headers=bad).status_code == 401
    wrong = client.post("/api/v1/tokens", json={"username": "analyst", "password": "nope"})
    assert wrong.status_code == 401
    expect = {
        ("officer", "/api/v1/records/cases"): 403,
        ("officer", "/api/v1/audit"): 403,
        ("analyst", "/api/v1/records/defendants"): 200,
        ("analyst", "/api/v1/audit"): 403,
        ("admin", "/api/v1/records/quarantine"): 200,
        ("admin", "/api/v1/audit"): 200,
        ("admin", "/api/v1/records/nope"): 404,
    }
    for (who, url), status in expect.items():
        assert client.get(url, headers=tokens[who]).status_code == status, (who, url)
    assert client.get("/api/v1/me", headers=tokens["analyst"]).json() == {
        "username": "analyst",
        "role": "researcher",
        "records": True,
    }


def test_the_access_log_records_record_level_access(site):
    _, client, tokens, _ = site
    client.get("/api/v1/records/charges?limit=7", headers=tokens["analyst"])
    client.get("/api/v1/records/charges", headers=tokens["officer"])
    client.get("/api/v1/records/charges")
    client.get("/api/v1/download/indicators_court.csv", headers=tokens["analyst"])
    client.get("/api/v1/audit", headers=tokens["officer"])
    log = client.get("/api/v1/audit?limit=50", headers=tokens["admin"]).json()
    entries = {(e["username"], e["action"], e["resource"], e["outcome"], e["detail"]) for e in log}
    assert ("analyst", "read_records", "observatory:charges", "allowed", "n=7") in entries
    assert ("officer", "read_records", "observatory:charges", "refused", "role") in entries
    assert ("(anonymous)", "read_records", "observatory:charges", "refused", "role") in entries
    assert (
        "analyst",
        "aggregate",
        "observatory:indicators_court",
        "allowed",
        "unsuppressed",
    ) in entries
    assert ("officer", "read_audit", "access_log", "refused", "role") in entries
    assert any(e[:2] == ("analyst", "login") for e in entries)


def test_pages_are_bilingual_and_sign_in_sets_the_cookie(site):
    from oclab.observatory.i18n import missing_translations

    _, client, _, _ = site
    assert missing_translations() == []
    assert "Indicadores por estado y año" in client.get("/es/").text
    assert "Indicators by state and year" in client.get("/en/").text
    assert "Estándares de formación policial" in client.get("/es/training").text
    assert client.get("/fr/").status_code == 404
    answer = client.post(
        "/es/login", data={"username": "nobody", "password": "x"}, follow_redirects=False
    )
    assert answer.status_code == 401 and "Usuario desconocido" in answer.text
    with TestClient(site[0]) as browser:
        answer = browser.post(
            "/en/login",
            data={"username": "analyst", "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert browser.get("/en/records").status_code == 200


def test_training_and_feed_endpoints(site):
    _, client, tokens, _ = site
    rows = client.get("/api/v1/training?standard=800").json()["rows"]
    short = next(r for r in rows if r["force_id"] == "mx_state_short_2009")
    assert (short["gap_low"], short["gap_high"]) == (480.0, 720.0)
    assert client.get("/api/v1/training?standard=-1").status_code == 422
    public = client.get("/api/v1/feed").json()
    full = client.get("/api/v1/feed", headers=tokens["analyst"]).json()
    assert list(public) == ["source", "years", "national", "by_state"]
    assert len(public["by_state"]) == len(full["by_state"]) == 32
    assert any(s["cases"] is None for s in public["by_state"]) or all(
        s["cases"] >= THRESHOLD for s in full["by_state"]
    )
    assert json.dumps(public)  # serialisable as the model's input


def test_records_roles_and_audit_on_both_backends(engine, fixture_folder):
    """The same checks on SQLite and PostgreSQL (the fixture tables: every cell is small)."""
    from oclab.observatory.io import load_folder

    data, report = load_folder(fixture_folder)
    store = ObservatoryStore(engine)
    store.import_dataset(data, report, KEY, str(fixture_folder))
    registry = Registry(engine, RESTRICTED)
    registry.add_agency("MXSESNSP0", "Secretariado Ejecutivo", "MX")
    registry.add_user(None, "admin", PASSWORD, "national", "MXSESNSP0")
    client = TestClient(create_app(Observatory(store, registry, threshold=THRESHOLD)))
    token = client.post("/api/v1/tokens", json={"username": "admin", "password": PASSWORD})
    admin = {"Authorization": f"Bearer {token.json()['token']}"}
    public = client.get("/api/v1/indicators?level=state").json()["rows"]
    # 2020: 8 reported (small); 2021: 0 reported but 1 resolved, a small numerator that hides
    # the pair.
    assert [(r["n_reported"], r["impunity"]) for r in public] == [(None, None), (None, None)]
    assert [r["backlog"] for r in public] == [None, None]  # 2 and 1: small
    full = client.get("/api/v1/indicators?level=state", headers=admin).json()["rows"]
    assert [r["n_reported"] for r in full] == [8, 0]
    assert client.get("/api/v1/records/defendants").status_code == 403
    rows = client.get("/api/v1/records/defendants", headers=admin).json()
    assert len(rows) == 5 and all(len(r["defendant_id"]) == 24 for r in rows)
    log = client.get("/api/v1/audit", headers=admin).json()
    actions = [(e["username"], e["action"], e["outcome"]) for e in log]
    assert ("admin", "read_records", "allowed") in actions
    assert ("(anonymous)", "read_records", "refused") in actions


def test_totals_do_not_give_away_hidden_parts(site):
    """A shown national (state) count has every state (court) count of its year shown, and
    no shown total leaves a small implied count (alternative resolutions) by subtraction."""
    from oclab.observatory.privacy import COURT_GROUPS, GROUPS, IMPLIED

    _, client, _, _ = site

    def table(level: str) -> pl.DataFrame:
        answer = client.get(f"/api/v1/download/indicators_{level}.parquet")
        return pl.read_parquet(io.BytesIO(answer.content))

    national, state, court = table("national"), table("state"), table("court")
    hidden_somewhere = 0
    for coarse, fine, keys, groups in (
        (national, state, [], GROUPS),
        (state, court, ["state"], COURT_GROUPS),
    ):
        for column in (c for g in groups for c in g if c in fine.columns):
            parts = fine.group_by([*keys, "year"]).agg(hidden=pl.col(column).is_null().any())
            joined = coarse.join(parts, on=[*keys, "year"], how="inner")
            leaks = joined.filter(pl.col(column).is_not_null() & pl.col("hidden"))
            assert leaks.height == 0, (column, leaks.head(3).to_dicts())
            hidden_somewhere += joined.filter(pl.col("hidden")).height
    assert hidden_somewhere > 0  # the rule was exercised
    for frame in (national, state, court):
        for total, parts in IMPLIED:
            if total in frame.columns:
                shown = frame.drop_nulls([total, *parts])
                rest = shown[total] - sum(shown[p] for p in parts)
                assert not ((rest > 0) & (rest < THRESHOLD)).any(), total
