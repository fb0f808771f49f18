"""The dashboard over HTTP (FastAPI's TestClient): pages, validation, safety, downloads, runs."""

from __future__ import annotations

import io
import json
import re
import time
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from oclab.study import load_study
from oclab.web.app import create_app
from oclab.web.cli import access_token, is_loopback
from oclab.web.jobs import STUDY_FILE, lever_scenario_name

RUN_FORM = {
    "name": "levers-test",
    "recruitment": "0.5",
    "incapacitation": "2",
    "runs": "2",
    "seed": "5",
}


@pytest.fixture(scope="module")
def client(results_root: Path) -> TestClient:
    return TestClient(create_app(results_root))


def _spec(html: str, element: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html)
    assert found, element
    return json.loads(found.group(1))


def test_index_lists_stored_studies(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/studies/demo4"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_explore_chart_comes_from_stored_runs(client: TestClient, study_dir: Path) -> None:
    page = client.get(
        "/studies/demo4",
        params={"outcome": "deaths_weekly", "scenario": ["recruitment x0.5"], "interval": "50"},
    )
    assert page.status_code == 200
    spec = _spec(page.text, "chart-spec")
    values = spec["layer"][0]["encoding"] and spec["data"]["values"]
    series = {v["series"] for v in values}
    assert series == {"history (shared)", "recruitment x0.5"}
    stored = pl.read_parquet(study_dir / "results.parquet").filter(
        (pl.col("outcome") == "deaths_weekly")
        & (pl.col("scenario") == "recruitment x0.5")
        & (pl.col("time") == 2032.0)
    )
    last = next(v for v in values if v["series"] == "recruitment x0.5" and v["time"] == 2032.0)
    assert last["median"] == pytest.approx(stored["value"].median())
    assert last["low"] == pytest.approx(stored["value"].quantile(0.25, "linear"))
    assert last["runs"] == stored.height == 4
    assert all(v["time"] < 2022.0 for v in values if v["series"] == "history (shared)")


def test_compare_uses_the_stored_summary(client: TestClient, study_dir: Path) -> None:
    page = client.get("/studies/demo4", params={"outcome": "members", "year": "2027"})
    spec = _spec(page.text, "compare-spec")
    summary = pl.read_csv(study_dir / "summary.csv").filter(
        (pl.col("outcome") == "members") & (pl.col("year") == 2027.0)
    )
    by_name = {v["scenario"]: v for v in spec["data"]["values"]}
    assert set(by_name) == set(summary["scenario"])
    for row in summary.iter_rows(named=True):
        assert by_name[row["scenario"]]["vs_baseline_mean"] == pytest.approx(
            row["vs_baseline_mean"]
        )
    table = page.text.split('id="compare-table"', 1)[1]
    assert f"{summary.filter(pl.col('scenario') == 'baseline')['mean'][0]:,.0f}" in table


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"outcome": "nope"}, "outcome", "expected one of members"),
        ({"scenario": "imaginary"}, "scenario", "expected one of baseline"),
        ({"start": "abc"}, "start", "expected a number"),
        ({"start": "1900"}, "start", "expected a number from 2012"),
        ({"start": "2030", "end": "2020"}, "end", "not before the start year"),
        ({"interval": "33"}, "interval", "expected one of 50, 80, 90"),
        ({"year": "2099"}, "year", "expected one of 2027, 2032"),
        ({"outcome": "x" * 300}, "outcome", "at most 200 characters"),
        ({"lang": "fr"}, "lang", "expected one of en, es"),
    ],
)
def test_bad_query_parameters_get_a_clear_message(
    client: TestClient, query: dict, field: str, message: str
) -> None:
    page = client.get("/studies/demo4", params=query)
    assert page.status_code == 400
    text = unescape(page.text)
    assert f"<code>{field}</code>" in text and message in text


