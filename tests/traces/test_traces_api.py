"""The REST API and the pages, on SQLite and PostgreSQL: reading another agency's trace by id,
raising one's role and injection strings in every field are refused and logged; bad fields get
clear messages (in Spanish on Spanish pages); the public sees suppressed aggregates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tracehelp import INJECTIONS, result, trace

from oclab.traces.i18n import missing_translations
from oclab.traces.validate import _CROSS_EXPECTED, REQUEST_RULES, RULES
from oclab.traces.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def api(world):  # type: ignore[no-untyped-def]
    r = world.registry
    for name, role, ori in (
        ("ntc", "national", "ATFNTC000"),
        ("hou", "police", "TXHPD0000"),
        ("phx", "police", "AZPPD0000"),
        ("fgr", "foreign", "MXPGR0000"),
        ("res", "researcher", None),
    ):
        r.add_user(None, name, PASSWORD, role, ori)
    client = TestClient(create_app(r))
    tokens = {}
    for name in ("ntc", "hou", "phx", "fgr", "res"):
        answer = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
        assert answer.status_code == 200
        tokens[name] = {"Authorization": f"Bearer {answer.json()['token']}"}
    return client, tokens, world


def _audit(client, tokens, outcome):  # type: ignore[no-untyped-def]
    answer = client.get(
        "/api/v1/audit", params={"outcome": outcome, "limit": 1000}, headers=tokens["ntc"]
    )
    assert answer.status_code == 200
    return answer.json()


def test_reading_another_agencys_trace_by_id_is_refused_and_logged(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    made = client.post("/api/v1/traces", json=trace("h1"), headers=tokens["hou"])
    assert made.status_code == 201
    trace_id = made.json()["id"]
    assert client.get(f"/api/v1/traces/{trace_id}", headers=tokens["hou"]).status_code == 200
    for who in ("phx", "fgr", "res"):
        answer = client.get(f"/api/v1/traces/{trace_id}", headers=tokens[who])
        assert answer.status_code == 404  # same answer as a trace that does not exist
    assert client.get(f"/api/v1/traces/{trace_id}").status_code == 404  # the public
    refused = [e for e in _audit(client, tokens, "refused") if e["action"] == "read"]
    assert sorted(e["username"] for e in refused) == ["(anonymous)", "fgr", "phx", "res"]
    assert {e["resource"] for e in refused} == {f"trace:{trace_id}"}


def test_raising_ones_role_is_refused_and_logged(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    assert (
        client.patch("/api/v1/me", json={"role": "national"}, headers=tokens["hou"]).status_code
        == 403
    )
    new_user = {
        "username": "boss",
        "password": PASSWORD,
        "role": "national",
        "agency_ori": "TXHPD0000",
    }
    assert client.post("/api/v1/users", json=new_user, headers=tokens["hou"]).status_code == 403
    assert client.post("/api/v1/users", json=new_user).status_code == 403
    sneaky = trace("x1") | {"role": "national", "agency_id": 1}
    assert client.post("/api/v1/traces", json=sneaky, headers=tokens["hou"]).status_code == 422
    assert client.get("/api/v1/me", headers=tokens["hou"]).json()["role"] == "police"
    assert client.get("/api/v1/audit", headers=tokens["hou"]).status_code == 403
    refused = {(e["username"], e["action"]) for e in _audit(client, tokens, "refused")}
    assert {
        ("hou", "change_role"),
        ("hou", "create_user"),
        ("(anonymous)", "create_user"),
        ("hou", "read_audit"),
    } <= refused
    # The national trace unit may create users.
    assert (
        client.post(
            "/api/v1/users", json=new_user | {"username": "newboss"}, headers=tokens["ntc"]
        ).status_code
        == 201
    )


def test_injection_strings_in_every_field_are_refused_logged_and_not_stored(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, world = api
    attempts = 0
    for rule in REQUEST_RULES:
        for payload in INJECTIONS[:6]:
            answer = client.post(
                "/api/v1/traces",
                json=trace(f"i{attempts}", **{rule.field: payload}),
                headers=tokens["fgr"],
            )
            attempts += 1
            assert answer.status_code == 422, (rule.field, payload)
            assert rule.field in {e["field"] for e in answer.json()["detail"]}
    assert world.registry.count() == (0, 0)
    invalid = [e for e in _audit(client, tokens, "invalid") if e["action"] == "submit"]
    assert len(invalid) == attempts
    # Injection through the path and the query string is refused by their types.
    assert client.get("/api/v1/traces/1%20OR%201=1", headers=tokens["ntc"]).status_code == 422
    assert client.get("/api/v1/traces?limit=1;DROP", headers=tokens["ntc"]).status_code == 422


def test_clear_messages_for_bad_serial_caliber_and_date(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    bad = trace("b1", serial_number="#1", caliber="9 mm", recovery_date="2014-02-30")
    answer = client.post("/api/v1/traces", json=bad, headers=tokens["fgr"])
    assert answer.status_code == 422
    errors = {e["field"]: e for e in answer.json()["detail"]}
    assert errors["serial_number"]["got"] == "#1"
    assert errors["caliber"]["expected"].startswith("a caliber from the NTC list")
    assert "YYYY-MM-DD" in errors["recovery_date"]["expected"]
    page = client.post(
        "/es/traces/new", data={k: str(v) for k, v in bad.items()}, headers=tokens["fgr"]
    )
    assert page.status_code == 422
    assert "un calibre de la lista del NTC" in page.text and "Se esperaba:" in page.text


def test_results_aggregates_plan_and_bad_tokens(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    ids = [
        client.post("/api/v1/traces", json=trace(f"t{i}"), headers=tokens["fgr"]).json()["id"]
        for i in range(3)
    ]
    for trace_id in ids:
        assert (
            client.put(
                f"/api/v1/traces/{trace_id}/result", json=result(), headers=tokens["fgr"]
            ).status_code
            == 403
        )
        assert (
            client.put(
                f"/api/v1/traces/{trace_id}/result", json=result(), headers=tokens["ntc"]
            ).status_code
            == 200
        )
    again = client.post("/api/v1/traces", json=trace("t0"), headers=tokens["fgr"])
    assert again.status_code == 200 and again.json() == {"id": ids[0], "created": False}
    mine = client.get("/api/v1/stats", headers=tokens["fgr"]).json()
    assert mine["ttc"]["n"] == 3 and not mine["suppressed"]
    public = client.get("/api/v1/stats").json()
    assert public["suppressed"] and public["ttc"]["n"] is None  # 3 < min_cell
    assert all(row["traces"] is None for row in public["tables"]["source_states"])
    assert client.get("/api/v1/plan", params={"inspectors": 2}).status_code == 403
    plan = client.get("/api/v1/plan", params={"inspectors": 2}, headers=tokens["ntc"]).json()
    assert plan["status"] == "optimal" and plan["dealers_inspected"] == 1
    png = client.get("/api/v1/stats/corridors.png", headers=tokens["ntc"])
    assert png.headers["content-type"] == "image/png"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert any(e["action"] == "authenticate" for e in _audit(client, tokens, "refused"))


def test_pages_in_english_and_spanish(api) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = api
    login = client.post(
        "/es/login", data={"username": "fgr", "password": PASSWORD}, follow_redirects=False
    )
    assert login.status_code == 303 and "samesite=strict" in login.headers["set-cookie"].lower()
    form = client.get("/es/traces/new")
    assert "Número de serie [5a]" in form.text and "Calibre [5e]" in form.text
    data = {k: str(v) for k, v in trace("web1").items()}
    made = client.post("/es/traces/new", data=data, follow_redirects=False)
    assert made.status_code == 303
    detail = client.get(made.headers["location"])
    assert "Rastreo" in detail.text and "AB12345" in detail.text
    assert "Resultados de rastreo" in client.get("/es/traces").text
    assert "Tiempo hasta el delito" in client.get("/es/").text
    assert "Time to crime" in client.get("/en/").text
    assert client.get("/fr/").status_code == 404


def test_every_string_and_validation_message_has_a_spanish_translation() -> None:
    extra = tuple(r.expected for r in RULES.values()) + tuple(_CROSS_EXPECTED.values())
    assert missing_translations(extra) == []


def test_the_app_mounts_under_a_prefix_with_working_links(world) -> None:  # type: ignore[no-untyped-def]
    from fastapi import FastAPI

    parent = FastAPI()
    parent.mount("/traces", create_app(world.registry))
    client = TestClient(parent)
    page = client.get("/traces/es/")
    assert page.status_code == 200
    assert 'href="/traces/es/traces/new"' in page.text
    assert 'src="/traces/api/v1/stats/corridors.png"' in page.text
    assert client.get("/traces/api/v1/stats").status_code == 200
    assert client.get("/traces/", follow_redirects=False).headers["location"] == "/traces/en/"