def test_too_many_scenarios_and_repeated_values(client: TestClient) -> None:
    page = client.get("/studies/demo4", params={"scenario": ["baseline"] * 40})
    assert page.status_code == 400 and "at most 32 values" in page.text
    page = client.get("/studies/demo4", params=[("outcome", "members"), ("outcome", "hhi")])
    assert page.status_code == 400 and "single value" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/studies/%2E%2E",
        "/studies/.hidden",
        "/studies/missing",
        "/studies/%2E%2E%2Fetc",
        "/studies/demo4/files/..%2F..%2Fetc%2Fpasswd",
        "/studies/demo4/files/report.es.html",
        "/studies/demo4/files/study.toml",
        "/studies/demo4%2F..%2Fdemo4/files/summary.csv",
    ],
)
def test_paths_cannot_escape_the_results_root(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_symlinked_study_outside_the_root_is_refused(tmp_path: Path, study_dir: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(study_dir, target_is_directory=True)
    client = TestClient(create_app(root))
    assert client.get("/studies/linked").status_code == 404
    assert 'href="/studies/linked"' not in client.get("/").text


def test_downloads_are_the_stored_files(client: TestClient, study_dir: Path) -> None:
    parquet = client.get("/studies/demo4/files/results.parquet")
    assert parquet.status_code == 200 and "attachment" in parquet.headers["content-disposition"]
    assert parquet.content == (study_dir / "results.parquet").read_bytes()
    assert pl.read_parquet(io.BytesIO(parquet.content)).height > 0
    csv = client.get("/studies/demo4/files/summary.csv")
    assert csv.content == (study_dir / "summary.csv").read_bytes()
    selection = client.get(
        "/studies/demo4/selection.csv",
        params={"outcome": "members", "scenario": "no recruitment", "start": "2020"},
    )
    rows = pl.read_csv(io.BytesIO(selection.content))
    assert set(rows["scenario"]) == {"baseline", "no recruitment"}  # the shared history too
    assert rows["time"].min() >= 2020 and set(rows["outcome"]) == {"members"}
    stored = pl.read_parquet(study_dir / "results.parquet").filter(
        (pl.col("outcome") == "members")
        & (pl.col("scenario") == "no recruitment")
        & (pl.col("time") >= 2020)
    )
    assert rows.filter(pl.col("scenario") == "no recruitment").height == stored.height


def test_language_switch_sets_a_cookie(results_root: Path) -> None:
    client = TestClient(create_app(results_root))
    spanish = client.get("/studies/demo4", params={"lang": "es"})
    assert spanish.status_code == 200 and '<html lang="es">' in spanish.text
    assert "Comparar escenarios" in spanish.text and "integrantes (personas)" in spanish.text
    assert client.cookies.get("oclab_lang") == "es"
    assert "Estudios guardados" in client.get("/").text
    assert "Stored studies" in client.get("/", params={"lang": "en"}).text
    report = client.get("/studies/demo4/report.html", params={"lang": "es"})
    assert report.status_code == 200 and "Resumen completo" in report.text


def test_spanish_pages_use_only_catalogued_strings(
    results_root: Path, strict_spanish: list[str]
) -> None:
    client = TestClient(create_app(results_root))
    for path in ("/", "/studies/demo4", "/run", "/studies/missing", "/studies/demo4?start=x"):
        client.get(path, params={"lang": "es"})
    assert strict_spanish == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("runs", "0", "expected a whole number from 1 to 50"),
        ("runs", "51", "expected a whole number from 1 to 50"),
        ("runs", "2.5", "expected a whole number"),
        ("seed", "-1", "expected a whole number"),
        ("recruitment", "nan", "expected a number from 0"),
        ("recruitment", "six", "expected a number"),
        ("incapacitation", "11", "expected a number from 0"),
        ("name", "../escape", "expected a folder name"),
        ("name", "a" * 65, "at most 64 characters"),
        ("name", "demo4", "already exists"),
        ("published", "maybe", "checkbox"),
    ],
)
def test_run_form_validation(results_root: Path, field: str, value: str, message: str) -> None:
    client = TestClient(create_app(results_root, max_runs=50))
    page = client.post("/run", data=RUN_FORM | {field: value})
    assert page.status_code == 400
    assert field in page.text and message in unescape(page.text)
    assert not (results_root / RUN_FORM["name"]).exists()


def test_token_required_when_configured(results_root: Path) -> None:
    client = TestClient(create_app(results_root, token="s3cret"))
    assert 'name="token"' in client.get("/run").text
    denied = client.post("/run", data=RUN_FORM | {"token": "wrong"})
    assert denied.status_code == 403 and "access token" in denied.text
    missing = client.post("/run", data=RUN_FORM)
    assert missing.status_code == 403


def test_token_policy() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    assert access_token("127.0.0.1", {}) is None
    generated = access_token("0.0.0.0", {})
    assert generated and len(generated) >= 24
    assert access_token("0.0.0.0", {"OCLAB_TOKEN": "abc"}) == "abc"
    assert access_token("127.0.0.1", {"OCLAB_TOKEN": "abc"}) == "abc"


def test_launch_a_run_and_follow_it(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path, token="t0k"))
    started = client.post("/run", data=RUN_FORM | {"token": "t0k"}, follow_redirects=False)
    assert started.status_code == 303
    job_url = started.headers["location"]
    job_id = job_url.rsplit("/", 1)[1]
    assert "<progress" in client.get(job_url).text
    busy = client.post("/run", data=RUN_FORM | {"token": "t0k", "name": "second"})
    state: dict = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state["state"] == "done", state
    assert state["done"] == state["total"] == 2 and state["url"] == "/studies/levers-test"
    if busy.status_code == 400:  # refused while the first run was still going
        assert "another run is in progress" in busy.text
    out = tmp_path / "levers-test"
    for name in ("results.parquet", "summary.csv", "study.json", "report.html", STUDY_FILE):
        assert (out / name).is_file()
    study = load_study(out / STUDY_FILE)
    assert study.runs == 2 and study.seed == 5 and study.chunk_runs == 1
    lever = next(s for s in study.scenarios if s.name == lever_scenario_name(0.5, 2.0))
    assert lever.multiply == {"rho": 0.5, "eta": 2.0}
    stored = json.loads((out / "study.json").read_text())
    assert stored["command"].startswith("oclab run ") and STUDY_FILE in stored["command"]
    assert client.get("/studies/levers-test").status_code == 200
    assert client.get("/api/jobs/unknown").status_code == 404


def test_one_run_at_a_time_and_failures_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import oclab.api
    from oclab.web.jobs import FormError, JobManager, parse_run_form

    release = threading.Event()

    def blocked(study, out, *, progress, **_kwargs):
        progress(1)
        assert release.wait(30)
        raise RuntimeError("disk full")

    monkeypatch.setattr(oclab.api, "execute", blocked)
    jobs = JobManager(tmp_path)
    job = jobs.submit(parse_run_form(RUN_FORM, 10), "oclab run x")
    with pytest.raises(FormError, match="another run is in progress"):
        jobs.submit(parse_run_form(RUN_FORM | {"name": "other"}, 10), "oclab run y")
    assert jobs.busy()
    release.set()
    deadline = time.monotonic() + 30
    while jobs.busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.state == "failed" and "disk full" in job.error and job.done == 1
    assert not (tmp_path / RUN_FORM["name"]).exists()  # nothing half-written


def test_javascript_is_bundled_with_licences(client: TestClient) -> None:
    from oclab.web.app import HERE

    vendor = HERE / "static" / "vendor"
    for package in ("vega", "vega-lite", "vega-embed"):
        assert "BSD" in (vendor / "README.md").read_text()
        assert "Redistribution and use" in (vendor / f"{package}.LICENSE").read_text()
        (build,) = vendor.glob(f"{package}-[0-9]*.min.js")
        served = client.get(f"/static/vendor/{build.name}")
        assert served.status_code == 200 and len(served.content) > 50_000
    page = client.get("/studies/demo4").text
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert len(scripts) == 4 and all(src.startswith("/static/") for src in scripts)


def test_folders_that_are_not_results_are_not_found(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "study.json").write_text('{"title": "half a study"}')
    (broken / "results.parquet").write_bytes(b"not parquet")
    (broken / "summary.csv").write_text("a,b\n1,2\n")
    client = TestClient(create_app(tmp_path))
    assert 'href="/studies/broken"' in client.get("/").text  # listed from its study.json
    page = client.get("/studies/broken")
    assert page.status_code == 404 and "No such study" in page.text
    assert client.get("/studies/broken/selection.csv").status_code == 404


def test_oversized_form_is_refused(results_root: Path) -> None:
    client = TestClient(create_app(results_root))
    page = client.post("/run", data=RUN_FORM | {"name": "x" * 20_000})
    assert page.status_code == 400 and "at most 16384 bytes" in page.text
